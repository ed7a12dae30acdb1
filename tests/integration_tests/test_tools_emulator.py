"""Tools, structured output, JSON mode, partial mode and an agent loop through ChatQwen over HTTP (emulator)."""

from __future__ import annotations

import asyncio
import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from langchain_qwen import ChatQwen, QwenValidationError
from langchain_qwen.partial import acomplete_prefix, complete_prefix, continue_answer
from langchain_qwen.testing import DashScopeEmulator
from tests._helpers import invoke, merge, stream

SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is sunny in {city}."


@tool
def get_population(city: str) -> int:
    """Get the population of a city."""
    return 2_100_000


class Person(BaseModel):
    """Facts about a person."""

    name: str = Field(description="the person's name")
    age: int = Field(description="age in years")


def _llm(emu: DashScopeEmulator, model: str = "qwen-plus", **kw: object) -> ChatQwen:
    return ChatQwen(model=model, base_url=emu.base_url, api_key=emu.api_key, **kw)


@SYNC
def test_forced_tool_call_invoke_and_stream(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator).bind_tools([get_weather, get_population], tool_choice="get_weather")
    msg = invoke(llm, sync, "What is the weather in 'Paris'?")
    assert [(c["name"], c["args"]) for c in msg.tool_calls] == [("get_weather", {"city": "Paris"})]
    assert msg.tool_calls[0]["id"].startswith("call_") and msg.response_metadata["finish_reason"] == "tool_calls"
    assert any(b["type"] == "tool_call" for b in msg.content_blocks)
    body = emulator.last_request.body
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert body["parallel_tool_calls"] is False and body["enable_thinking"] is False
    chunks = stream(llm, sync, "What is the weather in 'Paris'?")
    full = merge(chunks)
    assert [(c["name"], c["args"]) for c in full.tool_calls] == [("get_weather", {"city": "Paris"})]
    assert sum(1 for c in chunks if c.tool_call_chunks) >= 2  # arguments arrived in fragments
    assert full.response_metadata["finish_reason"] == "tool_calls"


@SYNC
def test_auto_and_parallel_calls(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator)
    text = invoke(llm.bind_tools([get_weather]), sync, "Tell me a story")
    assert not text.tool_calls and text.text
    question = "What are the weather and the population of 'Hangzhou'?"
    one = invoke(llm.bind_tools([get_weather, get_population]), sync, question)
    assert [c["name"] for c in one.tool_calls] == ["get_weather"]  # DashScope default: one call per turn
    both = merge(stream(llm.bind_tools([get_weather, get_population], parallel_tool_calls=True), sync, question))
    assert [(c["name"], c["args"]) for c in both.tool_calls] == [
        ("get_weather", {"city": "Hangzhou"}),
        ("get_population", {"city": "Hangzhou"}),
    ]
    assert len({c["id"] for c in both.tool_calls}) == 2


@SYNC
def test_reasoning_then_tool_calls_on_a_thinking_model(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, "qwen3-32b").bind_tools([get_weather])
    msg = invoke(llm, sync, "What is the weather in 'Beijing'?")
    assert msg.additional_kwargs["reasoning_content"] and msg.tool_calls[0]["args"] == {"city": "Beijing"}
    assert next(b["type"] for b in msg.content_blocks) == "reasoning"
    body = emulator.last_request.body
    assert body["stream"] is True and body["enable_thinking"] is True  # thinking kept: tool_choice is auto


@SYNC
def test_tool_round_trip_history(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator).bind_tools([get_weather])
    first = invoke(llm, sync, "What is the weather in 'Oslo'?")
    result = get_weather.invoke(first.tool_calls[0])
    errored = ToolMessage(content=[{"type": "text", "text": "timeout"}], tool_call_id="x", status="error")
    final = invoke(llm, sync, [HumanMessage("What is the weather in 'Oslo'?"), first, result])
    assert "It is sunny in Oslo." in final.text and not final.tool_calls
    wire = emulator.last_request.body["messages"]
    assert wire[1]["tool_calls"][0]["function"]["arguments"] == json.dumps({"city": "Oslo"})
    assert wire[2] == {"role": "tool", "tool_call_id": first.tool_calls[0]["id"], "content": "It is sunny in Oslo."}
    invoke(
        llm,
        sync,
        [HumanMessage("q"), AIMessage("", tool_calls=[{"name": "get_weather", "args": {}, "id": "x"}]), errored],
    )
    assert emulator.last_request.body["messages"][2]["content"] == "Error: timeout"


@SYNC
def test_unicode_arguments_survive(emulator: DashScopeEmulator, sync: bool) -> None:
    msg = invoke(_llm(emulator).bind_tools([get_weather], tool_choice="any"), sync, "天气怎么样？城市是「杭州」")
    assert msg.tool_calls[0]["args"] == {"city": "杭州"}


@SYNC
@pytest.mark.parametrize("method", ["function_calling", "json_mode", "json_schema"])
def test_structured_output_methods(emulator: DashScopeEmulator, sync: bool, method: str) -> None:
    llm = _llm(emulator, enable_thinking=True)
    structured = llm.with_structured_output(Person, method=method)  # type: ignore[arg-type]
    with pytest.warns(UserWarning, match="thinking is off"):
        person = invoke(structured, sync, "Tell me about 'Ada', who is 36 years old.")
    assert person == Person(name="Ada", age=36)
    body = emulator.last_request.body
    assert body["enable_thinking"] is False
    if method == "json_mode":
        assert body["response_format"] == {"type": "json_object"}
    elif method == "json_schema":
        assert body["response_format"]["type"] == "json_schema"
    with pytest.warns(UserWarning):
        chunks = stream(structured, sync, "Tell me about 'Ada', who is 36 years old.")
    assert chunks[-1] == Person(name="Ada", age=36)
    assert llm.enable_thinking is True


@SYNC
def test_structured_output_include_raw_and_typed_dict(emulator: DashScopeEmulator, sync: bool) -> None:
    schema = {
        "title": "City",
        "description": "A city.",
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "required": ["name"],
    }
    out = invoke(_llm(emulator).with_structured_output(schema, include_raw=True), sync, "Name a city: 'Rome'")
    assert out["parsed"] == {"name": "Rome"} and out["parsing_error"] is None
    assert isinstance(out["raw"], AIMessage)


def test_json_schema_falls_back_on_models_without_it(emulator: DashScopeEmulator) -> None:
    person = (
        _llm(emulator, "qwen-max").with_structured_output(Person, method="json_schema").invoke("'Bo' is 7 years old")
    )
    assert person == Person(name="Bo", age=7) and "tools" in emulator.last_request.body


def test_json_mode_adds_the_json_word(emulator: DashScopeEmulator) -> None:
    out = _llm(emulator).bind(response_format={"type": "json_object"}).invoke("list three colours")
    assert json.loads(out.text) == {"reply": "list three colours"}
    assert emulator.last_request.body["messages"][0] == {"role": "system", "content": "Respond with a JSON object."}


@SYNC
def test_partial_mode_prefix_completion(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, "qwen3-coder-plus")
    messages = [HumanMessage("Write a fibonacci function")]
    if sync:
        code = complete_prefix(llm, messages, "def fib(")
    else:
        code = asyncio.run(acomplete_prefix(llm, messages, "def fib("))
    assert code.text.startswith("def fib(") and len(code.text) > len("def fib(")
    last = emulator.last_request.body["messages"][-1]
    assert last == {"role": "assistant", "content": "def fib(", "partial": True}
    with pytest.raises(QwenValidationError, match="no partial mode"):
        complete_prefix(_llm(emulator, "qwen-long"), messages, "x")


def test_continue_a_cut_off_answer(emulator: DashScopeEmulator) -> None:
    llm = _llm(emulator, "qwen-plus")
    messages = [HumanMessage("one two three four five six seven eight")]
    cut = llm.invoke(messages, max_tokens=4)
    assert cut.response_metadata["finish_reason"] == "length"
    full = continue_answer(llm, messages, cut)
    assert full.text.startswith(cut.text) and full.response_metadata["finish_reason"] == "stop"
    assert full.usage_metadata["output_tokens"] > cut.usage_metadata["output_tokens"]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream"])
def test_create_agent_loop(emulator: DashScopeEmulator, mode: str) -> None:
    from langchain.agents import create_agent

    agent = create_agent(_llm(emulator), tools=[get_weather])
    inputs = {"messages": [HumanMessage("What is the weather in 'Lisbon'?")]}
    if mode == "invoke":
        messages = agent.invoke(inputs)["messages"]
    elif mode == "ainvoke":
        messages = asyncio.run(agent.ainvoke(inputs))["messages"]
    else:
        tokens = [tok for tok, _meta in agent.stream(inputs, stream_mode="messages") if tok.type == "AIMessageChunk"]
        assert any(t.tool_call_chunks for t in tokens) and any(t.text for t in tokens)
        state = None
        for state in agent.stream(inputs, stream_mode="values"):  # noqa: B007
            pass
        messages = state["messages"]  # type: ignore[index]
    kinds = [m.type for m in messages]
    assert kinds == ["human", "ai", "tool", "ai"]
    assert messages[1].tool_calls[0]["args"] == {"city": "Lisbon"}
    assert messages[2].content == "It is sunny in Lisbon." and "It is sunny in Lisbon." in messages[3].text

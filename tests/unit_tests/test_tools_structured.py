"""Tools, tool_choice mapping, structured output, JSON mode and partial mode: request building (no network)."""

from __future__ import annotations

import warnings
from typing import TypedDict

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from langchain_qwen import ChatQwen, QwenValidationError
from langchain_qwen._payload import build_chat_request
from langchain_qwen.partial import prefix_message

HI = [HumanMessage("hi")]


class Person(BaseModel):
    """A person."""

    name: str = Field(description="full name")
    age: int


class PersonDict(TypedDict):
    """A person as a dict."""

    name: str


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return city


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def _body(llm: ChatQwen, binding, messages=HI):  # type: ignore[no-untyped-def]
    return build_chat_request(messages, llm._default_params | binding.kwargs, want_stream=False).body


def test_bind_tools_accepts_every_kind_and_keeps_model_unchanged() -> None:
    llm = ChatQwen(model="qwen-plus", api_key="k")
    before = llm.model_dump()
    openai_dict = {"type": "function", "function": {"name": "lookup", "description": "d", "parameters": {}}}
    bound = llm.bind_tools([get_weather, add, Person, PersonDict, openai_dict], strict=True)
    names = [t["function"]["name"] for t in bound.kwargs["tools"]]  # type: ignore[attr-defined]
    assert names == ["get_weather", "add", "Person", "PersonDict", "lookup"]
    assert all(t["function"].get("strict") is True for t in bound.kwargs["tools"])  # type: ignore[attr-defined]
    body = _body(llm, bound)
    assert body["parallel_tool_calls"] is False and "tool_choice" not in body
    assert llm.model_dump() == before


def test_reserved_tool_name() -> None:
    with pytest.raises(QwenValidationError, match="reserves the tool name 'search'"):
        ChatQwen(model="qwen-plus", api_key="k").bind_tools(
            [{"type": "function", "function": {"name": "search", "parameters": {}}}]
        )


def test_tool_choice_mapping() -> None:
    llm = ChatQwen(model="qwen-plus", api_key="k")
    one = _body(llm, llm.bind_tools([get_weather], tool_choice="any"))
    assert one["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert one["enable_thinking"] is False
    assert _body(llm, llm.bind_tools([get_weather, add], tool_choice="add"))["tool_choice"]["function"]["name"] == "add"
    assert _body(llm, llm.bind_tools([get_weather, add], tool_choice="none"))["tool_choice"] == "none"
    assert _body(llm, llm.bind_tools([get_weather], tool_choice=True))["tool_choice"]["type"] == "function"
    with pytest.warns(UserWarning, match="cannot be forced to call one of several tools"):
        soft = _body(llm, llm.bind_tools([get_weather, add], tool_choice="required"))  # A8: no "required" here
    assert soft["tool_choice"] == "auto" and soft["messages"][0]["content"].startswith("You must answer by calling")
    with pytest.raises(QwenValidationError, match="names no bound tool"):
        llm.bind_tools([get_weather], tool_choice="nope")
    assert _body(llm, llm.bind_tools([get_weather], parallel_tool_calls=True))["parallel_tool_calls"] is True


def test_forcing_turns_thinking_off_on_hybrids_and_is_refused_on_always_thinking() -> None:
    llm = ChatQwen(model="qwen3-32b", api_key="k", enable_thinking=True)
    with pytest.warns(UserWarning, match="thinking is off for this call"):
        body = _body(llm, llm.bind_tools([get_weather], tool_choice="get_weather"))
    assert body["enable_thinking"] is False and "stream" not in body
    auto = ChatQwen(model="qwen3-32b", api_key="k")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _body(auto, auto.bind_tools([get_weather]))["enable_thinking"] is True  # auto keeps thinking
    qwq = ChatQwen(model="qwq-plus", api_key="k")
    with pytest.raises(QwenValidationError, match="always thinks"):
        _body(qwq, qwq.bind_tools([get_weather], tool_choice="get_weather"))


def test_unknown_models_get_required_as_asked() -> None:
    llm = ChatQwen(model="my-vllm-model", api_key="k")
    assert _body(llm, llm.bind_tools([get_weather, add], tool_choice="any"))["tool_choice"] == "required"


def test_models_without_tools_refuse_locally() -> None:
    llm = ChatQwen(model="qwen-mt-plus", api_key="k")
    with pytest.raises(QwenValidationError, match="does not support tool calling"):
        _body(llm, llm.bind_tools([get_weather]))


def test_with_structured_output_function_calling_binding() -> None:
    llm = ChatQwen(model="qwen-plus", api_key="k", enable_thinking=True)
    runnable = llm.with_structured_output(Person)
    binding = runnable.first  # type: ignore[attr-defined]
    assert binding.kwargs["tool_choice"] == {"type": "function", "function": {"name": "Person"}}
    assert binding.kwargs["ls_structured_output_format"]["schema"] is Person
    assert llm.enable_thinking is True  # the original model is untouched
    with pytest.raises(QwenValidationError, match="always thinks"):
        ChatQwen(model="qwq-plus", api_key="k").with_structured_output(Person)


def test_json_mode_word_rule_and_schema_hint() -> None:
    llm = ChatQwen(model="qwen-plus", api_key="k")
    bare = _body(llm, llm.bind(response_format={"type": "json_object"}))
    assert bare["messages"][0] == {"role": "system", "content": "Respond with a JSON object."}
    has_word = _body(llm, llm.bind(response_format={"type": "json_object"}), [HumanMessage("answer in JSON")])
    assert len(has_word["messages"]) == 1
    runnable = llm.with_structured_output(Person, method="json_mode")
    body = _body(llm, runnable.first, [SystemMessage("be brief"), HumanMessage("who?")])  # type: ignore[attr-defined]
    assert body["messages"][0]["content"] == "be brief" and body["messages"][1]["content"].startswith(
        "Respond with a JSON object that conforms to this JSON schema:"
    )
    assert '"age"' in body["messages"][1]["content"] and body["enable_thinking"] is False
    with pytest.warns(UserWarning, match="max_tokens"):
        _body(llm, llm.bind(response_format={"type": "json_object"}, max_tokens=5))


def test_json_schema_native_or_fallback() -> None:
    plus = ChatQwen(model="qwen-plus", api_key="k").with_structured_output(Person, method="json_schema", strict=True)
    fmt = plus.first.kwargs["response_format"]  # type: ignore[attr-defined]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["properties"]["age"]["type"] == "integer"
    fallback = ChatQwen(model="qwen-max", api_key="k").with_structured_output(Person, method="json_schema")
    assert fallback.first.kwargs["tool_choice"]["function"]["name"] == "Person"  # type: ignore[attr-defined]
    llm = ChatQwen(model="qwen-max", api_key="k")  # asked explicitly: sent (json_schema availability is volatile)
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}}
    assert _body(llm, llm.bind(response_format=fmt))["response_format"] == fmt


def test_partial_mode_rules() -> None:
    msgs = [HumanMessage("write fib"), prefix_message("def fib(")]
    coder = ChatQwen(model="qwen3-coder-plus", api_key="k")
    assert build_chat_request(msgs, coder._default_params, want_stream=False).body["messages"][-1]["partial"] is True
    hybrid = ChatQwen(model="qwen-plus", api_key="k")
    assert build_chat_request(msgs, hybrid._default_params, want_stream=False).body["enable_thinking"] is False
    with pytest.raises(QwenValidationError, match="no partial mode"):
        build_chat_request(msgs, ChatQwen(model="qwen-long", api_key="k")._default_params, want_stream=False)
    with pytest.raises(QwenValidationError, match="always thinks"):
        build_chat_request(msgs, ChatQwen(model="qwq-plus", api_key="k")._default_params, want_stream=True)
    mid = [HumanMessage("a"), AIMessage("b", additional_kwargs={"partial": True}), HumanMessage("c")]
    assert "partial" not in build_chat_request(mid, coder._default_params, want_stream=False).body["messages"][1]


def test_reasoning_kept_with_tool_call_turns() -> None:
    llm = ChatQwen(model="qwen-plus", api_key="k", enable_thinking=True)
    turn = AIMessage(
        "",
        tool_calls=[{"name": "get_weather", "args": {"city": "x"}, "id": "c1"}],
        additional_kwargs={"reasoning_content": "need weather"},
    )
    plain = AIMessage("done", additional_kwargs={"reasoning_content": "r"})
    wire = build_chat_request(
        [HumanMessage("q"), turn, plain, HumanMessage("q2")], llm._default_params, want_stream=False
    ).body["messages"]
    assert wire[1]["reasoning_content"] == "need weather" and "reasoning_content" not in wire[2]

"""ChatQwen over DashScope's Responses API, through the public API over real HTTP (emulator, or a loopback
server replaying captured-shape events): invoke/stream/ainvoke/astream/batch, built-in tools as v1
server_tool_call/result blocks, an agent loop mixing function and built-in tools, previous_response_id,
retrieval, reasoning, usage with x_tools, session cache, and failed or cut streams as typed errors."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from langchain_qwen import (
    ChatQwen,
    QwenError,
    QwenNotFoundError,
    QwenServerError,
    QwenStreamInterruptedError,
    QwenValidationError,
    _errors,
)
from langchain_qwen.testing import DashScopeEmulator
from tests._helpers import invoke, merge, stream

SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
SEARCH = [{"type": "web_search"}, {"type": "web_extractor"}]


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is sunny in {city}."


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_errors, "INITIAL_RETRY_DELAY", 0.01)


def _llm(emu: DashScopeEmulator, model: str = "qwen3.6-plus", **kw: Any) -> ChatQwen:
    return ChatQwen(model=model, base_url=emu.base_url, api_key=emu.api_key, **kw)


def _calls(emu: DashScopeEmulator) -> list[Any]:
    return [r for r in emu.requests if r.path.startswith("/responses")]


def _types(msg: Any) -> list[str]:
    return [b["type"] for b in msg.content_blocks]


# --- basics ------------------------------------------------------------------------------------------


@SYNC
def test_invoke_text_reasoning_usage_and_wire(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, use_responses_api=True, temperature=0.5)
    msg = invoke(llm, sync, [SystemMessage("Be brief."), HumanMessage("Name a river")])
    assert isinstance(msg, AIMessage) and msg.text == "Emulated reply: Name a river"
    assert _types(msg) == ["reasoning", "text"]  # qwen3.6-plus thinks by default
    assert msg.content_blocks[0]["reasoning"].startswith("The user asked: Name a river")
    assert msg.additional_kwargs["reasoning_content"] == msg.content_blocks[0]["reasoning"]
    meta = msg.response_metadata
    assert meta["object"] == "response" and meta["status"] == "completed" and meta["finish_reason"] == "stop"
    assert meta["model_name"] == "qwen3.6-plus" and meta["id"] == msg.id and meta["request_id"]
    usage = msg.usage_metadata
    assert usage and usage["output_token_details"]["reasoning"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    (req,) = _calls(emulator)
    assert req.method == "POST" and req.path == "/responses"
    assert req.body == {
        "model": "qwen3.6-plus",
        "input": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a river"}],
        "temperature": 0.5,
    }


@SYNC
def test_stream_chunks_merge_to_the_invoke_message(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, use_responses_api=True, reasoning_effort="low")
    chunks = stream(llm, sync, "Tell me about tea")
    assert len(chunks) > 10 and all(c.response_metadata["output_version"] == "v1" for c in chunks)
    full = merge(chunks)
    assert full.text == "Emulated reply: Tell me about tea" and _types(full) == ["reasoning", "text"]
    assert full.chunk_position == "last" and full.usage_metadata["output_tokens"] > 0
    body = _calls(emulator)[0].body
    assert body["stream"] is True and body["reasoning"] == {"effort": "low"} and body["enable_thinking"] is True
    assert full.text == invoke(llm, sync, "Tell me about tea").text


def test_batch_over_responses(emulator: DashScopeEmulator) -> None:
    llm = _llm(emulator, use_responses_api=True, enable_thinking=False)
    out = llm.batch(["one", "two", "three"])
    assert [m.text for m in out] == [f"Emulated reply: {q}" for q in ("one", "two", "three")]
    assert all(_types(m) == ["text"] for m in out)
    assert all(
        r.body["reasoning"] == {"effort": "none"} and r.body["enable_thinking"] is False for r in _calls(emulator)
    )
    assert asyncio.run(llm.abatch(["four"]))[0].text == "Emulated reply: four"


# --- built-in tools ------------------------------------------------------------------------------------


@SYNC
def test_builtin_tools_switch_to_responses_and_keep_sources(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator).bind_tools([*SEARCH, {"type": "code_interpreter"}])  # use_responses_api unset
    msg = invoke(llm, sync, "What is 12 * 7, and what is new in Hangzhou?")
    assert _types(msg) == ["reasoning", *["server_tool_call", "server_tool_result"] * 3, "text"]
    calls = [b for b in msg.content_blocks if b["type"] == "server_tool_call"]
    results = [b for b in msg.content_blocks if b["type"] == "server_tool_result"]
    assert [c["name"] for c in calls] == ["web_search", "web_extractor", "code_interpreter"]
    assert calls[0]["args"]["query"] == "What is 12 * 7, and what is new in Hangzhou?"
    assert [r["tool_call_id"] for r in results] == [c["id"] for c in calls]
    sources = results[0]["output"]["sources"]
    assert len(sources) == 3 and all(s["url"] in msg.text for s in sources)
    assert results[1]["output"]["sources"] == sources[:1] and "useful information" in results[1]["output"]["content"]
    assert calls[2]["args"] == {"code": "print(12 * 7)"} and results[2]["output"] == [{"type": "logs", "logs": "84"}]
    assert msg.response_metadata["x_tools"] == {
        n: {"count": 1} for n in ("web_search", "web_extractor", "code_interpreter")
    }
    body = _calls(emulator)[0].body
    assert body["tools"] == [*SEARCH, {"type": "code_interpreter"}] and "tool_choice" not in body


@SYNC
def test_builtin_tools_streamed(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, enable_thinking=False).bind_tools(SEARCH)
    chunks = stream(llm, sync, "latest Qwen release")
    full = merge(chunks)
    assert _types(full) == ["server_tool_call", "server_tool_result"] * 2 + ["text"]
    assert full.content_blocks[1]["output"]["sources"][0]["url"].startswith("https://www.example.com/search/1/")
    assert full.response_metadata["x_tools"]["web_extractor"] == {"count": 1}


def test_builtin_tool_rules_checked_locally(emulator: DashScopeEmulator) -> None:
    llm = _llm(emulator)
    with pytest.raises(QwenValidationError, match="web_extractor works only together with web_search"):
        llm.bind_tools([{"type": "web_extractor"}])
    with pytest.raises(QwenValidationError, match="need thinking on"):
        _llm(emulator, "qwen3-max", enable_thinking=False).bind_tools(SEARCH).invoke("hi")
    with pytest.raises(QwenValidationError, match="only on DashScope's Responses API"):
        _llm(emulator, use_responses_api=False).bind_tools(SEARCH).invoke("hi")
    with pytest.raises(QwenValidationError, match="exactly one tool"):
        llm.bind_tools([*SEARCH, get_weather], tool_choice="required")
    with pytest.raises(QwenValidationError, match="thinking_budget"):
        _llm(emulator, use_responses_api=True, thinking_budget=100).invoke("hi")
    with pytest.raises(QwenValidationError, match="max_tokens.*not a parameter"):
        _llm(emulator, use_responses_api=True, max_tokens=10).invoke("hi")
    with pytest.raises(QwenValidationError, match="enable_search.*web_search"):
        _llm(emulator, use_responses_api=True).invoke("hi", enable_search=True)
    with pytest.raises(QwenValidationError, match="video"):
        _llm(emulator, use_responses_api=True).invoke([HumanMessage([{"type": "video", "url": "https://x/v.mp4"}])])
    assert not _calls(emulator)
    # qwen3-max needs thinking for web_extractor: switched on when not set
    msg = _llm(emulator, "qwen3-max").bind_tools(SEARCH).invoke("weather news")
    assert _calls(emulator)[-1].body["reasoning"] == {"effort": "medium"} and _types(msg)[0] == "reasoning"


@SYNC
def test_agent_loop_mixes_function_and_builtin_tools(emulator: DashScopeEmulator, sync: bool) -> None:
    from langchain.agents import create_agent

    agent = create_agent(_llm(emulator, enable_thinking=False), tools=[{"type": "web_search"}, get_weather])
    query = {"messages": [("user", "Use get_weather for 'Paris' and search the web")]}
    out = agent.invoke(query) if sync else asyncio.run(agent.ainvoke(query))
    first, tool_msg, final = out["messages"][1:4]
    assert _types(first) == ["server_tool_call", "server_tool_result", "tool_call"]
    assert first.tool_calls[0]["name"] == "get_weather" and first.tool_calls[0]["args"] == {"city": "Paris"}
    assert isinstance(tool_msg, ToolMessage) and tool_msg.content == "It is sunny in Paris."
    assert final.text.endswith("(tool results: It is sunny in Paris.)")
    second = _calls(emulator)[1].body
    assert [t for t in second["tools"] if t["type"] != "web_search"] == [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Get the current weather for a city.",
            "parameters": {"properties": {"city": {"type": "string"}}, "required": ["city"], "type": "object"},
        }
    ]
    assert {"type": "web_search"} in second["tools"]
    call_id = first.tool_calls[0]["id"]
    assert second["input"][1:] == [
        {"type": "function_call", "call_id": call_id, "name": "get_weather", "arguments": '{"city": "Paris"}'},
        {"type": "function_call_output", "call_id": call_id, "output": "It is sunny in Paris."},
    ]


@SYNC
def test_function_call_arguments_stream_as_tool_call_chunks(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, use_responses_api=True, enable_thinking=False).bind_tools(
        [get_weather], tool_choice="get_weather"
    )
    chunks = stream(llm, sync, "What about 'Oslo'?")
    assert sum(1 for c in chunks if c.tool_call_chunks) >= 3  # announced, then argument fragments
    full = merge(chunks)
    assert full.tool_calls == [
        {"name": "get_weather", "args": {"city": "Oslo"}, "id": full.tool_calls[0]["id"], "type": "tool_call"}
    ]
    assert _types(full) == ["tool_call"] and full.response_metadata["finish_reason"] == "tool_calls"
    choice = _calls(emulator)[0].body["tool_choice"]
    assert choice == {
        "type": "allowed_tools",
        "mode": "required",
        "tools": [{"type": "function", "name": "get_weather"}],
    }


# --- conversation state -----------------------------------------------------------------------------------


@SYNC
def test_previous_response_id_sends_only_new_turns(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, use_responses_api=True, use_previous_response_id=True, enable_thinking=False)
    first = invoke(llm, sync, [HumanMessage("My name is Ada.")])
    history = [HumanMessage("My name is Ada."), first, HumanMessage("What is my name?")]
    second = invoke(llm, sync, history)
    body = _calls(emulator)[1].body
    assert body["previous_response_id"] == first.id == first.response_metadata["id"]
    assert body["input"] == [{"role": "user", "content": "What is my name?"}]
    assert second.usage_metadata["input_tokens"] > first.usage_metadata["input_tokens"]  # server kept the context
    with pytest.raises(QwenValidationError, match="store=False"):
        _llm(emulator, use_responses_api=True, use_previous_response_id=True, store=False).invoke(history)


@SYNC
def test_stored_response_retrieved_by_id(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, use_responses_api=True).bind_tools(SEARCH)
    msg = invoke(llm, sync, "find the docs")
    plain = _llm(emulator)
    got = plain.get_response(msg.id) if sync else asyncio.run(plain.aget_response(msg.id))
    assert got.content_blocks == msg.content_blocks and got.usage_metadata == msg.usage_metadata
    assert _calls(emulator)[-1].method == "GET" and _calls(emulator)[-1].path == f"/responses/{msg.id}"
    unstored = invoke(_llm(emulator, use_responses_api=True, store=False), sync, "forget me")
    assert _calls(emulator)[-1].body["store"] is False
    with pytest.raises(QwenNotFoundError, match="not found"):
        plain.get_response(unstored.id)
    with pytest.raises(QwenValidationError, match="response_id"):
        plain.get_response("../etc")


def test_session_cache_header_and_cached_usage(emulator: DashScopeEmulator) -> None:
    llm = _llm(
        emulator, use_responses_api=True, use_previous_response_id=True, session_cache=True, enable_thinking=False
    )
    long_text = "Context cache makes long prompts cheaper. " * 150
    first = llm.invoke(long_text)
    assert _calls(emulator)[0].headers["x-dashscope-session-cache"] == "enable"
    assert first.usage_metadata["input_token_details"]["cache_creation"] == first.usage_metadata["input_tokens"]
    second = llm.invoke([HumanMessage(long_text), first, HumanMessage("Summarise it.")])
    assert second.usage_metadata["input_token_details"]["cache_read"] == first.usage_metadata["input_tokens"]


# --- failures ------------------------------------------------------------------------------------------


@SYNC
def test_failed_stream_raises_typed_error_with_partial(emulator: DashScopeEmulator, sync: bool) -> None:
    emulator.inject(path="/responses", stream_error_after=12, code="internal_error", message="Provider stopped.")
    with pytest.raises(Exception, match="Provider stopped") as info:
        stream(_llm(emulator, use_responses_api=True), sync, "A long answer please")
    assert isinstance(info.value, QwenServerError) and isinstance(info.value, QwenError)
    partial = info.value.partial  # type: ignore[attr-defined]
    assert isinstance(partial, AIMessage) and partial.content_blocks[0]["type"] == "reasoning"


@SYNC
def test_cut_stream_is_interrupted_not_success(emulator: DashScopeEmulator, sync: bool) -> None:
    emulator.inject(path="/responses", truncate_after=6)
    with pytest.raises(QwenStreamInterruptedError) as info:
        stream(_llm(emulator, use_responses_api=True, enable_thinking=False), sync, "Cut me off somewhere")
    assert info.value.partial.text.startswith("Emulated")  # type: ignore[attr-defined]
    emulator.inject(path="/responses", status=404, code="model_not_found", message="nope")
    with pytest.raises(QwenNotFoundError):
        invoke(_llm(emulator, use_responses_api=True), sync, "hi")


# --- event variants the emulator does not produce (loopback replay of the documented/observed shapes) ---------


def _sse(events: list[dict[str, Any]]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


@pytest.fixture
def replay_server() -> Iterator[tuple[str, list[bytes]]]:
    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            data = bodies.pop(0)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)  # fast shutdown
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/compatible-mode/v1", bodies
    server.shutdown()
    server.server_close()


def test_reasoning_text_events_and_url_citations(replay_server: tuple[str, list[bytes]]) -> None:
    url, bodies = replay_server
    item = {"id": "msg_1", "type": "message", "role": "assistant", "content": []}
    annotation = {"type": "url_citation", "url": "https://qwen.ai/", "title": "Qwen", "start_index": 0, "end_index": 4}
    bodies.append(
        _sse(
            [
                {"type": "response.created", "response": {"id": "r1", "status": "queued"}},
                {"type": "response.reasoning_text.delta", "output_index": 0, "content_index": 0, "delta": "Think"},
                {"type": "response.reasoning_text.delta", "output_index": 0, "content_index": 0, "delta": "ing."},
                {
                    "type": "response.output_item.done",
                    "output_index": 0,
                    "item": {
                        "id": "rs_1",
                        "type": "reasoning",
                        "summary": [{"type": "summary_text", "text": "Thinking."}],
                        "content": [{"type": "reasoning_text", "text": "Thinking."}],
                    },
                },
                {"type": "response.output_item.added", "output_index": 1, "item": item},
                {"type": "response.output_text.delta", "output_index": 1, "content_index": 0, "delta": "Qwen"},
                {
                    "type": "response.output_text.annotation.added",
                    "output_index": 1,
                    "content_index": 0,
                    "annotation": annotation,
                },
                {
                    "type": "response.output_item.done",
                    "output_index": 1,
                    "item": {**item, "content": [{"type": "output_text", "text": "Qwen", "annotations": [annotation]}]},
                },
                {
                    "type": "response.completed",
                    "response": {
                        "id": "r1",
                        "status": "completed",
                        "model": "qwen3.6-plus",
                        "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
                    },
                },
            ]
        )
    )
    llm = ChatQwen(model="qwen3.6-plus", base_url=url, api_key="sk-test", use_responses_api=True)
    full = merge(list(llm.stream("hi")))
    reasoning, text = full.content_blocks
    assert reasoning == {"type": "reasoning", "reasoning": "Thinking.", "index": "lc_rs_0_0"}
    assert text["text"] == "Qwen" and text["annotations"] == [
        {"type": "citation", "url": "https://qwen.ai/", "title": "Qwen", "start_index": 0, "end_index": 4}
    ]
    assert full.usage_metadata == {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}


def test_error_event_raises(replay_server: tuple[str, list[bytes]]) -> None:
    url, bodies = replay_server
    bodies.append(
        _sse(
            [
                {"type": "response.created", "response": {"id": "r2"}},
                {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "Part"},
                {
                    "type": "error",
                    "code": "data_inspection_failed",
                    "message": "Output data may contain inappropriate content.",
                },
            ]
        )
    )
    llm = ChatQwen(model="qwen3.6-plus", base_url=url, api_key="sk-test", use_responses_api=True)
    with pytest.raises(Exception, match="inappropriate") as info:
        list(llm.stream("hi"))
    assert isinstance(info.value, QwenError)
    assert info.value.partial.text == "Part"  # type: ignore[attr-defined]


# --- the emulator's /responses wire rules (raw HTTP) ----------------------------------------------------


def test_emulator_responses_wire_rules(emulator: DashScopeEmulator) -> None:
    import httpx

    url = emulator.base_url + "/responses"
    headers = {"Authorization": f"Bearer {emulator.api_key}"}

    def post(**body: Any) -> httpx.Response:
        return httpx.post(url, json={"model": "qwen3.6-plus", "input": "hi", **body}, headers=headers)

    ok = post(reasoning={"effort": "none"}).json()
    assert ok["object"] == "response" and ok["status"] == "completed" and ok["store"] is True
    assert ok["output"][0]["type"] == "message" and ok["output"][0]["id"].startswith("msg_")
    assert ok["usage"]["x_details"][0]["x_billing_type"] == "response_api"
    assert post(tools=[{"type": "web_extractor"}]).status_code == 400
    assert post(tools=[{"type": "web_search"}, {"type": "code_interpreter"}], tool_choice="required").status_code == 400
    assert post(reasoning={"effort": "xhigh"}).status_code == 400
    assert post(model="qwq-plus").status_code == 404
    assert post(previous_response_id="nope").status_code == 404
    orphan = [{"type": "function_call_output", "call_id": "call_1", "output": "x"}]
    assert post(input=orphan).status_code == 400
    assert httpx.delete(url + "/" + ok["id"], headers=headers).status_code == 405
    assert httpx.get(url + "/" + ok["id"], headers=headers).json() == ok
    text = post(stream=True, tools=[{"type": "web_search"}]).text
    assert "data: [DONE]" not in text  # the Responses stream ends with response.completed
    events = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    kinds = [e["type"] for e in events]
    assert kinds[:2] == ["response.created", "response.in_progress"] and kinds[-1] == "response.completed"
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert "response.web_search_call.searching" in kinds
    done = [e["item"] for e in events if e["type"] == "response.output_item.done"]
    assert done == events[-1]["response"]["output"]


def test_documented_web_extractor_stream_sample(replay_server: tuple[str, list[bytes]]) -> None:
    """The zh reference's web-extractor stream, quirks included: the reasoning item is finished at another
    output_index than its deltas, text deltas carry no item_id, and `response.completed` has no `output`."""
    url, bodies = replay_server
    reasoning = {"summary": [], "type": "reasoning", "id": "msg_r"}
    summary = [{"type": "summary_text", "text": "I should search first."}]
    search = {"action": {"type": "search", "query": "Web search"}, "id": "msg_s", "type": "web_search_call"}
    sources = [{"type": "url", "url": "https://cn.aliyun.com/"}, {"type": "url", "url": "https://www.aliyun.com/"}]
    extractor = {"urls": ["https://cn.aliyun.com/"], "goal": "key facts", "id": "msg_e", "type": "web_extractor_call"}
    bodies.append(
        _sse(
            [
                {"sequence_number": 0, "type": "response.created", "response": {"id": "r3", "status": "queued"}},
                {"sequence_number": 2, "type": "response.output_item.added", "item": reasoning, "output_index": 0},
                {
                    "delta": "I should search first.",
                    "sequence_number": 3,
                    "output_index": 0,
                    "item_id": "msg_r",
                    "type": "response.reasoning_summary_text.delta",
                    "summary_index": 0,
                },
                {
                    "sequence_number": 14,
                    "type": "response.output_item.done",
                    "output_index": 1,
                    "item": {**reasoning, "summary": summary},
                },
                {
                    "sequence_number": 15,
                    "type": "response.output_item.added",
                    "output_index": 1,
                    "item": {**search, "status": "in_progress"},
                },
                {
                    "sequence_number": 19,
                    "type": "response.output_item.done",
                    "output_index": 1,
                    "item": {**search, "action": {**search["action"], "sources": sources}, "status": "completed"},
                },
                {
                    "sequence_number": 32,
                    "type": "response.output_item.added",
                    "output_index": 3,
                    "item": {**extractor, "status": "in_progress"},
                },
                {
                    "sequence_number": 33,
                    "type": "response.output_item.done",
                    "output_index": 3,
                    "item": {**extractor, "output": "Alibaba Cloud: AI and cloud.", "status": "completed"},
                },
                {
                    "sequence_number": 50,
                    "type": "response.output_item.added",
                    "output_index": 5,
                    "item": {"content": [{"type": "text", "text": ""}], "type": "message", "id": "msg_final"},
                },
                {"delta": "Found it.", "sequence_number": 51, "output_index": 5, "type": "response.output_text.delta"},
                {
                    "type": "response.completed",
                    "response": {
                        "id": "r3",
                        "status": "completed",
                        "usage": {"input_tokens": 45, "output_tokens": 320, "total_tokens": 365},
                    },
                },
            ]
        )
    )
    llm = ChatQwen(model="qwen3.6-plus", base_url=url, api_key="sk-test").bind_tools(SEARCH)
    full = merge(list(llm.stream("find the Alibaba Cloud homepage")))
    assert _types(full) == [
        "reasoning",
        "server_tool_call",
        "server_tool_result",
        "server_tool_call",
        "server_tool_result",
        "text",
    ]
    assert full.content_blocks[0]["reasoning"] == "I should search first."  # once, not again from the done item
    assert full.content_blocks[2]["output"] == {"sources": sources}
    assert full.content_blocks[4]["output"]["content"] == "Alibaba Cloud: AI and cloud."
    assert full.text == "Found it." and full.response_metadata["id"] == "r3"


def test_items_only_in_the_completed_response_are_kept(replay_server: tuple[str, list[bytes]]) -> None:
    url, bodies = replay_server
    call = {
        "id": "fc_1",
        "type": "function_call",
        "call_id": "call_9",
        "name": "get_weather",
        "arguments": '{"city": "Rome"}',
    }
    bodies.append(
        _sse(
            [
                {"type": "response.created", "response": {"id": "r4"}},
                {"type": "response.completed", "response": {"id": "r4", "status": "completed", "output": [call]}},
            ]
        )
    )
    llm = ChatQwen(model="qwen3.6-plus", base_url=url, api_key="sk-test", use_responses_api=True)
    full = merge(list(llm.bind_tools([get_weather]).stream("weather in Rome")))
    assert full.tool_calls == [{"name": "get_weather", "args": {"city": "Rome"}, "id": "call_9", "type": "tool_call"}]


def test_images_and_tool_history_convert_to_input_items(emulator: DashScopeEmulator) -> None:
    llm = _llm(emulator, use_responses_api=True, enable_thinking=False)
    image = HumanMessage(
        [
            {"type": "text", "text": "What is in these?"},
            {"type": "image", "url": "https://example.com/cat.png"},
            {"type": "image_url", "image_url": {"url": "https://example.com/dog.png"}},
            {"type": "image", "base64": "iVBORw0KGgo=", "mime_type": "image/png"},
        ]
    )
    assert llm.invoke([image]).text == "Emulated reply: What is in these?"
    assert _calls(emulator)[-1].body["input"] == [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "What is in these?"},
                {"type": "input_image", "image_url": "https://example.com/cat.png"},
                {"type": "input_image", "image_url": "https://example.com/dog.png"},
                {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo="},
            ],
        }
    ]
    with pytest.raises(QwenValidationError, match="file://|local"):
        llm.invoke([HumanMessage([{"type": "image", "url": "file:///etc/passwd"}])])


def test_official_sdk_reads_the_emulated_responses(emulator: DashScopeEmulator) -> None:
    import openai

    client = openai.OpenAI(base_url=emulator.base_url, api_key=emulator.api_key, max_retries=0)
    response = client.responses.create(model="qwen3.6-plus", input="Hello world", tools=[{"type": "web_search"}])
    assert [o.type for o in response.output] == ["reasoning", "web_search_call", "message"]
    assert response.output_text.startswith("Emulated reply: Hello world (sources: https://www.example.com/")
    assert response.usage is not None and response.usage.output_tokens_details.reasoning_tokens > 0
    events = list(client.responses.create(model="qwen3.6-plus", input="Hello", stream=True))
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "Emulated reply: Hello"
    assert client.responses.retrieve(response.id).id == response.id


def test_other_builtin_items_keep_arguments_and_outputs(replay_server: tuple[str, list[bytes]]) -> None:
    """Image search, MCP and knowledge-base items (zh reference samples) become server tool blocks too."""
    url, bodies = replay_server
    image = {
        "name": "web_search_image",
        "arguments": '{"queries": ["cute cat"]}',
        "id": "msg_i",
        "type": "web_search_image_call",
        "status": "completed",
        "output": '[{"title": "cat", "url": "https://example.com/cat.jpg", "index": 1}]',
    }
    mcp = {
        "name": "amap-maps-maps_weather",
        "server_label": "MCP Server",
        "arguments": '{"city": "Beijing"}',
        "id": "msg_m",
        "type": "mcp_call",
        "status": "completed",
        "output": '{"city": "Beijing"}',
    }
    kb = {
        "id": "msg_k",
        "type": "file_search_call",
        "queries": ["X1 phone"],
        "status": "completed",
        "results": [{"score": 0.75, "filename": "X1", "text": "X1 ...", "file_id": "file_1"}],
    }
    events: list[dict[str, Any]] = [{"type": "response.created", "response": {"id": "r5"}}]
    events += [
        {"type": "response.output_item.done", "output_index": i, "item": it} for i, it in enumerate([image, mcp, kb])
    ]
    usage = {"input_tokens": 9, "output_tokens": 1, "total_tokens": 10, "x_tools": {"web_search_image": {"count": 1}}}
    events.append({"type": "response.completed", "response": {"id": "r5", "status": "completed", "usage": usage}})
    bodies.append(_sse(events))
    llm = ChatQwen(model="qwen3.6-plus", base_url=url, api_key="sk-test").bind_tools(
        [{"type": "web_search_image"}, {"type": "mcp", "server_label": "MCP Server"}, {"type": "file_search"}]
    )
    full = merge(list(llm.stream("cats, weather, X1")))
    calls = [b for b in full.content_blocks if b["type"] == "server_tool_call"]
    results = [b for b in full.content_blocks if b["type"] == "server_tool_result"]
    assert [(c["name"], c["args"]) for c in calls] == [
        ("web_search_image", {"queries": ["cute cat"]}),
        ("amap-maps-maps_weather", {"city": "Beijing"}),
        ("file_search", {"queries": ["X1 phone"]}),
    ]
    assert calls[1]["extras"] == {"server_label": "MCP Server"}
    assert results[0]["output"] == [{"title": "cat", "url": "https://example.com/cat.jpg", "index": 1}]
    assert results[1]["output"] == {"city": "Beijing"} and results[2]["output"][0]["file_id"] == "file_1"
    assert full.response_metadata["x_tools"] == {"web_search_image": {"count": 1}}

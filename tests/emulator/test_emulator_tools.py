"""Emulator tool calls, structured output and partial mode over real loopback HTTP (httpx2, openai SDK)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx2
import openai
import pytest

from langchain_qwen._tokens import count_text
from langchain_qwen.testing import DashScopeEmulator
from tests.emulator._wire import post, sse


def error_message(resp: httpx2.Response) -> str:
    assert resp.status_code == 400, resp.text
    return resp.json()["error"]["message"]


def tool(name: str, parameters: dict[str, Any] | None = None, description: str = "A tool.") -> dict[str, Any]:
    fn: dict[str, Any] = {"name": name, "description": description}
    if parameters is not None:
        fn["parameters"] = parameters
    return {"type": "function", "function": fn}


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


WEATHER = tool(
    "get_current_weather",
    {
        "type": "object",
        "properties": {"location": {"type": "string", "description": "City"}},
        "required": ["location"],
    },
)
CLOCK = tool("get_current_time", {"type": "object", "properties": {}})
ADD = tool(
    "add_numbers",
    {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer", "minimum": 10}, "note": {"type": "string"}},
        "required": ["b", "a"],
    },
)
CALL_ID = re.compile(r"^call_[0-9a-f]{24}$")


def calls_of(resp: httpx2.Response) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.text
    return resp.json()["choices"][0]["message"].get("tool_calls") or []


# -- tool calls: non-stream ------------------------------------------------------------------------


def test_forced_tool_call_non_stream_shape(http: httpx2.Client) -> None:
    choice = {"type": "function", "function": {"name": "get_current_weather"}}
    resp = post(
        http, model="qwen-plus", messages=user("天气怎么样？“上海”"), tools=[CLOCK, WEATHER], tool_choice=choice
    )
    body = resp.json()
    [only] = body["choices"]
    assert only["finish_reason"] == "tool_calls" and only["index"] == 0 and only["logprobs"] is None
    message = only["message"]
    assert message["content"] == "" and message["role"] == "assistant"
    assert set(message) == {"role", "content", "tool_calls"}  # no OpenAI-SDK-only refusal/audio/function_call
    [call] = message["tool_calls"]
    assert set(call) == {"id", "type", "index", "function"}
    assert CALL_ID.match(call["id"]) and call["type"] == "function" and call["index"] == 0
    assert call["function"] == {"name": "get_current_weather", "arguments": '{"location": "上海"}'}
    assert "上海" in resp.text and "\\u" not in resp.text  # arguments keep CJK unescaped on the wire too
    expected = count_text("get_current_weather") + count_text('{"location": "上海"}')
    assert body["usage"]["completion_tokens"] == expected
    assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + expected


def test_forced_tool_errors(http: httpx2.Client) -> None:
    choice = {"type": "function", "function": {"name": "nope"}}
    resp = post(http, model="qwen-plus", messages=user("hi"), tools=[WEATHER], tool_choice=choice)
    assert error_message(resp) == "The function nope specified in tool_choice is not found in tools."
    resp = post(http, model="qwen-plus", messages=user("hi"), tools=[WEATHER], n=2)
    assert error_message(resp) == "Range of n should be [1, 1] when tools are present"
    resp = post(
        http,
        model="qwen-plus",
        messages=user("weather"),
        tools=[WEATHER],
        stream=True,
        enable_thinking=True,
        tool_choice={"type": "function", "function": {"name": "get_current_weather"}},
    )
    assert error_message(resp) == (
        "The tool_choice parameter does not support being set to required or object in thinking mode"
    )


def test_openai_sdk_parses_tool_call(oai: openai.OpenAI) -> None:
    completion = oai.chat.completions.create(
        model="qwen-plus",
        messages=user("What's the weather in 'Paris'?"),
        tools=[WEATHER],  # type: ignore[arg-type]
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls or []
    assert call.function.name == "get_current_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"location": "Paris"}  # type: ignore[union-attr]


# -- tool calls: stream ----------------------------------------------------------------------------


def test_stream_tool_call_deltas(http: httpx2.Client) -> None:
    resp = post(
        http,
        model="qwen-plus",
        messages=user("weather and time in 'Hangzhou' please"),
        tools=[WEATHER, CLOCK],
        parallel_tool_calls=True,
        stream=True,
        stream_options={"include_usage": True},
    )
    events = sse(resp.text)
    assert events[-1] == "[DONE]"
    usage, chunks = events[-2], events[:-2]
    assert usage["choices"] == []
    # Capture `stream-qwen-plus-tool-call-null-arguments-2025-09`: the first frame is the tool call (with
    # role and content null), continuations have `id: ""` and no `name` key, then one bare frame with
    # `arguments: null`, then the finish in its own `{"delta": {}}` frame.
    first = chunks[0]["choices"][0]["delta"]
    assert first["role"] == "assistant" and first["content"] is None and first["tool_calls"][0]["function"]["name"]
    *call_chunks, empty, finish = chunks
    assert empty["choices"] == [
        {
            "delta": {"tool_calls": [{"function": {"arguments": None}, "index": 1, "id": "", "type": "function"}]},
            "index": 0,
        }
    ]
    assert finish["choices"][0]["delta"] == {} and finish["choices"][0]["finish_reason"] == "tool_calls"
    assert {c["choices"][0]["finish_reason"] for c in call_chunks} == {None}
    calls: dict[int, dict[str, Any]] = {}
    for chunk in call_chunks:
        delta = chunk["choices"][0]["delta"]
        assert delta["content"] is None
        [part] = delta["tool_calls"]
        assert part["type"] == "function"
        if part["index"] not in calls:
            assert CALL_ID.match(part["id"]) and part["function"]["name"]
            calls[part["index"]] = {"id": part["id"], "name": part["function"]["name"], "arguments": ""}
        else:
            assert part["id"] == "" and "name" not in part["function"]
        calls[part["index"]]["arguments"] += part["function"]["arguments"]
    assert [c["name"] for c in calls.values()] == ["get_current_weather", "get_current_time"]
    assert json.loads(calls[0]["arguments"]) == {"location": "Hangzhou"}
    assert json.loads(calls[1]["arguments"]) == {}
    # The weather arguments arrive in 3 fragments: one first delta plus two continuations.
    assert sum(1 for c in call_chunks if c["choices"][0]["delta"]["tool_calls"][0]["index"] == 0) == 3
    expected = sum(count_text(c["name"]) + count_text(c["arguments"]) for c in calls.values())
    assert usage["usage"]["completion_tokens"] == expected


def test_stream_tool_call_through_openai_sdk(oai: openai.OpenAI) -> None:
    stream = oai.chat.completions.create(
        model="qwen-plus",
        messages=user("add 5 and 7 with add_numbers"),
        tools=[ADD],
        stream=True,  # type: ignore
    )
    args, names, finish = "", [], None
    for chunk in stream:
        if not chunk.choices:
            continue
        for part in chunk.choices[0].delta.tool_calls or []:
            names.append(part.function.name)  # type: ignore[union-attr]
            args += part.function.arguments or ""  # type: ignore[union-attr]
        finish = chunk.choices[0].finish_reason or finish
    assert finish == "tool_calls"
    assert names[0] == "add_numbers" and all(n is None for n in names[1:])  # the SDK fills absent names with None
    # Required first, in schema order; integers from the text with `minimum` respected.
    assert list(json.loads(args).items()) == [("b", 10), ("a", 5), ("note", "add 5 and 7 with add_numbers")]


def test_thinking_stream_reasoning_then_tool_call(http: httpx2.Client) -> None:
    events = sse(
        post(
            http,
            model="qwen-plus",
            messages=user("what is the weather in Paris"),
            tools=[WEATHER],
            enable_thinking=True,
            stream=True,
        ).text
    )[:-1]
    deltas = [e["choices"][0]["delta"] for e in events]
    assert deltas[0] == {"content": None, "role": "assistant", "reasoning_content": ""}
    # Capture `stream-qwen3.5-flash-thinking-tool-call-2026-04`: reasoning, a start frame with empty
    # arguments, argument frames, a bare frame with `arguments: ""`, the finish frame.
    *body, empty, finish = deltas
    kinds = ["t" if d.get("tool_calls") else "r" for d in body[1:]]
    assert kinds == sorted(kinds, key=lambda k: k == "t") and "r" in kinds and "t" in kinds
    assert all(d["content"] is None and d["reasoning_content"] is None for d in body if d.get("tool_calls"))
    assert next(d["tool_calls"][0]["function"]["arguments"] for d in body if d.get("tool_calls")) == ""
    assert empty == {"tool_calls": [{"function": {"arguments": ""}, "index": 0, "id": "", "type": "function"}]}
    assert finish == {"content": "", "reasoning_content": None}
    assert events[-1]["choices"][0]["finish_reason"] == "tool_calls"
    args = "".join(d["tool_calls"][0]["function"]["arguments"] for d in body if d.get("tool_calls"))
    assert json.loads(args) == {"location": "what is the weather in Paris"}


def test_thinking_non_stream_tool_call(http: httpx2.Client) -> None:
    body = post(http, model="qwen-plus", messages=user("weather?"), tools=[WEATHER], enable_thinking=True).json()
    message = body["choices"][0]["message"]
    assert message["reasoning_content"].startswith("The user asked") and message["content"] == ""
    assert message["tool_calls"][0]["function"]["name"] == "get_current_weather"
    reasoning = body["usage"]["completion_tokens_details"]["reasoning_tokens"]
    args = message["tool_calls"][0]["function"]["arguments"]
    assert body["usage"]["completion_tokens"] == reasoning + count_text("get_current_weather") + count_text(args)


# -- auto mode -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Use get_current_weather now", ["get_current_weather"]),
        ("Please GET CURRENT WEATHER", ["get_current_weather"]),
        ("Is it raining? Check the weather.", ["get_current_weather"]),
        ("what time is it", ["get_current_time"]),  # a 4+ letter part as a word
        ("get me a coat", []),  # "get" is shorter than 4 letters
        ("current affairs", ["get_current_weather"]),  # first mentioned tool in `tools` order
        ("weathering", []),  # parts match whole words only
        ("tell me a joke", []),
    ],
)
def test_auto_mentions(http: httpx2.Client, text: str, names: list[str]) -> None:
    calls = calls_of(post(http, model="qwen-plus", messages=user(text), tools=[WEATHER, CLOCK]))
    assert [c["function"]["name"] for c in calls] == names


def test_auto_without_mention_answers_text(http: httpx2.Client) -> None:
    body = post(http, model="qwen-plus", messages=user("tell me a joke"), tools=[WEATHER]).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop" and "tool_calls" not in choice["message"]
    assert choice["message"]["content"] == "Emulated reply: tell me a joke"


def test_stop_words_and_camel_case(http: httpx2.Client) -> None:
    tools = [tool("make_data_call"), tool("fetchStockPrice", {"type": "object", "properties": {}})]
    assert calls_of(post(http, model="qwen-plus", messages=user("make a call with data"), tools=tools)) == []
    calls = calls_of(post(http, model="qwen-plus", messages=user("the stock went up"), tools=tools))
    assert [(c["function"]["name"], c["function"]["arguments"]) for c in calls] == [("fetchStockPrice", "{}")]


@pytest.mark.parametrize(
    ("parallel", "expected"),
    [
        (True, ["get_current_weather", "get_current_time"]),
        (False, ["get_current_weather"]),
        (None, ["get_current_weather"]),
    ],
)
def test_parallel_tool_calls(http: httpx2.Client, parallel: bool | None, expected: list[str]) -> None:
    extra = {} if parallel is None else {"parallel_tool_calls": parallel}
    # The message names the time tool first; calls still follow the order of `tools`.
    calls = calls_of(
        post(
            http,
            model="qwen-plus",
            messages=user("get_current_time and get_current_weather"),
            tools=[WEATHER, CLOCK],
            **extra,
        )
    )
    assert [c["function"]["name"] for c in calls] == expected
    assert [c["index"] for c in calls] == list(range(len(expected)))
    assert len({c["id"] for c in calls}) == len(calls)


def test_tool_choice_none_answers_text(http: httpx2.Client) -> None:
    body = post(http, model="qwen-plus", messages=user("weather"), tools=[WEATHER], tool_choice="none").json()
    assert body["choices"][0]["message"]["content"] == "Emulated reply: weather"
    assert "tool_calls" not in body["choices"][0]["message"]


def test_tool_results_give_text(http: httpx2.Client) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_current_weather", "arguments": "{}"}}
    call2 = {**call, "id": "call_2"}
    msgs = [
        {"role": "user", "content": "weather in Paris and Rome"},
        {"role": "assistant", "content": "", "tool_calls": [call, call2]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        {"role": "tool", "tool_call_id": "call_2", "content": "rainy"},
    ]
    body = post(http, model="qwen-plus", messages=msgs, tools=[WEATHER]).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop" and "tool_calls" not in choice["message"]
    assert choice["message"]["content"] == "Emulated reply: weather in Paris and Rome (tool results: sunny; rainy)"
    # A forced tool is still called after results (DashScope keeps honouring tool_choice, F3.1).
    forced = {"type": "function", "function": {"name": "get_current_weather"}}
    assert calls_of(post(http, model="qwen-plus", messages=msgs, tools=[WEATHER], tool_choice=forced))


# -- argument extraction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "text", "expected"),
    [
        ({"n": {"type": "integer"}}, "What is f(3)? then 12", {"n": 3}),
        ({"n": {"type": "integer"}}, "no digits here", {"n": 0}),
        ({"n": {"type": "integer", "minimum": 5}}, "use 2", {"n": 5}),
        ({"x": {"type": "number"}}, "scale by 2.5 then 3", {"x": 2.5}),
        ({"x": {"type": "number"}}, "nothing", {"x": 0.0}),
        ({"s": {"type": "string"}}, 'say "hello world" twice', {"s": "hello world"}),
        ({"s": {"type": "string"}}, "don't say 'bye' now", {"s": "bye"}),
        ({"s": {"type": "string"}}, "查询「北京」的天气", {"s": "北京"}),
        ({"s": {"type": "string"}}, "  東京の天気は？  ", {"s": "東京の天気は？"}),
        ({"b": {"type": "boolean"}, "u": {"enum": ["c", "f"]}, "k": {"const": 7}}, "x", {"b": True, "u": "c", "k": 7}),
        ({"l": {"type": "array", "items": {"type": "integer"}}}, "list 4", {"l": [4]}),
        ({"o": {"type": "object", "properties": {"v": {"type": "string"}}}}, "q", {"o": {"v": "q"}}),
        ({"any": {}}, "free text", {"any": "free text"}),
    ],
)
def test_argument_extraction(http: httpx2.Client, schema: dict[str, Any], text: str, expected: dict[str, Any]) -> None:
    params = {"type": "object", "properties": schema}
    choice = {"type": "function", "function": {"name": "probe"}}
    [call] = calls_of(
        post(http, model="qwen-plus", messages=user(text), tools=[tool("probe", params)], tool_choice=choice)
    )
    assert json.loads(call["function"]["arguments"]) == expected


def test_unicode_arguments_stay_unescaped(http: httpx2.Client) -> None:
    choice = {"type": "function", "function": {"name": "get_current_weather"}}
    resp = post(http, model="qwen-plus", messages=user("東京の天気"), tools=[WEATHER], tool_choice=choice)
    [call] = calls_of(resp)
    assert call["function"]["arguments"] == '{"location": "東京の天気"}'


@pytest.mark.parametrize("parameters", [None, {}, {"type": "object", "properties": {}}])
def test_no_argument_tool(http: httpx2.Client, parameters: dict[str, Any] | None) -> None:
    choice = {"type": "function", "function": {"name": "ping"}}
    [call] = calls_of(
        post(http, model="qwen-plus", messages=user("ping 42"), tools=[tool("ping", parameters)], tool_choice=choice)
    )
    assert call["function"]["arguments"] == "{}"


def test_ref_anyof_allof_schema(http: httpx2.Client) -> None:
    params = {
        "type": "object",
        "$defs": {
            "Unit": {"enum": ["celsius", "fahrenheit"]},
            "Place": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "zip": {"type": "integer"}},
                "required": ["city"],
            },
        },
        "definitions": {"Days": {"type": "integer", "minimum": 1}},
        "properties": {
            "place": {"$ref": "#/$defs/Place"},
            "unit": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/Unit"}], "default": None},
            "days": {"oneOf": [{"$ref": "#/definitions/Days"}, {"type": "null"}]},
            "extra": {
                "allOf": [
                    {"type": "object", "properties": {"a": {"type": "string"}}},
                    {"properties": {"b": {"type": "boolean"}}, "required": ["b"]},
                ]
            },
            "tags": {"type": ["null", "array"], "items": {"type": "string"}},
        },
        "required": ["days"],
    }
    choice = {"type": "function", "function": {"name": "forecast"}}
    [call] = calls_of(
        post(
            http,
            model="qwen-plus",
            messages=user("forecast for 'Oslo' over 0 days"),
            tools=[tool("forecast", params)],
            tool_choice=choice,
        )
    )
    args = json.loads(call["function"]["arguments"])
    assert args == {
        "days": 1,
        "place": {"city": "Oslo", "zip": 0},
        "unit": "celsius",
        "extra": {"b": True, "a": "Oslo"},
        "tags": ["Oslo"],
    }
    assert list(args) == ["days", "place", "unit", "extra", "tags"]


# -- structured output ------------------------------------------------------------------------------


JOKE_SCHEMA = {
    "type": "object",
    "properties": {"setup": {"type": "string"}, "rating": {"type": "integer"}},
    "required": ["setup", "rating"],
}


def test_json_object_with_schema_in_system_prompt(http: httpx2.Client) -> None:
    system = f'Reply in JSON matching this schema: {json.dumps(JOKE_SCHEMA)}. Example: {{"not": "a schema"}}'
    msgs = [{"role": "system", "content": system}, {"role": "user", "content": "a joke about 猫 rated 8"}]
    body = post(http, model="qwen-plus", messages=msgs, response_format={"type": "json_object"}).json()
    assert json.loads(body["choices"][0]["message"]["content"]) == {"setup": "a joke about 猫 rated 8", "rating": 8}
    assert "猫" in body["choices"][0]["message"]["content"]
    events = sse(
        post(http, model="qwen-plus", messages=msgs, response_format={"type": "json_object"}, stream=True).text
    )[:-1]
    pieces = [e["choices"][0]["delta"]["content"] for e in events[1:-1]]
    assert len(pieces) > 3  # token by token
    assert json.loads("".join(pieces)) == {"setup": "a joke about 猫 rated 8", "rating": 8}


def test_json_object_without_schema(http: httpx2.Client) -> None:
    msgs = [{"role": "user", "content": "Answer in json: {not json}"}]
    body = post(http, model="qwen-plus", messages=msgs, response_format={"type": "json_object"}).json()
    assert json.loads(body["choices"][0]["message"]["content"]) == {"reply": "Answer in json: {not json}"}


def test_json_schema(http: httpx2.Client, oai: openai.OpenAI) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "joke", "strict": True, "schema": JOKE_SCHEMA}}
    body = post(http, model="qwen-plus", messages=user("tell a joke, 5 stars"), response_format=fmt).json()
    assert json.loads(body["choices"][0]["message"]["content"]) == {"setup": "tell a joke, 5 stars", "rating": 5}
    completion = oai.chat.completions.create(model="qwen-plus", messages=user("x"), response_format=fmt)  # type: ignore
    assert json.loads(completion.choices[0].message.content or "") == {"setup": "x", "rating": 0}
    resp = post(http, model="qwen-plus", messages=user("x"), response_format=fmt, enable_thinking=True, stream=True)
    assert error_message(resp) == "Json mode response is not supported when enable_thinking is true"
    resp = post(http, model="qwen-max", messages=user("x"), response_format=fmt)
    assert error_message(resp) == "The model qwen-max does not support response_format of type 'json_schema'."


# -- partial mode ------------------------------------------------------------------------------------


def prefixed(prefix: str = "def generate_prime_number") -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "write a prime generator"},
        {"role": "assistant", "content": prefix, "partial": True},
    ]


def test_partial_mode_continuation(http: httpx2.Client) -> None:
    body = post(http, model="qwen-plus", messages=prefixed()).json()
    content = body["choices"][0]["message"]["content"]
    assert content == " …continued: write a prime generator"
    assert "def generate_prime_number" not in content
    events = sse(post(http, model="qwen3-coder-plus", messages=prefixed(), stream=True).text)[:-1]
    assert "".join(e["choices"][0]["delta"]["content"] for e in events) == content
    # A partial mode request needs no user message.
    only = [{"role": "assistant", "content": "Once upon a time", "partial": True}]
    body = post(http, model="qwen-plus", messages=only).json()
    assert body["choices"][0]["message"]["content"] == " …continued: "


def test_partial_flag_on_earlier_message_is_ignored(http: httpx2.Client) -> None:
    msgs = [*prefixed(), {"role": "user", "content": "again"}]
    body = post(http, model="qwq-plus", messages=msgs, stream=True).text  # no partial-mode support, yet accepted
    assert "Emulated reply: again" in "".join(
        e["choices"][0]["delta"]["content"] or "" for e in sse(body)[:-1] if e["choices"]
    )


def test_partial_mode_errors(http: httpx2.Client) -> None:
    resp = post(http, model="qwen-long", messages=prefixed())
    assert error_message(resp) == "Partial mode is not supported by model qwen-long."
    resp = post(http, model="qwen-plus", messages=prefixed(), enable_thinking=True, stream=True)
    assert error_message(resp) == "Partial mode is not supported in thinking mode."
    resp = post(http, model="qwen-plus", messages=[{"role": "assistant", "content": "x"}])
    assert error_message(resp) == "The input messages do not contain elements with the role of user."


def test_token_sized_argument_pieces_knob(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.tool_arg_piece_tokens = 1
    try:
        text = post(
            http, model="qwen-plus", messages=user("add 5 and 7 with add_numbers"), tools=[ADD], stream=True
        ).text
    finally:
        emu.tool_arg_piece_tokens = None
    parts = [
        e["choices"][0]["delta"]["tool_calls"][0]["function"].get("arguments")
        for e in sse(text)[:-1]
        if e["choices"][0]["delta"].get("tool_calls")
    ]
    args = "".join(p for p in parts if p)
    assert len([p for p in parts if p]) == count_text(args)  # one token per piece
    assert json.loads(args)["a"] == 5


def test_latency_knob(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.latency = 0.2
    try:
        start = time.perf_counter()
        assert post(http, model="qwen-plus", messages=user("hi")).status_code == 200
        assert time.perf_counter() - start >= 0.2
    finally:
        emu.latency = 0.0

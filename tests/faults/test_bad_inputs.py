"""Bad input is refused before any network call, with a message naming the parameter, the value and what is allowed.

One table: each row is an input DashScope documents as refused (ranges from dashscope-protocol F13.1 and the
2026 addendum), driven through the public API against a loopback server that must see no request. Rows marked
WARN are volatile limits: they warn and are sent (the local-refusal policy).
"""

from __future__ import annotations

import base64
import warnings
from dataclasses import dataclass, field
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ChatMessage, HumanMessage, SystemMessage, ToolMessage

from langchain_qwen import ChatQwen
from langchain_qwen._errors import QwenValidationError
from tests.faults._server import FaultServer, completion, json_response, stream_ok

HI = [HumanMessage("hi")]
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()


def _tool(name: str = "get_weather", params: Any = None, description: str = "Weather for a city.") -> dict[str, Any]:
    schema = params if params is not None else {"type": "object", "properties": {"city": {"type": "string"}}}
    return {"type": "function", "function": {"name": name, "description": description, "parameters": schema}}


@dataclass
class Case:
    """One bad input: model settings, call kwargs, messages, tools; the words the error must contain."""

    expect: tuple[str, ...]
    model: str = "qwen-plus"
    settings: dict[str, Any] = field(default_factory=dict)
    call: dict[str, Any] = field(default_factory=dict)
    messages: Any = None
    tools: list[Any] | None = None
    warn: bool = False
    """A volatile limit: warn (with the expected words) and send."""


CASES: dict[str, Case] = {
    # --- sampling ranges (F13.1, A13) ---
    "temperature_2": Case(("temperature", "2.0", "[0, 2)"), settings={"temperature": 2.0}),
    "temperature_negative_call": Case(("temperature", "-0.1", "[0, 2)"), call={"temperature": -0.1}),
    "temperature_not_a_number": Case(("temperature", "'hot'", "number"), call={"temperature": "hot"}),
    "top_p_zero": Case(("top_p", "0", "(0, 1]"), settings={"top_p": 0.0}),
    "top_p_above_one": Case(("top_p", "1.5", "(0, 1]"), call={"top_p": 1.5}),
    "top_k_negative": Case(("top_k", "-1", ">= 0"), settings={"top_k": -1}),
    "top_k_float": Case(("top_k", "2.5", "int"), call={"top_k": 2.5}),
    "presence_penalty_high": Case(("presence_penalty", "2.5", "[-2, 2]"), settings={"presence_penalty": 2.5}),
    "presence_penalty_low_call": Case(("presence_penalty", "-3", "[-2, 2]"), call={"presence_penalty": -3}),
    "repetition_penalty_zero": Case(("repetition_penalty", "0", "> 0"), settings={"repetition_penalty": 0.0}),
    "seed_negative": Case(("seed", "-1", "[0, 2147483647]"), settings={"seed": -1}),
    "seed_too_large": Case(("seed", "2147483648", "[0, 2147483647]"), call={"seed": 2**31}),
    "max_tokens_zero": Case(("max_tokens", "0", ">= 1"), settings={"max_tokens": 0}),
    "max_tokens_negative_call": Case(("max_tokens", "-5", ">= 1"), call={"max_tokens": -5}),
    "max_completion_tokens_zero": Case(("max_completion_tokens", "0", ">= 1"), call={"max_completion_tokens": 0}),
    "n_zero": Case(("n", "0", "[1, 4]"), settings={"n": 0}),
    "n_five": Case(("n", "5", "[1, 4]"), call={"n": 5}),
    "n_with_tools": Case(("n", "2", "tools"), call={"n": 2}, tools=[_tool()]),
    "top_logprobs_six": Case(("top_logprobs", "6", "[0, 5]"), call={"logprobs": True, "top_logprobs": 6}),
    "logprobs_not_bool": Case(("logprobs", "'yes'", "bool"), call={"logprobs": "yes"}),
    "stop_mixed_types": Case(("stop", "str"), call={"stop": ["a", 1]}),
    "enable_search_not_bool": Case(("enable_search", "'yes'", "bool"), call={"enable_search": "yes"}),
    # --- thinking ---
    "thinking_budget_zero": Case(("thinking_budget", "0"), call={"enable_thinking": True, "thinking_budget": 0}),
    "thinking_budget_with_thinking_off": Case(
        ("thinking_budget", "enable_thinking=False"), call={"enable_thinking": False, "thinking_budget": 500}
    ),
    "enable_thinking_false_on_qwq": Case(("enable_thinking",), model="qwq-plus", call={"enable_thinking": False}),
    "enable_thinking_not_bool": Case(("enable_thinking", "'on'", "bool"), call={"enable_thinking": "on"}),
    # --- conversation shape ---
    "empty_messages": Case(("messages", "empty", "at least one"), messages=[]),
    "system_alone": Case(("messages", "system", "user"), messages=[SystemMessage("You are terse.")]),
    "trailing_ai_without_partial": Case(
        ("messages", "assistant", "partial"), messages=[HumanMessage("hi"), AIMessage("Hello")]
    ),
    "tool_message_without_call": Case(
        ("ToolMessage", "call_9", "tool_calls"),
        messages=[HumanMessage("hi"), ToolMessage("sunny", tool_call_id="call_9")],
    ),
    "tool_message_wrong_id": Case(
        ("ToolMessage", "call_X", "call_1"),
        messages=[
            HumanMessage("weather?"),
            AIMessage("", tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}]),
            ToolMessage("sunny", tool_call_id="call_X"),
        ],
    ),
    "no_user_message": Case(
        ("messages", "user"),
        messages=[SystemMessage("be brief"), AIMessage("Hello", additional_kwargs={"partial": True})],
    ),
    "object_in_text_block": Case(
        ("text", "object", "str"), messages=[HumanMessage([{"type": "text", "text": object()}])]
    ),
    "content_block_unknown_type": Case(
        ("type 'hologram'", "not supported", "allowed"), messages=[HumanMessage([{"type": "hologram", "x": 1}])]
    ),
    "extra_body_not_serialisable": Case(("not JSON-serialisable", "'when'"), call={"extra_body": {"when": object()}}),
    "image_with_text_plain_mime": Case(
        ("mime_type", "text/plain", "image/"),
        model="qwen3-vl-plus",
        messages=[HumanMessage([{"type": "image", "base64": PNG, "mime_type": "text/plain"}])],
    ),
    "image_empty_url": Case(
        ("url", "''"), model="qwen3-vl-plus", messages=[HumanMessage([{"type": "image", "url": ""}])]
    ),
    "malformed_fileid": Case(
        ("fileid://", "file fe 1"),
        model="qwen-long",
        messages=[SystemMessage("fileid://file fe 1"), HumanMessage("sum up")],
    ),
    "empty_fileid": Case(
        ("fileid://",), model="qwen-long", messages=[SystemMessage("fileid://"), HumanMessage("sum up")]
    ),
    # --- tools ---
    "tool_name_with_spaces": Case(("tool name", "'get weather'", "letters, digits"), tools=[_tool("get weather")]),
    "tool_name_too_long": Case(("tool name", "64"), tools=[_tool("t" * 65)]),
    "tool_names_duplicate": Case(("tool name", "'get_weather'", "twice"), tools=[_tool(), _tool()]),
    "tool_params_not_object": Case(("parameters", "'array'", "object"), tools=[_tool(params={"type": "array"})]),
    "tool_params_misspelt_type": Case(
        ("parameters", "'strng'", "string"),
        tools=[_tool(params={"type": "object", "properties": {"city": {"type": "strng"}}})],
    ),
    "tool_name_reserved_search": Case(("search",), tools=[_tool("search")]),
    "tool_choice_unknown_tool": Case(("tool_choice", "'get_time'"), call={"tool_choice": "get_time"}, tools=[_tool()]),
    "tools_not_a_list": Case(("tools", "list"), call={"tools": _tool()}),
    # --- formats and options ---
    "response_format_unknown_type": Case(
        ("response_format", "'xml'", "json_object"), call={"response_format": {"type": "xml"}}
    ),
    "response_format_not_a_dict": Case(("response_format", "'json'", "dict"), call={"response_format": "json"}),
    "json_schema_without_schema": Case(
        ("response_format", "json_schema"),
        call={"response_format": {"type": "json_schema", "json_schema": {"name": "x"}}},
    ),
    "translation_options_empty": Case(
        ("translation_options", "target_lang"), model="qwen-mt-plus", call={"translation_options": {}}
    ),
    "translation_unknown_language": Case(
        ("target_lang", "Klingon"), model="qwen-mt-plus", call={"translation_options": {"target_lang": "Klingon"}}
    ),
    "search_options_unknown_key": Case(("search_options", "freshnes"), call={"search_options": {"freshnes": 7}}),
    "modalities_video": Case(("modalities", "video"), model="qwen3-omni-flash", call={"modalities": ["text", "video"]}),
    "unknown_call_keyword_misspelt": Case(("temperatur", "temperature"), call={"temperatur": 0.5}),
    "unknown_call_keyword_misspelt_2": Case(("max_token", "max_tokens"), call={"max_token": 5}),
    "model_keyword_misspelt": Case(("presence_penalt", "presence_penalty"), settings={"presence_penalt": 1.0}),
    "timeout_negative_call": Case(("timeout", "-1"), call={"timeout": -1}),
    "top_p_not_a_number": Case(("top_p", "'high'", "number"), call={"top_p": "high"}),
    "n_float": Case(("n", "1.5", "int"), call={"n": 1.5}),
    "seed_float": Case(("seed", "1.5", "int"), call={"seed": 1.5}),
    "thinking_budget_negative": Case(("thinking_budget", "-5"), call={"enable_thinking": True, "thinking_budget": -5}),
    "thinking_on_non_thinking_model": Case(("enable_thinking",), model="qwen-mt-plus", call={"enable_thinking": True}),
    "reasoning_effort_unknown": Case(
        ("reasoning_effort", "'ultra'"), model="qwen3.8-max", call={"reasoning_effort": "ultra"}
    ),
    "search_strategy_unknown": Case(
        ("search_strategy", "'fastest'"), call={"search_options": {"search_strategy": "fastest"}}
    ),
    "audio_voice_unknown": Case(
        ("Voice", "'Nobody'", "Cherry"),
        model="qwen3-omni-flash",
        call={"modalities": ["text", "audio"], "audio": {"voice": "Nobody"}},
    ),
    "translation_options_on_chat_model": Case(
        ("translation_options",), call={"translation_options": {"target_lang": "en"}}
    ),
    "unknown_role": Case(("robot",), messages=[ChatMessage(role="robot", content="beep"), *HI]),
    "too_many_file_ids": Case(
        ("100",),
        model="qwen-long",
        messages=[SystemMessage(",".join(f"fileid://file-fe-{i}" for i in range(101))), *HI],
    ),
    "data_uri_over_10mb": Case(
        ("10 MB",),
        model="qwen3-vl-plus",
        messages=[HumanMessage([{"type": "image", "base64": "A" * (14 * 2**20), "mime_type": "image/png"}])],
    ),
    "json_mode_on_always_thinking_model": Case(
        ("thinks",),
        model="qwq-plus",
        call={"response_format": {"type": "json_object"}},
        messages=[HumanMessage("json")],
    ),
    # --- volatile limits: warn, send ---
    "max_tokens_above_documented": Case(
        ("max_tokens", "1000000", "documented"), call={"max_tokens": 1_000_000}, warn=True
    ),
}


def _run(server: FaultServer, case: Case) -> Any:
    llm: Any = ChatQwen(model=case.model, api_key="sk-bad-input", base_url=server.url, max_retries=0, **case.settings)
    if case.tools is not None:
        llm = llm.bind_tools(case.tools)
    messages = HI if case.messages is None else case.messages
    return llm.invoke(messages, **case.call)


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if not c.warn))
def test_bad_input_refused_before_any_request(server: FaultServer, name: str) -> None:
    case = CASES[name]
    with pytest.raises(QwenValidationError) as info:
        _run(server, case)
    message = str(info.value)
    for word in case.expect:
        assert word in message, (word, message)
    assert server.requests == []


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.warn))
def test_volatile_limit_warns_and_sends(server: FaultServer, name: str) -> None:
    server.script(json_response(200, completion("ok")))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _run(server, CASES[name]).text == "ok"
    said = " ".join(str(w.message) for w in caught)
    assert all(word in said for word in CASES[name].expect), said
    assert len(server.requests) == 1


def test_unknown_keyword_far_from_any_setting_is_sent_with_a_warning(server: FaultServer) -> None:
    server.script(json_response(200, completion("ok")))
    llm = ChatQwen(model="qwen-plus", api_key="sk-bad-input", base_url=server.url)
    with pytest.warns(UserWarning, match="enable_code_interpreter"):
        llm.invoke(HI, enable_code_interpreter=False)
    assert server.requests[0].body["enable_code_interpreter"] is False  # new DashScope keys still reach the server


def test_thinking_budget_alone_switches_thinking_on(server: FaultServer) -> None:
    """Decision: a thinking_budget asks for thinking, so on a hybrid model it switches thinking on (it used to be
    dropped silently); with enable_thinking=False it is refused (see the table)."""
    server.handler = lambda r: stream_ok("ok") if r.body.get("stream") else json_response(200, completion("ok"))
    llm = ChatQwen(model="qwen-plus", api_key="sk-bad-input", base_url=server.url)
    assert llm.invoke(HI, thinking_budget=500).text == "ok"
    body = server.requests[0].body
    assert body["enable_thinking"] is True and body["thinking_budget"] == 500

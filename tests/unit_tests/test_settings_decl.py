"""The one settings declaration: every setting is a ChatQwen field or a per-call option, and reaches the body or a named rule."""

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from langchain_qwen import ChatQwen
from langchain_qwen._chat_settings import CALL_SETTINGS, MODEL_SETTINGS, SENT, SETTINGS, QwenChatSettings
from langchain_qwen._payload import build_chat_request
from langchain_qwen._rules import CONSUMED_ELSEWHERE, RULES

HI = [HumanMessage("hi")]
TOOL = {"type": "function", "function": {"name": "f", "description": "", "parameters": {"type": "object"}}}

# (model, value) for every declared setting: the test fails when a setting is added without an example.
EXAMPLES: dict[str, tuple[str, Any]] = {
    "temperature": ("qwen-plus", 0.3),
    "top_p": ("qwen-plus", 0.9),
    "top_k": ("qwen-plus", 20),
    "seed": ("qwen-plus", 7),
    "presence_penalty": ("qwen-plus", 0.5),
    "frequency_penalty": ("qwen-plus", 0.5),
    "repetition_penalty": ("qwen-plus", 1.1),
    "stop": ("qwen-plus", ["END"]),
    "max_tokens": ("qwen-plus", 50),
    "max_completion_tokens": ("qwen-plus", 60),
    "n": ("qwen-plus", 2),
    "logprobs": ("qwen-plus", True),
    "top_logprobs": ("qwen-plus", 2),
    "enable_search": ("qwen-plus", True),
    "search_options": ("qwen-plus", {"forced_search": True}),
    "enable_thinking": ("qwen-plus", True),
    "thinking_budget": ("qwen3-32b", 100),
    "preserve_thinking": ("qwen3.6-plus", True),
    "reasoning_effort": ("qwen3.8-max", "low"),
    "reasoning_in_history": ("qwen-plus", "always"),
    "modalities": ("qwen3-omni-flash", ["text"]),
    "audio": ("qwen3-omni-flash", {"voice": "Cherry"}),
    "vl_high_resolution_images": ("qwen-vl-max", True),
    "auto_cache": ("qwen-plus", True),
    "translation_options": ("qwen-mt-flash", {"target_lang": "en"}),
    "qwen_profile": ("qwen-plus", {"stream_only": True}),
    "extra_body": ("qwen-plus", {"x_custom": 1}),
    "model_kwargs": ("qwen-plus", {"y_custom": 2}),
    "model": ("qwen-plus", "qwen-turbo"),
    "tools": ("qwen-plus", [TOOL]),
    "parallel_tool_calls": ("qwen-plus", True),
    "tool_choice": ("qwen-plus", "f"),
    "response_format": ("qwen-plus", {"type": "json_object"}),
    "response_schema_hint": ("qwen-plus", {"type": "object"}),
    "stream": ("qwen-plus", True),
    "stream_options": ("qwen-plus", {"include_usage": False}),
    "stream_usage": ("qwen-plus", True),
    "extra_headers": ("qwen-plus", {"X-A": "1"}),
    "timeout": ("qwen-plus", 5.0),
    "use_responses_api": ("qwen3.6-plus", True),
    "use_previous_response_id": ("qwen3.6-plus", True),
    "store": ("qwen3.6-plus", False),
    "session_cache": ("qwen3.6-plus", True),
}
NEEDS = {
    "tool_choice": {"tools": [TOOL]},
    "parallel_tool_calls": {"tools": [TOOL]},
    "response_schema_hint": {"response_format": {"type": "json_object"}},
}


def _build(model_id: str, params: dict[str, Any], want_stream: bool = False):  # type: ignore[no-untyped-def]
    base = ChatQwen(model=model_id, api_key="k")._default_params
    history = [HumanMessage("q"), AIMessage("a", additional_kwargs={"reasoning_content": "r"}), HumanMessage("q2")]
    if model_id.startswith("qwen-mt"):
        history = history[:1]
    return build_chat_request(history, base | params, want_stream=want_stream)


def test_model_fields_and_call_settings_derive_from_the_declaration():
    for name in QwenChatSettings.model_fields:
        assert name in ChatQwen.model_fields, name
    assert set(SETTINGS) == set(MODEL_SETTINGS) | set(CALL_SETTINGS)
    assert set(EXAMPLES) == set(SETTINGS), "add an example for each new setting"


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_reaches_the_body_or_a_named_rule(name: str):
    rule = SETTINGS[name]
    assert rule is SENT or rule.name in RULES or rule.name in CONSUMED_ELSEWHERE, f"{name}: no rule {rule.name!r}"
    model, value = EXAMPLES[name]
    extra = NEEDS.get(name, {})
    before = _build(model, extra)
    after = _build(model, {**extra, name: value})
    if rule is SENT:
        assert after.body[name] == value
        return
    if rule.name == "responses":  # steer the /responses path (tests/integration_tests/test_responses.py)
        assert after.body == before.body and name not in after.body
        return
    if rule.name == "stream":  # the mode and the model decide streaming; the asked value is never copied
        assert name not in after.body
        streamed = _build(model, {**extra, name: value}, want_stream=True)
        assert streamed.body["stream"] is True and streamed.body["stream_options"] == {"include_usage": True}
        return
    # a consumed setting changes the request (body, messages, streaming or transport), never blindly copied
    seen = (after.body, after.stream, after.headers, after.timeout)
    assert seen != (before.body, before.stream, before.headers, before.timeout), name


def test_constructor_field_and_per_call_option_are_the_same_setting():
    llm = ChatQwen(model="qwen-plus", api_key="k", temperature=0.1, top_k=5)
    assert llm._default_params["temperature"] == 0.1
    body = build_chat_request(HI, llm._default_params | {"temperature": 0.7}, want_stream=False).body
    assert body["temperature"] == 0.7 and body["top_k"] == 5


def test_undeclared_keys_pass_through_verbatim():
    body = build_chat_request(HI, {"model": "qwen-plus", "logit_bias": {"1": 2}}, want_stream=False).body
    assert body["logit_bias"] == {"1": 2}


def test_request_profile_is_the_models_regional_profile():
    sg = ChatQwen(model="qwen-plus", api_key="k", region="ap-southeast-1")
    req, _ = sg._prepare(HI, None, {}, stream=False)
    assert req.profile == sg.qwen_capabilities and req.profile.json_schema is False
    bj = ChatQwen(model="qwen-plus", api_key="k", region="cn-beijing")
    assert bj._prepare(HI, None, {}, stream=False)[0].profile.json_schema is True

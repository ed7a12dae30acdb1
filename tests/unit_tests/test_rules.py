"""Each request rule on its own: `(profile, settings, messages) -> Fragment | QwenValidationError`, inputs untouched."""

import copy
import warnings

import pytest

from langchain_qwen import QwenValidationError
from langchain_qwen._profiles import QwenProfile, resolve_profile
from langchain_qwen._rules import (
    NOTHING,
    RULES,
    Fragment,
    apply_rules,
    check_body,
    exclusive_reason,
    keep_reasoning,
    rule_audio,
    rule_cache,
    rule_file_ids,
    rule_json_instruction,
    rule_partial,
    rule_preserve_thinking,
    rule_reasoning_effort,
    rule_response_format,
    rule_search,
    rule_sent,
    rule_stop,
    rule_thinking,
    rule_thinking_budget,
    rule_tool_choice,
    rule_tools,
    rule_translation,
    stream_fields,
    thinking_state,
)

U = ({"role": "user", "content": "hi"},)
TOOL = {"type": "function", "function": {"name": "f", "parameters": {}}}
TOOL2 = {"type": "function", "function": {"name": "g", "parameters": {}}}
P = resolve_profile


def _row(**kw: object) -> QwenProfile:
    return QwenProfile(model="row", **kw)  # type: ignore[arg-type]


# --- thinking is profile data: the same rule serves every family ---------------------------------


@pytest.mark.parametrize(
    ("thinking", "asked", "sent"),
    [
        ("hybrid_off", None, False),
        ("hybrid_on", None, True),
        ("hybrid_off", True, True),
        ("hybrid_on", False, False),
        ("always", None, None),
        ("none", None, None),
        ("unknown", None, None),
        ("unknown", True, True),
    ],
)
def test_rule_thinking_reads_the_profile_row(thinking: str, asked: object, sent: object) -> None:
    frag = rule_thinking(_row(thinking=thinking), {"enable_thinking": asked}, U)
    assert frag.body.get("enable_thinking") == sent


def test_rule_thinking_refusals() -> None:
    with pytest.raises(QwenValidationError, match="no thinking mode"):
        rule_thinking(_row(thinking="none"), {"enable_thinking": True, "thinking_budget": 5}, U)
    with pytest.raises(QwenValidationError, match="restricted to True"):
        rule_thinking(_row(thinking="always"), {"enable_thinking": False}, U)
    with pytest.raises(QwenValidationError, match="always thinks, and DashScope does not allow forcing"):
        rule_thinking(_row(thinking="always"), {"tools": [TOOL], "tool_choice": "f"}, U)


def test_rule_thinking_forced_off_warns_only_when_asked() -> None:
    forced = {"tools": [TOOL], "tool_choice": "f"}
    assert rule_thinking(_row(thinking="hybrid_on"), forced, U) == Fragment(body={"enable_thinking": False})
    frag = rule_thinking(_row(thinking="hybrid_on"), {**forced, "enable_thinking": True}, U)
    assert frag.body == {"enable_thinking": False} and "thinking is off" in frag.warnings[0]


def test_rule_reasoning_effort() -> None:
    row = _row(thinking="hybrid_on", reasoning_effort=("low", "none"), effort_excludes_budget=True)
    assert rule_reasoning_effort(row, {"reasoning_effort": "low"}, U).body == {"reasoning_effort": "low"}
    assert rule_reasoning_effort(row, {}, U) is NOTHING
    with pytest.raises(QwenValidationError, match="use one of"):
        rule_reasoning_effort(row, {"reasoning_effort": "max"}, U)
    with pytest.raises(QwenValidationError, match="not both"):
        rule_reasoning_effort(row, {"reasoning_effort": "low", "thinking_budget": 9}, U)
    with pytest.raises(QwenValidationError, match="does not accept reasoning_effort"):
        rule_reasoning_effort(_row(thinking="hybrid_off"), {"reasoning_effort": "low"}, U)
    with pytest.raises(QwenValidationError, match="not possible"):
        rule_reasoning_effort(_row(thinking="always", reasoning_effort=("none",)), {"reasoning_effort": "none"}, U)
    assert rule_thinking(row, {"reasoning_effort": "none"}, U).body == {"enable_thinking": False}


def test_rule_thinking_budget() -> None:
    row = _row(thinking="hybrid_off", max_thinking_budget=100)
    assert rule_thinking_budget(row, {"thinking_budget": 50, "enable_thinking": True}, U).body == {
        "thinking_budget": 50
    }
    # issue 12 decision (H5): a budget asks for thinking, so it is sent (and switches thinking on); with thinking
    # explicitly off it is refused instead of dropped silently
    assert rule_thinking_budget(row, {"thinking_budget": 50}, U).body == {"thinking_budget": 50}
    with pytest.raises(QwenValidationError, match="contradicts enable_thinking=False"):
        rule_thinking_budget(row, {"thinking_budget": 50, "enable_thinking": False}, U)
    with pytest.raises(QwenValidationError, match="not greater than 100"):
        rule_thinking_budget(row, {"thinking_budget": 101}, U)
    with pytest.raises(QwenValidationError, match="not greater than"):
        rule_thinking_budget(row, {"thinking_budget": True}, U)
    with pytest.raises(QwenValidationError, match="does not accept thinking_budget"):
        rule_thinking_budget(_row(thinking="always"), {"thinking_budget": 5}, U)
    assert rule_thinking_budget(P("my-model"), {"thinking_budget": 10**9}, U).body == {"thinking_budget": 10**9}


def test_rule_preserve_thinking() -> None:
    assert rule_preserve_thinking(
        _row(thinking="hybrid_on", preserve_thinking="default_off"), {"preserve_thinking": 1}, U
    ).body == {"preserve_thinking": True}
    assert rule_preserve_thinking(_row(thinking="hybrid_on"), {"preserve_thinking": False}, U) is NOTHING
    with pytest.raises(QwenValidationError, match="preserve_thinking"):
        rule_preserve_thinking(_row(thinking="hybrid_on"), {"preserve_thinking": True}, U)


def test_thinking_state_and_history_policy() -> None:
    row = _row(thinking="hybrid_on", preserve_thinking="default_on")
    assert thinking_state(row, {}, U).preserved and keep_reasoning(row, {}, U)
    assert not keep_reasoning(row, {"reasoning_in_history": "never"}, U)
    assert keep_reasoning(_row(thinking="none"), {"reasoning_in_history": "always"}, U)
    partial = (*U, {"role": "assistant", "content": "x", "partial": True})
    assert exclusive_reason(row, {}, partial) == "partial mode (prefix continuation)"
    assert thinking_state(row, {}, partial).forced_off


def test_stream_fields_follow_profile_data() -> None:
    assert stream_fields(_row(thinking="hybrid_on", thinking_stream_only=True), {}, U, want_stream=False)
    assert not stream_fields(
        _row(thinking="hybrid_on", thinking_stream_only=True), {"enable_thinking": False}, U, want_stream=False
    )
    assert stream_fields(_row(stream_only=True), {}, U, want_stream=False)
    assert not stream_fields(_row(thinking="hybrid_on"), {}, U, want_stream=False)


# --- the other concerns --------------------------------------------------------------------------


def test_rule_sent_and_stop() -> None:
    frag = rule_sent(_row(), {"temperature": 0.1, "top_k": None, "enable_thinking": True, "custom": 1}, U)
    assert frag.body == {"temperature": 0.1, "custom": 1}
    assert rule_stop(_row(), {"stop": []}, U) is NOTHING
    assert rule_stop(_row(), {"stop": ["x"]}, U).body == {"stop": ["x"]}


def test_rule_tools_and_tool_choice() -> None:
    assert rule_tools(_row(), {"tools": []}, U) is NOTHING
    assert rule_tools(_row(), {"tools": [TOOL]}, U).body == {"tools": [TOOL], "parallel_tool_calls": False}
    assert rule_tool_choice(_row(), {"tools": [TOOL], "tool_choice": "any"}, U).body == {
        "tool_choice": {"type": "function", "function": {"name": "f"}}
    }
    assert rule_tool_choice(P("my-model"), {"tools": [TOOL, TOOL2], "tool_choice": "any"}, U).body == {
        "tool_choice": "required"
    }


def test_rule_response_format_and_instruction() -> None:
    schema = {"response_format": {"type": "json_schema"}}
    assert rule_response_format(_row(json_schema=False), schema, U).body == schema  # volatile: the server decides
    frag = rule_response_format(_row(), {"response_format": {"type": "json_object"}, "max_tokens": 5}, U)
    assert frag.body == {"response_format": {"type": "json_object"}} and "max_tokens" in frag.warnings[0]
    sys_first = ({"role": "system", "content": "be nice"}, *U)
    out = rule_json_instruction(_row(), {"response_format": {"type": "json_object"}}, sys_first)
    assert out.messages is not None and [m["role"] for m in out.messages] == ["system", "system", "user"]
    assert out.messages[1]["content"] == "Respond with a JSON object."
    said = ({"role": "user", "content": "answer in JSON"},)
    assert rule_json_instruction(_row(), {"response_format": {"type": "json_object"}}, said) is NOTHING
    hinted = rule_json_instruction(
        _row(), {"response_format": {"type": "json_object"}, "response_schema_hint": {"a": 1}}, said
    )
    assert hinted.messages is not None and '{"a": 1}' in hinted.messages[0]["content"]


def test_rule_partial() -> None:
    msgs = (
        {"role": "assistant", "content": "a", "partial": True},
        *U,
        {"role": "assistant", "content": "b", "partial": True},
    )
    before = copy.deepcopy(msgs)
    out = rule_partial(_row(), {}, msgs)
    assert out.messages is not None and "partial" not in out.messages[0] and out.messages[-1]["partial"] is True
    assert msgs == before
    with pytest.raises(QwenValidationError, match="no partial mode"):
        rule_partial(_row(partial_mode=False), {}, msgs)
    assert rule_partial(_row(), {}, U) is NOTHING


def test_rule_translation_and_file_ids() -> None:
    mt = _row(translation=True)
    assert rule_translation(mt, {"translation_options": {"target_lang": "en"}}, U).body == {
        "translation_options": {"source_lang": "auto", "target_lang": "English"}
    }
    with pytest.raises(QwenValidationError, match="exactly one user message"):
        rule_translation(mt, {}, ({"role": "system", "content": "s"}, *U))
    with pytest.raises(QwenValidationError, match="for Qwen-MT"):
        rule_translation(_row(), {"translation_options": {"target_lang": "en"}}, U)
    many = ({"role": "system", "content": ",".join(["fileid://f"] * 101)},)
    with pytest.raises(QwenValidationError, match="at most 100"):
        rule_file_ids(_row(file_context=True), {}, many)
    assert rule_file_ids(_row(), {}, many) is NOTHING


def test_rule_audio() -> None:
    omni = _row(
        output_modalities=frozenset({"text", "audio"}),
        voices=("Cherry",),
        thinking="hybrid_off",
        thinking_disables_audio=True,
    )
    assert rule_audio(omni, {"audio": {"voice": "Cherry"}}, U).body == {
        "modalities": ["text", "audio"],
        "audio": {"format": "wav", "voice": "Cherry"},
    }
    with pytest.raises(QwenValidationError, match="cannot think and speak"):
        rule_audio(omni, {"audio": {"voice": "Cherry"}, "enable_thinking": True}, U)
    with pytest.raises(QwenValidationError, match="not offered"):
        rule_audio(omni, {"audio": {"voice": "Zed"}}, U)
    with pytest.raises(QwenValidationError, match="needs a voice"):
        rule_audio(omni, {"modalities": ["text", "audio"]}, U)
    with pytest.raises(QwenValidationError, match="cannot answer with audio"):
        rule_audio(_row(), {"audio": {"voice": "Cherry"}}, U)
    assert rule_audio(_row(), {"modalities": ["text"]}, U).body == {"modalities": ["text"]}


def test_rule_cache_copies_before_marking() -> None:
    msgs = ({"role": "system", "content": "sys"}, *U)
    out = rule_cache(_row(explicit_cache=True), {"auto_cache": True}, msgs)
    assert out.messages is not None and out.messages[0]["content"][0]["cache_control"] == {"type": "ephemeral"}
    assert msgs[0]["content"] == "sys"
    parts = [{"type": "text", "text": str(i), "cache_control": {"type": "ephemeral"}} for i in range(6)]
    many = ({"role": "user", "content": parts},)
    trimmed = rule_cache(_row(), {}, many)
    assert trimmed.messages is not None and "earlier ones were dropped" in trimmed.warnings[0]
    assert sum("cache_control" in p for p in trimmed.messages[0]["content"]) == 4
    assert all("cache_control" in p for p in parts)
    assert rule_cache(_row(), {"auto_cache": True}, msgs) is NOTHING  # no explicit cache on this row


def test_rule_search() -> None:
    assert rule_search(_row(), {"search_options": {"forced_search": True}}, U).body == {
        "search_options": {"forced_search": True},
        "enable_search": True,
    }
    with pytest.raises(QwenValidationError, match="only for qwen3-max"):
        rule_search(_row(), {"search_options": {"search_strategy": "agent"}}, U)
    with pytest.raises(QwenValidationError, match="not available in DashScope's compatible mode"):
        rule_search(_row(), {"search_options": {"enable_citation": True}}, U)
    with pytest.raises(QwenValidationError, match="freshness must be"):
        rule_search(_row(), {"search_options": {"freshness": 3}}, U)


def test_check_body() -> None:
    with pytest.raises(QwenValidationError, match="only n=1"):
        check_body(_row(), {"n": 2})
    with pytest.raises(QwenValidationError, match="web search"):
        check_body(_row(), {"enable_search": True})
    with pytest.raises(QwenValidationError, match="tool calling"):
        check_body(_row(tools=False), {"tools": [TOOL]})
    check_body(P("my-model"), {"n": 3, "enable_search": True})


def test_apply_rules_folds_without_touching_inputs() -> None:
    settings = {
        "model": "qwen-plus",
        "temperature": 0.2,
        "response_format": {"type": "json_object"},
        "auto_cache": True,
    }
    msgs = ({"role": "system", "content": "s"}, *U)
    frozen = copy.deepcopy((settings, msgs))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        body, out, notes = apply_rules(P("qwen-plus"), settings, msgs)
    assert (settings, msgs) == frozen
    assert body["temperature"] == 0.2 and body["enable_thinking"] is False and not notes
    assert [m["role"] for m in out] == ["system", "system", "user"]
    assert list(RULES)[:2] == ["sent", "stop"]


# --- tool_choice under thinking (addendum A8): every branch of the documented mapping ---------------

ANY = {"tools": [TOOL, TOOL2], "tool_choice": "any"}


def _tool_request(row: QwenProfile, settings: dict) -> tuple[dict, tuple, list[str]]:  # type: ignore[type-arg]
    body, msgs, notes = apply_rules(row, {"model": "row", **settings}, U)
    return body, msgs, notes


def test_any_with_one_tool_forces_it_by_name_and_turns_thinking_off() -> None:
    body, _, notes = _tool_request(_row(thinking="hybrid_on"), {"tools": [TOOL], "tool_choice": True})
    assert body["tool_choice"] == {"type": "function", "function": {"name": "f"}} and body["enable_thinking"] is False
    assert not notes


def test_any_with_several_tools_sends_required_where_the_profile_allows_it_with_thinking_off() -> None:
    row = _row(thinking="hybrid_on", tool_choice=("auto", "none", "function", "required"))
    body, msgs, notes = _tool_request(row, ANY)
    assert body["tool_choice"] == "required" and body["enable_thinking"] is False
    assert msgs == U and not notes


def test_any_with_several_tools_elsewhere_is_auto_plus_one_instruction_and_one_warning() -> None:
    body, msgs, notes = _tool_request(_row(thinking="hybrid_on"), ANY)
    assert body["tool_choice"] == "auto" and body["enable_thinking"] is True  # nothing forced: thinking unchanged
    assert msgs[0]["role"] == "system" and "(f, g)" in msgs[0]["content"] and len(notes) == 1
    assert "cannot be forced to call one of several tools" in notes[0]


def test_always_thinking_models_get_auto_plus_instruction_for_any_and_refuse_a_named_tool() -> None:
    row = _row(thinking="always", tool_choice=("auto", "none"))
    body, msgs, notes = _tool_request(row, {"tools": [TOOL], "tool_choice": "any"})
    assert body["tool_choice"] == "auto" and "enable_thinking" not in body and "while thinking" in notes[0]
    assert msgs[0]["content"].startswith("You must answer by calling one of the provided tools (f)")
    with pytest.raises(QwenValidationError, match="always thinks, and DashScope does not allow forcing"):
        _tool_request(row, {"tools": [TOOL], "tool_choice": "f"})


def test_unknown_models_get_required_as_asked() -> None:
    body, _, notes = apply_rules(P("my-model"), {"model": "my-model", **ANY}, U)
    assert body["tool_choice"] == "required" and not notes

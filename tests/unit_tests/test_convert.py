"""Messages to wire: roles, names, content lists, tool turns, reasoning policy; inputs never mutated."""

import copy

from langchain_core.messages import AIMessage, ChatMessage, HumanMessage, SystemMessage, ToolMessage

from langchain_qwen import resolve_profile
from langchain_qwen._convert import messages_to_wire

PLUS = resolve_profile("qwen-plus")
VL = resolve_profile("qwen3-vl-plus")


def test_roles_names_and_developer() -> None:
    msgs = [
        SystemMessage("sys"),
        ChatMessage(role="developer", content="dev"),
        HumanMessage("hi", name="alice"),
        AIMessage("hello", name="bot"),
        ChatMessage(role="user", content="generic"),
    ]
    wire = messages_to_wire(msgs, PLUS)
    assert [m["role"] for m in wire] == ["system", "system", "user", "assistant", "user"]
    assert wire[2]["name"] == "alice" and wire[3]["name"] == "bot"


def test_text_parts_are_joined_for_text_models() -> None:
    wire = messages_to_wire([HumanMessage([{"type": "text", "text": "a"}, "b", {"type": "text", "text": "c"}])], PLUS)
    assert wire[0]["content"] == "abc"


def test_cache_control_keeps_array_form_only_where_supported() -> None:
    msg = SystemMessage([{"type": "text", "text": "long prefix", "cache_control": {"type": "ephemeral"}}])
    assert isinstance(messages_to_wire([msg], PLUS)[0]["content"], list)
    assert messages_to_wire([msg], resolve_profile("qwen-max"))[0]["content"] == "long prefix"


def test_images() -> None:
    blocks = [
        {"type": "text", "text": "what is this?"},
        {"type": "image", "base64": "AAAA", "mime_type": "image/png"},
        {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
    ]
    wire = messages_to_wire([HumanMessage(blocks)], VL)
    assert wire[0]["content"][1] == {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    assert wire[0]["content"][2]["image_url"]["url"] == "https://x/y.png"
    # Input modalities are volatile table facts: a text-only row never blocks an image (the server decides).
    assert messages_to_wire([HumanMessage(blocks)], PLUS)[0]["content"][1]["type"] == "image_url"


def test_tool_history() -> None:
    ai = AIMessage(
        [{"type": "reasoning", "reasoning": "r"}, {"type": "text", "text": "calling"}],
        tool_calls=[{"name": "get_weather", "args": {"city": "上海"}, "id": "call_1"}],
        additional_kwargs={"reasoning_content": "think"},
    )
    tool_ok = ToolMessage([{"type": "text", "text": "sunny"}], tool_call_id="call_1")
    tool_dict = ToolMessage(content=[{"temp": 20}], tool_call_id="call_1")  # type: ignore[list-item]
    tool_err = ToolMessage("boom", tool_call_id="call_1", status="error")
    wire = messages_to_wire([ai, tool_ok, tool_dict, tool_err], PLUS)
    assert wire[0]["content"] == "calling"
    assert wire[0]["tool_calls"][0]["function"] == {"name": "get_weather", "arguments": '{"city": "上海"}'}
    assert wire[0]["tool_calls"][0]["index"] == 0 and "reasoning_content" not in wire[0]
    assert wire[1] == {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}
    assert wire[2]["content"] == '[{"temp": 20}]'
    assert wire[3]["content"] == "Error: boom"


def test_reasoning_sent_back_only_when_asked() -> None:
    ai = AIMessage("answer", additional_kwargs={"reasoning_content": "think"})
    assert messages_to_wire([ai], PLUS, keep_reasoning=True)[0]["reasoning_content"] == "think"
    assert "reasoning_content" not in messages_to_wire([ai], PLUS)[0]


def test_invalid_tool_call_history_stays_valid_json() -> None:
    ai = AIMessage("", invalid_tool_calls=[{"name": "f", "args": '{"a": ', "id": "c1", "error": "bad"}])
    args = messages_to_wire([ai], PLUS)[0]["tool_calls"][0]["function"]["arguments"]
    assert args == '{"_invalid_arguments": "{\\"a\\": "}'


def test_partial_flag() -> None:
    wire = messages_to_wire([HumanMessage("write"), AIMessage("def fib(", additional_kwargs={"partial": True})], PLUS)
    assert wire[-1] == {"role": "assistant", "content": "def fib(", "partial": True}


def test_conversion_does_not_mutate_input() -> None:
    msgs = [
        SystemMessage([{"type": "text", "text": "s", "cache_control": {"type": "ephemeral"}}]),
        AIMessage("x", tool_calls=[{"name": "f", "args": {"a": 1}, "id": "1"}]),
        ToolMessage([{"type": "text", "text": "r"}], tool_call_id="1"),
    ]
    before = copy.deepcopy(msgs)
    messages_to_wire(msgs, PLUS, keep_reasoning=True)
    assert msgs == before

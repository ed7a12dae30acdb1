"""2026 thinking defaults from the table, end to end over HTTP (emulator): Qwen3.5-3.7 on, qwen3.8 reasoning_effort."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_qwen import ChatQwen
from langchain_qwen.partial import prefix_message
from langchain_qwen.testing import DashScopeEmulator
from tests._helpers import invoke

SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
HYBRIDS_ON = ["qwen3.5-plus", "qwen3.6-plus", "qwen3.7-plus", "qwen3.7-max-2026-12-01"]
QWEN38 = ["qwen3.8-max", "qwen3.8-max-0902"]


class Person(BaseModel):
    name: str
    age: int


@tool
def get_weather(city: str) -> str:
    """Weather in a city."""
    return "sunny"


def _llm(emu: DashScopeEmulator, model: str, **kw: object) -> ChatQwen:
    return ChatQwen(model=model, api_key=emu.api_key, base_url=emu.base_url, **kw)


def _reasoning(message: AIMessage) -> str:
    return str(message.additional_kwargs.get("reasoning_content") or "")


def _chat_bodies(emu: DashScopeEmulator) -> list[dict[str, object]]:
    return [r.body for r in emu.requests if r.path == "/chat/completions"]


@SYNC
@pytest.mark.parametrize("model", HYBRIDS_ON + QWEN38)
def test_2026_hybrids_think_unless_told_otherwise(emulator: DashScopeEmulator, sync: bool, model: str) -> None:
    out = invoke(_llm(emulator, model), sync, "Is 9.11 bigger than 9.9?")
    assert _reasoning(out) and out.text
    assert emulator.last_request.body["enable_thinking"] is True
    off = invoke(_llm(emulator, model, enable_thinking=False), sync, "Is 9.11 bigger than 9.9?")
    assert not _reasoning(off) and off.text
    assert emulator.last_request.body["enable_thinking"] is False


@SYNC
@pytest.mark.parametrize("model", QWEN38)
def test_qwen38_reasoning_effort_none_turns_thinking_off(emulator: DashScopeEmulator, sync: bool, model: str) -> None:
    llm = _llm(emulator, model)
    assert llm.qwen_capabilities.reasoning_effort_default == "xhigh"
    out = invoke(llm, sync, "Is 9.11 bigger than 9.9?", reasoning_effort="none")
    body = emulator.last_request.body
    assert not _reasoning(out) and body["reasoning_effort"] == "none" and body["enable_thinking"] is False
    low = invoke(llm, sync, "Is 9.11 bigger than 9.9?", reasoning_effort="low")
    assert _reasoning(low) and emulator.last_request.body["reasoning_effort"] == "low"
    # enable_thinking=False on an effort-controlled model says it with the effort value too
    invoke(_llm(emulator, model, enable_thinking=False), sync, "hi")
    assert emulator.last_request.body["reasoning_effort"] == "none"


@SYNC
@pytest.mark.parametrize("model", HYBRIDS_ON + QWEN38)
def test_forced_tool_json_and_partial_switch_thinking_off(emulator: DashScopeEmulator, sync: bool, model: str) -> None:
    is38 = model.startswith("qwen3.8")
    llm = _llm(emulator, model)

    def off(body: dict[str, object]) -> None:
        assert body["enable_thinking"] is False, body
        assert body.get("reasoning_effort") == ("none" if is38 else None), body

    forced = invoke(llm.bind_tools([get_weather], tool_choice="get_weather"), sync, "Weather in Paris?")
    assert forced.tool_calls and forced.tool_calls[0]["name"] == "get_weather"
    off(emulator.last_request.body)

    person = invoke(llm.with_structured_output(Person), sync, "Alice is 30")
    assert isinstance(person, Person)
    off(emulator.last_request.body)

    json_mode = invoke(llm.with_structured_output(Person, method="json_mode"), sync, "Alice is 30")
    assert isinstance(json_mode, Person)
    off(emulator.last_request.body)

    cont = invoke(llm, sync, [HumanMessage("Write a haiku"), prefix_message("Autumn")])
    assert cont.text
    off(emulator.last_request.body)
    assert len(_chat_bodies(emulator)) == 4


@SYNC
def test_tool_choice_auto_keeps_thinking_on_2026_hybrids(emulator: DashScopeEmulator, sync: bool) -> None:
    out = invoke(_llm(emulator, "qwen3.7-plus").bind_tools([get_weather]), sync, "Weather in Paris?")
    body = emulator.last_request.body
    assert body["enable_thinking"] is True and body.get("tool_choice") in (None, "auto")
    assert _reasoning(out) or out.tool_calls

"""LangChain v1 agents with structured output: `create_agent(ChatQwen(model=...), tools, response_format=Schema)` ends
with a validated `structured_response` on every tool-capable model of the profile table, over HTTP against the
emulator, sync and async; LangChain picks the provider-native strategy exactly where `llm.profile` says the model
and region serve `json_schema`, and the tool strategy elsewhere (tool_choice mapping: `langchain_qwen._tools`)."""

from __future__ import annotations

import asyncio
import json
import operator
import warnings
from functools import reduce
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_qwen import ChatQwen, QwenBadRequestError, known_models, resolve_profile
from langchain_qwen.testing import DashScopeEmulator, Fault
from langchain_qwen.testing._service import service_model

SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


class WeatherReport(BaseModel):
    """A weather report for one city."""

    city: str
    temperature_c: int


class CityFacts(BaseModel):
    """Facts about a city."""

    city: str
    population: int


@tool
def get_population(city: str) -> int:
    """The population of a city."""
    return 2102650


def _tool_models() -> list[Any]:
    return [pytest.param(model) for model in sorted(known_models()) if resolve_profile(model).tools]


def test_every_tool_model_of_the_profile_table_is_served_by_the_emulator() -> None:
    assert [p.values[0] for p in _tool_models() if not service_model(p.values[0]).known] == []


def _run(agent: Any, sync: bool, prompt: str) -> dict[str, Any]:
    state = {"messages": [("user", prompt)]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the documented single warning of the "auto + instruction" mapping
        return agent.invoke(state) if sync else asyncio.run(agent.ainvoke(state))


def _strategy(emulator: DashScopeEmulator) -> str:
    bodies = [r.body for r in emulator.requests]
    if any((b.get("response_format") or {}).get("type") == "json_schema" for b in bodies):
        return "provider"
    names = {t["function"]["name"] for b in bodies for t in b.get("tools") or ()}
    return "tool" if names & {"WeatherReport", "CityFacts"} else "none"


ASYNC_SAMPLE = {"qwen-plus", "qwen3-max", "qwen3.5-plus", "qwen3.8-max", "qwq-plus", "deepseek-r1", "qwen-turbo"}
"""Async runs on a sample covering each strategy and tool_choice branch (sync runs on every model)."""


def _modes() -> list[Any]:
    return [
        pytest.param(p.values[0], sync, marks=p.marks, id=f"{p.values[0]}-{'sync' if sync else 'async'}")
        for p in _tool_models()
        for sync in (True, False)
        if sync or p.values[0] in ASYNC_SAMPLE
    ]


@pytest.mark.parametrize(("model", "sync"), _modes())
def test_create_agent_response_format_on_every_tool_model(emulator: DashScopeEmulator, model: str, sync: bool) -> None:
    llm = ChatQwen(model=model, base_url=emulator.base_url, api_key=emulator.api_key, max_retries=0)
    agent = create_agent(llm, [get_population], response_format=WeatherReport)
    out = _run(agent, sync, "Give me the weather report for 'Paris': 21 degrees")
    assert out["structured_response"] == WeatherReport(city="Paris", temperature_c=21)
    native = bool(llm.profile and llm.profile.get("structured_output"))
    assert native == llm.qwen_capabilities.json_schema  # llm.profile is truthful
    assert _strategy(emulator) == ("provider" if native else "tool")


@SYNC
@pytest.mark.parametrize(
    ("model", "overrides", "strategy"),
    [
        ("qwen-plus", None, "provider"),  # native json_schema (Beijing)
        ("qwen3.5-plus", None, "tool"),  # A8: "required" with thinking off, from the profile table
    ],
)
def test_agent_calls_a_tool_then_answers_structured(
    emulator: DashScopeEmulator, model: str, overrides: Any, strategy: str, sync: bool
) -> None:
    llm = ChatQwen(model=model, base_url=emulator.base_url, api_key=emulator.api_key, qwen_profile=overrides)
    agent = create_agent(llm, [get_population], response_format=CityFacts)
    out = _run(agent, sync, "Look up the population of 'Paris' and give me the city facts")
    assert isinstance(out["structured_response"], CityFacts) and out["structured_response"].city == "Paris"
    assert _strategy(emulator) == strategy
    first = emulator.requests[0].body
    assert first["messages"][-1]["role"] == "user"
    if strategy == "tool":
        assert [r.body["tool_choice"] for r in emulator.requests] == ["required", "required"]  # two model turns
        assert all(r.body["enable_thinking"] is False for r in emulator.requests)
        tool_turns = [m for m in out["messages"] if m.type == "tool"]
        assert json.loads(tool_turns[0].content) == 2102650 or tool_turns[0].content == "2102650"


def test_soft_branch_sends_auto_with_one_instruction(emulator: DashScopeEmulator) -> None:
    """Where neither a single named tool nor "required" can be forced, the request says "auto" plus an instruction
    (the server does not enforce it; the emulator, like a model that ignores it, then answers with text)."""
    llm = ChatQwen(model="qwen3-max", base_url=emulator.base_url, api_key=emulator.api_key)
    agent = create_agent(llm, [get_population], response_format=CityFacts)
    with pytest.warns(UserWarning, match="cannot be forced to call one of several tools") as caught:
        agent.invoke({"messages": [("user", "Give me the city facts for 'Paris'")]})
    assert len([w for w in caught if "cannot be forced" in str(w.message)]) == 1
    first = emulator.requests[0].body
    assert first["tool_choice"] == "auto" and first["messages"][0]["role"] == "system"
    assert "get_population, CityFacts" in first["messages"][0]["content"]


@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke", "astream"])
def test_refused_required_falls_back_to_auto_with_instruction(emulator: DashScopeEmulator, mode: str) -> None:
    """A profile claiming "required" (A8 is [uncertain]) on a model the service refuses it for: the 400 `tool_choice
    is one of the strings that should be ["none", "auto"]` is answered by one retry with "auto" + the instruction."""
    claim = {"tool_choice": ["auto", "none", "function", "required"]}
    llm = ChatQwen(model="qwen3-max", base_url=emulator.base_url, api_key=emulator.api_key, qwen_profile=claim)
    bound = llm.bind_tools([get_population, CityFacts], tool_choice="any")
    prompt = "Give me the city facts for 'Paris'"
    with pytest.warns(UserWarning) as caught:
        if mode == "invoke":
            message = bound.invoke(prompt)
        elif mode == "ainvoke":
            message = asyncio.run(bound.ainvoke(prompt))
        elif mode == "stream":
            message = reduce(operator.add, bound.stream(prompt))
        else:

            async def collect() -> Any:
                return [c async for c in bound.astream(prompt)]

            message = reduce(operator.add, asyncio.run(collect()))
    assert len([w for w in caught if "refused tool_choice='required'" in str(w.message)]) == 1
    assert message.tool_calls or message.content  # the retried request's answer reaches the caller
    first, retry = (r.body for r in emulator.requests)
    assert first["tool_choice"] == "required" and retry["tool_choice"] == "auto"
    assert retry["messages"][0]["role"] == "system" and "get_population, CityFacts" in retry["messages"][0]["content"]
    assert retry["messages"][1:] == first["messages"]


def test_other_bad_requests_are_not_retried(emulator: DashScopeEmulator) -> None:
    emulator.inject(Fault(path="/chat/completions", status=400, code="invalid_parameter_error", message="Bad input"))
    llm = ChatQwen(model="qwen3.5-plus", base_url=emulator.base_url, api_key=emulator.api_key, max_retries=0)
    bound = llm.bind_tools([get_population, CityFacts], tool_choice="any")
    with pytest.raises(QwenBadRequestError, match="Bad input"):
        bound.invoke("hi")
    assert len(emulator.requests) == 1 and emulator.requests[0].body["tool_choice"] == "required"

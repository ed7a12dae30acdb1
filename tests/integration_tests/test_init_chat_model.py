"""`register_init_chat_model()`: LangChain's init_chat_model / create_agent build ChatQwen by provider key (emulator)."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import version

import pytest
from langchain.chat_models import base as lc_base
from langchain.chat_models import init_chat_model
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool

import langchain_qwen
from langchain_qwen import ChatQwen, QwenError, QwenValidationError, register_init_chat_model
from langchain_qwen.testing import DashScopeEmulator


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is sunny in {city}."


@pytest.fixture
def provider_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """A private copy of LangChain's provider table as shipped, so registration never leaks between tests."""
    table = {key: entry for key, entry in lc_base._BUILTIN_PROVIDERS.items() if key not in ("qwen", "dashscope")}
    monkeypatch.setattr(lc_base, "_BUILTIN_PROVIDERS", table)
    lc_base._get_chat_model_creator.cache_clear()
    yield table
    lc_base._get_chat_model_creator.cache_clear()


def test_qwen_is_unknown_to_langchain_until_registered(provider_table: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="qwen"):
        init_chat_model("qwen3-max", model_provider="qwen")
    assert register_init_chat_model() == ("qwen", "dashscope")
    assert provider_table["qwen"][:2] == ("langchain_qwen.chat_models", "ChatQwen")  # type: ignore[index]
    assert register_init_chat_model() == ("qwen", "dashscope")  # idempotent
    assert "register_init_chat_model" in langchain_qwen.__all__


@pytest.mark.parametrize(
    ("model", "provider", "expected"),
    [
        ("qwen:qwen3-max", None, "qwen3-max"),
        ("qwen3-max", "qwen", "qwen3-max"),
        ("dashscope:qwen-plus", None, "qwen-plus"),
        ("qwen-flash", "DashScope", "qwen-flash"),
    ],
)
def test_init_chat_model_builds_chat_qwen_and_calls_dashscope(
    provider_table: dict[str, object], emulator: DashScopeEmulator, model: str, provider: str | None, expected: str
) -> None:
    register_init_chat_model()
    llm = init_chat_model(
        model, model_provider=provider, base_url=emulator.base_url, api_key=emulator.api_key, temperature=0.2
    )
    assert isinstance(llm, ChatQwen) and llm.model_name == expected and llm.temperature == 0.2
    msg = llm.invoke("hello there")
    assert msg.text == "Emulated reply: hello there"
    assert emulator.last_request.body["model"] == expected
    assert emulator.last_request.body["temperature"] == 0.2


async def test_configurable_init_chat_model_switches_qwen_models(
    provider_table: dict[str, object], emulator: DashScopeEmulator
) -> None:
    register_init_chat_model()
    llm = init_chat_model(
        "qwen-plus",
        model_provider="qwen",
        configurable_fields=("model", "model_provider"),
        base_url=emulator.base_url,
        api_key=emulator.api_key,
    )
    msg = await llm.ainvoke("hi", config={"configurable": {"model": "qwen-turbo"}})
    assert msg.text == "Emulated reply: hi" and emulator.last_request.body["model"] == "qwen-turbo"
    msg = await llm.ainvoke("hi", config={"configurable": {"model": "dashscope:qwen3-max", "model_provider": None}})
    assert emulator.last_request.body["model"] == "qwen3-max"


def test_create_agent_with_a_qwen_model_string(
    provider_table: dict[str, object], emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langchain.agents import create_agent

    # create_agent passes no settings to init_chat_model: the key and endpoint come from the environment.
    monkeypatch.setenv("DASHSCOPE_API_KEY", emulator.api_key)
    monkeypatch.setenv("DASHSCOPE_BASE_URL", emulator.base_url)
    register_init_chat_model()
    agent = create_agent("qwen:qwen3-max", tools=[get_weather])
    messages = agent.invoke({"messages": [HumanMessage("What is the weather in 'Lisbon'?")]})["messages"]
    assert [m.type for m in messages] == ["human", "ai", "tool", "ai"]
    assert messages[1].tool_calls[0]["args"] == {"city": "Lisbon"}
    assert "It is sunny in Lisbon." in messages[3].text
    assert {r.body["model"] for r in emulator.requests if r.path.endswith("/chat/completions")} == {"qwen3-max"}


def test_missing_provider_table_names_the_langchain_version(
    provider_table: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(lc_base, "_BUILTIN_PROVIDERS")
    with pytest.raises(QwenValidationError) as info:
        register_init_chat_model()
    assert isinstance(info.value, QwenError)
    assert f"langchain {version('langchain')}" in str(info.value)
    assert "_BUILTIN_PROVIDERS" in str(info.value) and "ChatQwen(model=...)" in str(info.value)


def test_unexpected_provider_table_shape_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    odd = {"openai": "langchain_openai"}
    monkeypatch.setattr(lc_base, "_BUILTIN_PROVIDERS", odd)
    with pytest.raises(QwenValidationError, match=r"langchain 1\.\d+.*not \(module, class, creator\) triples"):
        register_init_chat_model()
    assert odd == {"openai": "langchain_openai"}  # nothing was written

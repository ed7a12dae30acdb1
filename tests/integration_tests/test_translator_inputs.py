"""QwenTranslator after a prompt and with message inputs (emulator); other inputs get a typed error naming what is accepted."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

from langchain_qwen import QwenValidationError
from langchain_qwen.testing import DashScopeEmulator
from langchain_qwen.translation import QwenTranslator

ACCEPTS = "a string, a prompt value"


def _translator(emu: DashScopeEmulator) -> QwenTranslator:
    return QwenTranslator(model="qwen-mt-flash", api_key=emu.api_key, base_url=emu.base_url, target_lang="French")


def _sent(emu: DashScopeEmulator) -> list[dict[str, Any]]:
    body = emu.last_request.body
    assert body["translation_options"] == {"source_lang": "auto", "target_lang": "French"}
    return body["messages"]


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_chat_prompt_template_pipes_into_the_translator(emulator: DashScopeEmulator, sync: bool) -> None:
    chain = ChatPromptTemplate.from_messages([("human", "{text}")]) | _translator(emulator)
    inputs = [{"text": "你好"}, {"text": "谢谢"}]
    out = chain.batch(inputs) if sync else asyncio.run(chain.abatch(inputs))
    assert out == ["[French] 你好", "[French] 谢谢"]
    sent = sorted((r.body["messages"] for r in emulator.requests), key=lambda m: m[0]["content"])  # any order
    assert sent == [[{"role": "user", "content": "你好"}], [{"role": "user", "content": "谢谢"}]]


@pytest.mark.parametrize(
    "value",
    [
        "早上好",
        PromptTemplate.from_template("{text}").invoke({"text": "早上好"}),
        HumanMessage("早上好"),
        HumanMessage([{"type": "text", "text": "早上"}, {"type": "text", "text": "好"}]),
        [HumanMessage("早上好")],
        [("user", "早上好")],
        [{"role": "user", "content": "早上好"}],
    ],
    ids=["str", "string-prompt", "human", "text-blocks", "list-human", "list-tuple", "list-dict"],
)
def test_each_accepted_input_sends_one_user_message(emulator: DashScopeEmulator, value: Any) -> None:
    assert _translator(emulator).invoke(value) == "[French] 早上好"
    assert _sent(emulator) == [{"role": "user", "content": "早上好"}]


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        (
            ChatPromptTemplate.from_messages([("system", "Be formal"), ("human", "{text}")]),
            "2 messages (system, human)",
        ),
        (SystemMessage("你好"), "one SystemMessage (system)"),
        (AIMessage("你好"), "one AIMessage (ai)"),
        ([HumanMessage("一"), HumanMessage("二")], "a list of 2 messages (human, human)"),
        ([], "a list of 0 messages (none)"),
        (42, "got int 42."),
        ({"text": "你好"}, "got dict {'text': '你好'}."),
        (HumanMessage([{"type": "image", "url": "https://example.com/a.png"}]), "translates text only"),
    ],
    ids=["system-prompt", "system", "ai", "two-users", "empty", "int", "dict", "image"],
)
def test_other_inputs_are_refused_before_any_request(emulator: DashScopeEmulator, value: Any, detail: str) -> None:
    if isinstance(value, ChatPromptTemplate):
        value = value.invoke({"text": "你好"})
    with pytest.raises(QwenValidationError) as info:
        _translator(emulator).invoke(value)
    message = str(info.value)
    assert detail in message
    if detail != "translates text only":
        assert ACCEPTS in message and "exactly one user message" in message
    assert emulator.requests == []


def test_llm_and_connection_settings_together_are_a_typed_error(emulator: DashScopeEmulator) -> None:
    from langchain_qwen import ChatQwen

    llm = ChatQwen(model="qwen-mt-flash", api_key=emulator.api_key, base_url=emulator.base_url)
    with pytest.raises(QwenValidationError, match=r"got \['region'\]"):
        QwenTranslator(llm=llm, region="ap-southeast-1", target_lang="en")


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_streaming_after_a_prompt_yields_the_translation_in_pieces(emulator: DashScopeEmulator, sync: bool) -> None:
    translate = QwenTranslator(
        model="qwen-mt-plus", api_key=emulator.api_key, base_url=emulator.base_url, target_lang="de"
    )
    chain = ChatPromptTemplate.from_messages([("human", "{text}")]) | translate
    if sync:
        pieces = list(chain.stream({"text": "第一句话。第二句话。"}))
    else:

        async def collect() -> list[str]:
            return [piece async for piece in chain.astream({"text": "第一句话。第二句话。"})]

        pieces = asyncio.run(collect())
    assert len(pieces) > 1 and all(pieces)
    assert emulator.requests[0].body["stream"] is True  # a real stream, not one invoke cut up
    assert "".join(pieces) == translate.invoke("第一句话。第二句话。")  # deltas, not the cumulative text
    assert emulator.last_request.body["translation_options"]["target_lang"] == "German"
    with pytest.raises(QwenValidationError, match="exactly one user message"):
        list(translate.stream([HumanMessage("一"), HumanMessage("二")]))

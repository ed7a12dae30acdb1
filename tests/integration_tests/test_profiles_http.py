"""Capability table through the public API over HTTP (emulator): 2026 flagships, region-keyed facts, refusal policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel

from langchain_qwen import ChatQwen, QwenBadRequestError, QwenError, register_model, unregister_model
from langchain_qwen.testing import DashScopeEmulator
from tests._helpers import invoke, merge, stream

SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
PHOTO = {"type": "image", "url": "https://example.com/cat.png"}
CLIP = {"type": "video", "url": "https://example.com/clip.mp4"}


class Person(BaseModel):
    name: str
    age: int


def _llm(emu: DashScopeEmulator, model: str, **kw: object) -> ChatQwen:
    return ChatQwen(model=model, api_key=emu.api_key, base_url=emu.base_url, **kw)


@pytest.fixture
def singapore() -> Iterator[DashScopeEmulator]:
    with DashScopeEmulator(api_key="sk-emulator", region="ap-southeast-1") as emu:
        yield emu


def _sent_parts(emu: DashScopeEmulator) -> list[str]:
    user = [m for m in emu.last_request.body["messages"] if m["role"] == "user"][-1]
    return [p["type"] for p in user["content"]]


@SYNC
@pytest.mark.parametrize("model", ["qwen3.5-plus", "qwen3.5-flash", "qwen3.6-plus", "qwen3.7-plus", "qwen3.8-max"])
def test_images_and_video_reach_the_natively_multimodal_flagships(
    emulator: DashScopeEmulator, sync: bool, model: str
) -> None:
    llm = _llm(emulator, model)
    assert llm.profile["image_inputs"] is True and llm.profile["video_inputs"] is True
    out = invoke(llm, sync, [HumanMessage([{"type": "text", "text": "What is shown?"}, PHOTO, CLIP])])
    assert out.text and out.response_metadata["finish_reason"] == "stop"
    assert _sent_parts(emulator) == ["text", "image_url", "video_url"]
    assert emulator.last_request.body["model"] == model


@SYNC
def test_a_wrong_modality_row_never_blocks_the_request(emulator: DashScopeEmulator, sync: bool) -> None:
    # The table says qwen-max reads text only: the image is still sent, and the server's refusal is a typed error.
    with pytest.raises(QwenBadRequestError) as info:
        invoke(_llm(emulator, "qwen-max"), sync, [HumanMessage(["What is shown?", PHOTO])])
    assert isinstance(info.value, QwenError) and getattr(info.value, "status_code", None) == 400
    assert len(emulator.requests) == 1 and _sent_parts(emulator) == ["text", "image_url"]
    # ... and where the row is wrong (the service does read images), an override makes that visible to LangChain.
    fixed = _llm(emulator, "qwen3.7-max", qwen_profile={"input_modalities": ["text", "image"]})
    assert fixed.profile["image_inputs"] is True


@SYNC
def test_structured_output_uses_native_json_schema_only_where_the_region_serves_it(
    emulator: DashScopeEmulator, singapore: DashScopeEmulator, sync: bool
) -> None:
    beijing = _llm(emulator, "qwen-plus").with_structured_output(Person, method="json_schema")
    assert isinstance(invoke(beijing, sync, "Alice is 30"), Person)
    body = emulator.last_request.body
    assert body["response_format"]["type"] == "json_schema" and "tools" not in body
    assert body["response_format"]["json_schema"]["name"] == "Person" and body["enable_thinking"] is False

    sg = _llm(singapore, "qwen-plus", region="ap-southeast-1")
    assert sg.profile["structured_output"] is False and _llm(emulator, "qwen-plus").profile["structured_output"]
    result = invoke(sg.with_structured_output(Person, method="json_schema"), sync, "Alice is 30")
    assert isinstance(result, Person)
    body = singapore.last_request.body
    assert "response_format" not in body and body["tool_choice"]["function"]["name"] == "Person"


def test_region_is_read_from_a_dashscope_base_url() -> None:
    intl = ChatQwen(model="qwen-plus", api_key="k", base_url="https://dashscope-intl.aliyuncs.com/compatible-mode/v1")
    assert intl.qwen_capabilities.region == "ap-southeast-1" and intl.qwen_capabilities.json_schema is False
    ws = ChatQwen(
        model="qwen-plus", api_key="k", base_url="https://ws-1.cn-beijing.maas.aliyuncs.com/compatible-mode/v1"
    )
    assert ws.qwen_capabilities.region == "cn-beijing" and ws.qwen_capabilities.json_schema is True


@SYNC
def test_native_json_schema_follows_the_table_not_the_model_name(emulator: DashScopeEmulator, sync: bool) -> None:
    # A model whose row says json_schema (here registered globally) gets the native format, not a forced tool.
    try:
        register_model("qwen-plus-2025-07-28", json_schema={"cn-beijing": True, "*": False})
        llm = _llm(emulator, "qwen-plus-2025-07-28").with_structured_output(Person, method="json_schema")
        assert isinstance(invoke(llm, sync, "Bob is 41"), Person)
        assert emulator.last_request.body["response_format"]["type"] == "json_schema"
    finally:
        unregister_model("qwen-plus-2025-07-28")
    fallback = _llm(emulator, "qwen-plus-2025-07-28", region="ap-southeast-1").with_structured_output(
        Person, method="json_schema"
    )
    assert fallback.first.kwargs["tool_choice"]["function"]["name"] == "Person"  # type: ignore[attr-defined]


@SYNC
def test_json_schema_asked_explicitly_is_sent_and_the_server_answer_is_typed(
    singapore: DashScopeEmulator, sync: bool
) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "P", "schema": Person.model_json_schema()}}
    llm = _llm(singapore, "qwen-plus", region="ap-southeast-1").bind(response_format=fmt)
    with pytest.raises(QwenBadRequestError, match="json_schema"):
        invoke(llm, sync, "Alice is 30")
    assert singapore.last_request.body["response_format"] == fmt


@SYNC
def test_2026_hybrids_think_by_default_and_stream_reasoning(emulator: DashScopeEmulator, sync: bool) -> None:
    for model in ("qwen3.5-plus", "qwen3.6-flash", "qwen3.7-max-2026-12-01"):
        chunks = stream(_llm(emulator, model), sync, "Why is the sky blue?")
        full = merge(chunks)
        assert emulator.last_request.body["enable_thinking"] is True, model
        assert full.additional_kwargs.get("reasoning_content") or any(
            b.get("type") == "reasoning" for b in full.content_blocks
        ), model


@SYNC
def test_json_mode_on_a_row_without_it_is_sent(emulator: DashScopeEmulator, sync: bool) -> None:
    # qwen-vl-ocr's row says no json_object: the request still goes out and the server's 400 is typed.
    llm = _llm(emulator, "qwen-vl-ocr").bind(response_format={"type": "json_object"})
    with pytest.raises(QwenBadRequestError, match="json_object"):
        invoke(llm, sync, [HumanMessage(["Read this as json", PHOTO])])
    assert emulator.last_request.body["response_format"] == {"type": "json_object"}


def test_create_agent_structured_output_is_native_only_where_the_region_serves_it(
    emulator: DashScopeEmulator, singapore: DashScopeEmulator
) -> None:
    from langchain.agents import create_agent

    agent = create_agent(_llm(emulator, "qwen-plus"), tools=[], response_format=Person)
    out = agent.invoke({"messages": [HumanMessage("Alice is 30")]})
    assert isinstance(out["structured_response"], Person)
    body = emulator.last_request.body
    assert body["response_format"]["type"] == "json_schema" and not body.get("tools")

    agent = create_agent(_llm(singapore, "qwen-plus", region="ap-southeast-1"), tools=[], response_format=Person)
    out = agent.invoke({"messages": [HumanMessage("Alice is 30")]})
    assert isinstance(out["structured_response"], Person)
    chat_bodies = [r.body for r in singapore.requests if r.path == "/chat/completions"]
    assert all("response_format" not in b for b in chat_bodies)
    assert chat_bodies[0]["tools"][0]["function"]["name"] == "Person"

"""One stream assembly: invoke's aggregate of an internally streamed answer is the merge of the very chunks that
`stream` yields, and text received before a mid-stream error is kept on `err.partial` in every mode."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from langchain_qwen import ChatQwen, QwenContentInspectionError, QwenStreamInterruptedError
from langchain_qwen.testing import DashScopeEmulator
from tests._helpers import invoke, merge, stream

SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


def _llm(emu: DashScopeEmulator, model: str = "qwen-plus", **kw: object) -> ChatQwen:
    return ChatQwen(model=model, base_url=emu.base_url, api_key=emu.api_key, max_retries=0, **kw)


def get_weather(city: str) -> str:
    """Weather in a city."""
    return "sunny"


def _same_answer(aggregate: AIMessage, streamed: AIMessage) -> None:
    assert aggregate.text == streamed.text
    assert aggregate.additional_kwargs.get("reasoning_content") == streamed.additional_kwargs.get("reasoning_content")
    assert [(c["name"], c["args"]) for c in aggregate.tool_calls] == [
        (c["name"], c["args"]) for c in streamed.tool_calls
    ]
    assert aggregate.usage_metadata == streamed.usage_metadata
    assert aggregate.response_metadata["finish_reason"] == streamed.response_metadata["finish_reason"]


@SYNC
def test_stream_only_invoke_equals_the_merged_stream(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, "qwq-plus")
    prompt = [HumanMessage("Why is the sky blue? Answer in one sentence.")]
    aggregate = invoke(llm, sync, prompt)
    streamed = merge(stream(llm, sync, prompt))
    assert isinstance(aggregate, AIMessage) and aggregate.additional_kwargs["reasoning_content"]
    _same_answer(aggregate, streamed)
    assert emulator.requests[0].body["stream"] is True  # invoke streamed internally


@SYNC
def test_internally_streamed_tool_calls_equal_the_stream(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, "qwen-plus", qwen_profile={"stream_only": True}).bind_tools([get_weather])
    prompt = "What is the weather in Paris? Use the tool."
    aggregate = invoke(llm, sync, prompt)
    streamed = merge(stream(llm, sync, prompt))
    assert aggregate.tool_calls and aggregate.tool_calls[0]["name"] == "get_weather"
    _same_answer(aggregate, streamed)


@SYNC
@pytest.mark.parametrize("mode", ["invoke_streaming", "stream", "stream_only_invoke"])
def test_text_before_an_in_band_error_is_kept_on_partial(emulator: DashScopeEmulator, sync: bool, mode: str) -> None:
    prompt = "tell me something rather long so that several chunks arrive first"
    full = invoke(_llm(emulator), sync, prompt).text
    emulator.inject(
        stream_error_after=3,
        code="data_inspection_failed",
        type="data_inspection_failed",
        message="Output data may contain inappropriate content.",
    )
    with pytest.raises(QwenContentInspectionError) as info:
        if mode == "invoke_streaming":
            invoke(_llm(emulator, streaming=True), sync, prompt)
        elif mode == "stream":
            stream(_llm(emulator), sync, prompt)
        else:
            invoke(_llm(emulator, "qwen-plus", qwen_profile={"stream_only": True}), sync, prompt)
    partial = info.value.partial
    assert isinstance(partial, AIMessage) and partial.text  # what arrived before the error
    assert full.startswith(partial.text) and len(partial.text) < len(full)


@SYNC
def test_stream_cut_keeps_partial_when_streaming(emulator: DashScopeEmulator, sync: bool) -> None:
    emulator.inject(truncate_after=4)
    with pytest.raises(QwenStreamInterruptedError) as info:
        invoke(_llm(emulator, streaming=True), sync, "a long enough prompt to stream in several chunks")
    assert isinstance(info.value.partial, AIMessage) and info.value.partial.text

"""ChatQwen features over real HTTP against the emulator: metadata, reasoning, thinking control, stream-only
models, parameters, errors, retries, faults and secrets, each sync and async."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from langchain_qwen import (
    ChatQwen,
    QwenAuthenticationError,
    QwenContentInspectionError,
    QwenNotFoundError,
    QwenRateLimitError,
    QwenStreamInterruptedError,
    QwenTimeoutError,
    QwenValidationError,
    _errors,
)
from langchain_qwen.testing import DashScopeEmulator
from tests._helpers import invoke, merge, stream

SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
SEED_PROMPT = [SystemMessage("You are a helpful assistant."), HumanMessage("你好")]


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_errors, "INITIAL_RETRY_DELAY", 0.01)


def _llm(emu: DashScopeEmulator, model: str = "qwen-plus", **kw: object) -> ChatQwen:
    return ChatQwen(model=model, base_url=emu.base_url, api_key=emu.api_key, **kw)


@SYNC
def test_invoke_metadata_and_exact_usage(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, "qwen2.5-14b-instruct")
    msg = invoke(llm, sync, SEED_PROMPT)
    assert isinstance(msg, AIMessage) and "你好" in msg.text
    assert msg.usage_metadata["input_tokens"] == 20  # the documented real figure for this prompt
    assert msg.usage_metadata["input_tokens"] == llm.get_num_tokens_from_messages(SEED_PROMPT)
    meta = msg.response_metadata
    assert meta["model_name"] == "qwen2.5-14b-instruct" and meta["finish_reason"] == "stop"
    assert meta["model_provider"] == "qwen" and meta["id"].startswith("chatcmpl-") and meta["request_id"]
    body = emulator.last_request.body
    assert "stream" not in body and body["messages"][1] == {"role": "user", "content": "你好"}


@SYNC
def test_stream_chunks_usage_once_and_finish_once(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator)
    chunks = stream(llm, sync, "hello there")
    full = merge(chunks)
    assert full.text == "Emulated reply: hello there"
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert full.response_metadata["finish_reason"] == "stop" and full.response_metadata["model_name"] == "qwen-plus"
    assert full.response_metadata["request_id"] and chunks[-1].chunk_position == "last"
    body = emulator.last_request.body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["enable_thinking"] is False  # explicit, the model's default


@SYNC
def test_reasoning_invoke_and_stream(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, enable_thinking=True)
    msg = invoke(llm, sync, "why?")
    assert msg.additional_kwargs["reasoning_content"].startswith("The user asked: why?")
    assert [b["type"] for b in msg.content_blocks] == ["reasoning", "text"]
    assert msg.usage_metadata["output_token_details"]["reasoning"] > 0
    full = merge(stream(llm, sync, "why?"))
    assert full.additional_kwargs["reasoning_content"] == msg.additional_kwargs["reasoning_content"]
    assert full.content_blocks[0]["type"] == "reasoning" and full.text == msg.text
    v1 = invoke(_llm(emulator, enable_thinking=True, output_version="v1"), sync, "why?")
    assert v1.content[0]["type"] == "reasoning" and v1.content[1]["type"] == "text"


@SYNC
@pytest.mark.parametrize("model", ["qwq-plus", "qwen3-32b", "qvq-max"])
def test_stream_only_models_are_streamed_by_invoke(emulator: DashScopeEmulator, sync: bool, model: str) -> None:
    msg = invoke(_llm(emulator, model), sync, "9.9和9.11谁大")
    assert msg.text == "Emulated reply: 9.9和9.11谁大" and msg.additional_kwargs["reasoning_content"]
    assert msg.usage_metadata["input_tokens"] > 0 and msg.response_metadata["finish_reason"] == "stop"
    assert emulator.last_request.body["stream"] is True


@SYNC
def test_thinking_control_per_call_without_mutating_the_model(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, "qwen3-32b")
    msg = invoke(llm, sync, "hi", enable_thinking=False)
    assert "reasoning_content" not in msg.additional_kwargs
    body = emulator.last_request.body
    assert body["enable_thinking"] is False and "stream" not in body
    assert llm.enable_thinking is None
    invoke(llm, sync, "hi", model="qwen-turbo", thinking_budget=50, enable_thinking=True)
    body = emulator.last_request.body
    assert body["model"] == "qwen-turbo" and body["thinking_budget"] == 50 and body["enable_thinking"] is True


@SYNC
def test_thinking_params_never_sent_to_models_that_reject_them(emulator: DashScopeEmulator, sync: bool) -> None:
    invoke(_llm(emulator, "qwen-max"), sync, "hi")
    assert "enable_thinking" not in emulator.last_request.body
    with pytest.raises(QwenValidationError, match="no thinking mode"):
        invoke(_llm(emulator, "qwen-max"), sync, "hi", enable_thinking=True)
    assert len(emulator.requests) == 1  # the rejected call never left the machine


@SYNC
def test_parameters_reach_the_wire(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, top_k=5, repetition_penalty=1.1, seed=42, presence_penalty=0.5)
    msg = invoke(llm, sync, "one two three four five six", max_tokens=3, stop=["never"])
    assert msg.response_metadata["finish_reason"] == "length" and msg.usage_metadata["output_tokens"] == 3
    body = emulator.last_request.body
    assert (body["top_k"], body["repetition_penalty"], body["seed"], body["max_tokens"]) == (5, 1.1, 42, 3)
    stopped = invoke(llm, sync, "alpha beta gamma", stop=["beta"])
    assert stopped.text == "Emulated reply: alpha "


def test_n_choices_become_generations(emulator: DashScopeEmulator) -> None:
    result = _llm(emulator, n=2).generate([[HumanMessage("hi")]])
    texts = [g.text for g in result.generations[0]]
    assert texts == ["Emulated reply: hi", "Emulated reply: hi (choice 1)"]


@SYNC
def test_cumulative_mt_stream_becomes_deltas(emulator: DashScopeEmulator, sync: bool) -> None:
    chunks = stream(_llm(emulator, "qwen-mt-plus"), sync, "我看到这个视频后没有笑")
    full = merge(chunks)
    assert full.text == "Emulated reply: 我看到这个视频后没有笑"
    assert "".join(c.text for c in chunks) == full.text
    assert invoke(_llm(emulator, "qwen-mt-flash"), sync, "你好").text == "Emulated reply: 你好"


@SYNC
def test_batch(emulator: DashScopeEmulator, sync: bool) -> None:
    import asyncio

    llm = _llm(emulator)
    inputs = ["a", "b", "c"]
    out = llm.batch(inputs) if sync else asyncio.run(llm.abatch(inputs))
    assert [m.text for m in out] == [f"Emulated reply: {x}" for x in inputs]


@SYNC
def test_auth_error_with_region_hint_and_no_key_leak(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = ChatQwen(model="qwen-plus", base_url=emulator.base_url, api_key="sk-wrong-region-key-123456")
    with pytest.raises(QwenAuthenticationError) as info:
        invoke(llm, sync, "hi")
    assert "region-scoped" in str(info.value) and "sk-wrong" not in str(info.value)
    assert "sk-wrong" not in repr(llm) and len(emulator.requests) == 1  # 401 is not retried


@SYNC
def test_moderation_is_not_retried(emulator: DashScopeEmulator, sync: bool) -> None:
    emulator.inject(
        status=400,
        code="data_inspection_failed",
        type="data_inspection_failed",
        message="Input data may contain inappropriate content.",
        times=5,
    )
    with pytest.raises(QwenContentInspectionError) as info:
        invoke(_llm(emulator), sync, "hi")
    assert info.value.code == "data_inspection_failed" and len(emulator.requests) == 1


@SYNC
def test_rate_limits_and_server_errors_are_retried(emulator: DashScopeEmulator, sync: bool) -> None:
    emulator.inject(
        status=429,
        code="insufficient_quota",
        type="insufficient_quota",
        message="You exceeded your current quota, please check your plan and billing details.",
    )
    emulator.inject(status=503, code="ModelUnavailable", message="Model is unavailable, please try again later.")
    msg = invoke(_llm(emulator), sync, "hi")
    assert msg.text == "Emulated reply: hi" and len(emulator.requests) == 3
    emulator.clear()
    emulator.inject(status=429, code="limit_requests", message="Requests rate limit exceeded.", times=10)
    with pytest.raises(QwenRateLimitError):
        invoke(_llm(emulator, max_retries=1), sync, "hi")
    assert len(emulator.requests) == 2


@SYNC
def test_timeout(emulator: DashScopeEmulator, sync: bool) -> None:
    emulator.inject(delay=1.0)
    with pytest.raises(QwenTimeoutError):
        invoke(_llm(emulator, timeout=0.2, max_retries=0), sync, "hi")


@SYNC
def test_stream_cut_before_done(emulator: DashScopeEmulator, sync: bool) -> None:
    emulator.inject(disconnect_after=3)
    with pytest.raises(QwenStreamInterruptedError):
        stream(_llm(emulator), sync, "a long enough prompt to stream")
    emulator.inject(truncate_after=4)
    with pytest.raises(QwenStreamInterruptedError) as info:
        invoke(_llm(emulator, "qwq-plus"), sync, "a long enough prompt to stream")
    assert info.value.partial is not None  # the part that arrived is kept on the error
    assert info.value.partial.additional_kwargs.get("reasoning_content")


@SYNC
def test_error_payload_inside_stream(emulator: DashScopeEmulator, sync: bool) -> None:
    emulator.inject(
        stream_error_after=3,
        code="data_inspection_failed",
        type="data_inspection_failed",
        message="Output data may contain inappropriate content.",
    )
    with pytest.raises(QwenContentInspectionError, match="Output data"):
        stream(_llm(emulator), sync, "tell me something")
    assert len(emulator.requests) == 1


@SYNC
def test_unknown_model_is_typed_not_found(emulator: DashScopeEmulator, sync: bool) -> None:
    with pytest.raises(QwenNotFoundError):
        invoke(_llm(emulator, "qwen-does-not-exist"), sync, "hi")


@SYNC
def test_partial_response_and_reseller_headers(sync: bool) -> None:
    with DashScopeEmulator(api_key="sk-reseller", account_balance="123.0165") as emu:
        emu.inject(partial_response=True)
        msg = invoke(_llm(emu, "qwen2.5-14b-instruct"), sync, "a fairly long question to cut in half")
        assert msg.response_metadata["partial_response"] is True and msg.response_metadata["finish_reason"] is None
        assert msg.response_metadata["account_balance"] == "123.0165"
        full = merge(stream(_llm(emu, "qwen2.5-14b-instruct"), sync, "hi"))
        assert full.response_metadata["account_balance"] == "123.0165"


def test_no_other_provider_credentials_or_headers_leak(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake-openai-secret")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-secret")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-secret")
    monkeypatch.setenv("OPENAI_CUSTOM_HEADERS", "Authorization: Bearer sk-fake-openai-secret\nX-Leak: 1")
    with pytest.raises(QwenValidationError, match="No DashScope API key"):
        ChatQwen(model="qwen-plus", base_url=emulator.base_url).invoke("hi")
    assert not emulator.requests
    monkeypatch.setenv("DASHSCOPE_API_KEY", emulator.api_key)
    ChatQwen(model="qwen-plus", base_url=emulator.base_url, default_headers={"X-Trace": "t"}).invoke("hi")
    headers = emulator.last_request.headers
    assert headers["authorization"] == f"Bearer {emulator.api_key}" and headers["x-trace"] == "t"
    assert not {"openai-organization", "openai-project", "x-leak"} & set(headers)


def test_constructing_does_no_io() -> None:
    llm = ChatQwen(model="qwen-plus", base_url="http://127.0.0.1:9/compatible-mode/v1", api_key="k")
    assert llm.model_name == "qwen-plus"  # nothing listens on port 9; construction must not notice


@SYNC
def test_multi_turn_reasoning_history(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, "qwen3.8-max")
    first = invoke(llm, sync, "q1")
    invoke(llm, sync, [HumanMessage("q1"), first, HumanMessage("q2")])
    sent = emulator.last_request.body["messages"][1]
    assert sent["reasoning_content"] == first.additional_kwargs["reasoning_content"]
    plus = _llm(emulator, "qwen-plus", enable_thinking=True)
    first = invoke(plus, sync, "q1")
    invoke(plus, sync, [HumanMessage("q1"), first, HumanMessage("q2")])
    assert "reasoning_content" not in emulator.last_request.body["messages"][1]

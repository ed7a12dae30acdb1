"""2026 Batch line rules through the public batch API over HTTP (emulator): thinking key, served models, 256K cap."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from langchain_core.messages import AIMessage

from langchain_qwen import ChatQwen, QwenContextOverflowError, QwenError, QwenValidationError
from langchain_qwen._tokens import count_messages
from langchain_qwen.batch import QwenBatch, run_batch
from langchain_qwen.testing import DashScopeEmulator


@pytest.fixture
def emu() -> Iterator[DashScopeEmulator]:
    with DashScopeEmulator(api_key="sk-emulator", batch_seconds=0.0) as server:
        yield server


def _llm(emu: DashScopeEmulator, model: str = "qwen-plus", **kw: object) -> ChatQwen:
    return ChatQwen(model=model, api_key=emu.api_key, base_url=emu.base_url, **kw)


def _uploaded_bodies(emu: DashScopeEmulator) -> list[dict[str, object]]:
    inputs = [f for f in emu.files.values() if f.purpose == "batch" and f.filename.startswith("input")]
    assert len(inputs) == 1
    return [json.loads(line)["body"] for line in inputs[0].data.decode().splitlines() if line.strip()]


def test_enable_thinking_is_a_top_level_key_of_each_line_body(emu: DashScopeEmulator) -> None:
    llm = _llm(emu, extra_body={"enable_thinking": True, "thinking_budget": 64})
    results = run_batch(llm, ["Why is the sky blue?", "And the sea?"])
    assert all(isinstance(r, AIMessage) and r.text for r in results)
    for body in _uploaded_bodies(emu):
        assert body["enable_thinking"] is True and body["thinking_budget"] == 64 and "extra_body" not in body
    assert results[0].additional_kwargs.get("reasoning_content") or any(
        b.get("type") == "reasoning" for b in results[0].content_blocks
    )


def test_a_nested_extra_body_is_flattened_into_the_line_body(emu: DashScopeEmulator) -> None:
    # OpenAI-SDK style per-call options: `extra_body` keys become top-level keys of the line's body (BATCH-2606).
    results = run_batch(_llm(emu), ["hi"], model_kwargs={"extra_body": {"enable_thinking": True}})
    body = _uploaded_bodies(emu)[0]
    assert body["enable_thinking"] is True and "extra_body" not in body
    assert isinstance(results[0], AIMessage) and results[0].additional_kwargs.get("reasoning_content")


def test_hybrids_always_carry_an_explicit_thinking_switch(emu: DashScopeEmulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    results = run_batch(_llm(emu), ["hi"])  # qwen-plus: off by default, still sent explicitly
    assert isinstance(results[0], AIMessage) and _uploaded_bodies(emu)[0]["enable_thinking"] is False
    for model, default in (("qwen3.5-plus", True), ("qwen3.7-max-2026-12-01", True), ("qwen3.6-plus", True)):
        parts, _ = QwenBatch(_llm(emu, model), workdir=tmp_path / model).encode(["hi"])
        body = json.loads(parts[0].path.read_text())["body"]
        assert body["enable_thinking"] is default and "stream" not in body, model
        parts, _ = QwenBatch(_llm(emu, model), workdir=tmp_path / f"{model}-off").encode(["hi"], enable_thinking=False)
        assert json.loads(parts[0].path.read_text())["body"]["enable_thinking"] is False


def test_a_model_the_batch_api_does_not_serve_is_refused_before_upload(emu: DashScopeEmulator) -> None:
    with pytest.raises(
        QwenValidationError, match=r"model='qwen3-coder-plus' is not served by the DashScope Batch API"
    ) as info:
        run_batch(_llm(emu, "qwen3-coder-plus"), ["write a haiku"])
    assert isinstance(info.value, QwenError) and "qwen-plus" in str(info.value)  # names what is served
    with DashScopeEmulator(api_key="sk-emulator", region="ap-southeast-1") as sg:
        with (
            pytest.raises(QwenValidationError, match="in ap-southeast-1"),
            pytest.warns(UserWarning, match="served only"),
        ):
            run_batch(_llm(sg, "qwen-long", region="ap-southeast-1"), ["hi"])
        assert sg.requests == []
        assert isinstance(run_batch(_llm(sg, "qwen-plus", region="ap-southeast-1"), ["hi"])[0], AIMessage)
    assert emu.requests == []


def test_undocumented_models_are_sent_and_the_server_decides(emu: DashScopeEmulator) -> None:
    # Not in the table (or not documented for the region): uploaded; the server's refusal is reported per request.
    results = run_batch(_llm(emu, "acme-finetune"), ["hi"])
    assert len(results) == 1 and not isinstance(results[0], AIMessage)
    assert any(r.path == "/files" for r in emu.requests)


def test_256k_per_request_cap_is_counted_exactly_before_upload(emu: DashScopeEmulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    llm = _llm(emu, "qwen3.6-plus")
    under, over = "hello " * 262_130, "hello " * 262_140
    wire = [{"role": "user", "content": under}]
    assert (
        count_messages(wire, None, "qwen3_5")
        <= 262_144
        < count_messages([{"role": "user", "content": over}], None, "qwen3_5")
    )
    parts, total = QwenBatch(llm, workdir=tmp_path).encode([under])
    assert total == 1 and parts[0].lines == 1
    with pytest.raises(QwenContextOverflowError, match=r"Batch input 1 has 262,149 input tokens.*262,144") as info:
        QwenBatch(llm).submit(["short question", over])
    assert info.value.code == "batch_context" and emu.requests == []


def test_2026_flagships_run_in_batch_thinking_by_default(emu: DashScopeEmulator) -> None:
    results = run_batch(_llm(emu, "qwen3.6-plus"), ["Is 9.11 bigger than 9.9?"])
    assert isinstance(results[0], AIMessage) and results[0].text
    assert results[0].additional_kwargs.get("reasoning_content")
    assert _uploaded_bodies(emu)[0]["enable_thinking"] is True

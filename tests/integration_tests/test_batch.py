"""Batch API through the public adapter over HTTP (emulator): lifecycle, order, failures, cancel, resume."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator

import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from langchain_qwen import ChatQwen, QwenEmbeddings, QwenValidationError, _errors
from langchain_qwen.batch import BatchError, BatchJob, QwenBatch, embed_batch, run_batch
from langchain_qwen.testing import DashScopeEmulator


@pytest.fixture
def emu() -> Iterator[DashScopeEmulator]:
    with DashScopeEmulator(api_key="sk-emulator", batch_seconds=0) as server:  # finished on first read
        yield server


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_errors, "INITIAL_RETRY_DELAY", 0.01)


def _llm(emu: DashScopeEmulator, model: str = "qwen-plus", **kw: object) -> ChatQwen:
    return ChatQwen(model=model, api_key=emu.api_key, base_url=emu.base_url, **kw)


def test_run_batch_results_in_input_order_with_usage(emu: DashScopeEmulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    inputs = [f"question {i}" for i in range(12)] + [[SystemMessage("only a system message")]]
    # A system message alone is a documented refusal: caught locally, naming the input, before any upload (H5).
    with pytest.raises(QwenValidationError, match="batch input 12: .*no user message"):
        run_batch(_llm(emu), inputs, temperature=0.5)
    assert not [r for r in emu.requests if r.path == "/files"]
    results = run_batch(_llm(emu), inputs[:12], temperature=0.5)
    assert len(results) == 12
    for i, item in enumerate(results):
        assert isinstance(item, AIMessage) and item.text == f"Emulated reply: question {i}"
        assert item.usage_metadata["input_tokens"] > 0 and item.response_metadata["finish_reason"] == "stop"
    uploads = [r for r in emu.requests if r.path == "/files" and r.method == "POST"]
    assert len(uploads) == 1 and b'"temperature":0.5' in uploads[0].raw_body
    creates = [r.body for r in emu.requests if r.path == "/batches" and r.method == "POST"]
    assert creates[0]["endpoint"] == "/v1/chat/completions" and creates[0]["completion_window"] == "24h"


def test_jobs_split_into_several_files_and_resume(emu: DashScopeEmulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    llm = _llm(emu)
    job = QwenBatch(llm, max_lines=10, workdir=tmp_path / "job", name="nightly").submit(f"q{i}" for i in range(25))
    assert len(job.batch_ids) == 3
    resumed = BatchJob.resume(llm, job.batch_ids, workdir=tmp_path / "resumed")
    texts = [m.text for m in resumed.wait(progress=True).results()]
    assert texts == [f"Emulated reply: q{i}" for i in range(25)]
    assert {b["status"] for b in resumed.refresh()} == {"completed"}


def test_cancel_reports_every_unfinished_request(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with DashScopeEmulator(api_key="sk-emulator", batch_seconds=30) as emu:
        job = QwenBatch(_llm(emu), workdir=tmp_path).submit(["a", "b", "c"])
        assert {b["status"] for b in job.cancel()} == {"cancelling"}
        results = job.wait().results()
        assert [type(r) for r in results] == [BatchError] * 3 and {r.code for r in results} == {"batch_cancelled"}


def test_file_level_failure_is_reported_per_request(emu: DashScopeEmulator) -> None:
    lines = [
        {
            "custom_id": str(i),
            "method": "POST",
            "url": "/v1/chat/completion",
            "body": {"model": "qwen-plus", "messages": [{"role": "user", "content": f"q{i}"}]},
        }
        for i in range(2)
    ]
    client = openai.OpenAI(api_key=emu.api_key, base_url=emu.base_url)
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    file_id = client.files.create(file=("bad.jsonl", io.BytesIO(data)), purpose="batch").id  # type: ignore[arg-type]
    batch = client.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h")
    results = BatchJob.resume(_llm(emu), [batch.id]).wait().results()
    assert [r.code for r in results] == ["url_not_found", "url_not_found"]
    assert "not supported by the Batch API" in results[0].message


def test_throttled_batch_creation_is_retried(emu: DashScopeEmulator) -> None:
    emu.inject(
        path="/batches",
        status=429,
        code="Throttling",
        message="Too many requests. Batch requests are being throttled due to system capacity limits.",
    )
    assert [m.text for m in run_batch(_llm(emu), ["x"])] == ["Emulated reply: x"]


def test_embedding_batches_match_live_embeddings(emu: DashScopeEmulator) -> None:
    emb = QwenEmbeddings(model="text-embedding-v4", dimensions=64, api_key=emu.api_key, base_url=emu.base_url)
    texts = [f"document number {i} about pandas" for i in range(23)]
    vectors = embed_batch(emb, texts)
    assert len(vectors) == 23 and vectors == emb.embed_documents(texts)


def test_async_submit_and_results(emu: DashScopeEmulator) -> None:
    async def run() -> list[object]:
        job = await QwenBatch(_llm(emu)).asubmit(["one", "two"])
        return await job.aresults()

    assert [m.text for m in asyncio.run(run())] == ["Emulated reply: one", "Emulated reply: two"]


def test_stream_only_model_lines_and_thinking(emu: DashScopeEmulator) -> None:
    results = run_batch(_llm(emu, "qwq-plus"), [HumanMessage("9.9 or 9.11?")])
    assert results[0].additional_kwargs["reasoning_content"] and results[0].text

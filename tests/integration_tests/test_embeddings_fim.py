"""QwenEmbeddings and QwenFIM over real HTTP against the emulator: batching, per-batch retries, concurrency,
local rejections, a RAG chain with ChatQwen, and FIM invoke/stream, each sync and async."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_qwen import (
    ChatQwen,
    QwenBadRequestError,
    QwenContentInspectionError,
    QwenEmbeddings,
    QwenFIM,
    QwenStreamInterruptedError,
    QwenValidationError,
    _errors,
)
from langchain_qwen import embeddings as embeddings_module
from langchain_qwen import llms as llms_module
from langchain_qwen.testing import DashScopeEmulator
from tests._helpers import invoke, stream

SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
PREFIX = "def add(a, b):\n"
SUFFIX = "\n\nprint(add(1, 2))\n"


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_errors, "INITIAL_RETRY_DELAY", 0.01)


def _emb(emu: DashScopeEmulator, **kw: Any) -> QwenEmbeddings:
    return QwenEmbeddings(base_url=emu.base_url, api_key=emu.api_key, **kw)


def _fim(emu: DashScopeEmulator, **kw: Any) -> QwenFIM:
    return QwenFIM(base_url=emu.base_url, api_key=emu.api_key, **kw)


def _embed(emb: QwenEmbeddings, sync: bool, texts: list[str]) -> list[list[float]]:
    return emb.embed_documents(texts) if sync else asyncio.run(emb.aembed_documents(texts))


def _embed_query(emb: QwenEmbeddings, sync: bool, text: str) -> list[float]:
    return emb.embed_query(text) if sync else asyncio.run(emb.aembed_query(text))


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def _embedding_requests(emu: DashScopeEmulator) -> list[Any]:
    return [r for r in emu.requests if r.path == "/embeddings"]


# --- embeddings ---------------------------------------------------------------------------------------


@SYNC
def test_embed_documents_and_query_shapes_and_order(emulator: DashScopeEmulator, sync: bool) -> None:
    emb = _emb(emulator)
    texts = ["red apples and green pears", "fast cars on the highway", "apples grow on trees"]
    vectors = _embed(emb, sync, texts)
    assert len(vectors) == 3 and all(len(v) == 1024 and all(isinstance(x, float) for x in v) for v in vectors)
    for text, vector in zip(texts, vectors, strict=False):  # deterministic vectors: input order is kept
        assert _embed_query(emb, sync, text) == pytest.approx(vector)
    assert _cosine(vectors[0], vectors[2]) > _cosine(vectors[0], vectors[1])
    body = _embedding_requests(emulator)[0].body
    assert body == {"model": "text-embedding-v4", "input": texts, "encoding_format": "float"}


@SYNC
def test_batches_of_ten_on_v4(emulator: DashScopeEmulator, sync: bool) -> None:
    texts = [f"document number {i} about topic {i % 4}" for i in range(25)]
    vectors = _embed(_emb(emulator), sync, texts)
    assert len(vectors) == 25
    reqs = _embedding_requests(emulator)
    assert len(reqs) == 3
    assert sorted(len(r.body["input"]) for r in reqs) == [5, 10, 10]
    assert all(r.body["encoding_format"] == "float" and r.body["model"] == "text-embedding-v4" for r in reqs)
    assert sorted(t for r in reqs for t in r.body["input"]) == sorted(texts)
    # order of the result does not depend on which batch answered first
    assert vectors[24] == pytest.approx(_emb(emulator).embed_query(texts[24]))


@SYNC
def test_v2_batches_of_twenty_five(emulator: DashScopeEmulator, sync: bool) -> None:
    vectors = _embed(_emb(emulator, model="text-embedding-v2"), sync, [f"text {i}" for i in range(26)])
    assert len(vectors) == 26 and len(vectors[0]) == 1536
    reqs = _embedding_requests(emulator)
    assert sorted(len(r.body["input"]) for r in reqs) == [1, 25] and all("dimensions" not in r.body for r in reqs)


@SYNC
def test_dimensions_reach_the_wire(emulator: DashScopeEmulator, sync: bool) -> None:
    vectors = _embed(_emb(emulator, dimensions=256), sync, ["one", "two"])
    assert [len(v) for v in vectors] == [256, 256]
    assert _embedding_requests(emulator)[0].body["dimensions"] == 256
    assert len(_embed_query(_emb(emulator, model="text-embedding-v3", dimensions=64), sync, "x")) == 64


@SYNC
def test_429_on_second_batch_retries_only_that_batch(emulator: DashScopeEmulator, sync: bool) -> None:
    texts = [f"text {i}" for i in range(25)]
    emulator.inject(path="/embeddings")  # the first batch passes untouched
    emulator.inject(path="/embeddings", status=429)  # the second batch is throttled once
    emb = _emb(emulator, max_concurrency=1)
    vectors = _embed(emb, sync, texts)
    assert len(vectors) == 25
    sent = [tuple(r.body["input"]) for r in _embedding_requests(emulator)]
    assert len(sent) == 4  # 3 batches + 1 retry; nothing else was re-sent
    batches = [tuple(texts[0:10]), tuple(texts[10:20]), tuple(texts[20:25])]
    assert sent == [batches[0], batches[1], batches[1], batches[2]]
    assert vectors == emb.embed_documents(texts)  # each vector is where its text was


def test_429_with_concurrency_never_resends_finished_batches(emulator: DashScopeEmulator) -> None:
    texts = [f"text {i}" for i in range(45)]
    emulator.inject(path="/embeddings")
    emulator.inject(path="/embeddings", status=429, times=2)
    vectors = asyncio.run(_emb(emulator, max_concurrency=3).aembed_documents(texts))
    assert len(vectors) == 45
    sent = [tuple(r.body["input"]) for r in _embedding_requests(emulator)]
    assert len(sent) == 5 + 2
    counts = {batch: sent.count(batch) for batch in set(sent)}
    assert len(counts) == 5 and sum(c - 1 for c in counts.values()) == 2


@SYNC
def test_non_retryable_error_is_typed_and_not_retried(emulator: DashScopeEmulator, sync: bool) -> None:
    emulator.inject(path="/embeddings", status=400, message="Value error, bad input.")
    with pytest.raises(QwenBadRequestError, match="bad input"):
        _embed(_emb(emulator, max_concurrency=1), sync, ["a"] * 5)
    assert len(_embedding_requests(emulator)) == 1


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_async_concurrency_is_bounded(emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    in_flight = peak = 0
    real_apost = embeddings_module.apost

    async def counting_apost(*args: Any, **kwargs: Any) -> Any:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await real_apost(*args, **kwargs)
        finally:
            in_flight -= 1

    monkeypatch.setattr(embeddings_module, "apost", counting_apost)
    emulator.inject(path="/embeddings", delay=0.1, times=8)
    vectors = asyncio.run(_emb(emulator, max_concurrency=limit).aembed_documents([f"t{i}" for i in range(80)]))
    assert len(vectors) == 80 and len(_embedding_requests(emulator)) == 8
    assert peak == limit


@SYNC
def test_empty_string_rejected_before_any_request(emulator: DashScopeEmulator, sync: bool) -> None:
    with pytest.raises(QwenValidationError, match="Input 12 is an empty string"):
        _embed(_emb(emulator), sync, ["a"] * 12 + ["", "b"])  # in the 2nd batch: not even batch 1 is sent
    with pytest.raises(QwenValidationError, match="Input 0 has .* tokens"):
        _embed(_emb(emulator, model="text-embedding-v2"), sync, ["word " * 3000])
    assert emulator.requests == []


@SYNC
def test_truncate_sends_the_cut_text(emulator: DashScopeEmulator, sync: bool) -> None:
    from langchain_qwen._tokens import count_text

    vectors = _embed(_emb(emulator, model="text-embedding-v2", on_too_long="truncate"), sync, ["word " * 3000])
    assert len(vectors) == 1
    sent = _embedding_requests(emulator)[0].body["input"][0]
    assert count_text(sent) == 2048


# --- RAG pipeline -------------------------------------------------------------------------------------

DOCS = [
    Document("Pandas eat bamboo in the mountain forests of Sichuan.", metadata={"id": "panda"}),
    Document("The Rust borrow checker enforces ownership rules at compile time.", metadata={"id": "rust"}),
    Document("Espresso is brewed by forcing hot water through finely ground coffee.", metadata={"id": "coffee"}),
]
QUESTION = "what do pandas eat in the forests?"


def _chain(store: InMemoryVectorStore, emu: DashScopeEmulator) -> Any:
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer using only the context."), ("human", "Context: {context}\nQuestion: {question}")]
    )
    retriever = store.as_retriever(search_kwargs={"k": 1})
    llm = ChatQwen(model="qwen-plus", base_url=emu.base_url, api_key=emu.api_key)
    context = retriever | (lambda docs: "\n".join(d.page_content for d in docs))
    return {"context": context, "question": RunnablePassthrough()} | prompt | llm | StrOutputParser()


def test_rag_pipeline_sync(emulator: DashScopeEmulator) -> None:
    store = InMemoryVectorStore(embedding=_emb(emulator, dimensions=512))
    store.add_documents(DOCS)
    hits = store.similarity_search(QUESTION, k=1)
    assert hits[0].metadata["id"] == "panda"
    answer = _chain(store, emulator).invoke(QUESTION)
    assert answer == f"Emulated reply: Context: {DOCS[0].page_content}\nQuestion: {QUESTION}"
    paths = [r.path for r in emulator.requests]
    assert paths == ["/embeddings", "/embeddings", "/embeddings", "/chat/completions"]
    assert all(r.body["dimensions"] == 512 for r in emulator.requests if r.path == "/embeddings")


def test_rag_pipeline_async(emulator: DashScopeEmulator) -> None:
    async def run() -> tuple[list[Document], str]:
        store = InMemoryVectorStore(embedding=_emb(emulator))
        await store.aadd_documents(DOCS)
        hits = await store.asimilarity_search(QUESTION, k=1)
        return hits, await _chain(store, emulator).ainvoke(QUESTION)

    hits, answer = asyncio.run(run())
    assert hits[0].metadata["id"] == "panda"
    assert DOCS[0].page_content in answer and DOCS[1].page_content not in answer
    chat = [r for r in emulator.requests if r.path == "/chat/completions"]
    assert len(chat) == 1 and DOCS[0].page_content in chat[0].body["messages"][-1]["content"]


# --- FIM ----------------------------------------------------------------------------------------------


@SYNC
def test_fim_invoke_with_suffix(emulator: DashScopeEmulator, sync: bool) -> None:
    text = invoke(_fim(emulator, temperature=0.2, max_tokens=64), sync, PREFIX, suffix=SUFFIX)
    assert text.startswith("# emulated middle:")
    body = emulator.last_request.body
    assert emulator.last_request.path == "/completions"
    assert body["prompt"] == f"<|fim_prefix|>{PREFIX}<|fim_suffix|>{SUFFIX}<|fim_middle|>"
    assert body["model"] == "qwen-coder-turbo" and body["temperature"] == 0.2 and body["max_tokens"] == 64
    assert "stream" not in body


@SYNC
def test_fim_invoke_prefix_only(emulator: DashScopeEmulator, sync: bool) -> None:
    text = invoke(_fim(emulator), sync, PREFIX)
    assert text.startswith("# emulated continuation")
    assert emulator.last_request.body["prompt"] == f"<|fim_prefix|>{PREFIX}<|fim_suffix|>"


@SYNC
def test_fim_stream_matches_invoke(emulator: DashScopeEmulator, sync: bool) -> None:
    fim = _fim(emulator)
    for suffix in (SUFFIX, None):
        kwargs = {"suffix": suffix} if suffix else {}
        expected = invoke(fim, sync, PREFIX, **kwargs)
        pieces = stream(fim, sync, PREFIX, **kwargs)
        assert len(pieces) > 1 and "".join(pieces) == expected
        body = emulator.last_request.body
        assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
        full = f"<|fim_prefix|>{PREFIX}<|fim_suffix|>{SUFFIX}<|fim_middle|>"
        assert body["prompt"] == (full if suffix else f"<|fim_prefix|>{PREFIX}<|fim_suffix|>")


@SYNC
def test_fim_usage_and_finish_reason(emulator: DashScopeEmulator, sync: bool) -> None:
    for streaming in (False, True):
        fim = _fim(emulator, streaming=streaming)
        result = fim.generate([PREFIX], suffix=SUFFIX) if sync else asyncio.run(fim.agenerate([PREFIX], suffix=SUFFIX))
        gen = result.generations[0][0]
        assert gen.text.startswith("# emulated middle:")
        info = gen.generation_info or {}
        assert info["finish_reason"] == "stop" and info["model_name"] == "qwen-coder-turbo"
        usage = result.llm_output["token_usage"]
        assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
        assert emulator.last_request.body.get("stream", False) is streaming


@SYNC
def test_fim_stream_reports_tokens_to_callbacks(emulator: DashScopeEmulator, sync: bool) -> None:
    class Tokens(BaseCallbackHandler):
        def __init__(self) -> None:
            self.tokens: list[str] = []

        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            self.tokens.append(token)

    handler = Tokens()
    pieces = stream(_fim(emulator), sync, PREFIX, config={"callbacks": [handler]}, suffix=SUFFIX)
    assert handler.tokens == pieces and "".join(pieces).startswith("# emulated middle:")


@SYNC
def test_fim_fill(emulator: DashScopeEmulator, sync: bool) -> None:
    fim = _fim(emulator)
    middle = fim.fill(PREFIX, SUFFIX) if sync else asyncio.run(fim.afill(PREFIX, SUFFIX))
    assert middle.startswith("# emulated middle:")
    raw = f"<|fim_prefix|>{PREFIX}<|fim_suffix|>{SUFFIX}<|fim_middle|>"
    assert invoke(fim, sync, raw) == middle and emulator.last_request.body["prompt"] == raw


@SYNC
def test_fim_429_is_retried(emulator: DashScopeEmulator, sync: bool) -> None:
    emulator.inject(path="/completions", status=429)
    assert invoke(_fim(emulator), sync, PREFIX, suffix=SUFFIX).startswith("# emulated middle:")
    assert [r.path for r in emulator.requests] == ["/completions", "/completions"]


@SYNC
@pytest.mark.parametrize("fault", ["truncate_after", "disconnect_after"])
def test_fim_stream_cut_before_done_is_interrupted(emulator: DashScopeEmulator, sync: bool, fault: str) -> None:
    emulator.inject(path="/completions", **{fault: 3})
    with pytest.raises(QwenStreamInterruptedError) as info:
        stream(_fim(emulator), sync, PREFIX, suffix=SUFFIX)
    assert info.value.partial.text.startswith("# emulated")
    assert len(emulator.requests) == 1  # mid-stream failures are never retried (output was already seen)


@SYNC
def test_fim_in_stream_error_is_typed(emulator: DashScopeEmulator, sync: bool) -> None:
    emulator.inject(path="/completions", stream_error_after=2)
    with pytest.raises(QwenContentInspectionError):
        stream(_fim(emulator), sync, PREFIX, suffix=SUFFIX)


@SYNC
def test_fim_max_tokens_finish_reason_length(emulator: DashScopeEmulator, sync: bool) -> None:
    fim = _fim(emulator, max_tokens=2, streaming=True)
    result = fim.generate([PREFIX], suffix=SUFFIX) if sync else asyncio.run(fim.agenerate([PREFIX], suffix=SUFFIX))
    gen = result.generations[0][0]
    assert gen.generation_info["finish_reason"] == "length"
    assert result.llm_output["token_usage"]["completion_tokens"] == 2


@SYNC
def test_qwen3_coder_rejected_locally(emulator: DashScopeEmulator, sync: bool) -> None:
    fim = _fim(emulator, model="qwen3-coder-plus")
    with pytest.raises(QwenValidationError, match="partial mode"):
        invoke(fim, sync, PREFIX, suffix=SUFFIX)
    with pytest.raises(QwenValidationError, match="partial mode"):
        stream(fim, sync, PREFIX)
    assert emulator.requests == []


@SYNC
def test_fim_outside_beijing_rejected_before_any_request(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch, sync: bool
) -> None:
    def no_request(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a request was attempted")

    monkeypatch.setattr(llms_module, "post", no_request)
    monkeypatch.setattr(llms_module, "apost", no_request)
    with pytest.raises(QwenValidationError, match="FIM is Beijing-only"):
        invoke(QwenFIM(api_key="sk-test", region="singapore"), sync, PREFIX, suffix=SUFFIX)
    with pytest.raises(QwenValidationError, match="FIM is Beijing-only"):
        stream(_fim(emulator, region="ap-southeast-1"), sync, PREFIX)
    assert emulator.requests == []

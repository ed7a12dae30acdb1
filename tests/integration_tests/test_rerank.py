"""QwenRerank over real HTTP against the emulator: ranking, top_n/instruct, limits and request splitting,
per-request retries, typed errors, ContextualCompressionRetriever and a RAG chain with ChatQwen."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_qwen import (
    ChatQwen,
    QwenBadRequestError,
    QwenEmbeddings,
    QwenError,
    QwenNotFoundError,
    QwenRateLimitError,
    QwenValidationError,
    _errors,
)
from langchain_qwen._tokens import count_text
from langchain_qwen.rerank import QwenRerank, RerankResult, plan_calls, prepare_items, rerank_url
from langchain_qwen.testing import DashScopeEmulator
from langchain_qwen.testing._rerank import RERANK_PATH

SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
QUERY = "How do I reset my router password?"
DOCS = [
    "How do I know what my cat wants? How do I tell when my cat is happy?",
    "To reset the router password, hold the reset button for ten seconds; the default password is on the label.",
    "What is the best way to water a garden in summer, and how do I keep it green?",
    "Our office router is in the server room on the second floor.",
]


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_errors, "INITIAL_RETRY_DELAY", 0.01)


def _rr(emu: DashScopeEmulator, **kw: Any) -> QwenRerank:
    return QwenRerank(base_url=emu.base_url, api_key=emu.api_key, **kw)


def _rerank(rr: QwenRerank, sync: bool, query: str, docs: Any, **kw: Any) -> list[RerankResult]:
    return rr.rerank(query, docs, **kw) if sync else asyncio.run(rr.arerank(query, docs, **kw))


def _compress(rr: QwenRerank, sync: bool, docs: list[Document], query: str) -> list[Document]:
    return list(rr.compress_documents(docs, query) if sync else asyncio.run(rr.acompress_documents(docs, query)))


def _calls(emu: DashScopeEmulator) -> list[Any]:
    return [r for r in emu.requests if r.path == RERANK_PATH]


@SYNC
def test_rerank_ranks_best_first_with_scores_and_wire_body(emulator: DashScopeEmulator, sync: bool) -> None:
    ranked = _rerank(_rr(emulator, top_n=None), sync, QUERY, DOCS)
    assert ranked[0].index == 1 and len(ranked) == 4
    assert ranked[0].document == DOCS[1]
    scores = [r.relevance_score for r in ranked]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1 and scores[-1] == 0
    (req,) = _calls(emulator)
    assert req.method == "POST" and req.headers["authorization"] == "Bearer sk-emulator"
    assert req.body == {"model": "qwen3-rerank", "query": QUERY, "documents": DOCS}


@SYNC
def test_top_n_and_instruct_per_call_and_default(emulator: DashScopeEmulator, sync: bool) -> None:
    rr = _rr(emulator, top_n=2, instruct="Retrieve semantically similar text.")
    assert [r.index for r in _rerank(rr, sync, QUERY, DOCS)] == [1, 3]
    body = _calls(emulator)[-1].body
    assert body["top_n"] == 2 and body["instruct"] == "Retrieve semantically similar text."
    assert len(_rerank(rr, sync, QUERY, DOCS, top_n=10, instruct=None)) == 4
    body = _calls(emulator)[-1].body
    assert body["top_n"] == 4 and "instruct" not in body  # top_n above the documents: all, as DashScope does


@SYNC
def test_compress_documents_copies_with_score_metadata(emulator: DashScopeEmulator, sync: bool) -> None:
    docs = [Document(t, metadata={"source": f"s{i}"}, id=f"d{i}") for i, t in enumerate(DOCS)]
    out = _compress(_rr(emulator, top_n=2), sync, docs, QUERY)
    assert [d.id for d in out] == ["d1", "d3"]
    assert out[0].metadata["source"] == "s1" and out[0].metadata["relevance_score"] > out[1].metadata["relevance_score"]
    assert all("relevance_score" not in d.metadata for d in docs)  # inputs untouched
    assert _compress(_rr(emulator), sync, [], QUERY) == [] and not _calls(emulator)[2:]


@SYNC
def test_contextual_compression_retriever(emulator: DashScopeEmulator, sync: bool) -> None:
    retrievers = pytest.importorskip("langchain_classic.retrievers")
    conn = {"base_url": emulator.base_url, "api_key": emulator.api_key}
    store = InMemoryVectorStore.from_texts(DOCS, QwenEmbeddings(**conn))
    retriever = retrievers.ContextualCompressionRetriever(
        base_compressor=QwenRerank(**conn, top_n=1), base_retriever=store.as_retriever(search_kwargs={"k": 4})
    )
    docs = retriever.invoke(QUERY) if sync else asyncio.run(retriever.ainvoke(QUERY))
    assert [d.page_content for d in docs] == [DOCS[1]] and docs[0].metadata["relevance_score"] > 0


def test_rag_reranker_moves_relevant_document_to_top(emulator: DashScopeEmulator) -> None:
    conn = {"base_url": emulator.base_url, "api_key": emulator.api_key}
    store = InMemoryVectorStore.from_texts(DOCS, QwenEmbeddings(**conn))
    retrieved = store.as_retriever(search_kwargs={"k": 4}).invoke(QUERY)
    assert retrieved[0].page_content != DOCS[1]  # vector search alone puts a distractor first
    reranked = QwenRerank(**conn, top_n=2).compress_documents(retrieved, QUERY)
    assert reranked[0].page_content == DOCS[1]

    prompt = ChatPromptTemplate.from_messages([("system", "Answer from this context:\n{context}"), ("user", "{q}")])
    chain = prompt | ChatQwen(model="qwen-plus", **conn)
    answer = chain.invoke({"context": "\n".join(d.page_content for d in reranked), "q": QUERY})
    assert answer.text.startswith("Emulated reply: ") and QUERY in answer.text
    sent = emulator.last_request.body["messages"][0]["content"]
    assert DOCS[1] in sent and DOCS[0] not in sent


@SYNC
def test_documents_over_the_model_limit_are_split_and_merged(emulator: DashScopeEmulator, sync: bool) -> None:
    docs = [f"filler text number {i} about gardens" for i in range(1100)]
    docs[1050] = "router password reset steps"  # the best match sits in the last request
    ranked = _rerank(_rr(emulator, top_n=3, max_concurrency=2), sync, QUERY, docs)
    calls = _calls(emulator)
    assert sorted(len(c.body["documents"]) for c in calls) == [100, 500, 500]
    assert all(c.body["top_n"] == 3 for c in calls)
    assert ranked[0].index == 1050 and len(ranked) == 3
    whole = _rerank(_rr(emulator, top_n=None), sync, QUERY, docs)
    assert [r.index for r in whole][:3] == [r.index for r in ranked]  # same as ranking everything


def test_request_token_limit_splits_by_exact_count(emulator: DashScopeEmulator) -> None:
    # gte-rerank-v2: 30,000 tokens per request = query_tokens × n + Σ doc_tokens (counted with the tokenizer).
    doc = "router " * 3000
    tokens = count_text(doc)
    docs = [doc] * 12
    ranked = _rr(emulator, model="gte-rerank-v2", top_n=None).rerank(QUERY, docs)
    assert len(ranked) == 12
    per_call = 30_000 // (count_text(QUERY) + tokens)  # the most documents one request may carry
    sizes = [len(c.body["documents"]) for c in _calls(emulator)]
    assert per_call < 12 and sizes == [per_call] * (12 // per_call) + ([12 % per_call] if 12 % per_call else [])


def test_item_limit_truncates_or_raises_before_any_request(emulator: DashScopeEmulator) -> None:
    long_doc = "password " * 5000
    assert count_text(long_doc) > 4000
    _rr(emulator, top_n=None).rerank(QUERY, [long_doc, "short"])
    sent = _calls(emulator)[0].body["documents"][0]
    assert count_text(sent) == 4000 and long_doc.startswith(sent)
    emulator.clear()
    with pytest.raises(QwenValidationError, match=r"documents\[0\] has \d+ tokens.*4000"):
        _rr(emulator, on_too_long="error").rerank(QUERY, [long_doc])
    with pytest.raises(QwenValidationError, match="query"):
        _rr(emulator).rerank(123, ["a"])  # type: ignore[arg-type]
    with pytest.raises(QwenValidationError, match="top_n"):
        _rr(emulator).rerank(QUERY, ["a"], top_n=0)
    with pytest.raises(QwenValidationError, match=r"documents\[1\].*qwen3-vl-rerank"):
        _rr(emulator).rerank(QUERY, ["a", {"image": "https://example.com/a.png"}])
    with pytest.raises(QwenValidationError, match="top_n"):
        QwenRerank(api_key="sk-x", top_n=-1)
    assert not emulator.requests


@SYNC
def test_vl_rerank_media_documents_and_media_caps(emulator: DashScopeEmulator, sync: bool) -> None:
    docs: list[Any] = [{"image": f"https://example.com/img/{i}/cat.png"} for i in range(45)]
    docs.append({"text": "a router on a desk"})
    docs.append("router password reset")
    ranked = _rerank(_rr(emulator, model="qwen3-vl-rerank", top_n=2), sync, QUERY, docs)
    assert ranked[0].index == 46 and ranked[0].document == "router password reset"
    calls = _calls(emulator)
    images = [sum("image" in d for d in c.body["documents"] if isinstance(d, dict)) for c in calls]
    assert len(calls) == 2 and max(images) == 40 and sum(images) == 45


@SYNC
def test_a_failed_request_is_retried_alone(emulator: DashScopeEmulator, sync: bool) -> None:
    docs = [f"doc {i} router" for i in range(600)]
    emulator.inject(path=RERANK_PATH, status=429)
    ranked = _rerank(_rr(emulator, top_n=5, max_concurrency=1), sync, QUERY, docs)
    assert len(ranked) == 5 and len(_calls(emulator)) == 3  # two requests, one retried once
    emulator.clear()
    emulator.inject(path=RERANK_PATH, status=429, times=3)
    with pytest.raises(QwenRateLimitError):
        _rerank(_rr(emulator, max_retries=2), sync, QUERY, ["a"])
    assert len(_calls(emulator)) == 3


@SYNC
def test_service_errors_are_typed(emulator: DashScopeEmulator, sync: bool) -> None:
    with pytest.raises(QwenNotFoundError, match="does not exist"):
        _rerank(_rr(emulator, model="gte-rerank"), sync, QUERY, ["a"])  # retired 2026-05-30
    emulator.inject(path=RERANK_PATH, status=400, message="bad thing")
    with pytest.raises(QwenBadRequestError, match="bad thing") as info:
        _rerank(_rr(emulator), sync, QUERY, ["a"])
    assert isinstance(info.value, QwenError) and len(_calls(emulator)) == 2


def test_beijing_only_models_answer_404_in_singapore() -> None:
    with DashScopeEmulator(region="ap-southeast-1") as emu:
        assert _rr(emu, top_n=1).rerank(QUERY, DOCS)[0].index == 1
        with pytest.raises(QwenNotFoundError):
            _rr(emu, model="gte-rerank-v2").rerank(QUERY, DOCS)


def test_endpoint_derivation_and_explicit_url(emulator: DashScopeEmulator) -> None:
    assert rerank_url("https://dashscope-intl.aliyuncs.com/compatible-mode/v1/") == (
        "https://dashscope-intl.aliyuncs.com/compatible-api/v1/reranks"
    )
    assert QwenRerank(api_key="sk-x", region="singapore")._client_config().base_url.startswith("https://dashscope-intl")
    with pytest.raises(QwenValidationError, match="rerank_url"):
        QwenRerank(api_key="sk-x", base_url="https://coding.dashscope.aliyuncs.com/v1").rerank(QUERY, ["a"])
    host = emulator.base_url.split("/compatible-mode")[0]
    rr = QwenRerank(api_key=emulator.api_key, base_url="http://127.0.0.1:9/v1", rerank_url=host + RERANK_PATH)
    assert rr.rerank(QUERY, DOCS)[0].index == 1


def test_settings_are_immutable_and_key_is_secret() -> None:
    rr = QwenRerank(api_key="sk-secret-123")
    assert "sk-secret-123" not in repr(rr)
    with pytest.raises(Exception, match="frozen"):
        rr.top_n = 5  # type: ignore[misc]


def test_plan_calls_pure() -> None:
    items = prepare_items(["a"] * 1001, "qwen3-rerank", "truncate")
    assert [len(c) for c in plan_calls(items, 1, "qwen3-rerank")] == [500, 500, 1]
    assert [len(c) for c in plan_calls(items, 1, "some-future-rerank")] == [1001]  # unknown: the service decides


def test_emulator_reranks_wire_rules(emulator: DashScopeEmulator) -> None:
    import httpx

    url = emulator.base_url.split("/compatible-mode")[0] + RERANK_PATH
    headers = {"Authorization": f"Bearer {emulator.api_key}"}

    def post(**body: Any) -> httpx.Response:
        return httpx.post(url, json={"model": "qwen3-rerank", "query": QUERY, **body}, headers=headers)

    ok = post(documents=DOCS, top_n=1, return_documents=True).json()
    assert ok["object"] == "list" and ok["model"] == "qwen3-rerank" and ok["id"]
    assert ok["results"] == [
        {"index": 1, "relevance_score": ok["results"][0]["relevance_score"], "document": {"text": DOCS[1]}}
    ]
    assert ok["usage"]["total_tokens"] == count_text(QUERY) * 4 + sum(count_text(d) for d in DOCS)
    too_many = post(documents=["x"] * 501)
    message = too_many.json()["error"]["message"]
    assert too_many.status_code == 400 and "501" not in message and "500" in message
    too_long = post(documents=["router " * 3990] * 31)
    assert too_long.status_code == 400 and "120000" in too_long.json()["error"]["message"]
    assert post(documents=[]).status_code == 400 and post(documents=DOCS, top_n=0).status_code == 400
    assert post(documents=[{"image": "https://x/y.png"}]).status_code == 400  # media only for qwen3-vl-rerank
    assert httpx.get(url, headers=headers).status_code == 405


@SYNC
def test_vl_rerank_takes_an_image_query(emulator: DashScopeEmulator, sync: bool) -> None:
    docs: list[Any] = [{"image": "https://example.com/dog/park.png"}, {"image": "https://example.com/cat/sofa.png"}]
    rr = _rr(emulator, model="qwen3-vl-rerank", top_n=1)
    ranked = _rerank(rr, sync, {"image": "https://example.com/query/cat.png"}, docs)  # type: ignore[arg-type]
    assert ranked[0].index == 1 and ranked[0].relevance_score > 0
    assert _calls(emulator)[-1].body["query"] == {"image": "https://example.com/query/cat.png"}
    with pytest.raises(QwenValidationError, match="qwen3-vl-rerank"):
        _rerank(_rr(emulator), sync, {"image": "https://example.com/q.png"}, ["a"])  # type: ignore[arg-type]

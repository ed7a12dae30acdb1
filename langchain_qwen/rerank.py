"""QwenRerank: DashScope rerank (`/compatible-api/v1/reranks`) as a LangChain document compressor."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.callbacks import Callbacks
from langchain_core.documents import BaseDocumentCompressor, Document
from pydantic import ConfigDict, model_validator

from langchain_qwen._client import ClientConfig, apost, gather_bounded, post, response_json
from langchain_qwen._errors import QwenValidationError
from langchain_qwen._settings import DashScopeSettings
from langchain_qwen._tokens import count_text, truncate_tokens

CHAT_PREFIX = "/compatible-mode/v1"
RERANK_PREFIX = "/compatible-api/v1"
"""Rerank lives under its own prefix on the same hosts as chat (addendum §4.1, A6)."""
RERANK_PATH = "/reranks"
MEDIA_KINDS = ("image", "video")
SCORE_KEY = "relevance_score"
"""Metadata key of the score on the Documents `compress_documents` returns."""

RerankInput = str | Document | Mapping[str, Any]
"""A document to rank: text, a LangChain `Document` (its `page_content`), or for qwen3-vl-rerank one
`{"text": ...}`, `{"image": url_or_data_uri}` or `{"video": url}` object."""


# --- the model table (addendum §4.3: RERANK-API-2606, QWC-RERANK) -----------------------------------


@dataclass(frozen=True)
class RerankProfile:
    """What one rerank model accepts in one request (addendum §4.3)."""

    model: str
    max_documents: int
    """Documents per request (for qwen3-vl-rerank: text documents)."""
    max_item_tokens: int
    """Tokens of the query and of each document (Qwen vocabulary; for gte-rerank-v2, whose tokenizer is not
    Qwen's, an approximation [uncertain]); DashScope silently truncates longer ones."""
    max_request_tokens: int
    """`query_tokens × documents + Σ document_tokens` per request (a hard limit)."""
    media_limits: Mapping[str, int] = field(default_factory=dict)
    """Per-request caps of image / video documents (qwen3-vl-rerank)."""
    source: str = ""


RERANK_MODELS: dict[str, RerankProfile] = {
    "qwen3-rerank": RerankProfile("qwen3-rerank", 500, 4_000, 120_000, source="RERANK-API-2606, QWC-RERANK (2026-06)"),
    "gte-rerank-v2": RerankProfile("gte-rerank-v2", 500, 4_000, 30_000, source="RERANK-API-2606 (2026-06)"),
    "qwen3-vl-rerank": RerankProfile(
        "qwen3-vl-rerank",
        100,
        8_000,
        120_000,
        media_limits={"image": 40, "video": 4},
        source="RERANK-API-2606 (2026-06); 800,000 tokens in 2026-01/02 copies [uncertain]",
    ),
}


def rerank_profile(model: str) -> RerankProfile | None:
    """The limits of a rerank model, or None for models not in the table (then nothing is checked locally)."""
    return RERANK_MODELS.get(model)


# --- pure helpers ----------------------------------------------------------------------------------


def rerank_url(base_url: str) -> str:
    """The rerank endpoint on the host of a chat `base_url` (`…/compatible-mode/v1` → `…/compatible-api/v1/reranks`).

    Raises:
        QwenValidationError: `base_url` does not end with `/compatible-mode/v1` (e.g. a Coding Plan
            host), so the rerank host cannot be derived; pass `rerank_url=` then.
    """
    base = base_url.rstrip("/")
    if not base.endswith(CHAT_PREFIX):
        raise QwenValidationError(
            f"Cannot derive the rerank endpoint from base_url={base_url!r}: rerank is served at "
            f"'<host>{RERANK_PREFIX}{RERANK_PATH}' beside '<host>{CHAT_PREFIX}'. Pass rerank_url= explicitly."
        )
    return base[: -len(CHAT_PREFIX)] + RERANK_PREFIX + RERANK_PATH


@dataclass(frozen=True)
class WireItem:
    """One document as sent: its wire value, kind (`text`/`image`/`video`) and counted tokens (0 for media)."""

    value: Any
    kind: str
    tokens: int


def _media_item(index: int, doc: Mapping[str, Any], model: str) -> tuple[Any, str, str | None]:
    """(wire value, kind, text) of a mapping document; raises on a mapping that is not one VL part."""
    keys = [k for k in ("text", *MEDIA_KINDS) if k in doc]
    if len(keys) != 1 or len(doc) != 1 or not isinstance(doc[keys[0]], str):
        raise QwenValidationError(
            f"documents[{index}] = {dict(doc)!r} is not a rerank document: use a str, a Document, or exactly one "
            f"of {{'text': str}}, {{'image': url}}, {{'video': url}} (media for qwen3-vl-rerank)."
        )
    kind = keys[0]
    if kind in MEDIA_KINDS and model in RERANK_MODELS and not RERANK_MODELS[model].media_limits:
        raise QwenValidationError(
            f"documents[{index}] is an {kind}: {model} ranks text only; use qwen3-vl-rerank for images and video."
        )
    return dict(doc), kind, doc[kind] if kind == "text" else None


def _text_of(index: int, doc: Any, model: str) -> tuple[Any, str, str | None]:
    if isinstance(doc, str):
        return doc, "text", doc
    if isinstance(doc, Document):
        return doc.page_content, "text", doc.page_content
    if isinstance(doc, Mapping):
        return _media_item(index, doc, model)
    raise QwenValidationError(
        f"documents[{index}] is a {type(doc).__name__}; rerank documents are str, Document or a "
        f"{{'text'|'image'|'video': ...}} mapping."
    )


def _fit(text: str, what: str, profile: RerankProfile, on_too_long: str) -> tuple[str, int]:
    tokens = count_text(text)
    if tokens <= profile.max_item_tokens:
        return text, tokens
    if on_too_long == "error":
        raise QwenValidationError(
            f"{what} has {tokens} tokens; {profile.model} reads at most {profile.max_item_tokens} tokens per query "
            f"or document (DashScope truncates the rest silently). Shorten it, or pass on_too_long='truncate'."
        )
    cut = truncate_tokens(text, profile.max_item_tokens)
    return cut, count_text(cut)


def prepare_items(
    documents: Sequence[RerankInput], model: str, on_too_long: Literal["error", "truncate"]
) -> list[WireItem]:
    """Wire values of `documents`, checked (and if asked truncated) as DashScope would read them.

    Raises:
        QwenValidationError: A document of an unsupported type, media for a text-only model, or one over
            the per-item token limit with `on_too_long="error"`; the message names its index.
    """
    profile = rerank_profile(model)
    items = []
    for i, doc in enumerate(documents):
        value, kind, text = _text_of(i, doc, model)
        tokens = 0
        if text is not None and profile is not None:
            cut, tokens = _fit(text, f"documents[{i}]", profile, on_too_long)
            if cut is not text:
                value = {"text": cut} if isinstance(value, dict) else cut
        items.append(WireItem(value, kind, tokens))
    return items


def prepare_query(query: Any, model: str, on_too_long: Literal["error", "truncate"]) -> tuple[Any, int]:
    """The query as sent and its token count (0 for models not in the table, and for image/video queries).

    A str, or for qwen3-vl-rerank one `{"text"|"image"|"video": ...}` object.
    """
    profile = rerank_profile(model)
    if isinstance(query, Mapping) and (profile is None or profile.media_limits):
        value, _kind, text = _media_item(0, query, model)
        if text is None or profile is None:
            return value, 0
        cut, tokens = _fit(text, "The query", profile, on_too_long)
        return {"text": cut}, tokens
    if not isinstance(query, str):
        raise QwenValidationError(
            f"query must be a str (or, for qwen3-vl-rerank, one {{'text'|'image'|'video': ...}} object), "
            f"got {type(query).__name__}."
        )
    if profile is None:
        return query, 0
    return _fit(query, "The query", profile, on_too_long)


def _fits(profile: RerankProfile, chunk: list[int], items: Sequence[WireItem], item: WireItem, q: int) -> bool:
    text_docs = sum(1 for i in chunk if items[i].kind == "text") + (item.kind == "text")
    if text_docs > profile.max_documents or len(chunk) + 1 > profile.max_documents:
        return False
    limit = profile.media_limits.get(item.kind)
    if limit is not None and sum(1 for i in chunk if items[i].kind == item.kind) + 1 > limit:
        return False
    used = q * (len(chunk) + 1) + sum(items[i].tokens for i in chunk) + item.tokens
    return used <= profile.max_request_tokens


def plan_calls(items: Sequence[WireItem], query_tokens: int, model: str) -> list[list[int]]:
    """Document indices per request: consecutive groups within the model's documents, media and
    `query_tokens × n + Σ doc_tokens` limits. Models not in the table get one request."""
    profile = rerank_profile(model)
    if profile is None:
        return [list(range(len(items)))] if items else []
    calls: list[list[int]] = []
    chunk: list[int] = []
    for index, item in enumerate(items):
        if chunk and not _fits(profile, chunk, items, item, query_tokens):
            calls.append(chunk)
            chunk = []
        chunk.append(index)
    if chunk:
        calls.append(chunk)
    return calls


def rerank_body(
    model: str, query: Any, values: Sequence[Any], top_n: int | None, instruct: str | None
) -> dict[str, Any]:
    """The `/reranks` request body (addendum §4.1)."""
    body: dict[str, Any] = {"model": model, "query": query, "documents": list(values)}
    if top_n is not None:
        body["top_n"] = min(top_n, len(values))
    if instruct is not None:
        body["instruct"] = instruct
    return body


@dataclass(frozen=True)
class RerankResult:
    """One ranked document: its position in the input, its relevance score and the input itself."""

    index: int
    relevance_score: float
    document: Any


def results_from_response(payload: Mapping[str, Any], indices: Sequence[int]) -> list[tuple[int, float]]:
    """(input index, score) of one response; `indices` maps the call's positions to input indices."""
    out = []
    for result in payload.get("results") or []:
        position = result.get("index")
        if not isinstance(position, int) or not 0 <= position < len(indices):
            raise ValueError(f"DashScope ranked document {position!r}, but only {len(indices)} were sent.")
        out.append((indices[position], float(result["relevance_score"])))
    return out


def merge_rankings(
    scored: Sequence[tuple[int, float]], documents: Sequence[Any], top_n: int | None
) -> list[RerankResult]:
    """One ranking of every call's results: score descending, input order among ties, cut to `top_n`."""
    ranked = sorted(scored, key=lambda pair: (-pair[1], pair[0]))
    if top_n is not None:
        ranked = ranked[:top_n]
    return [RerankResult(index, score, documents[index]) for index, score in ranked]


def check_top_n(top_n: Any) -> None:
    """Raise `QwenValidationError` unless `top_n` is None or a positive int."""
    if top_n is not None and (not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1):
        raise QwenValidationError(f"top_n must be a positive int or None (all documents), got {top_n!r}.")


# --- the reranker ----------------------------------------------------------------------------------


class QwenRerank(DashScopeSettings, BaseDocumentCompressor):
    """Qwen rerank models on DashScope (`qwen3-rerank`, `gte-rerank-v2`, `qwen3-vl-rerank`).

    A LangChain `BaseDocumentCompressor` (use it in `ContextualCompressionRetriever`, or call
    `compress_documents`) and a plain `rerank(query, documents, top_n=...)`, sync and async.
    Inputs are checked locally against the model's limits (documents, media and tokens per
    request, counted with the Qwen tokenizer); more documents than one request takes are sent
    as several requests, each retried on its own, and their scores merged into one ranking.

    Setup:
        ```bash
        pip install langchain-qwen
        export DASHSCOPE_API_KEY="sk-..."
        ```

    Usage:
        ```python
        from langchain_qwen.rerank import QwenRerank

        reranker = QwenRerank(model="qwen3-rerank", top_n=3)
        ranked = reranker.rerank("what is a reranker?", ["text one", "text two"])
        docs = reranker.compress_documents(retrieved_docs, "what is a reranker?")
        docs[0].metadata["relevance_score"]
        ```
    """

    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, extra="forbid", protected_namespaces=(), frozen=True
    )

    model: str = "qwen3-rerank"
    """DashScope rerank model id."""
    top_n: int | None = 3
    """Documents kept by `compress_documents` (and the default of `rerank`); None keeps all, ranked."""
    instruct: str | None = None
    """Task instruction (qwen3-rerank), e.g. "Retrieve semantically similar text."; None: DashScope's QA default."""
    rerank_url: str | None = None
    """Full rerank endpoint; default derived from the chat base URL / region (`…/compatible-api/v1/reranks`)."""
    on_too_long: Literal["error", "truncate"] = "truncate"
    """A query or document over the model's per-item token limit is cut to it locally (as DashScope would)
    or raises."""
    max_concurrency: int = 4
    """Requests in flight at once in the async methods."""

    @model_validator(mode="after")
    def _check_settings(self) -> QwenRerank:
        check_top_n(self.top_n)
        if self.max_concurrency < 1:
            raise QwenValidationError(f"max_concurrency must be at least 1, got {self.max_concurrency}.")
        return self

    @property
    def profile(self) -> RerankProfile | None:
        """This model's limits (None for models not in the table)."""
        return rerank_profile(self.model)

    def _plan(
        self, query: Any, documents: Sequence[RerankInput], top_n: Any, instruct: Any
    ) -> tuple[ClientConfig, str, list[tuple[list[int], dict[str, Any]]], int | None]:
        """The requests of one `rerank` call ("default" `top_n` / `instruct` read from the model) and its `top_n`."""
        top_n = self.top_n if top_n == "default" else top_n
        instruct = self.instruct if instruct == "default" else instruct
        check_top_n(top_n)
        text, q_tokens = prepare_query(query, self.model, self.on_too_long)
        items = prepare_items(documents, self.model, self.on_too_long)
        cfg = self._client_config()
        url = self.rerank_url or rerank_url(cfg.base_url)
        calls = [
            (idx, rerank_body(self.model, text, [items[i].value for i in idx], top_n, instruct))
            for idx in plan_calls(items, q_tokens, self.model)
        ]
        return cfg, url, calls, top_n

    def rerank(
        self,
        query: str | Mapping[str, Any],
        documents: Sequence[RerankInput],
        *,
        top_n: int | Literal["default"] | None = "default",
        instruct: str | Literal["default"] | None = "default",
    ) -> list[RerankResult]:
        """Rank `documents` by relevance to `query`, best first (`top_n` of them; None: all).

        Raises:
            QwenValidationError: Bad input (before any request).
            QwenError: The service's answer, mapped to a typed error (each request is retried on its own).
        """
        cfg, url, calls, n = self._plan(query, documents, top_n, instruct)
        scored: list[tuple[int, float]] = []
        for indices, body in calls:
            response = post(cfg, url, body, stream=False)
            scored.extend(results_from_response(response_json(response, cfg.context), indices))
        return merge_rankings(scored, documents, n)

    async def arerank(
        self,
        query: str | Mapping[str, Any],
        documents: Sequence[RerankInput],
        *,
        top_n: int | Literal["default"] | None = "default",
        instruct: str | Literal["default"] | None = "default",
    ) -> list[RerankResult]:
        """Async `rerank`: up to `max_concurrency` requests in flight."""
        cfg, url, calls, n = self._plan(query, documents, top_n, instruct)

        async def one(indices: list[int], body: dict[str, Any]) -> list[tuple[int, float]]:
            response = await apost(cfg, url, body, stream=False)
            return results_from_response(response_json(response, cfg.context), indices)

        results = await gather_bounded([functools.partial(one, *call) for call in calls], self.max_concurrency)
        return merge_rankings([pair for batch in results for pair in batch], documents, n)

    @staticmethod
    def _as_documents(ranked: Sequence[RerankResult]) -> list[Document]:
        return [
            Document(
                page_content=r.document.page_content,
                metadata={**r.document.metadata, SCORE_KEY: r.relevance_score},
                id=r.document.id,
            )
            for r in ranked
        ]

    def compress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Callbacks | None = None
    ) -> Sequence[Document]:
        """The `top_n` most relevant `documents`, best first, each a copy with `metadata["relevance_score"]`."""
        if not documents:
            return []
        return self._as_documents(self.rerank(query, documents))

    async def acompress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Callbacks | None = None
    ) -> Sequence[Document]:
        """Async `compress_documents`."""
        if not documents:
            return []
        return self._as_documents(await self.arerank(query, documents))


__all__ = [
    "RERANK_MODELS",
    "SCORE_KEY",
    "QwenRerank",
    "RerankProfile",
    "RerankResult",
    "merge_rankings",
    "plan_calls",
    "prepare_items",
    "prepare_query",
    "rerank_body",
    "rerank_profile",
    "rerank_url",
    "results_from_response",
]

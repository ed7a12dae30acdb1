"""`/compatible-api/v1/reranks` of the DashScope emulator (addendum §4): validation and lexical relevance.

Rules (no query or document is special-cased):

* Models and limits are the service's own table (``RERANK_MODELS``), not the client's.
* Unknown model → 404 ``model_not_found``; ``gte-rerank-v2`` and ``qwen3-vl-rerank`` are Beijing-only and
  ``qwen3-rerank`` is served in Beijing and Singapore (§4.3), elsewhere 404 too. Whether the two Beijing
  models are reachable on this OpenAI-style path is **[uncertain]** (the Qwen Cloud page lists only
  qwen3-rerank); the emulator serves them.
* ``query`` must be a non-empty string (qwen3-vl-rerank: also one text/image/video object, media scored by its
  URL's words and counted as 0 tokens **[invented]**); ``documents`` a non-empty list of strings (or, for qwen3-vl-rerank,
  one-key ``{"text"|"image"|"video": str}`` objects); more than the model's documents (or per-kind media) →
  400; ``top_n`` a positive integer (larger than the number of documents returns all, §4 QWC-RERANK);
  ``instruct`` a string; ``return_documents`` a boolean. The wording of every 400 here is **[invented]**.
* Over-long query / documents are truncated silently to the per-item token limit (§4.3 RERANK-API-2603);
  ``query_tokens × n + Σ doc_tokens`` (after truncation) over the per-request limit → 400 (wording
  **[invented]**). Tokens are counted with the Qwen vocabulary; media documents count 0 **[invented]**.
* Relevance is pairwise (one query, one document; never depends on the other documents, so scores of
  separate requests are comparable, as a cross-encoder's are): the query's words (``_embeddings.tokens_of``)
  minus a small English stop-word list are each scored BM25-style against the document,
  ``tf·(k1+1) / (tf + k1·(1 − b + b·len/AVG_LEN))``, averaged over the query words and divided by
  ``k1+1``, so the score lies in [0, 1] (rounded to 6 decimals). Media documents score by their URL's words.
  ``instruct`` does not change the score **[invented]**.
* Response: ``{"id", "object": "list", "model", "results": [{"index", "relevance_score"(, "document":
  {"text"})}], "usage": {"total_tokens"}}``, results sorted by score (ties: input order), cut to ``top_n``;
  ``document`` only with ``return_documents: true`` **[uncertain on this path]**; ``total_tokens`` is the
  per-request count above **[invented]**.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._tokens import count_text, truncate_tokens
from ._embeddings import tokens_of
from ._errors import ChatError
from ._sampling import is_int

RERANK_PATH = "/compatible-api/v1/reranks"


@dataclass(frozen=True)
class RerankModel:
    """What the emulated service accepts from one rerank model (addendum §4.3), independent of the client's table."""

    model: str
    max_documents: int
    max_item_tokens: int
    max_request_tokens: int
    regions: frozenset[str]
    media_limits: dict[str, int] = field(default_factory=dict)


RERANK_MODELS: dict[str, RerankModel] = {
    # [RERANK-API-2606], [QWC-RERANK]; Beijing seen in 2026 clients [CODE-RERANK]
    "qwen3-rerank": RerankModel("qwen3-rerank", 500, 4_000, 120_000, frozenset({"cn-beijing", "ap-southeast-1"})),
    # [RERANK-API-2606]
    "gte-rerank-v2": RerankModel("gte-rerank-v2", 500, 4_000, 30_000, frozenset({"cn-beijing"})),
    # [RERANK-API-2606]; 800,000 tokens per request in the 2026-01/02 copies [uncertain]
    "qwen3-vl-rerank": RerankModel(
        "qwen3-vl-rerank", 100, 8_000, 120_000, frozenset({"cn-beijing"}), {"image": 40, "video": 4}
    ),
}
K1 = 1.2
B = 0.75
AVG_LEN = 64
"""Fixed average document length (words) for BM25's length normalisation."""
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "should",
        "that",
        "the",
        "this",
        "to",
        "was",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "you",
        "your",
    ]
)
MSG_QUERY = "query must be a non-empty string."  # [invented]
MSG_DOCUMENTS = "documents must be a non-empty list of strings."  # [invented]
MSG_DOCUMENT_ITEM = "documents[{i}] is not a valid document."  # [invented]
MSG_TOO_MANY = "The number of documents exceeds the limit of {max}."  # [invented]
MSG_TOO_MANY_MEDIA = "The number of {kind} documents exceeds the limit of {max}."  # [invented]
MSG_TOP_N = "top_n must be a positive integer."  # [invented]
MSG_REQUEST_TOKENS = "The total number of tokens in the request ({n}) exceeds the limit of {max}."  # [invented]


def relevance(query: str, document: str) -> float:
    """The deterministic pairwise relevance of `document` to `query`, in [0, 1] (module docstring)."""
    terms = [t for t in dict.fromkeys(tokens_of(query)) if t not in STOP_WORDS] or list(dict.fromkeys(tokens_of(query)))
    if not terms:
        return 0.0
    words = tokens_of(document)
    counts = Counter(words)
    norm = K1 * (1 - B + B * len(words) / AVG_LEN)
    total = sum(counts[t] * (K1 + 1) / (counts[t] + norm) for t in terms if counts[t])
    return round(total / len(terms) / (K1 + 1), 6)


def _model(body: Mapping[str, Any], region: str) -> RerankModel:
    model = body.get("model")
    if not model or not isinstance(model, str):
        raise ChatError("you must provide a model parameter.", code="invalid_value")
    profile = RERANK_MODELS.get(model)
    if profile is None or region not in profile.regions:
        raise ChatError(
            f"The model `{model}` does not exist or you do not have access to it.", status=404, code="model_not_found"
        )
    return profile


def _document_text(i: int, doc: Any, profile: RerankModel) -> tuple[str, str]:
    """(kind, text) of one document."""
    if isinstance(doc, str):
        return "text", doc
    if profile.media_limits and isinstance(doc, Mapping) and len(doc) == 1:
        ((kind, value),) = doc.items()
        if kind in ("text", "image", "video") and isinstance(value, str) and value:
            return kind, value
    raise ChatError(MSG_DOCUMENT_ITEM.format(i=i))


def _query_text(query: Any, profile: RerankModel) -> tuple[str, str]:
    """(kind, text) of the query: a non-empty string, or for VL models one text/image/video object."""
    if isinstance(query, str) and query:
        return "text", query
    if isinstance(query, Mapping) and profile.media_limits:
        return _document_text(-1, query, profile)
    raise ChatError(MSG_QUERY, param="query")


def _check_counts(kinds: list[str], profile: RerankModel) -> None:
    if len(kinds) > profile.max_documents:
        raise ChatError(MSG_TOO_MANY.format(max=profile.max_documents))
    for kind, limit in profile.media_limits.items():
        if kinds.count(kind) > limit:
            raise ChatError(MSG_TOO_MANY_MEDIA.format(kind=kind, max=limit))


def _check_options(body: Mapping[str, Any]) -> None:
    top_n = body.get("top_n")
    if top_n is not None and (not is_int(top_n) or top_n < 1):
        raise ChatError(MSG_TOP_N, param="top_n")
    if body.get("instruct") is not None and not isinstance(body["instruct"], str):
        raise ChatError("instruct must be a string.", param="instruct")  # [invented]
    if body.get("return_documents") is not None and not isinstance(body["return_documents"], bool):
        raise ChatError("return_documents must be a boolean.", param="return_documents")  # [invented]


def handle_rerank(body: Any, request_id: str, region: str) -> dict[str, Any]:
    """Validate a `/reranks` body and build the response object.

    Raises:
        ChatError: 404 for an unknown (or not-in-region) model, 400 for invalid parameters.
    """
    if not isinstance(body, Mapping):
        raise ChatError("Required body invalid, please check the request body format.")
    profile = _model(body, region)
    query_kind, query = _query_text(body.get("query"), profile)
    docs = body.get("documents")
    if not isinstance(docs, list) or not docs:
        raise ChatError(MSG_DOCUMENTS, param="documents")
    parsed = [_document_text(i, d, profile) for i, d in enumerate(docs)]
    _check_counts([kind for kind, _ in parsed], profile)
    _check_options(body)
    limit = profile.max_item_tokens
    if query_kind == "text" and count_text(query) > limit:
        query = truncate_tokens(query, limit)
    texts = [truncate_tokens(t, limit) if k == "text" and count_text(t) > limit else t for k, t in parsed]
    doc_tokens = sum(count_text(t) for (k, _), t in zip(parsed, texts, strict=True) if k == "text")
    total = (count_text(query) if query_kind == "text" else 0) * len(texts) + doc_tokens
    if total > profile.max_request_tokens:
        raise ChatError(MSG_REQUEST_TOKENS.format(n=total, max=profile.max_request_tokens))
    ranked = sorted(((relevance(query, t), i) for i, t in enumerate(texts)), key=lambda p: (-p[0], p[1]))
    top_n = body.get("top_n")
    results = []
    for score, i in ranked[: top_n or len(ranked)]:
        result: dict[str, Any] = {"index": i, "relevance_score": score}
        if body.get("return_documents"):
            result["document"] = {"text": docs[i]} if isinstance(docs[i], str) else dict(docs[i])
        results.append(result)
    return {
        "id": request_id,
        "object": "list",
        "model": profile.model,
        "results": results,
        "usage": {"total_tokens": total},
    }


__all__ = ["RERANK_PATH", "handle_rerank", "relevance"]

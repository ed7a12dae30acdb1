"""`/embeddings` of the DashScope emulator (F12): validation and deterministic feature-hashing vectors.

Rules (per model from ``_service.embedding_model``; nothing depends on the text):

* Unknown model → 404 ``model_not_found``. ``encoding_format`` other than ``"float"`` → 400
  (``MSG_ENCODING``, ``[invented]``). ``input`` must be a string or a non-empty list of strings
  (``MSG_CONTENTS``; an empty list gets it too, ``[invented]`` choice); more than ``max_batch`` items →
  ``MSG_BATCH``; an empty string or one over ``max_input_tokens`` tokens → ``Range of input length
  should be [1, <max>]``. ``dimensions`` on a model without ``accepts_dimensions`` (``MSG_NO_DIMENSIONS``)
  or outside its ``dimensions`` (``MSG_DIMENSIONS``) → 400 (both ``[invented]``).
* Vectors: the lower-cased text is split into words (runs of letters/digits) and single CJK characters;
  each token is hashed with BLAKE2b into one of ``dimensions`` buckets, with a sign taken from the hash;
  ``0.01`` is added to every component (no zero vector), then the vector is L2-normalised and rounded
  to 6 decimals. Texts sharing words are therefore more similar (cosine) than unrelated texts.
* ``usage.prompt_tokens`` = ``total_tokens`` = the Qwen tokens of every input; the top-level ``id`` is
  the request id.
"""

from __future__ import annotations

import hashlib
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._tokens import count_text
from ._errors import ChatError
from ._sampling import is_int
from ._service import EmbeddingModel, embedding_model

MSG_ENCODING = "encoding_format only supports float"
"""[invented] F12: "当前仅支持float格式"; the refusal wording was not captured."""
MSG_CONTENTS = "Value error, contents is neither str nor list of str.: input.contents"
MSG_BATCH = "Value error, batch size is invalid, it should not be larger than {max}.: input.contents"
MSG_DIMENSIONS = "dimensions should be one of {allowed}"
"""[invented]"""
MSG_NO_DIMENSIONS = "The model {model} does not support the dimensions parameter."
"""[invented] F12: `dimensions` only for v3/v4."""
BIAS = 0.01
"""Added to every component before normalisation, so no vector is zero."""

_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])[^\W_])+")


def tokens_of(text: str) -> list[str]:
    """The hashed features: lower-cased words and single CJK characters."""
    return _TOKEN.findall(text.lower())


def embed(text: str, dimensions: int) -> list[float]:
    """The deterministic unit vector of `text` (rules in the module docstring)."""
    vec = [BIAS] * dimensions
    touched = set()
    for token in tokens_of(text):
        digest = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")
        bucket = digest % dimensions
        vec[bucket] += 1.0 if (digest >> 63) & 1 else -1.0
        touched.add(bucket)
    norm = math.sqrt(sum(map(operator.mul, vec, vec)))
    out = [round(BIAS / norm, 6)] * dimensions  # untouched components share one value (batch speed)
    for bucket in touched:
        out[bucket] = round(vec[bucket] / norm, 6)
    return out


@dataclass
class EmbeddingRequest:
    """An `/embeddings` body while `EMBEDDING_RULES` run; each rule records what it decided."""

    body: Mapping[str, Any]
    model: str = ""
    facts: EmbeddingModel | None = None
    texts: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    dimensions: int = 0

    @property
    def limits(self) -> EmbeddingModel:
        assert self.facts is not None
        return self.facts


def _rule_model(req: EmbeddingRequest) -> None:
    model = req.body.get("model")
    if not model or not isinstance(model, str):
        raise ChatError("you must provide a model parameter.", code="invalid_value")
    req.facts = embedding_model(model)
    if req.facts is None:
        raise ChatError(
            f"The model `{model}` does not exist or you do not have access to it.", status=404, code="model_not_found"
        )
    req.model = model


def _rule_encoding(req: EmbeddingRequest) -> None:
    fmt = req.body.get("encoding_format")
    if fmt is not None and fmt != "float":
        raise ChatError(MSG_ENCODING)


def _rule_input(req: EmbeddingRequest) -> None:
    raw = req.body.get("input")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not texts:
        raise ChatError(MSG_CONTENTS)
    if len(texts) > req.limits.max_batch:
        raise ChatError(MSG_BATCH.format(max=req.limits.max_batch))
    if not all(isinstance(t, str) for t in texts):
        raise ChatError(MSG_CONTENTS)
    req.texts, req.counts = texts, [count_text(t) for t in texts]
    limit = req.limits.max_input_tokens
    if any(not t or n > limit for t, n in zip(req.texts, req.counts, strict=False)):
        raise ChatError(f"Range of input length should be [1, {limit}]")


def _rule_dimensions(req: EmbeddingRequest) -> None:
    dimensions = req.body.get("dimensions")
    facts = req.limits
    if dimensions is None:
        req.dimensions = facts.default_dimension
    elif not facts.accepts_dimensions:
        raise ChatError(MSG_NO_DIMENSIONS.format(model=req.model))
    elif not is_int(dimensions) or dimensions not in facts.dimensions:
        raise ChatError(MSG_DIMENSIONS.format(allowed=list(facts.dimensions)))
    else:
        req.dimensions = dimensions


EMBEDDING_RULES: tuple[Callable[[EmbeddingRequest], None], ...] = (
    _rule_model,
    _rule_encoding,
    _rule_input,
    _rule_dimensions,
)
"""The `/embeddings` validation rules, in order."""


def handle_embeddings(body: Any, request_id: str) -> dict[str, Any]:
    """Validate an `/embeddings` body (`EMBEDDING_RULES`) and build the response object.

    Raises:
        ChatError: 404 for an unknown model, 400 for invalid parameters.
    """
    if not isinstance(body, Mapping):
        raise ChatError("Required body invalid, please check the request body format.")
    req = EmbeddingRequest(body)
    for rule in EMBEDDING_RULES:
        rule(req)
    total = sum(req.counts)
    return {
        "data": [
            {"embedding": embed(t, req.dimensions), "index": i, "object": "embedding"} for i, t in enumerate(req.texts)
        ],
        "model": req.model,
        "object": "list",
        "usage": {"prompt_tokens": total, "total_tokens": total},
        "id": request_id,
    }


__all__ = ["EMBEDDING_RULES", "EmbeddingRequest", "embed", "handle_embeddings", "tokens_of"]

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
from collections.abc import Mapping
from typing import Any

from .._tokens import count_text
from ._errors import ChatError
from ._sampling import is_int
from ._service import embedding_model

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


def handle_embeddings(body: Any, request_id: str) -> dict[str, Any]:
    """Validate an `/embeddings` body and build the response object.

    Raises:
        ChatError: 404 for an unknown model, 400 for invalid parameters.
    """
    if not isinstance(body, Mapping):
        raise ChatError("Required body invalid, please check the request body format.")
    model = body.get("model")
    if not model or not isinstance(model, str):
        raise ChatError("you must provide a model parameter.", code="invalid_value")
    profile = embedding_model(model)
    if profile is None:
        raise ChatError(
            f"The model `{model}` does not exist or you do not have access to it.", status=404, code="model_not_found"
        )
    fmt = body.get("encoding_format")
    if fmt is not None and fmt != "float":
        raise ChatError(MSG_ENCODING)
    raw = body.get("input")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not texts:
        raise ChatError(MSG_CONTENTS)
    if len(texts) > profile.max_batch:
        raise ChatError(MSG_BATCH.format(max=profile.max_batch))
    if not all(isinstance(t, str) for t in texts):
        raise ChatError(MSG_CONTENTS)
    counts = [count_text(t) for t in texts]
    if any(not t or n > profile.max_input_tokens for t, n in zip(texts, counts, strict=False)):
        raise ChatError(f"Range of input length should be [1, {profile.max_input_tokens}]")
    dimensions = body.get("dimensions")
    if dimensions is None:
        dimensions = profile.default_dimension
    elif not profile.accepts_dimensions:
        raise ChatError(MSG_NO_DIMENSIONS.format(model=model))
    elif not is_int(dimensions) or dimensions not in profile.dimensions:
        raise ChatError(MSG_DIMENSIONS.format(allowed=list(profile.dimensions)))
    total = sum(counts)
    return {
        "data": [{"embedding": embed(t, dimensions), "index": i, "object": "embedding"} for i, t in enumerate(texts)],
        "model": model,
        "object": "list",
        "usage": {"prompt_tokens": total, "total_tokens": total},
        "id": request_id,
    }


__all__ = ["embed", "handle_embeddings", "tokens_of"]

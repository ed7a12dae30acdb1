"""QwenEmbeddings: DashScope text embeddings (`/embeddings`) with per-batch retries and local input checks."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from pydantic import ConfigDict, model_validator

from langchain_qwen._client import apost, gather_bounded, post, response_json
from langchain_qwen._errors import QwenValidationError
from langchain_qwen._polling import Progress
from langchain_qwen._profiles import EmbeddingProfile, embedding_profile
from langchain_qwen._settings import DashScopeSettings
from langchain_qwen._tokens import count_text, truncate_tokens

_PATH = "/embeddings"
UNKNOWN_MODEL_BATCH = 10
"""Batch size for models missing from the table: DashScope's current cap for v3/v4 (F12)."""


# --- pure helpers ---------------------------------------------------------------------------------


def check_dimensions(model: str, dimensions: int | None) -> None:
    """Raise `QwenValidationError` when `dimensions` is not accepted by `model` (F12).

    Models not in the table accept any value: the API decides.
    """
    profile = embedding_profile(model)
    if dimensions is None or profile is None:
        return
    if not profile.accepts_dimensions:
        raise QwenValidationError(
            f"{model} has a fixed size of {profile.default_dimension} dimensions and DashScope rejects the "
            f"`dimensions` parameter for it; leave dimensions=None, or use text-embedding-v3/v4 "
            f"for a choice of sizes."
        )
    if dimensions not in profile.dimensions:
        raise QwenValidationError(
            f"{model} does not offer dimensions={dimensions}; allowed values are "
            f"{sorted(profile.dimensions, reverse=True)} (default {profile.default_dimension})."
        )


def resolve_batch_size(model: str, batch_size: int | None) -> int:
    """The inputs per request: `batch_size`, else the model's limit; larger than the limit is refused."""
    profile = embedding_profile(model)
    limit = profile.max_batch if profile else None
    if batch_size is None:
        return limit or UNKNOWN_MODEL_BATCH
    if batch_size < 1:
        raise QwenValidationError(f"batch_size must be at least 1, got {batch_size}.")
    if limit is not None and batch_size > limit:
        raise QwenValidationError(
            f"batch_size={batch_size} is larger than {model} accepts: DashScope answers 'batch size is "
            f"invalid, it should not be larger than {limit}'. Use batch_size <= {limit}."
        )
    return batch_size


def plan_batches(count: int, batch_size: int) -> list[range]:
    """Index ranges of consecutive batches covering `count` inputs, each at most `batch_size` long."""
    return [range(start, min(start + batch_size, count)) for start in range(0, count, batch_size)]


def prepare_inputs(
    texts: Sequence[Any], profile: EmbeddingProfile | None, on_too_long: Literal["error", "truncate"]
) -> list[str]:
    """Validate (and if asked, truncate) inputs as DashScope would check them, before any request.

    Raises:
        QwenValidationError: A single string instead of a list, a non-string or empty input, or one
            over the model's token limit when `on_too_long="error"`; the message names the input's index.
    """
    if isinstance(texts, (str, bytes)):
        preview = texts[:40]
        raise QwenValidationError(
            f"texts must be a list of strings, got one {type(texts).__name__} ({preview!r}"
            f"{'...' if len(texts) > 40 else ''}): a string would be embedded character by character. "
            f"Pass [text] to embed one document, or use embed_query(text)."
        )
    out: list[str] = []
    limit = profile.max_input_tokens if profile else None
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise QwenValidationError(
                f"Input {i} is a {type(text).__name__}, not a str: DashScope embeds strings only "
                f"('contents is neither str nor list of str')."
            )
        if not text:
            raise QwenValidationError(
                f"Input {i} is an empty string: DashScope rejects empty input for embeddings; "
                f"drop it or replace it with placeholder text."
            )
        if limit is not None:
            tokens = count_text(text)
            if tokens > limit:
                if on_too_long == "error":
                    raise QwenValidationError(
                        f"Input {i} has {tokens} tokens; {profile.model if profile else 'this model'} accepts at "
                        f"most {limit} tokens per input. Split the text, or pass on_too_long='truncate'."
                    )
                text = truncate_tokens(text, limit)
        out.append(text)
    return out


def embedding_body(model: str, inputs: Sequence[str], dimensions: int | None) -> dict[str, Any]:
    """The `/embeddings` request body; `encoding_format` is always "float" (DashScope's only format)."""
    body: dict[str, Any] = {"model": model, "input": list(inputs), "encoding_format": "float"}
    if dimensions is not None:
        body["dimensions"] = dimensions
    return body


def vectors_from_response(payload: Mapping[str, Any], count: int) -> list[list[float]]:
    """The vectors of one `/embeddings` response, in input order (by each item's `index`)."""
    data = payload.get("data") or []
    vectors: list[list[float] | None] = [None] * count
    for position, item in enumerate(data):
        index = item.get("index", position)
        if not 0 <= index < count:
            raise ValueError(f"DashScope returned an embedding for index {index}, but only {count} inputs were sent.")
        vectors[index] = item["embedding"]
    missing = [i for i, v in enumerate(vectors) if v is None]
    if missing:
        raise ValueError(f"DashScope returned no embedding for inputs {missing} of a batch of {count}.")
    return vectors  # type: ignore[return-value]


# --- the embeddings class -------------------------------------------------------------------------


class QwenEmbeddings(DashScopeSettings, Embeddings):
    """Qwen text embeddings on DashScope (OpenAI-compatible `/embeddings`).

    Inputs are checked locally (strings, non-empty, within the model's token limit), split into
    batches of at most the model's limit (10 for v3/v4, 25 for v1/v2), and each batch is sent
    with its own retries: a 429 on one batch never re-embeds (and re-bills) the batches already done.

    Setup:
        ```bash
        pip install langchain-qwen
        export DASHSCOPE_API_KEY="sk-..."
        ```

    Usage:
        ```python
        from langchain_qwen import QwenEmbeddings

        emb = QwenEmbeddings(model="text-embedding-v4", dimensions=512)
        vectors = emb.embed_documents(["first text", "second text"])
        query = emb.embed_query("what is in the first text?")
        ```
    """

    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, extra="forbid", protected_namespaces=()
    )

    model: str = "text-embedding-v4"
    """DashScope embedding model id (`text-embedding-v4`, `-v3`, `-v2`, `-v1`)."""
    dimensions: int | None = None
    """Vector size (v3/v4 only; one of the model's allowed sizes). None uses the model's default."""
    batch_size: int | None = None
    """Inputs per request; defaults to (and may not exceed) the model's limit."""
    max_concurrency: int = 4
    """Batches in flight at once in the async methods."""
    on_too_long: Literal["error", "truncate"] = "error"
    """An input over the model's token limit raises, or is cut to the limit with the Qwen tokenizer."""
    progress: bool | None = None
    """A progress bar for jobs of several requests: None shows it in notebooks and terminals when a job takes
    over 3 s (never in CI or non-interactive runs), True always, False never."""

    @model_validator(mode="after")
    def _check_settings(self) -> QwenEmbeddings:
        check_dimensions(self.model, self.dimensions)
        resolve_batch_size(self.model, self.batch_size)
        if self.max_concurrency < 1:
            raise QwenValidationError(f"max_concurrency must be at least 1, got {self.max_concurrency}.")
        return self

    @property
    def profile(self) -> EmbeddingProfile | None:
        """This model's limits (None for models not in the table)."""
        return embedding_profile(self.model)

    @property
    def effective_batch_size(self) -> int:
        """Inputs per request actually used."""
        return resolve_batch_size(self.model, self.batch_size)

    def _bodies(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """Validated inputs as one request body per batch, in input order."""
        inputs = prepare_inputs(texts, self.profile, self.on_too_long)
        return [
            embedding_body(self.model, [inputs[i] for i in batch], self.dimensions)
            for batch in plan_batches(len(inputs), self.effective_batch_size)
        ]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed `texts`, one request per batch (each retried on its own); vectors in input order.

        Raises:
            QwenValidationError: `texts` is a string rather than a list, or an input is not a string,
                empty, or too long (before any request).
        """
        bodies = self._bodies(texts)
        if not bodies:
            return []
        cfg = self._client_config()
        vectors: list[list[float]] = []
        bar = self._progress(bodies)
        try:
            for body in bodies:
                response = post(cfg, _PATH, body, stream=False)
                vectors.extend(vectors_from_response(response_json(response, cfg.context), len(body["input"])))
                bar.advance(len(body["input"]))
        finally:
            bar.close()
        return vectors

    def _progress(self, bodies: list[dict[str, Any]]) -> Progress:
        """A bar counting texts, for jobs of more than one request (`progress` decides whether it is drawn)."""
        if len(bodies) < 2:
            return Progress(False, 0)
        return Progress(self.progress, sum(len(b["input"]) for b in bodies), label="Embedding", unit="text")

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async `embed_documents`: up to `max_concurrency` batches in flight, vectors in input order."""
        bodies = self._bodies(texts)
        if not bodies:
            return []
        cfg = self._client_config()
        bar = self._progress(bodies)

        async def one(body: dict[str, Any]) -> list[list[float]]:
            response = await apost(cfg, _PATH, body, stream=False)
            vectors = vectors_from_response(response_json(response, cfg.context), len(body["input"]))
            bar.advance(len(body["input"]))
            return vectors

        try:
            results = await gather_bounded([functools.partial(one, body) for body in bodies], self.max_concurrency)
        finally:
            bar.close()
        return [vector for batch in results for vector in batch]

    def embed_query(self, text: str) -> list[float]:
        """Embed one query text."""
        return self.embed_documents([text])[0]

    async def aembed_query(self, text: str) -> list[float]:
        """Async `embed_query`."""
        return (await self.aembed_documents([text]))[0]


__all__ = [
    "QwenEmbeddings",
    "check_dimensions",
    "embedding_body",
    "plan_batches",
    "prepare_inputs",
    "resolve_batch_size",
    "truncate_tokens",
    "vectors_from_response",
]

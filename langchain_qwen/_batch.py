"""Batch API codecs: JSONL lines from the live request builder, splitting within DashScope's limits, decoding.

No network here; `batch.py` drives these steps. Lines are written to disk one at a time, so memory
stays flat however many requests a job has (F8.1: at most 50,000 lines and 500 MB per file, one model
per file; results are joined back on `custom_id`, which is the input's index).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from langchain_qwen._errors import QwenContextOverflowError, QwenValidationError, local_error
from langchain_qwen._profiles import DEFAULT_REGION, QwenProfile, batch_models
from langchain_qwen._tokens import count_messages

MAX_LINES = 50_000
MAX_BYTES = 500 * 1024 * 1024
CHAT_ENDPOINT = "/v1/chat/completions"
EMBEDDINGS_ENDPOINT = "/v1/embeddings"


class BatchStatus(str, Enum):
    """DashScope batch states (F8.3)."""

    VALIDATING = "validating"
    IN_PROGRESS = "in_progress"
    FINALIZING = "finalizing"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.EXPIRED, BatchStatus.CANCELLED)


@dataclass(frozen=True)
class BatchError:
    """One request of a batch that produced no answer (never dropped: it takes the request's place)."""

    index: int
    """Position of the input in the submitted sequence."""
    custom_id: str
    code: str | None
    message: str
    status_code: int | None = None


@dataclass(frozen=True)
class PartFile:
    """One JSONL input file of a job."""

    path: Path
    lines: int
    bytes: int
    model: str


def batch_body(
    body: Mapping[str, Any], headers: Mapping[str, str] | None, profile: QwenProfile | None = None
) -> dict[str, Any]:
    """A live request body made fit for a batch line; refuses what a batch cannot honour.

    Every option is a top-level key of the line's `body` (BATCH-2606: `enable_thinking` there, not
    inside `extra_body`), and hybrid models get `enable_thinking` explicitly, since Qwen3.5-3.7 think
    by default in Batch too.
    """
    if headers:
        raise QwenValidationError("Per-request headers (extra_headers) cannot be sent in a batch; drop them.")
    out = {k: v for k, v in body.items() if k not in ("stream", "stream_options", "extra_body")}
    nested = body.get("extra_body")
    if isinstance(nested, Mapping):
        out.update(nested)
    if profile is not None and profile.thinking in ("hybrid_on", "hybrid_off"):
        out.setdefault("enable_thinking", bool(profile.thinking_default))
    return out


def check_batch_model(profile: QwenProfile) -> None:
    """Refuse a model the Batch API documents as not served in the job's region (before anything is uploaded)."""
    if profile.batch is not False:
        return  # served, or not documented for this region: the server decides
    region = profile.region or DEFAULT_REGION
    served = ", ".join(batch_models(region)) or "none"
    raise QwenValidationError(
        f"model={profile.model!r} is not served by the DashScope Batch API in {region} (batch-inference doc, "
        f"{profile.as_of or 'n/a'}); models served there: {served}. Send these requests live (invoke/batch) "
        f"or use a served model."
    )


_TEMPLATE_MARGIN = 4096
"""Tokens the chat template adds beyond the message text (tool instructions, role markers), with room to spare."""


def check_batch_context(index: int, body: Mapping[str, Any], profile: QwenProfile, base_url: str) -> None:
    """The per-request Batch context cap (256K for Qwen3.5-3.7 Plus/Max/Flash), counted with the model's tokenizer.

    Counting is exact; it is skipped only when the text cannot reach the cap (a token is at least one
    UTF-8 byte, a character at most four).
    """
    cap = profile.batch_max_input_tokens
    if cap is None:
        return
    messages, tools = body.get("messages") or [], body.get("tools")
    bound = 4 * (sum(len(str(m)) for m in messages) + len(str(tools or ""))) + _TEMPLATE_MARGIN
    if bound <= cap:
        return
    tokens = count_messages(messages, tools, profile.tokenizer)
    if tokens > cap:
        message = (
            f"Batch input {index} has {tokens:,} input tokens; the DashScope Batch API caps {profile.model} at "
            f"{cap:,} tokens per request (256K, batch-inference doc). Shorten it, or send it live, where the "
            f"model takes up to {profile.context_window or cap:,}."
        )
        raise local_error(QwenContextOverflowError, message, base_url or "https://dashscope.invalid/", "batch_context")


def batch_line_body(owner: Any, request: Any, index: int) -> dict[str, Any]:
    """The line body for input `index` of a chat batch: 2026 line rules applied and checked with the profile the
    request was built with (`owner`'s region)."""
    profile = request.profile
    check_batch_model(profile)
    body = batch_body(request.body, request.headers, profile)
    check_batch_context(index, body, profile, owner.base_url or "")
    return body


def encode_line(custom_id: str, url: str, body: Mapping[str, Any]) -> bytes:
    """One JSONL request line."""
    line = {"custom_id": custom_id, "method": "POST", "url": url, "body": body}
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def write_parts(
    lines: Iterable[tuple[str, bytes]],
    workdir: Path,
    *,
    max_lines: int = MAX_LINES,
    max_bytes: int = MAX_BYTES,
    stem: str = "input",
) -> list[PartFile]:
    """Stream (model, line) pairs into JSONL files: a new file at the line/size limit or when the model changes."""
    parts: list[PartFile] = []
    handle = None
    count = size = 0
    model = ""
    path = workdir

    def close() -> None:
        if handle is not None:
            handle.close()
            parts.append(PartFile(path=path, lines=count, bytes=size, model=model))

    try:
        for line_model, line in lines:
            if len(line) > max_bytes:
                raise QwenValidationError(f"A batch request line of {len(line)} bytes exceeds the file limit.")
            if handle is None or count >= max_lines or size + len(line) > max_bytes or line_model != model:
                close()
                path = workdir / f"{stem}-{len(parts):04d}.jsonl"
                handle = path.open("wb")
                count = size = 0
                model = line_model
            handle.write(line)
            count += 1
            size += len(line)
        close()
        handle = None
    finally:
        if handle is not None:
            handle.close()
    return parts


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(byte offset, parsed line) for every non-empty line of a downloaded file."""
    with path.open("rb") as fh:
        offset = 0
        for raw in fh:
            if raw.strip():
                yield offset, json.loads(raw)
            offset += len(raw)


def read_line_at(path: Path, offset: int) -> dict[str, Any]:
    with path.open("rb") as fh:
        fh.seek(offset)
        line: dict[str, Any] = json.loads(fh.readline())
        return line


def line_error(index: int, line: Mapping[str, Any]) -> BatchError:
    """A `BatchError` from an error-file line (or an output line whose status is not 200)."""
    err = line.get("error") or {}
    response = line.get("response") or {}
    body_err = ((response.get("body") or {}).get("error") or {}) if isinstance(response.get("body"), Mapping) else {}
    return BatchError(
        index=index,
        custom_id=str(line.get("custom_id")),
        code=err.get("code") or body_err.get("code"),
        message=err.get("message") or body_err.get("message") or "The request failed.",
        status_code=response.get("status_code"),
    )


__all__ = [
    "CHAT_ENDPOINT",
    "EMBEDDINGS_ENDPOINT",
    "MAX_BYTES",
    "MAX_LINES",
    "BatchError",
    "BatchStatus",
    "PartFile",
    "batch_body",
    "batch_line_body",
    "check_batch_context",
    "check_batch_model",
    "encode_line",
    "iter_jsonl",
    "line_error",
    "read_line_at",
    "write_parts",
]

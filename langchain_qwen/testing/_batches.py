"""Emulated OpenAI-compatible Batch API of DashScope (F8): batch objects, lazy lifecycle, validation and results."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from .._tokens import count_messages, count_text
from ._chat import MSG_BODY_INVALID, prepare_chat, render_completion
from ._embeddings import handle_embeddings
from ._errors import ChatError
from ._files import MB, FileError, FileStore
from ._service import service_model

CHAT, EMBEDDINGS, DS_TEST = "/v1/chat/completions", "/v1/embeddings", "/v1/chat/ds-test"
ENDPOINTS = (CHAT, EMBEDDINGS, DS_TEST)
TEST_MODEL = "batch-test-model"
MAX_LINES = 50_000
MAX_TEST_LINES = 100
MAX_TEST_BYTES = 1 * MB
MAX_LINE_BYTES = 6 * MB
MIN_WINDOW_HOURS, MAX_WINDOW_HOURS = 24, 336
MAX_DS_NAME, MAX_DS_DESCRIPTION = 100, 200
DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT = 20, 100
MAX_LIST_FILE_IDS = 20
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})

BATCH_CHAT_MODELS_BEIJING = frozenset(
    {
        "qwen3-max",
        "qwen-max",
        "qwen-max-latest",
        "qwen-plus",
        "qwen-plus-latest",
        "qwen-flash",
        "qwen-turbo",
        "qwen-turbo-latest",
        "qwen-long",
        "qwen-long-latest",
        "qwq-plus",
        "qwq-32b-preview",
        "deepseek-r1",
        "deepseek-v3",
        "qwen3-vl-plus",
        "qwen3-vl-flash",
        "qwen-vl-max",
        "qwen-vl-max-latest",
        "qwen-vl-plus",
        "qwen-vl-plus-latest",
        "qwen-vl-ocr",
        "qwen-vl-ocr-latest",
        "qwen-omni-turbo",
        # 2026 additions [A10][BATCH-2606]
        "qwen3.7-max",
        "qwen3.7-plus",
        "qwen3.6-plus",
        "qwen3.5-plus",
        "qwen3.5-flash",
        "deepseek-v3.2",
    }
)
"""F8.6 Beijing list (chat models) with the 2026 additions."""
BATCH_CHAT_MODELS_INTL = frozenset({"qwen-max", "qwen-plus", "qwen-turbo", "qwen-flash"})
"""F8.6 Singapore list; the emulator uses it for every region other than `cn-beijing`."""
BATCH_EMBEDDING_MODELS = frozenset({"text-embedding-v1", "text-embedding-v2", "text-embedding-v3", "text-embedding-v4"})
"""F8.6 (Beijing only)."""

MSG_MODEL_NOT_SUPPORTED = "The provided model {model} is not supported by the Batch API."
MSG_URL_NOT_FOUND = "The provided url '{url}' is not supported by the Batch API."
MSG_MISMATCHED_MODEL = (
    "The model '{model}' for this request does not match the rest of the batch. "
    "Each batch must contain requests for a single model."
)
MSG_THROTTLED = (
    "Too many requests. Batch requests are being throttled due to system capacity limits. Please try again later."
)
# Everything below is [invented]: the protocol gives codes or rules but no wording.
MSG_DUPLICATE_ID = "The custom_id '{custom_id}' is duplicated. Each request in a batch must have a unique custom_id."
MSG_MISMATCHED_THINKING = (
    "The thinking mode of this request does not match the rest of the batch. "
    "Each batch must contain requests with the same thinking mode."
)
MSG_INVALID_JSON = "This line is not parseable as valid JSON."
MSG_INVALID_FIELD = "The request is missing '{field}' or '{field}' is invalid."
MSG_TOO_MANY = "The input file contains more than {limit} requests."
MSG_LINE_TOO_LARGE = "The request is larger than 6 MB."
MSG_TEST_FILE_TOO_LARGE = "Test batch input files must not exceed 1 MB."
MSG_EMPTY_FILE = "The input file contains no requests."
MSG_CANCELLED = "Batch was cancelled before this request ran."
MSG_NOT_FOUND = "Batch not found."
MSG_INPUT_NOT_FOUND = "Invalid file [id:{id}]."
"""[invented use] of the captured chat wording for a foreign file id."""
MSG_INPUT_PURPOSE = "File [id:{id}] purpose must be 'batch'."
MSG_REQUIRED = "Missing required parameter: '{name}'."
MSG_ENDPOINT = (
    "Invalid endpoint '{endpoint}'. Supported endpoints: /v1/chat/completions, /v1/embeddings, /v1/chat/ds-test."
)
MSG_WINDOW = "Invalid completion_window '{window}': use an integer followed by 'h' or 'd', from 24h to 336h."
MSG_METADATA = "metadata must be an object."
MSG_METADATA_FIELD = "metadata.{name} must be a string of at most {limit} characters."
MSG_CANNOT_CANCEL = "Cannot cancel a batch with status '{status}'."
MSG_LIMIT = "'limit' must be an integer between 1 and 100"
MSG_FILE_IDS = "'input_file_ids' accepts at most 20 ids"
MSG_CREATE_TIME = "'{name}' must be formatted as yyyyMMddHHmmss"
TEST_REPLY = "This is a test result from batch-test-model."
"""Content of every `/v1/chat/ds-test` answer."""

_WINDOW = re.compile(r"([0-9]+)([hd])")
_BEIJING_TIME = timezone(timedelta(hours=8))
"""`create_after` / `create_before` are read as Beijing time ([invented]: the zone is not documented)."""
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass
class _Batch:
    id: str
    endpoint: str
    input_file_id: str
    completion_window: str
    metadata: Any
    data: bytes
    """Input file content, snapshotted at creation (deleting the file later changes nothing)."""
    created: float
    t0: float
    phase: float
    seq: int
    status: str = "validating"
    stamps: dict[str, int | None] = field(default_factory=dict)
    errors: dict[str, Any] | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    counts: tuple[int, int, int] = (0, 0, 0)
    requests: list[tuple[str, dict[str, Any]]] | None = None
    results: tuple[list[str], list[str]] | None = None
    cancel_requested: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wall(self, phases: int) -> int:
        """Unix time at which phase `phases` of the schedule ends."""
        return int(self.created + phases * self.phase)

    def to_object(self) -> dict[str, Any]:
        """The wire batch object, keys in the F8.2 capture order."""
        s = self.stamps
        total, completed, failed = self.counts
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "errors": self.errors,
            "input_file_id": self.input_file_id,
            "completion_window": self.completion_window,
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": int(self.created),
            "in_progress_at": s.get("in_progress_at"),
            "expires_at": None,
            "finalizing_at": s.get("finalizing_at"),
            "completed_at": s.get("completed_at"),
            "failed_at": s.get("failed_at"),
            "expired_at": None,
            "cancelling_at": s.get("cancelling_at"),
            "cancelled_at": s.get("cancelled_at"),
            "request_counts": {"total": total, "completed": completed, "failed": failed},
            "metadata": self.metadata,
        }


class _LineError(Exception):
    def __init__(self, code: str, message: str, line: int | None, param: str | None = None) -> None:
        super().__init__(message)
        self.obj = {"code": code, "message": message, "param": param, "line": line}


def _allowed_models(endpoint: str, region: str) -> frozenset[str]:
    if endpoint == DS_TEST:
        return frozenset({TEST_MODEL})
    if endpoint == EMBEDDINGS:
        return BATCH_EMBEDDING_MODELS if region == "cn-beijing" else frozenset()
    return BATCH_CHAT_MODELS_BEIJING if region == "cn-beijing" else BATCH_CHAT_MODELS_INTL


def thinking_default(model: str) -> bool:
    """Whether `model` thinks when a batch line says nothing about it."""
    return bool(service_model(model).thinking_default)


def _parse_line(raw: bytes, n: int, endpoint: str) -> tuple[str, dict[str, Any]]:
    """One input line as (custom_id, body); the line-shape rules of F8.1."""
    if len(raw) > MAX_LINE_BYTES:
        raise _LineError("request_too_large", MSG_LINE_TOO_LARGE, n)
    try:
        line = json.loads(raw)
    except ValueError:
        raise _LineError("invalid_json_line", MSG_INVALID_JSON, n) from None
    if not isinstance(line, dict):
        raise _LineError("invalid_json_line", MSG_INVALID_JSON, n)
    url = line.get("url")
    if url != endpoint:
        raise _LineError("url_not_found", MSG_URL_NOT_FOUND.format(url=url), n, "url")
    custom_id, body = line.get("custom_id"), line.get("body")
    for name, ok in (
        ("custom_id", isinstance(custom_id, str) and custom_id),
        ("method", line.get("method") == "POST"),
        ("body", isinstance(body, dict)),
    ):
        if not ok:
            raise _LineError("invalid_request", MSG_INVALID_FIELD.format(field=name), n, name)
    assert isinstance(custom_id, str) and isinstance(body, dict)
    m = body.get("model")
    if not isinstance(m, str) or not m:
        raise _LineError("invalid_request", MSG_INVALID_FIELD.format(field="body.model"), n, "body.model")
    return custom_id, body


@dataclass
class _FileState:
    """What the lines read so far fix for the rest of the file (one model, one thinking mode, unique ids)."""

    endpoint: str
    allowed: frozenset[str]
    model: str | None = None
    thinking: bool | None = None
    seen: set[str] = field(default_factory=set)

    def check(self, custom_id: str, body: Mapping[str, Any], n: int) -> None:
        m = body["model"]
        if self.model is None:
            if m not in self.allowed:
                raise _LineError("model_not_found", MSG_MODEL_NOT_SUPPORTED.format(model=m), n, "body.model")
            self.model = m
        elif m != self.model:
            raise _LineError("mismatched_model", MSG_MISMATCHED_MODEL.format(model=m), n, "body.model")
        if self.endpoint == CHAT:
            enable = body.get("enable_thinking")
            mode = thinking_default(m) if enable is None else bool(enable)
            if self.thinking is None:
                self.thinking = mode
            elif mode != self.thinking:
                raise _LineError("mismatched_thinking", MSG_MISMATCHED_THINKING, n, "body.enable_thinking")
        if custom_id in self.seen:
            raise _LineError("duplicate_custom_id", MSG_DUPLICATE_ID.format(custom_id=custom_id), n, "custom_id")
        self.seen.add(custom_id)


def validate_input(data: bytes, endpoint: str, region: str) -> list[tuple[str, dict[str, Any]]]:
    """The (custom_id, body) requests of a batch input file, in file order.

    Raises:
        _LineError: The first file-level error (`line` is 1-based, counting blank lines).
    """
    if endpoint == DS_TEST and len(data) > MAX_TEST_BYTES:
        raise _LineError("file_too_large", MSG_TEST_FILE_TOO_LARGE, None)
    limit = MAX_TEST_LINES if endpoint == DS_TEST else MAX_LINES
    state = _FileState(endpoint, _allowed_models(endpoint, region))
    requests: list[tuple[str, dict[str, Any]]] = []
    for n, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        if len(requests) >= limit:
            raise _LineError("too_many_requests", MSG_TOO_MANY.format(limit=limit), n)
        custom_id, body = _parse_line(raw, n, endpoint)
        state.check(custom_id, body, n)
        requests.append((custom_id, body))
    if not requests:
        raise _LineError("empty_file", MSG_EMPTY_FILE, None)
    return requests


def _custom_ids(data: bytes) -> list[Any]:
    """custom_id of every non-blank line (None where unreadable): the requests of a never-validated batch."""
    out: list[Any] = []
    for raw in data.split(b"\n"):
        if raw.strip():
            try:
                line = json.loads(raw)
            except ValueError:
                line = None
            out.append(line.get("custom_id") if isinstance(line, dict) else None)
    return out


def _ok_line(request_id: str, custom_id: Any, body_json: str) -> str:
    rid = _dumps(request_id)
    return (
        f'{{"id":{rid},"custom_id":{_dumps(custom_id)},"response":{{"status_code":200,"request_id":{rid},'
        f'"body":{body_json}}},"error":null}}'
    )


def _error_line(request_id: str, custom_id: Any, code: str | None, message: str, err: ChatError | None) -> str:
    rid = _dumps(request_id)
    response = "null"
    if err is not None:
        detail = {"message": err.message, "type": err.type, "param": err.param, "code": err.code}
        response = f'{{"status_code":{err.status},"request_id":{rid},"body":{{"error":{_dumps(detail)}}}}}'
    error = _dumps({"code": code, "message": message})
    return f'{{"id":{rid},"custom_id":{_dumps(custom_id)},"response":{response},"error":{error}}}'


def _ds_test_body(body: Mapping[str, Any], request_id: str) -> dict[str, Any]:
    """The canned `/v1/chat/ds-test` answer (F8.1 test endpoint; content and usage rule [invented])."""
    messages = body.get("messages")
    try:
        prompt = count_messages(messages) if isinstance(messages, list) else 0
    except (TypeError, ValueError, AttributeError, KeyError):
        prompt = 0
    completion = count_text(TEST_REPLY)
    return {
        "id": f"chatcmpl-{request_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model"),
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "logprobs": None,
                "message": {"role": "assistant", "content": TEST_REPLY},
            }
        ],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }


class BatchStore:
    """Thread-safe batches of the emulated Batch API (F8).

    Behaviour (general rules; nothing looks at a particular file, custom_id or prompt):

    * Creation (`POST /batches`) checks, in order: `input_file_id` names a stored `purpose=batch` file;
      `endpoint` is one of `ENDPOINTS`; `completion_window` is `<int>h` or `<int>d` within 24h..336h;
      `metadata` is an object whose `ds_name` / `ds_description` are strings of at most 100 / 200
      characters. Refusals are 400 with the Files-API body (`{"error": {...}}`, no request id). The
      batch object (F8.2 shape) starts `validating`; the input bytes are snapshotted.
    * Lifecycle: every read (GET, list, cancel, `emu.batches`) advances a batch by elapsed time. With
      `phase = batch_seconds / 3` (taken at creation): validation at `phase`, `in_progress` until
      `2 * phase` (lines are executed on entering `finalizing`), `completed` at `3 * phase`; the `*_at`
      stamps are those scheduled instants. `batch_seconds == 0`: completed on the first read.
    * Validation (first error wins, in line order; blank lines skipped but counted in `line`): size of
      a ds-test file (1 MB), line count (50,000; ds-test 100), line size (6 MB), JSON object, `url` equal
      to the endpoint, `custom_id` / `method: POST` / `body` object / `body.model`, model supported by
      the Batch API for that endpoint and region (F8.6 lists; `batch-test-model` only on ds-test), one
      model, one thinking mode (chat), unique custom_ids; no request at all is an error. A failure makes
      the batch `failed` with `errors: {"object": "list", "data": [{code, message, param, line}]}`.
    * Execution: each line is answered as the live endpoint would answer its body (chat: `prepare_chat`
      and the non-stream envelope, `stream` ignored so stream-only models and thinking work; embeddings:
      `handle_embeddings`; ds-test: a canned completion). Refused lines go to the error file with the
      error's status and body. Result lines are written in REVERSE input order (F8.5: order is not
      guaranteed). Result files are `file-batch_output-<hex>` / `file-batch_error-<hex>` (purpose
      `batch`), each null when it would be empty.
    * Cancel: an active batch answers `cancelling` (`cancelling_at` still null); the next read shows
      `cancelled` with every request in the error file (`batch_cancelled`, `response: null`) and
      `request_counts.failed = total`. Cancelling a cancelling/cancelled batch returns it unchanged;
      a completed or failed one is refused (400).
    * List: newest first, after `after` (unknown: empty), `limit` 1..100 (default 20), filters `status`
      (comma list), `ds_name` (exact), `input_file_ids` (comma list, at most 20), `create_after` /
      `create_before` (yyyyMMddHHmmss). An empty page is `data: null` (F8.4 capture).
    """

    def __init__(self, files: FileStore, region: Callable[[], str], batch_seconds: float = 0.0) -> None:
        self.files = files
        self.region = region
        self.batch_seconds = batch_seconds
        self._batches: dict[str, _Batch] = {}
        self._lock = threading.Lock()
        self._seq = 0

    # -- public operations ---------------------------------------------------------------------------

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Validate a `POST /batches` body and store the new batch (raises `FileError`)."""
        for name in ("input_file_id", "endpoint", "completion_window"):
            if body.get(name) is None:
                raise FileError(MSG_REQUIRED.format(name=name), param=name)
        file_id, endpoint, window = body["input_file_id"], body["endpoint"], body["completion_window"]
        stored = self.files.get(file_id) if isinstance(file_id, str) else None
        if stored is None:
            raise FileError(MSG_INPUT_NOT_FOUND.format(id=file_id), param="input_file_id")
        if stored.purpose != "batch":
            raise FileError(MSG_INPUT_PURPOSE.format(id=file_id), param="input_file_id")
        if endpoint not in ENDPOINTS:
            raise FileError(MSG_ENDPOINT.format(endpoint=endpoint), param="endpoint")
        match = _WINDOW.fullmatch(window) if isinstance(window, str) else None
        hours = int(match[1]) * (24 if match[2] == "d" else 1) if match else 0
        if not MIN_WINDOW_HOURS <= hours <= MAX_WINDOW_HOURS:
            raise FileError(MSG_WINDOW.format(window=window), param="completion_window")
        metadata = body.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise FileError(MSG_METADATA, param="metadata")
        for name, limit in (("ds_name", MAX_DS_NAME), ("ds_description", MAX_DS_DESCRIPTION)):
            value = (metadata or {}).get(name)
            if value is not None and not (isinstance(value, str) and len(value) <= limit):
                raise FileError(MSG_METADATA_FIELD.format(name=name, limit=limit), param=f"metadata.{name}")
        with self._lock:
            self._seq += 1
            batch = _Batch(
                id=f"batch_{uuid.uuid4()}",
                endpoint=endpoint,
                input_file_id=file_id,
                completion_window=window,
                metadata=metadata,
                data=stored.data,
                created=time.time(),
                t0=time.monotonic(),
                phase=max(0.0, float(self.batch_seconds)) / 3,
                seq=self._seq,
            )
            self._batches[batch.id] = batch
        return batch.to_object()

    def retrieve(self, batch_id: str) -> dict[str, Any]:
        """The advanced batch object (raises `FileError` 404 for an unknown id)."""
        batch = self._get(batch_id)
        with batch.lock:
            self._advance(batch)
            return batch.to_object()

    def cancel(self, batch_id: str) -> dict[str, Any]:
        """`POST /batches/{id}/cancel` (rules in the class docstring)."""
        batch = self._get(batch_id)
        with batch.lock:
            if batch.status != "cancelling":
                self._advance(batch)
            if batch.status in ("completed", "failed", "expired"):
                raise FileError(MSG_CANNOT_CANCEL.format(status=batch.status), param=None)
            if batch.status not in ("cancelling", "cancelled"):
                batch.status = "cancelling"
                batch.cancel_requested = time.time()
            return batch.to_object()

    def list_page(self, query: Mapping[str, str]) -> dict[str, Any]:
        """`GET /batches` (rules in the class docstring; raises `FileError` for bad parameters)."""
        raw_limit = query.get("limit")
        try:
            limit = DEFAULT_LIST_LIMIT if raw_limit is None else int(raw_limit)
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise FileError(MSG_LIMIT, param="limit")
        statuses = {s for s in query.get("status", "").split(",") if s}
        file_ids = {s for s in query.get("input_file_ids", "").split(",") if s}
        if len(file_ids) > MAX_LIST_FILE_IDS:
            raise FileError(MSG_FILE_IDS, param="input_file_ids")
        after_t, before_t = _create_time(query, "create_after"), _create_time(query, "create_before")
        ds_name = query.get("ds_name")
        with self._lock:
            batches = sorted(self._batches.values(), key=lambda b: b.seq, reverse=True)
        after = query.get("after")
        if after:
            index = next((i for i, b in enumerate(batches) if b.id == after), None)
            batches = [] if index is None else batches[index + 1 :]
        page: list[dict[str, Any]] = []
        more = False
        for batch in batches:
            if (file_ids and batch.input_file_id not in file_ids) or (after_t is not None and batch.created < after_t):
                continue
            if (before_t is not None and batch.created > before_t) or (
                ds_name and (batch.metadata or {}).get("ds_name") != ds_name
            ):
                continue
            with batch.lock:
                self._advance(batch)
                obj = batch.to_object()
            if statuses and obj["status"] not in statuses:
                continue
            if len(page) == limit:
                more = True
                break
            page.append(obj)
        if not page:
            return {"object": "list", "data": None, "first_id": None, "last_id": None, "has_more": False}
        return {"object": "list", "data": page, "first_id": page[0]["id"], "last_id": page[-1]["id"], "has_more": more}

    def ids(self) -> list[str]:
        """Batch ids, oldest first."""
        with self._lock:
            return list(self._batches)

    def clear(self) -> None:
        """Forget every batch (their result files stay in the file store until it is cleared)."""
        with self._lock:
            self._batches.clear()

    # -- lifecycle -----------------------------------------------------------------------------------

    def _get(self, batch_id: str) -> _Batch:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise FileError(MSG_NOT_FOUND, status=404, code="not_found")
        return batch

    def _advance(self, b: _Batch) -> None:
        """Move `b` along its schedule up to now (caller holds `b.lock`)."""
        if b.status == "cancelling":
            self._finish_cancel(b)
            return
        elapsed = time.monotonic() - b.t0
        if b.status == "validating" and elapsed >= b.phase:
            try:
                b.requests = validate_input(b.data, b.endpoint, self.region())
            except _LineError as err:
                b.status, b.stamps["failed_at"] = "failed", b.wall(1)
                b.errors = {"object": "list", "data": [err.obj]}
                return
            b.status, b.stamps["in_progress_at"] = "in_progress", b.wall(1)
            b.counts = (len(b.requests), 0, 0)
        if b.status == "in_progress" and elapsed >= 2 * b.phase:
            b.status, b.stamps["finalizing_at"] = "finalizing", b.wall(2)
            b.results = self._execute(b)
            b.counts = (len(b.requests or ()), len(b.results[0]), len(b.results[1]))
            b.requests = None
        if b.status == "finalizing" and elapsed >= 3 * b.phase:
            ok, failed = b.results or ([], [])
            b.output_file_id = self._store(b, "output", ok)
            b.error_file_id = self._store(b, "error", failed)
            b.status, b.stamps["completed_at"], b.results = "completed", b.wall(3), None

    def _finish_cancel(self, b: _Batch) -> None:
        if b.requests is not None:
            custom_ids: list[Any] = [cid for cid, _ in b.requests]
        else:
            custom_ids = _custom_ids(b.data)
        lines = [_error_line(str(uuid.uuid4()), cid, "batch_cancelled", MSG_CANCELLED, None) for cid in custom_ids]
        b.error_file_id = self._store(b, "error", lines)
        b.counts = (len(lines), 0, len(lines))
        b.stamps["cancelling_at"] = int(b.cancel_requested or time.time())
        b.stamps["cancelled_at"] = int(time.time())
        b.status, b.requests, b.results = "cancelled", None, None

    def _store(self, b: _Batch, kind: str, lines: list[str]) -> str | None:
        if not lines:
            return None
        data = ("\n".join(lines) + "\n").encode()
        file_id = f"file-batch_{kind}-{uuid.uuid4().hex[:24]}"
        # File name [invented]: the real one was not captured.
        return self.files.add(data, f"{b.id}_{kind}.jsonl", "batch", check=False, file_id=file_id).id

    def _execute(self, b: _Batch) -> tuple[list[str], list[str]]:
        """Answer every request; (output lines, error lines), both in reverse input order."""
        answer = self._answerer(b.endpoint)
        ok: list[str] = []
        failed: list[str] = []
        new_id = uuid.uuid4
        for custom_id, body in reversed(b.requests or ()):
            request_id = str(new_id())
            try:
                reply = answer(body, request_id)
            except ChatError as err:
                failed.append(_error_line(request_id, custom_id, err.code, err.message, err))
            else:
                ok.append(_ok_line(request_id, custom_id, _dumps(reply)))
        return ok, failed

    def _answerer(self, endpoint: str) -> Callable[[dict[str, Any], str], dict[str, Any]]:
        if endpoint == EMBEDDINGS:
            return handle_embeddings
        if endpoint == DS_TEST:
            return _ds_test_body
        region, files = self.region(), self.files

        def chat(body: dict[str, Any], request_id: str) -> dict[str, Any]:
            # `stream` forced on for validation only: batch answers are whole (class docstring) [inferred].
            plan = prepare_chat({**body, "stream": True}, region, request_id, files=files, batch=True)
            return render_completion(plan)

        return chat


def _create_time(query: Mapping[str, str], name: str) -> float | None:
    raw = query.get(name)
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y%m%d%H%M%S").replace(tzinfo=_BEIJING_TIME).timestamp()
    except ValueError:
        raise FileError(MSG_CREATE_TIME.format(name=name), param=name) from None


class BatchesView(Mapping[str, dict[str, Any]]):
    """Read-only live view batch id -> batch object; reading an entry advances that batch like a GET."""

    def __init__(self, store: BatchStore) -> None:
        self._store = store

    def __getitem__(self, batch_id: str) -> dict[str, Any]:
        try:
            return self._store.retrieve(batch_id)
        except FileError:
            raise KeyError(batch_id) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._store.ids())

    def __len__(self) -> int:
        return len(self._store.ids())


def handle_batches_request(
    store: BatchStore, method: str, path: str, query: Mapping[str, str], body: Any, bad_json: bool
) -> tuple[int, dict[str, Any]]:
    """(status, JSON body) for a request whose path is `/batches` or `/batches/...`."""
    parts = path.strip("/").split("/")
    allowed = {1: ("GET", "POST"), 2: ("GET",), 3: ("POST",)}.get(len(parts), ())
    try:
        if parts[0] != "batches" or (len(parts) == 3 and parts[2] != "cancel") or not allowed:
            raise FileError(f"Not Found: {path}", status=404, code="not_found")  # [invented]
        if method not in allowed:
            raise FileError("Method Not Allowed.", status=405, code="method_not_allowed")  # [invented]
        if len(parts) == 1 and method == "GET":
            return 200, store.list_page(query)
        if len(parts) == 1:
            if bad_json or not isinstance(body, Mapping):
                raise FileError(MSG_BODY_INVALID)
            return 200, store.create(body)
        if len(parts) == 2:
            return 200, store.retrieve(parts[1])
        return 200, store.cancel(parts[1])
    except FileError as err:
        return err.status, err.body()


__all__ = [
    "ENDPOINTS",
    "MSG_THROTTLED",
    "BatchStore",
    "BatchesView",
    "handle_batches_request",
    "validate_input",
]

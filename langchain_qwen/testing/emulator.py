"""Loopback HTTP server emulating DashScope compatible-mode: routing, auth, request log, faults, files, batches."""

from __future__ import annotations

import atexit
import contextlib
import gzip
import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ._batches import MSG_THROTTLED, BatchesView, BatchStore
from ._cache import DEFAULT_TTL, CacheStore
from ._chat import DONE_EVENT, MSG_BODY_INVALID, ChatError, error_body, stream_error_event
from ._files import (
    BATCH_SIZE_LIMIT,
    FILE_SIZE_LIMIT,
    IMAGE_SIZE_LIMIT,
    MAX_FILES,
    MAX_STORAGE_BYTES,
    FileError,
    FileStore,
    StoredFile,
)
from ._responses import ResponseStore
from ._routes import COMPAT, Exchange, Reply, Route, find_route
from ._service import service_model

PREFIX = COMPAT
BATCH_BYTES = 32 * 1024
"""Stream events are written in chunked-encoding batches of about this size (one flush per batch)."""

MSG_BAD_KEY = "Incorrect API key provided. For details, see: {url}"
"""401 wording of 2026 (captures `error-401-invalid-api-key-beijing-2026-04` and `-us-2026`)."""
_ERROR_PAGE = {
    "cn-beijing": "https://help.aliyun.com/zh/model-studio/error-code",
    "other": "https://www.alibabacloud.com/help/en/model-studio/error-code",
}
"""Error-code page linked from messages: the Chinese site for Beijing keys, the international one elsewhere."""


def bad_key_message(region: str) -> str:
    """The 401 message for a wrong key in `region`."""
    return MSG_BAD_KEY.format(url=_ERROR_PAGE.get(region, _ERROR_PAGE["other"]) + "#apikey-error")


# Defaults for a `Fault` that names only a status: (code, type, message). One row per status is
# [invented] (the catalogue lists several); the wordings are the catalogue's or captured ones.
_STATUS_DEFAULTS: dict[int, tuple[str, str, str]] = {
    400: ("invalid_parameter_error", "invalid_request_error", "The request is invalid."),  # message [invented]
    403: (  # [BASE F13.6]; 2026 relayed bodies carry type == code
        "AccessDenied.Unpurchased",
        "AccessDenied.Unpurchased",
        "Access to model denied. Please make sure you are eligible for using the model.",
    ),
    404: ("model_not_found", "invalid_request_error", "Model can not be found."),
    429: ("limit_requests", "limit_requests", "Requests rate limit exceeded, please try again later."),
    500: (
        "internal_error",
        "invalid_request_error",
        "An internal error has occured, please try again later or contact service support.",
    ),
    503: ("ModelUnavailable", "invalid_request_error", "Model is unavailable, please try again later."),
}
_REQUEST_ID_ONLY = frozenset({401, 403, 429})
"""Statuses whose error bodies carry `request_id` but no `id` (401 captures; 403/429 by kinship [inferred])."""
_CODE_DEFAULTS: dict[str, tuple[str, str]] = {
    # code: (message, error-page anchor or ""); these are gateway-level: `type` == code, `request_id` only.
    "Arrearage": (  # capture `error-400-arrearage-2026`
        "Access denied, please make sure your account is in good standing. For details, see: {page}#overdue-payment",
        "",
    ),
    "AllocationQuota.FreeTierOnly": (  # capture `error-403-free-tier-only-2026-09` (full-width parenthesis)
        "The free quota has been exhausted. To continue accessing the model on a paid basis, please complete your "
        'payment information （or disable the "use free tier only" mode in the management console if already '
        "completed).",
        "",
    ),
    "AccessDenied.Unpurchased": (_STATUS_DEFAULTS[403][2], ""),  # [BASE F13.6]
    "limit_requests": (_STATUS_DEFAULTS[429][2], ""),
}
"""Bodies of codes a `Fault` may name without a message."""


def _code_defaults(code: str, region: str, status: int) -> tuple[str, str, bool]:
    """(type, message, request_id only) for a fault that names `code`.

    DashScope codes (CamelCase, dotted) and the moderation/rate codes come with `type` == code (captures);
    other lowercase codes with `invalid_request_error` (F13.5). The message of a code outside the table is the
    status default [invented].
    """
    known = _CODE_DEFAULTS.get(code)
    if known is not None:
        page = _ERROR_PAGE.get(region, _ERROR_PAGE["other"])
        return code, known[0].format(page=page), True
    own_type = code != code.lower() or "." in code or code in (_MODERATION, "limit_requests")
    message = _STATUS_DEFAULTS.get(status, ("", "", "Emulated error."))[2]
    return (code if own_type else "invalid_request_error"), message, status in _REQUEST_ID_ONLY


_MODERATION = "data_inspection_failed"
_MODERATION_INPUT = "Input text data may contain inappropriate content."
"""2026 input-moderation wording ([ISS-QC3145], capture `stream-400-sse-body-data-inspection-2026-09`)."""
_MODERATION_PREFIX = "<400> InternalError.Algo.DataInspectionFailed: "
_MODERATION_OLD = (
    "Input data may contain inappropriate content. For details, see: "
    "https://help.aliyun.com/zh/model-studio/error-code#inappropriate-content"
)
"""Pre-2026 models (capture `error-400-data-inspection-stream-request-2025-12`, BettaFish#449)."""
_STREAM_ERROR_DEFAULT = ("data_inspection_failed", "Output data may contain inappropriate content.")


@dataclass
class Fault:
    """A scripted misbehaviour applied to the next matching request(s).

    Pending faults are consumed first-in first-out by requests whose path (under
    `/compatible-mode/v1`) equals `path` or lies below it (`"/batches"` also matches
    `/batches/{id}/cancel`; `"*"` matches any path); each use decrements `times`. On `/files` and
    `/batches` paths an error status is sent with the Files-API body (no `id` / `request_id`, F13.5), and
    a bare 429 on `/batches` paths defaults to the batch throttling message (F8.6). 401/403/429 bodies carry
    `request_id` only (401 captures). `status=400, code="data_inspection_failed"` is input moderation: a
    stream request gets the 400 whose body is one SSE `data: {"error": ...}` line, a plain request the JSON
    body with the model era's message (`<400> InternalError.Algo.DataInspectionFailed: ...` on Qwen3.5+);
    `type` defaults to the code for moderation codes.

    Attributes:
        path: Request path the fault applies to.
        times: How many matching requests it affects.
        status: Answer with this HTTP error status and the standard error body, before any body byte.
        code: `error.code` of the error body or in-stream error.
        message: `error.message`.
        type: `error.type` (default `invalid_request_error`).
        param: `error.param`.
        delay: Seconds to sleep before answering.
        disconnect_after: Stream: close the socket abruptly after this many data events.
        truncate_after: Stream: end the body cleanly after this many data events, without `[DONE]`.
        stream_error_after: Stream: after this many data events send `data: {"error": ...}` and end.
        partial_response: Non-stream: answer half the tokens, `finish_reason` null and header
            `x-dashscope-partialresponse: true` (the 300 s cut-off).
        headers: Extra response headers.
    """

    path: str = "/chat/completions"
    times: int = 1
    status: int | None = None
    code: str | None = None
    message: str | None = None
    type: str | None = None
    param: str | None = None
    delay: float = 0
    disconnect_after: int | None = None
    truncate_after: int | None = None
    stream_error_after: int | None = None
    partial_response: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, path: str) -> bool:
        """Whether this fault applies to a request for `path`."""
        return self.path in ("*", path) or path.startswith(self.path.rstrip("/") + "/")


_FAULT_FIELDS = frozenset(f.name for f in fields(Fault))


@dataclass(repr=False)
class RecordedRequest:
    """One request as the emulator received it.

    Attributes:
        method: HTTP method.
        path: Path under `/compatible-mode/v1` (e.g. `/chat/completions`); the full path otherwise.
        query: Query parameters (last value wins).
        headers: Request headers with lower-cased names.
        body: The parsed JSON body, or None when empty or not JSON.
        raw_body: The body bytes as received.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    raw_body: bytes

    def __repr__(self) -> str:
        """Like the dataclass repr, with credential headers masked (the key never reaches a log)."""
        shown = {k: (_mask(v) if k in _SECRET_HEADERS else v) for k, v in self.headers.items()}
        return (
            f"RecordedRequest(method={self.method!r}, path={self.path!r}, query={self.query!r}, "
            f"headers={shown!r}, body={self.body!r}, raw_body=<{len(self.raw_body)} bytes>)"
        )


_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "proxy-authorization"})


def _mask(value: str) -> str:
    """`Bearer sk-...` -> `Bearer **********`: the scheme stays, the credential does not."""
    scheme, _, secret = value.partition(" ")
    return f"{scheme} **********" if secret else "**********"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that hang up; they are part of the tests."""


def _parse_json(raw: bytes, content_type: str) -> tuple[Any, bool]:
    """(parsed body, malformed) for a request body; multipart and empty bodies are not parsed."""
    if not raw or content_type.lower().startswith("multipart/"):
        return None, False
    try:
        return json.loads(raw), False
    except ValueError:
        return None, True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    emulator: DashScopeEmulator

    def version_string(self) -> str:
        return "istio-envoy"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr log."""

    def setup(self) -> None:
        super().setup()
        self.emulator._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.emulator._track(self.connection, False)

    def do_POST(self) -> None:
        self._serve()

    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

    # -- request handling -----------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        """Read, record and route one request, then answer it."""
        emu = self.emulator
        self._arrived = int(time.time() * 1000)
        raw = self._read_body()
        url = urlsplit(self.path)
        found = find_route(url.path)
        route, path = found if found is not None else (None, url.path)
        # The log and faults name compatible-mode paths without their prefix, other paths in full.
        logged = path if route is not None and route.prefix == COMPAT else url.path
        body, bad_json = _parse_json(raw, self.headers.get("Content-Type", ""))
        headers = {k.lower(): v for k, v in self.headers.items()}
        query = dict(parse_qsl(url.query))
        emu._record(RecordedRequest(self.command, logged, query, headers, body, raw))
        self._request_id = str(uuid.uuid4())
        self._extra: dict[str, str] = {}
        ex = Exchange(self.command, path, query, headers, raw, body, bad_json, self._request_id, None, emu)
        try:
            self._respond(route, ex, logged)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _respond(self, route: Route | None, ex: Exchange, logged: str) -> None:
        emu = self.emulator
        if ex.headers.get("authorization") != f"Bearer {emu.api_key}":
            self._send_error(401, bad_key_message(emu.region), "invalid_request_error", "invalid_api_key")
            return
        fault = ex.fault = emu._take_fault(logged)
        if fault is not None:
            self._extra = dict(fault.headers)
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status:
                self._send_fault(fault, route, ex)
                return
        if route is None:
            # An empty 404 (capture `error-404-path-without-compatible-mode-2024-12`, cline#926); that the key
            # is checked first is [uncertain].
            self._send_bytes(404, b"")
        elif route.json_post and ex.method != "POST":
            # [invented] body for a wrong method on a known path.
            self._send_error(405, "Method Not Allowed.", "invalid_request_error", "method_not_allowed")
        elif route.json_post and ex.bad_json:
            self._send_error(400, MSG_BODY_INVALID, "invalid_request_error", "invalid_parameter_error")
        else:
            self._run(route, ex)

    def _run(self, route: Route, ex: Exchange) -> None:
        if self.emulator.latency:
            time.sleep(self.emulator.latency)
        try:
            reply = route.handler(ex)
        except ChatError as err:
            self._send_error(err.status, err.message, err.type, err.code, err.param, bare=route.bare_errors)
            return
        self._extra.update(reply.headers)
        if reply.events is not None:
            self._send_stream(reply.events, ex.fault, reply)
        elif isinstance(reply.body, bytes):
            self._send_bytes(reply.status, reply.body, reply.content_type)
        else:
            self._send_json(reply.status, reply.body)

    def _send_fault(self, fault: Fault, route: Route | None, ex: Exchange) -> None:
        """Answer with a fault's error status and body (catalogue defaults for what it leaves out)."""
        status = fault.status or 500
        # [invented] code/message for statuses outside the catalogue defaults.
        code, type_, message = _STATUS_DEFAULTS.get(status, (None, "invalid_request_error", "Emulated error."))
        if status == 401:
            code, type_, message = "invalid_api_key", "invalid_request_error", bad_key_message(self.emulator.region)
        if route is not None and route.path == "/batches" and status == 429:
            code, type_, message = "insufficient_quota", "invalid_request_error", MSG_THROTTLED  # F13.6 batch row
        gateway = status in _REQUEST_ID_ONLY
        if fault.code is not None:
            code = fault.code
            type_, message, gateway = _code_defaults(code, self.emulator.region, status)
        if fault.type is not None:
            type_ = fault.type
        if code == _MODERATION and status == 400:
            self._send_moderation(fault, type_, ex)
            return
        text = fault.message if fault.message is not None else message
        bare = route is not None and route.bare_errors
        self._send_error(status, text, type_, code, fault.param, bare=bare, request_id_only=gateway)

    def _send_moderation(self, fault: Fault, type_: str, ex: Exchange) -> None:
        """Input moderation: a stream request gets HTTP 400 whose body is one SSE `data:` line (captures
        `stream-400-sse-body-*`), a plain request the JSON body; the message depends on the model's era."""
        body = ex.body if isinstance(ex.body, dict) else {}
        model = service_model(str(body.get("model") or ""))
        modern = model.tokenizer == "qwen3_5"  # Qwen3.5 and later
        if body.get("stream") is True:
            text = fault.message if fault.message is not None else _MODERATION_INPUT
            error = {"code": _MODERATION, "param": fault.param, "message": text, "type": type_}
            payload = {"error": error, "id": f"chatcmpl-{self._request_id}"}
            line = "data: " + json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
            self._send_bytes(400, (line + "\n\n").encode(), "text/event-stream;charset=UTF-8")
            return
        default = _MODERATION_PREFIX + _MODERATION_INPUT if modern else _MODERATION_OLD
        text = fault.message if fault.message is not None else default
        self._send_error(400, text, type_, _MODERATION, fault.param)

    def _send_stream(self, events: list[str], fault: Fault | None, reply: Reply | None = None) -> None:
        """Write SSE `events` plus `[DONE]` (unless `reply.done` is false) as a chunked body, applying a stream
        fault's cut (its error event from `reply.stream_error` when the route has its own)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream;charset=UTF-8")
        self.send_header("Transfer-Encoding", "chunked")
        self._common_headers(stream=True)
        self.end_headers()
        cut = _stream_cut(fault, len(events))
        if cut is None:
            self._write_batched(events, done=reply is None or reply.done)
            return
        name, count = cut
        write = self.wfile.write
        for event in events[:count]:  # exact cut points: one chunk per event
            data = event.encode()
            write(b"%x\r\n%s\r\n" % (len(data), data))
        if name == "disconnect_after":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        tail = b""
        if name == "stream_error_after" and fault is not None:
            custom = reply.stream_error if reply is not None else None
            frame = (custom(fault, count) if custom is not None else _fault_stream_error(fault)).encode()
            tail = b"%x\r\n%s\r\n" % (len(frame), frame)
        write(tail + b"0\r\n\r\n")

    # -- response writing -----------------------------------------------------------------------

    def _write_batched(self, events: list[str], *, done: bool = True) -> None:
        write = self.wfile.write
        batch: list[str] = []
        size = 0
        for event in events:
            batch.append(event)
            size += len(event)
            if size >= BATCH_BYTES:
                data = "".join(batch).encode()
                write(b"%x\r\n%s\r\n" % (len(data), data))
                batch, size = [], 0
        if done:
            batch.append(DONE_EVENT)
        data = "".join(batch).encode()
        write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))

    def _common_headers(self, *, stream: bool = False) -> None:
        """The gateway headers every DashScope answer carries (captures `chat-qwen-plus-with-headers-2025-12`,
        `headers-stream-qwen3.5-omni-flash-2026-05`); timings are this request's real ones in ms."""
        start = int(time.time() * 1000)
        cost = max(0, start - self._arrived)
        self.send_header("vary", _VARY_STREAM if stream else _VARY_JSON)
        self.send_header("x-request-id", self._request_id)
        self.send_header("x-dashscope-call-gateway", "true")
        self.send_header("req-cost-time", str(cost))
        self.send_header("req-arrive-time", str(self._arrived))
        self.send_header("resp-start-time", str(start))
        self.send_header("x-envoy-upstream-service-time", str(cost))
        if self.emulator.account_balance is not None:
            self.send_header("X-Account-Balance", str(self.emulator.account_balance))
        for name, value in self._extra.items():
            self.send_header(name, str(value))

    def _send_json(self, status: int, obj: Any) -> None:
        self._send_bytes(status, json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())

    def _send_bytes(self, status: int, data: bytes, content_type: str = "application/json") -> None:
        """One chunked body, gzipped when the client accepts it (as the gateway does)."""
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "").lower() and not content_type.startswith(
            "text/event-stream"
        )
        if gzipped:
            data = gzip.compress(data, compresslevel=1)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if gzipped:
            self.send_header("content-encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self._common_headers()
        self.end_headers()
        self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data) if data else b"0\r\n\r\n")

    def _send_error(
        self,
        status: int,
        message: str,
        type_: str,
        code: str | None,
        param: str | None = None,
        *,
        bare: bool = False,
        request_id_only: bool | None = None,
    ) -> None:
        body: dict[str, Any] = error_body(message, type_, code, param, self._request_id)
        if bare:
            body = {"error": body["error"]}
        elif status in _REQUEST_ID_ONLY if request_id_only is None else request_id_only:
            del body["id"]
        self._send_json(status, body)


_VARY_JSON = "Origin,Access-Control-Request-Method,Access-Control-Request-Headers, Accept-Encoding"
_VARY_STREAM = "Origin"


def _stream_cut(fault: Fault | None, total: int) -> tuple[str, int] | None:
    """(fault field, events sent before it acts) for a stream fault, or None for a whole stream."""
    if fault is None:
        return None
    for name in ("disconnect_after", "truncate_after", "stream_error_after"):
        value = getattr(fault, name)
        if value is not None:
            return name, max(0, min(int(value), total))
    return None


def _fault_stream_error(fault: Fault) -> str:
    """The in-stream error event of a `stream_error_after` fault."""
    # Defaults to output moderation, whose type equals its code (F13.6 example) [invented default].
    code, message = _STREAM_ERROR_DEFAULT
    if fault.code is not None:
        code = fault.code
    return stream_error_event(
        fault.message if fault.message is not None else message,
        fault.type or (code if fault.code is None else "invalid_request_error"),
        code,
    )


class DashScopeEmulator:
    """A real HTTP server on loopback that answers like DashScope's compatible-mode API.

    Serves `/chat/completions` (text, VL/Omni media, Omni audio output, explicit context cache, web
    search), `/completions` (coder FIM), `/embeddings`, the Files API, the Batch API (`_batches`) and
    rerank (`/compatible-api/v1/reranks`, `_rerank`).

    Runs a `ThreadingHTTPServer` (HTTP/1.1 keep-alive) in a daemon thread. Use as a context manager
    or call `start()` / `stop()`.

    Args:
        api_key: The only accepted bearer token; others get HTTP 401 `invalid_api_key`.
        region: Emulated region; models the service table (`_service`) places elsewhere answer 404
            `model_not_found`; also picks the error-page language of messages (Beijing: Chinese site).
        account_balance: When set, every response carries `X-Account-Balance: <value>` (reseller header).
        host: Interface to bind.
        port: Port to bind; 0 picks a free one.
        file_size_limit: Largest accepted document upload in bytes (DashScope: 150 MB).
        image_size_limit: Largest accepted image upload (bmp/png/jpg/jpeg/gif) in bytes (20 MB).
        batch_size_limit: Largest accepted `purpose=batch` upload in bytes (500 MB).
        max_files: Files the account may store (10,000; uploads beyond: 400).
        max_storage_bytes: Bytes the account may store (100 GB; uploads beyond: 400).
        parse_seconds: Seconds a `file-extract` upload stays `"parsing"` before it is `"processed"`.
        cache_ttl: Seconds an explicit context-cache entry lives after its creation or last hit (5 min).
        batch_seconds: Seconds a batch takes from creation to `completed` (a third each for validating,
            in_progress and finalizing); 0 completes it on the first read.
        latency: Seconds every served request waits before it is answered (each in its own thread, so
            concurrent requests overlap; settable). For benchmarks.
        tool_arg_piece_tokens: Stream tool-call arguments in pieces of this many tokens (1: token by token)
            instead of the captured "up to 3 fragments" (settable). For benchmarks.

    Example:
        >>> with DashScopeEmulator() as emu:  # doctest: +SKIP
        ...     client = OpenAI(base_url=emu.base_url, api_key=emu.api_key)
    """

    def __init__(
        self,
        api_key: str = "sk-emulator",
        region: str = "cn-beijing",
        account_balance: Any = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        file_size_limit: int = FILE_SIZE_LIMIT,
        image_size_limit: int = IMAGE_SIZE_LIMIT,
        batch_size_limit: int = BATCH_SIZE_LIMIT,
        max_files: int = MAX_FILES,
        max_storage_bytes: int = MAX_STORAGE_BYTES,
        parse_seconds: float = 0.0,
        cache_ttl: float = DEFAULT_TTL,
        batch_seconds: float = 0.0,
        latency: float = 0.0,
        tool_arg_piece_tokens: int | None = None,
    ) -> None:
        self.api_key = api_key
        self.region = region
        self.account_balance = account_balance
        self.host = host
        self.port = port
        self._requests: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._files = FileStore(
            file_size_limit=file_size_limit,
            image_size_limit=image_size_limit,
            batch_size_limit=batch_size_limit,
            max_files=max_files,
            max_storage_bytes=max_storage_bytes,
            parse_seconds=parse_seconds,
        )
        self._cache = CacheStore(cache_ttl)
        self._batches = BatchStore(self._files, lambda: self.region, batch_seconds)
        self.latency = latency
        self.tool_arg_piece_tokens = tool_arg_piece_tokens
        self._responses = ResponseStore()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> DashScopeEmulator:
        """Bind and start serving in a daemon thread (no-op when already running)."""
        if self._server is not None:
            return self
        handler = type("DashScopeHandler", (_Handler,), {"emulator": self})
        server = _Server((self.host, self.port), handler)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="dashscope-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket and open keep-alive connections."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DashScopeEmulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._server is not None

    @property
    def base_url(self) -> str:
        """`http://<host>:<port>/compatible-mode/v1` (the OpenAI SDK `base_url`)."""
        return f"http://{self.host}:{self.port}{PREFIX}"

    # -- request log and faults -------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received since the last `clear()`, oldest first (a live list)."""
        return self._requests

    @property
    def last_request(self) -> RecordedRequest:
        """The most recent request (IndexError when none)."""
        return self._requests[-1]

    def clear(self) -> None:
        """Forget the request log, every pending fault, every stored file and batch, and the context cache."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()
        self._files.clear()
        self._batches.clear()
        self._cache.clear()
        self._responses.clear()

    # -- context cache --------------------------------------------------------------------------------

    @property
    def cache_ttl(self) -> float:
        """Lifetime in seconds of explicit context-cache entries created or hit from now on (settable)."""
        return self._cache.ttl

    @cache_ttl.setter
    def cache_ttl(self, value: float) -> None:
        self._cache.ttl = value

    @property
    def cached_prefixes(self) -> int:
        """How many unexpired explicit context-cache entries are stored."""
        return len(self._cache)

    # -- files --------------------------------------------------------------------------------------

    @property
    def files(self) -> Mapping[str, StoredFile]:
        """Stored files by id (a live read-only view; each `StoredFile` has `data`, `text`, `status`...)."""
        return self._files.view

    @property
    def parse_seconds(self) -> float:
        """Parsing time of later `file-extract` uploads (settable)."""
        return self._files.parse_seconds

    @parse_seconds.setter
    def parse_seconds(self, value: float) -> None:
        self._files.parse_seconds = value

    def add_file(
        self,
        data: bytes | str,
        filename: str,
        purpose: str = "file-extract",
        *,
        check: bool = True,
        parse_seconds: float | None = None,
    ) -> StoredFile:
        """Store a file without HTTP, as `POST /files` would (e.g. for tests or emulated batch output).

        Args:
            data: Content (a str is encoded as UTF-8).
            filename: File name; its extension decides the format and size checks.
            purpose: `file-extract` or `batch` (any string when `check` is false).
            check: Apply the upload's purpose, size, format, blank and storage checks.
            parse_seconds: Parsing time of this file (default: `parse_seconds` of the emulator).

        Returns:
            The stored file (`.id`, `.to_object()` gives the wire object).

        Raises:
            FileError: The upload would be refused (`.status`, `.message`, `.code`).
        """
        raw = data.encode() if isinstance(data, str) else bytes(data)
        return self._files.add(raw, filename, purpose, check=check, parse_seconds=parse_seconds)

    def delete_file(self, file_id: str) -> bool:
        """Remove a stored file; False when it was not stored."""
        return self._files.delete(file_id)

    # -- batches ------------------------------------------------------------------------------------

    @property
    def batches(self) -> Mapping[str, dict[str, Any]]:
        """Batch objects by id (a live read-only view; reading an entry advances it like `GET /batches/{id}`)."""
        return BatchesView(self._batches)

    @property
    def batch_seconds(self) -> float:
        """Creation-to-completion time of batches created from now on (settable)."""
        return self._batches.batch_seconds

    @batch_seconds.setter
    def batch_seconds(self, value: float) -> None:
        self._batches.batch_seconds = value

    def inject(self, fault: Fault | None = None, /, **kwargs: Any) -> Fault:
        """Queue a fault for the next matching request(s).

        Args:
            fault: A ready `Fault`; or None to build one from `kwargs`.
            **kwargs: `Fault` fields (`status`, `code`, `message`, `type`, `delay`, `disconnect_after`, ...).

        Returns:
            The queued fault.
        """
        if fault is None:
            unknown = set(kwargs) - _FAULT_FIELDS
            if unknown:
                raise TypeError(f"Unknown Fault fields: {sorted(unknown)}")
            fault = Fault(**kwargs)
        elif kwargs:
            raise TypeError("Pass either a Fault or keyword fields, not both.")
        if fault.times < 1:
            raise ValueError("Fault.times must be at least 1")
        with self._lock:
            self._faults.append(fault)
        return fault

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)


_shared: DashScopeEmulator | None = None
_shared_lock = threading.Lock()


def shared_emulator() -> DashScopeEmulator:
    """The process-wide emulator (`sk-emulator`, `cn-beijing`), started on first call, stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.running:
            emu = DashScopeEmulator().start()
            atexit.register(emu.stop)
            _shared = emu
        return _shared


__all__ = ["DashScopeEmulator", "Fault", "FileError", "RecordedRequest", "StoredFile", "shared_emulator"]

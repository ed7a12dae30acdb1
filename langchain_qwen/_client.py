"""Cached `openai` SDK clients (async ones closed with their event loop) and the one transport call.

`call`/`acall` run one request with this package's retry policy (backoff, Retry-After up to a cap)
inside an optional total deadline (`total_timeout`) that also bounds reading a streamed body.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import socket
import threading
import time
import urllib.request
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx2
import openai

from langchain_qwen import _wire
from langchain_qwen._errors import (
    ErrorContext,
    QwenAPIStatusError,
    QwenTimeoutError,
    QwenValidationError,
    map_api_error,
    retry_delay,
    stream_payload_error,
)
from langchain_qwen._hosts import (
    DEFAULT_REGION,
    REGION_URLS,
    describe_host,
    normalize_plan,
    normalize_region,
    resolve_base_url,
)
from langchain_qwen._json import loads
from langchain_qwen._transport import LeanAsyncTransport, LeanTransport

T = TypeVar("T")

RETRY_AFTER_CAP = 60.0
"""Longest `Retry-After` (seconds or HTTP-date) honoured before a retry; a longer wait raises the
rate-limit error at once, with the wait in its message and in `err.retry_after`."""


def region_base_url(region: str | None, workspace_id: str | None = None) -> str:
    """The pay-as-you-go compatible-mode base URL for a region (and optional workspace)."""
    return resolve_base_url(region, None, workspace_id)


# --- settings checks (run when a model is built) ---------------------------------------------------


def check_base_url(base_url: str) -> str:
    """`base_url` if it is an absolute http(s) URL without control characters, else `QwenValidationError`."""
    parts = urlsplit(base_url) if isinstance(base_url, str) else None
    bad_chars = isinstance(base_url, str) and any(c in base_url for c in "\r\n\t\x00 ")
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or bad_chars:
        raise QwenValidationError(
            f"base_url={base_url!r} is not an http(s) URL; allowed: an absolute http:// or https:// URL such as "
            f"{REGION_URLS['ap-southeast-1']!r}, or leave it unset and choose the host with region=/plan=."
        )
    return base_url


def check_headers(headers: Mapping[str, Any] | None) -> None:
    """Refuse header names/values that would be rejected or split the request (CR, LF, NUL, non-str)."""
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not name or any(c in name for c in "\r\n\x00: \t"):
            raise QwenValidationError(
                f"default_headers has an invalid header name {name!r}; allowed: a non-empty token without "
                f"spaces, ':' or line breaks."
            )
        if not isinstance(value, str) or any(c in value for c in "\r\n\x00"):
            raise QwenValidationError(
                f"default_headers[{name!r}]={value!r} is not a valid header value; allowed: a str without "
                f"CR, LF or NUL characters."
            )


def check_number(name: str, value: Any, *, integer: bool = False, minimum: float = 0.0, strict: bool = True) -> None:
    """Refuse a setting that is not a number above (or, with `strict=False`, at least) `minimum`."""
    if value is None:
        return
    kind = int if integer else (int, float)
    ok = (
        isinstance(value, kind) and not isinstance(value, bool) and not (isinstance(value, float) and math.isnan(value))
    )
    if ok:
        ok = value > minimum if strict else value >= minimum
    if not ok:
        what = "an int" if integer else "a number of seconds"
        bound = f"> {minimum:g}" if strict else f">= {minimum:g}"
        raise QwenValidationError(f"{name}={value!r} is not allowed; allowed: {what} {bound}, or None.")


def check_connection(
    *,
    base_url: str | None,
    region: str | None,
    plan: str | None,
    workspace_id: str | None,
    trial: bool,
    timeout: Any,
    total_timeout: Any,
    max_retries: Any,
    default_headers: Mapping[str, Any] | None,
) -> None:
    """Every connection setting checked at construction, so a typo fails there and not at the first call."""
    if base_url is not None:
        check_base_url(base_url)
    else:
        resolve_base_url(region, plan, workspace_id, trial)
    if plan is not None:
        normalize_plan(plan)
    check_number("timeout", timeout)
    check_number("total_timeout", total_timeout)
    check_number("max_retries", max_retries, integer=True, strict=False)
    check_headers(default_headers)


# --- client configuration --------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientConfig:
    """Everything that identifies one SDK client; equal configs share one client. The key never shows in repr."""

    base_url: str
    api_key: str = field(repr=False)
    timeout: float | None = None
    default_headers: tuple[tuple[str, str], ...] = ()
    region: str | None = None
    max_retries: int = 2
    http_client: Any = field(default=None, compare=False, hash=False)
    http_async_client: Any = field(default=None, compare=False, hash=False)
    total_timeout: float | None = None
    """Seconds for a whole call: every attempt, every wait between attempts and reading a streamed body."""
    plan: str | None = None

    @property
    def context(self) -> ErrorContext:
        return ErrorContext(base_url=self.base_url, region=self.region, plan=self.plan)


def _secret(api_key: Any) -> str:
    secret = api_key.get_secret_value() if hasattr(api_key, "get_secret_value") else api_key
    if not secret:
        raise QwenValidationError(
            "No DashScope API key: set DASHSCOPE_API_KEY or pass api_key=. (Keys of other providers, "
            "such as OPENAI_API_KEY, are never used.)"
        )
    if any(c in secret for c in "\r\n\x00"):
        raise QwenValidationError("api_key contains a line break or NUL; allowed: the key text alone.")
    return str(secret)


def make_config(
    *,
    api_key: Any,
    base_url: str | None,
    region: str | None,
    workspace_id: str | None = None,
    timeout: float | None = None,
    max_retries: int = 2,
    default_headers: Mapping[str, str] | None = None,
    http_client: Any = None,
    http_async_client: Any = None,
    plan: str | None = None,
    trial: bool = False,
    total_timeout: float | None = None,
) -> ClientConfig:
    """A `ClientConfig` from user settings: key required (DashScope's only), base URL else region x plan host."""
    secret = _secret(api_key)
    check_connection(
        base_url=base_url,
        region=region,
        plan=plan,
        workspace_id=workspace_id,
        trial=trial,
        timeout=timeout,
        total_timeout=total_timeout,
        max_retries=max_retries,
        default_headers=default_headers,
    )
    if base_url:
        reg, pln = (normalize_region(region), normalize_plan(plan)) if region else describe_host(base_url)
    else:
        reg, pln = normalize_region(region), normalize_plan(plan)
    return ClientConfig(
        base_url=base_url or resolve_base_url(reg, pln, workspace_id, trial),
        api_key=secret,
        timeout=timeout,
        default_headers=tuple(sorted((default_headers or {}).items())),
        region=reg,
        max_retries=max_retries,
        http_client=http_client,
        http_async_client=http_async_client,
        total_timeout=total_timeout,
        plan=pln,
    )


# --- client cache ----------------------------------------------------------------------------------

_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 64


def _sanitize(client: Any, cfg: ClientConfig) -> Any:
    # The SDK reads OPENAI_ORG_ID / OPENAI_PROJECT_ID / OPENAI_ADMIN_KEY / OPENAI_CUSTOM_HEADERS from the
    # environment; none of another provider's credentials or headers may reach DashScope.
    client.organization = None
    client.project = None
    client.admin_api_key = None
    client.webhook_secret = None
    client._custom_headers = dict(cfg.default_headers)
    return client


@functools.cache
def _ssl_context() -> Any:
    """One TLS context for every client built here (loading the CA bundle costs ~90 ms per client)."""
    return httpx2.create_ssl_context()


def _lean_transport(is_async: bool) -> dict[str, Any]:
    """The lean HTTP/1.1 transport for a client built here, unless the environment names a proxy.

    httpx2 ignores proxy variables (HTTPS_PROXY, ALL_PROXY, NO_PROXY, ...) once a transport is given,
    so with any of them set the client keeps httpx2's own transports, which honour them.
    """
    if urllib.request.getproxies():
        return {}
    return {"transport": (LeanAsyncTransport if is_async else LeanTransport)(_ssl_context())}


def _build(cfg: ClientConfig, is_async: bool) -> Any:
    cls = openai.AsyncOpenAI if is_async else openai.OpenAI
    http_client = cfg.http_async_client if is_async else cfg.http_client
    if http_client is None:  # the SDK's own wrapper and defaults (closed when collected), with the shared TLS context
        from openai._base_client import AsyncHttpxClientWrapper, SyncHttpxClientWrapper

        wrapper = AsyncHttpxClientWrapper if is_async else SyncHttpxClientWrapper
        http_client = wrapper(base_url=cfg.base_url, verify=_ssl_context(), **_lean_transport(is_async))
    kwargs: dict[str, Any] = {
        "api_key": cfg.api_key,
        "base_url": cfg.base_url,
        "max_retries": 0,  # retries are ours (retry_delay): moderation and billing errors are never retried
        "default_headers": dict(cfg.default_headers),
    }
    if cfg.timeout is not None:
        kwargs["timeout"] = cfg.timeout
    if http_client is not None:
        kwargs["http_client"] = http_client
    return _sanitize(cls(**kwargs), cfg)


class _LoopClients:
    """The async clients of one event loop; a guard task closes them when the loop shuts down."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.clients: OrderedDict[tuple[Any, ...], tuple[Any, bool]] = OrderedDict()
        self.closing: set[asyncio.Task[Any]] = set()
        self.guard = loop.create_task(self._close_with_loop())
        # A loop closed without cancelling its tasks just drops the guard (and the clients with it).
        self.guard._log_destroy_pending = False  # type: ignore[attr-defined]

    async def _close_with_loop(self) -> None:
        # `asyncio.run` (and every Runner) cancels pending tasks before closing the loop: that is the
        # moment to close this loop's connections, while the loop can still run the close.
        loop = asyncio.get_running_loop()
        try:
            await loop.create_future()
        finally:
            with _CACHE_LOCK:
                if _LOOPS.get(loop) is self:
                    del _LOOPS[loop]  # the entry (and the loop it references) can go
            clients, self.clients = list(self.clients.values()), OrderedDict()
            for client, owned in clients:
                if owned:
                    with suppress(Exception):
                        await client.close()

    def evict(self) -> None:
        while len(self.clients) > _CACHE_SIZE:
            _, (client, owned) = self.clients.popitem(last=False)
            if owned:
                task = asyncio.get_running_loop().create_task(client.close())
                self.closing.add(task)
                task.add_done_callback(self.closing.discard)


_LOOPS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClients] = weakref.WeakKeyDictionary()


def _async_client(cfg: ClientConfig) -> Any:
    loop = asyncio.get_running_loop()
    key = (cfg, id(cfg.http_async_client))
    with _CACHE_LOCK:
        entry = _LOOPS.get(loop)
        if entry is None or entry.guard.done():
            for closed in [other for other in _LOOPS if other.is_closed()]:
                del _LOOPS[closed]  # loops closed without cancelling their tasks: drop their clients
            entry = _LOOPS[loop] = _LoopClients(loop)
        found = entry.clients.get(key)
        if found is not None:
            entry.clients.move_to_end(key)
            return found[0]
        client = _build(cfg, True)
        # A user's own http_async_client is theirs to close; the ones built here close with the loop.
        entry.clients[key] = (client, cfg.http_async_client is None)
        entry.evict()
        return client


def get_client(cfg: ClientConfig, *, is_async: bool = False) -> Any:
    """A cached `OpenAI`, or an `AsyncOpenAI` of the running event loop (closed when that loop shuts down)."""
    if is_async:
        try:
            return _async_client(cfg)
        except RuntimeError:  # no running loop: an uncached client
            return _build(cfg, True)
    key = (cfg, id(cfg.http_client))
    with _CACHE_LOCK:
        client = _CACHE.get(key)
        if client is not None:
            _CACHE.move_to_end(key)
            return client
    client = _build(cfg, False)
    with _CACHE_LOCK:
        _CACHE[key] = client
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return client


@dataclass(frozen=True)
class HttpMeta:
    """Response headers worth keeping on the message."""

    request_id: str | None = None
    partial_response: bool = False
    account_balance: str | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> HttpMeta:
        return cls(
            request_id=headers.get("x-request-id") or headers.get("x-dashscope-request-id"),
            partial_response=(headers.get("x-dashscope-partialresponse") or "").lower() == "true",
            account_balance=headers.get("x-account-balance"),
        )


# --- deadline ---------------------------------------------------------------------------------------

DEADLINE_KEY = "langchain_qwen.deadline"
"""Response extension holding the call's `Deadline`, for the stream driver."""


@dataclass(frozen=True)
class Deadline:
    """The end of a call's `total_timeout` (monotonic clock)."""

    seconds: float
    at: float

    @classmethod
    def start(cls, seconds: float | None) -> Deadline | None:
        return None if seconds is None else cls(seconds, time.monotonic() + seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def error(self, request: Any, partial: Any = None, attempts: int | None = None) -> QwenTimeoutError:
        """The typed timeout for a spent deadline (`partial` keeps what a stream had delivered)."""
        tried = f" after {attempts} attempt(s)" if attempts else ""
        exc = QwenTimeoutError(request=request)
        exc.message = f"total_timeout={self.seconds:g} s ran out{tried}; the call was stopped."
        if partial is not None:
            exc.message += " `partial` holds what had arrived."
        exc.args = (exc.message,)
        exc.partial = partial
        return map_api_error(exc, ErrorContext())  # type: ignore[return-value]

    def timeout(self, configured: float | None) -> httpx2.Timeout:
        """The per-attempt httpx timeout: the configured one, cut to what is left of the deadline."""
        left = max(self.remaining(), 0.001)
        sdk = openai.DEFAULT_TIMEOUT  # what the SDK client uses when no timeout is configured
        read = min(configured if configured is not None else float(sdk.read or left), left)
        connect = min(configured if configured is not None else float(sdk.connect or left), left)
        return httpx2.Timeout(read, connect=connect)


class Watchdog:
    """Ends a blocked read of a streamed body when the deadline passes (shuts the socket down)."""

    def __init__(self, response: Any, deadline: Deadline) -> None:
        self.fired = False
        self._response = response
        self._timer = threading.Timer(max(deadline.remaining(), 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        stream = self._response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


# --- retries ---------------------------------------------------------------------------------------


def retry_after(err: Exception) -> float | None:
    """Seconds the server asked to wait (`Retry-After` as seconds or HTTP-date, or `retry-after-ms`)."""
    response = getattr(err, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    if headers.get("retry-after-ms"):
        with suppress(ValueError):
            return max(float(headers["retry-after-ms"]) / 1000, 0.0)
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _give_up(err: Exception, note: str, wait: float | None = None) -> Exception:
    """`err` with `note` appended to its message (and the requested wait in `err.retry_after`)."""
    message = f"{getattr(err, 'message', None) or err} {note}"
    with suppress(AttributeError):
        err.message = message  # type: ignore[attr-defined]
    err.args = (message,)
    if wait is not None:
        err.retry_after = wait  # type: ignore[attr-defined]
    return err


def _next_delay(cfg: ClientConfig, err: Exception, attempt: int, deadline: Deadline | None) -> float:
    """Seconds before the next attempt after `err`, or raise `err` (annotated) when there is none."""
    delay = retry_delay(err, attempt) if attempt < cfg.max_retries else None
    if delay is None:
        raise err
    wait = retry_after(err)
    if wait is not None:
        if wait > RETRY_AFTER_CAP:
            note = (
                f"DashScope asked to retry after {wait:.0f} s, more than the {RETRY_AFTER_CAP:.0f} s this client waits."
            )
            raise _give_up(err, note, wait)
        delay = wait
    if deadline is not None and delay >= deadline.remaining():
        note = f"No retry: waiting {delay:.1f} s would pass total_timeout={deadline.seconds:g} s."
        raise _give_up(err, note, wait)
    return delay


def _timed(client: Any, cfg: ClientConfig, deadline: Deadline | None, attempt: int, copy: bool) -> Any:
    if deadline is None:
        return client
    if deadline.remaining() <= 0:
        raise deadline.error(httpx2.Request("POST", cfg.base_url), attempts=attempt)
    return client.with_options(timeout=deadline.timeout(cfg.timeout)) if copy else client


def call(cfg: ClientConfig, fn: Callable[[Any], T], *, deadline: Deadline | None = None, timed: bool = True) -> T:
    """Run `fn(client)`; retry retryable errors raised before the first response byte, with backoff.

    Every error leaves as this package's typed error, raised from the SDK error. With `total_timeout`
    each attempt's timeout is cut to what is left (on a copy of the client, unless `timed=False`: then
    `fn` sets its own timeout), and no wait outlasts the deadline.
    """
    client = get_client(cfg)
    deadline = deadline or Deadline.start(cfg.total_timeout)
    attempt = 0
    while True:
        try:
            return fn(_timed(client, cfg, deadline, attempt, timed))
        except openai.APIError as err:
            delay = _next_delay(cfg, map_api_error(err, cfg.context), attempt, deadline)
        time.sleep(delay)
        attempt += 1


async def acall(
    cfg: ClientConfig, fn: Callable[[Any], Awaitable[T]], *, deadline: Deadline | None = None, timed: bool = True
) -> T:
    """Async twin of `call`."""
    client = get_client(cfg, is_async=True)
    deadline = deadline or Deadline.start(cfg.total_timeout)
    attempt = 0
    while True:
        try:
            return await fn(_timed(client, cfg, deadline, attempt, timed))
        except openai.APIError as err:
            delay = _next_delay(cfg, map_api_error(err, cfg.context), attempt, deadline)
        await asyncio.sleep(delay)
        attempt += 1


async def gather_bounded(calls: Sequence[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    """Run `calls` at most `limit` at a time; results in order. The first failure cancels the others (no
    request keeps running, or billing, after the call has failed) and is raised."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    tasks = [asyncio.ensure_future(one(call)) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


# --- POST -------------------------------------------------------------------------------------------


@contextmanager
def _serialisable(body: Mapping[str, Any]) -> Iterator[None]:
    """Turn the SDK's JSON-encoding TypeError into a typed error naming the keys that hold the culprit."""
    try:
        yield
    except TypeError as err:
        if "JSON serializable" not in str(err):
            raise
        bad = [key for key, value in body.items() if not _encodes(value)]
        raise QwenValidationError(
            f"The request body is not JSON-serialisable ({err}) in {bad}; allowed: str, numbers, bools, None, "
            f"lists and dicts of them (check extra_body / model_kwargs / per-call options)."
        ) from None


def _encodes(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


@dataclass
class _Post:
    """One POST's parts, shared by `post` and `apost`: each attempt's request (`_wire`) or SDK options."""

    cfg: ClientConfig
    path: str
    body: Mapping[str, Any]
    headers: Mapping[str, str] | None
    timeout: float | None
    deadline: Deadline | None
    attempt: int = 0

    def cut(self) -> httpx2.Timeout | None:
        """Under a deadline, this attempt's timeout: the configured one cut to what is left."""
        if self.deadline is None:
            return None
        return self.deadline.timeout(self.timeout if self.timeout is not None else self.cfg.timeout)

    def request(self, client: Any) -> httpx2.Request:
        """The next attempt's request for `client` (an httpx2-backed SDK client)."""
        sh = _wire.shape(client, self.path, self.headers, self.timeout)
        with _serialisable(self.body):
            request = _wire.build(sh, self.body, self.attempt, self.cut())
        self.attempt += 1
        return request

    def options(self) -> dict[str, Any]:
        """The SDK `post` options (clients that are not httpx2)."""
        opts: dict[str, Any] = {"headers": dict(self.headers)} if self.headers else {}
        timeout = self.cut() or self.timeout
        if timeout is not None:
            opts["timeout"] = timeout
        return opts


def _read_body(response: httpx2.Response, deadline: Deadline) -> None:
    watchdog = Watchdog(response, deadline)
    try:
        response.read()
    except httpx2.HTTPError as exc:
        raise deadline.error(response.request) from exc
    finally:
        watchdog.cancel()
    if watchdog.fired:
        response.close()
        raise deadline.error(response.request)


def post(
    cfg: ClientConfig,
    path: str,
    body: Mapping[str, Any],
    *,
    stream: bool,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> httpx2.Response:
    """POST `body` to `path`; returns the raw response (body unread when streaming).

    Under a deadline the body is always read by this package (so the deadline bounds it) and the
    streamed response carries the deadline for `iter_chunks`.
    """
    job = _Post(cfg, path, body, headers, timeout, Deadline.start(cfg.total_timeout))
    unread = stream or job.deadline is not None

    def send(c: Any) -> Any:
        if _wire.fast_path(c):
            return _wire.send(c, job.request(c), stream=unread)
        with _serialisable(body):
            return c.post(path, cast_to=httpx2.Response, body=body, stream=unread, options=job.options())

    response: httpx2.Response = call(cfg, send, deadline=job.deadline, timed=False)
    if job.deadline is not None:
        response.extensions[DEADLINE_KEY] = job.deadline
        if not stream:
            _read_body(response, job.deadline)
    return response


async def _aread_body(response: httpx2.Response, deadline: Deadline) -> None:
    try:
        await asyncio.wait_for(response.aread(), max(deadline.remaining(), 0.0))
    except (asyncio.TimeoutError, httpx2.HTTPError) as exc:
        await response.aclose()
        raise deadline.error(response.request) from exc


async def apost(
    cfg: ClientConfig,
    path: str,
    body: Mapping[str, Any],
    *,
    stream: bool,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> httpx2.Response:
    """Async twin of `post`."""
    job = _Post(cfg, path, body, headers, timeout, Deadline.start(cfg.total_timeout))
    unread = stream or job.deadline is not None

    async def send(c: Any) -> Any:
        if _wire.fast_path(c):
            return await _wire.asend(c, job.request(c), stream=unread)
        with _serialisable(body):
            return await c.post(path, cast_to=httpx2.Response, body=body, stream=unread, options=job.options())

    response: httpx2.Response = await acall(cfg, send, deadline=job.deadline, timed=False)
    if job.deadline is not None:
        response.extensions[DEADLINE_KEY] = job.deadline
        if not stream:
            await _aread_body(response, job.deadline)
    return response


def response_json(response: httpx2.Response, ctx: ErrorContext) -> Any:
    """The JSON body of a successful response; a body that is not JSON, or is `{"error": ...}`, raises typed."""
    try:
        payload = loads(response.content)
    except ValueError:
        text = response.content[:300].decode("utf-8", "replace")
        exc = QwenAPIStatusError(
            f"DashScope answered HTTP {response.status_code} with a body that is not JSON "
            f"({response.headers.get('content-type') or 'no content-type'}): {text!r}",
            response=response,
            body=text,
        )
        raise map_api_error(exc, ctx) from None
    if isinstance(payload, Mapping) and payload.get("error") and not payload.get("choices") and not payload.get("data"):
        raise stream_payload_error(response, payload, ctx)
    return payload


__all__ = [
    "DEFAULT_REGION",
    "REGION_URLS",
    "RETRY_AFTER_CAP",
    "ClientConfig",
    "Deadline",
    "HttpMeta",
    "acall",
    "apost",
    "call",
    "check_connection",
    "gather_bounded",
    "get_client",
    "make_config",
    "normalize_region",
    "post",
    "region_base_url",
    "response_json",
    "retry_after",
]

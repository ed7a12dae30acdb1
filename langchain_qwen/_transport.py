"""Lean HTTP/1.1 keep-alive transports (asyncio streams; blocking sockets) for the httpx2 clients this package builds.

httpx2's default transport runs every exchange through httpcore2's pool and anyio streams; with many
requests in flight (an `abatch`) its pool probes every idle socket on each assignment, and the layers
cost more CPU than the exchange. This transport keeps idle connections per origin (checked for a
server close and for age, `keepalive_expiry`, before reuse), caps open connections
(`max_connections`, as the SDK's default limits), speaks HTTP/1.1 (Content-Length, chunked or
close-delimited bodies, 1xx skipped), TLS with the given context, and raises httpx2's own exceptions
(`ConnectError`, `ReadTimeout`, `RemoteProtocolError`, ...) so the SDK maps them as before. A request
that fails on a reused connection before any response byte (the server closed it while idle) is sent
once more on a fresh connection when its body can be replayed. An event stream that ended (`[DONE]`)
reads its chunked terminator through the `FINISH_KEY` extension, so its connection is kept; idle
connections are never shared with a forked child. `LeanTransport` is the blocking twin
(sockets and a buffered reader, a lock around the pool; thread-safe like httpx2's). They are used only
for clients built here without a user `http_client` / `http_async_client`; proxies from the
environment keep httpx2's own proxy transports.
"""

from __future__ import annotations

import asyncio
import io
import os
import select
import socket
import ssl
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import httpx2

_LIMIT = 1 << 20
"""Longest header block or chunk-size line accepted (bytes)."""
_READ = 1 << 16
FINISH_KEY = "langchain_qwen.finish"
"""Response extension: `finish()` reads the rest of a chunked body if it comes at once (an event stream's
terminator after its last event), so the connection is kept instead of dropped when the response closes."""
_FINISH_SECONDS, _FINISH_BYTES = 0.05, 1 << 16
Origin = tuple[bytes, str, int]
_TIMEOUTS = (TimeoutError, asyncio.TimeoutError)  # distinct classes before Python 3.11

if sys.version_info >= (3, 11):

    async def _within(seconds: float | None, awaitable: Awaitable[Any]) -> Any:
        """`await awaitable`, raising TimeoutError after `seconds` (None: no limit)."""
        async with asyncio.timeout(seconds):
            return await awaitable

else:  # pragma: no cover - Python 3.10

    async def _within(seconds: float | None, awaitable: Awaitable[Any]) -> Any:
        """`await awaitable`, raising TimeoutError after `seconds` (None: no limit)."""
        return await asyncio.wait_for(awaitable, seconds)


class _Stale(Exception):
    """A reused connection failed before any response byte: the server had closed it."""


class _Cut(Exception):
    """The blocking reader hit the end of the stream inside a line or a sized read (`partial`: what came)."""

    def __init__(self, partial: bytes) -> None:
        super().__init__("connection closed")
        self.partial = partial


class _Conn:
    """One open connection and when it last went idle."""

    __slots__ = ("idle_since", "origin", "reader", "writer")

    def __init__(self, origin: Origin, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.origin, self.reader, self.writer = origin, reader, writer
        self.idle_since = 0.0

    def usable(self, now: float, expiry: float) -> bool:
        return not self.reader.at_eof() and self.open() and now - self.idle_since < expiry

    def open(self) -> bool:
        return not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()

    def get_extra_info(self, name: str) -> Any:
        """The `network_stream` extension: the socket (for a watchdog) and peer details."""
        return self.writer.get_extra_info(name)


_NO_ANSWER = "Server disconnected without sending a response."
_CUT_CHUNKED = "peer closed connection without sending complete message body (incomplete chunked read)"


@contextmanager
def _mapped(kind: str, request: httpx2.Request, reused: bool = False, cut: str = _NO_ANSWER) -> Any:
    """OS and asyncio errors of one phase ("connect", "write", "read") as httpx2's exceptions (httpcore's wording;
    `cut`: the message for an end of stream in the middle of what was being read)."""
    timeouts = {"connect": httpx2.ConnectTimeout, "write": httpx2.WriteTimeout, "read": httpx2.ReadTimeout}
    failures = {"connect": httpx2.ConnectError, "write": httpx2.WriteError, "read": httpx2.ReadError}
    try:
        yield
    except _TIMEOUTS as exc:
        raise timeouts[kind](f"{kind} timed out", request=request) from exc
    except asyncio.LimitOverrunError as exc:
        raise httpx2.RemoteProtocolError("response header or chunk line too long", request=request) from exc
    except (asyncio.IncompleteReadError, _Cut) as exc:
        if reused and not exc.partial:
            raise _Stale from exc
        raise httpx2.RemoteProtocolError(cut, request=request) from exc
    except (OSError, ssl.SSLError) as exc:
        if (reused and kind == "write") or (reused and isinstance(exc, ConnectionResetError)):
            raise _Stale from exc
        raise failures[kind](str(exc) or type(exc).__name__, request=request) from exc


Head = tuple[int, bytes, list[tuple[bytes, bytes]], bool]


def _head(data: bytes, request: httpx2.Request) -> Head:
    """Status, reason, headers and whether the server is HTTP/1.0, of one response head (ending in a blank line)."""
    lines = data[:-4].split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise httpx2.RemoteProtocolError(f"malformed status line {lines[0][:80]!r}", request=request)
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name:
            raise httpx2.RemoteProtocolError(f"malformed header line {line[:80]!r}", request=request)
        headers.append((name.strip(), value.strip()))
    return int(parts[1]), parts[2] if len(parts) > 2 else b"", headers, parts[0] == b"HTTP/1.0"


def _interim(status: int) -> bool:
    """A 1xx answer other than 101: the real one follows on the same connection."""
    return 100 <= status < 200 and status != 101


def _framing(request: httpx2.Request, head: Head, failed: Exception | None = None) -> tuple[int | None, bool, bool]:
    """(content length or None, chunked, keep-alive) of a response body (never kept after a failed write)."""
    status, _, headers, old = head
    length: int | None = None
    chunked = False
    keep = not old and failed is None
    for name, value in headers:
        low = name.lower()
        if low == b"content-length" and value.isdigit():
            length = int(value)
        elif low == b"transfer-encoding":
            chunked = value.lower().endswith(b"chunked")
        elif low == b"connection":
            keep = b"close" not in value.lower() and (not old or b"keep-alive" in value.lower())
    if request.method == "HEAD" or status in (204, 304):
        return 0, False, keep
    if chunked:
        return None, True, keep
    return length, False, keep and length is not None


def _chunk_size(line: bytes, request: httpx2.Request) -> int:
    try:
        return int(line.split(b";", 1)[0], 16)
    except ValueError:
        raise httpx2.RemoteProtocolError(f"bad chunk size {line[:40]!r}", request=request) from None


def _took(data: bytes, left: int | None, expected: int | None, request: httpx2.Request) -> int | None:
    """What is left of a sized body after `data` (None: close-delimited); empty `data` before the end is a cut."""
    if left is None:
        return None
    if not data:
        raise httpx2.RemoteProtocolError(
            "peer closed connection without sending complete message body "
            f"(received {(expected or 0) - left} bytes, expected {expected})",
            request=request,
        )
    return left - len(data)


def _request_head(request: httpx2.Request) -> bytes:
    head = [request.method.encode(), b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        head += (name, b": ", value, b"\r\n")
    head.append(b"\r\n")
    return b"".join(head)


def _body_framer(request: httpx2.Request) -> Callable[[bytes], bytes]:
    """How a streamed request body goes on the wire: chunked (b"" is the last chunk) or as it is."""
    if request.headers.get("transfer-encoding", "").lower() != "chunked":
        return lambda data: data
    return lambda data: b"%x\r\n%s\r\n" % (len(data), data) if data else b"0\r\n\r\n"


def _origin(url: httpx2.URL) -> Origin:
    return url.raw_scheme, url.host, url.port or (443 if url.raw_scheme == b"https" else 80)


def _response(head: Head, request: httpx2.Request, conn: Any, body: Any) -> httpx2.Response:
    extensions = {"http_version": b"HTTP/1.1", "reason_phrase": head[1], "network_stream": conn}
    extensions[FINISH_KEY] = body.finish
    return httpx2.Response(head[0], headers=head[2], stream=body, extensions=extensions)


class _Idle:
    """Idle connections per origin, at most `limit` in all, each reused while younger than `expiry` seconds."""

    def __init__(self, limit: int, expiry: float) -> None:
        self._conns: dict[Origin, list[Any]] = {}
        self._count, self._limit, self._expiry = 0, limit, expiry
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def put(self, conn: Any) -> bool:
        """Keep `conn` for reuse; False (and the caller closes it) when the pool is full."""
        with self._lock:
            if self._count >= self._limit:
                return False
            conn.idle_since = time.monotonic()
            self._conns.setdefault(conn.origin, []).append(conn)
            self._count += 1
            return True

    def take(self, origin: Origin) -> Any:
        """The most recently idle usable connection to `origin` (closing the stale ones met), or None."""
        now = time.monotonic()
        while True:
            with self._lock:
                if self._pid != os.getpid():  # a forked child: the parent's connections are not its own
                    self._conns, self._count, self._pid = {}, 0, os.getpid()
                idle = self._conns.get(origin)
                if not idle:
                    return None
                conn = idle.pop()
                self._count -= 1
            if conn.usable(now, self._expiry):
                return conn
            conn.close()

    def clear(self) -> None:
        with self._lock:
            conns, self._conns, self._count = self._conns, {}, 0
        for group in conns.values():
            for conn in group:
                conn.close()


class _Lean:
    """What both lean transports share: their limits, the idle pool and giving a connection back."""

    _slots: Any

    def setup(
        self,
        ssl_context: ssl.SSLContext,
        *,
        max_connections: int = 1000,
        max_keepalive: int = 100,
        keepalive_expiry: float = 5.0,
    ) -> httpx2.Limits:
        """Keep the settings (the SDK's default limits) and return them for httpx2's own transport underneath."""
        self._ssl, self._max_connections = ssl_context, max_connections
        self._idle = _Idle(max_keepalive, keepalive_expiry)
        return httpx2.Limits(
            max_connections=max_connections, max_keepalive_connections=max_keepalive, keepalive_expiry=keepalive_expiry
        )

    def release(self, conn: Any, *, reuse: bool) -> None:
        """Give back a connection slot; keep the connection idle if it can serve another request."""
        self._slots.release()
        if not (reuse and conn.open() and self._idle.put(conn)):
            conn.close()


class _Body(httpx2.AsyncByteStream):
    """A response body read from its connection; the connection goes back to the pool once the body is whole."""

    def __init__(self, pool: LeanAsyncTransport, conn: _Conn, request: httpx2.Request, framing: Any) -> None:
        self._pool, self._request = pool, request
        self._conn: _Conn | None = conn
        self._length, self._chunked, self._keep = framing
        self._read_timeout = (request.extensions.get("timeout") or {}).get("read")

    async def _read(self, fn: Callable[..., Any], *args: Any) -> Any:
        with _mapped("read", self._request, cut=_CUT_CHUNKED):
            return await _within(self._read_timeout, fn(*args))

    async def _chunks(self, reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
        while True:
            size = _chunk_size(await self._read(reader.readuntil, b"\r\n"), self._request)
            if not size:
                while await self._read(reader.readuntil, b"\r\n") != b"\r\n":
                    pass  # trailers
                return
            data = await self._read(reader.readexactly, size + 2)
            yield data[:-2]

    async def _sized(self, reader: asyncio.StreamReader, left: int | None) -> AsyncIterator[bytes]:
        while left is None or left > 0:
            data = await self._read(reader.read, _READ if left is None else min(left, _READ))
            if not data and left is None:
                return
            left = _took(data, left, self._length, self._request)
            yield data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        body = self._chunks(conn.reader) if self._chunked else self._sized(conn.reader, self._length)
        async for data in body:
            yield data
        self._conn = None
        self._pool.release(conn, reuse=self._keep)

    async def finish(self) -> None:
        """See `FINISH_KEY`: a fresh iteration goes on from the chunk boundary where the reader stands."""
        if self._conn is None or not self._chunked:
            return
        self._read_timeout = _FINISH_SECONDS

        async def drain() -> None:
            left = _FINISH_BYTES
            async for data in self:
                left -= len(data)
                if left < 0:
                    return

        with suppress(httpx2.HTTPError, *_TIMEOUTS):
            await _within(_FINISH_SECONDS, drain())

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._pool.release(conn, reuse=False)


_STOCK = httpx2.AsyncHTTPTransport.handle_async_request


class LeanAsyncTransport(_Lean, httpx2.AsyncHTTPTransport):
    """HTTP/1.1 over asyncio streams with a keep-alive pool per origin (see the module docstring).

    It is an `AsyncHTTPTransport`: while a recorder such as vcrpy has patched that class's
    `handle_async_request`, every request goes through the patched method (and httpx2's own pool),
    so cassettes record and replay exactly as with the stock transport.
    """

    def __init__(self, ssl_context: ssl.SSLContext, **limits: Any) -> None:
        httpx2.AsyncHTTPTransport.__init__(self, verify=ssl_context, limits=_Lean.setup(self, ssl_context, **limits))
        self._slots = asyncio.Semaphore(self._max_connections)

    async def _connect(self, origin: Origin, request: httpx2.Request, timeouts: dict[str, Any]) -> _Conn:
        scheme, host, port = origin
        tls: dict[str, Any] = {"ssl": self._ssl, "server_hostname": host} if scheme == b"https" else {}
        with _mapped("connect", request):
            reader, writer = await _within(
                timeouts.get("connect"), asyncio.open_connection(host, port, limit=_LIMIT, **tls)
            )
        return _Conn(origin, reader, writer)

    async def _acquire(self, request: httpx2.Request, timeouts: dict[str, Any], fresh: bool) -> tuple[_Conn, bool]:
        """A connection for `request` (an idle one unless `fresh`) and whether it was reused; holds a slot."""
        origin = _origin(request.url)
        try:
            if self._slots.locked():
                await _within(timeouts.get("pool"), self._slots.acquire())
            else:
                await self._slots.acquire()  # a free slot: returns at once
        except _TIMEOUTS:
            raise httpx2.PoolTimeout("no free connection in time", request=request) from None
        try:
            conn = None if fresh else self._idle.take(origin)
            return (conn, True) if conn is not None else (await self._connect(origin, request, timeouts), False)
        except BaseException:
            self._slots.release()
            raise

    async def _write(self, conn: _Conn, request: httpx2.Request, timeout: float | None, reused: bool) -> None:
        head = _request_head(request)
        with _mapped("write", request, reused):
            try:
                conn.writer.write(head + request.content)
            except httpx2.RequestNotRead:
                conn.writer.write(head)
                await _within(timeout, self._write_stream(conn, request))
            if conn.writer.transport.get_write_buffer_size():  # only a full buffer can block
                await _within(timeout, conn.writer.drain())

    async def _write_stream(self, conn: _Conn, request: httpx2.Request) -> None:
        frame = _body_framer(request)
        async for data in request.stream:  # type: ignore[union-attr]
            if data:
                conn.writer.write(frame(data))
                await conn.writer.drain()
        conn.writer.write(frame(b""))

    async def _read_head(self, conn: _Conn, request: httpx2.Request, timeout: float | None, reused: bool) -> Head:
        while True:
            with _mapped("read", request, reused):
                head = _head(await _within(timeout, conn.reader.readuntil(b"\r\n\r\n")), request)
            if not _interim(head[0]):
                return head
            reused = False  # an interim response came: the connection is live

    async def _exchange(self, request: httpx2.Request, timeouts: dict[str, Any], fresh: bool) -> httpx2.Response:
        conn, reused = await self._acquire(request, timeouts, fresh)
        failed: httpx2.WriteError | None = None
        try:
            try:
                await self._write(conn, request, timeouts.get("write"), reused)
            except httpx2.WriteError as exc:  # the server may have answered early (413, 400): read on
                failed = exc
            head = await self._read_head(conn, request, timeouts.get("read"), reused)
        except BaseException as exc:
            self.release(conn, reuse=False)
            if failed is not None and isinstance(exc, Exception):
                raise failed from None
            raise
        return _response(head, request, conn, _Body(self, conn, request, _framing(request, head, failed)))

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if httpx2.AsyncHTTPTransport.handle_async_request is not _STOCK:  # patched by a recorder
            return await httpx2.AsyncHTTPTransport.handle_async_request(self, request)
        timeouts = request.extensions.get("timeout") or {}
        try:
            return await self._exchange(request, timeouts, fresh=False)
        except _Stale as exc:
            if not _replayable(request):
                raise httpx2.RemoteProtocolError("Server closed the connection.", request=request) from exc
        try:
            return await self._exchange(request, timeouts, fresh=True)
        except _Stale as exc:  # pragma: no cover - a fresh connection is never marked reused
            raise httpx2.RemoteProtocolError("Server closed the connection.", request=request) from exc

    async def aclose(self) -> None:
        self._idle.clear()
        await super().aclose()


# --- blocking twin ----------------------------------------------------------------------------------


def _readable(sock: socket.socket) -> bool:
    """Whether an idle socket has something to read (on an idle connection: the server closed it)."""
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])  # pragma: no cover - platforms without poll
    except (OSError, ValueError):
        return True


class _SyncConn:
    """One open blocking connection, its buffered reader, and when it last went idle."""

    __slots__ = ("file", "idle_since", "origin", "sock")

    def __init__(self, origin: Origin, sock: socket.socket) -> None:
        self.origin, self.sock = origin, sock
        self.file: io.BufferedReader = sock.makefile("rb", buffering=_READ)  # type: ignore[assignment]
        self.idle_since = 0.0

    def usable(self, now: float, expiry: float) -> bool:
        return self.open() and now - self.idle_since < expiry and not _readable(self.sock)

    def open(self) -> bool:
        return self.sock.fileno() >= 0

    def close(self) -> None:
        with suppress(OSError):
            self.file.close()
            self.sock.close()

    def get_extra_info(self, name: str) -> Any:
        """The `network_stream` extension: the socket (a watchdog shuts it down to end a blocked read)."""
        return self.sock if name == "socket" else None

    def line(self) -> bytes:
        line = self.file.readline(_LIMIT)
        if not line.endswith(b"\n"):
            if len(line) >= _LIMIT:
                raise asyncio.LimitOverrunError("line too long", len(line))
            raise _Cut(line)
        return line

    def exactly(self, n: int) -> bytes:
        data: bytes = self.file.read(n)
        if len(data) < n:
            raise _Cut(data)
        return data


class _SyncBody(httpx2.SyncByteStream):
    """Blocking twin of `_Body`."""

    def __init__(self, pool: LeanTransport, conn: _SyncConn, request: httpx2.Request, framing: Any) -> None:
        self._pool, self._request = pool, request
        self._conn: _SyncConn | None = conn
        self._length, self._chunked, self._keep = framing

    def _chunks(self, conn: _SyncConn) -> Iterator[bytes]:
        while True:
            size = _chunk_size(conn.line(), self._request)
            if not size:
                while conn.line() not in (b"\r\n", b"\n"):
                    pass  # trailers
                return
            yield conn.exactly(size + 2)[:-2]

    def _sized(self, conn: _SyncConn, left: int | None) -> Iterator[bytes]:
        while left is None or left > 0:
            data = conn.file.read1(_READ if left is None else min(left, _READ))
            if not data and left is None:
                return
            left = _took(data, left, self._length, self._request)
            yield data

    def __iter__(self) -> Iterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        with _mapped("read", self._request, cut=_CUT_CHUNKED):
            yield from self._chunks(conn) if self._chunked else self._sized(conn, self._length)
        self._conn = None
        self._pool.release(conn, reuse=self._keep)

    def finish(self) -> None:
        """See `FINISH_KEY` (each read waits at most 50 ms; 64 KiB at the most)."""
        conn = self._conn
        if conn is None or not self._chunked:
            return
        conn.sock.settimeout(_FINISH_SECONDS)  # the next request on this connection sets its own timeouts
        left = _FINISH_BYTES
        with suppress(httpx2.HTTPError):
            for data in self:
                left -= len(data)
                if left < 0:
                    return

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._pool.release(conn, reuse=False)


_STOCK_SYNC = httpx2.HTTPTransport.handle_request


class LeanTransport(_Lean, httpx2.HTTPTransport):
    """Blocking twin of `LeanAsyncTransport` (a patched `HTTPTransport.handle_request` is deferred to likewise)."""

    def __init__(self, ssl_context: ssl.SSLContext, **limits: Any) -> None:
        httpx2.HTTPTransport.__init__(self, verify=ssl_context, limits=_Lean.setup(self, ssl_context, **limits))
        self._slots = threading.BoundedSemaphore(self._max_connections)

    def _connect(self, origin: Origin, request: httpx2.Request, timeouts: dict[str, Any]) -> _SyncConn:
        scheme, host, port = origin
        with _mapped("connect", request):
            sock = socket.create_connection((host, port), timeout=timeouts.get("connect"))
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if scheme == b"https":
                    sock = self._ssl.wrap_socket(sock, server_hostname=host)
            except BaseException:
                sock.close()
                raise
        return _SyncConn(origin, sock)

    def _acquire(self, request: httpx2.Request, timeouts: dict[str, Any], fresh: bool) -> tuple[_SyncConn, bool]:
        """A connection for `request` (an idle one unless `fresh`) and whether it was reused; holds a slot."""
        origin = _origin(request.url)
        if not self._slots.acquire(timeout=timeouts.get("pool")):
            raise httpx2.PoolTimeout("no free connection in time", request=request)
        try:
            conn = None if fresh else self._idle.take(origin)
            return (conn, True) if conn is not None else (self._connect(origin, request, timeouts), False)
        except BaseException:
            self._slots.release()
            raise

    def _write(self, conn: _SyncConn, request: httpx2.Request, timeout: float | None, reused: bool) -> None:
        head = _request_head(request)
        with _mapped("write", request, reused):
            conn.sock.settimeout(timeout)
            try:
                conn.sock.sendall(head + request.content)
            except httpx2.RequestNotRead:
                conn.sock.sendall(head)
                frame = _body_framer(request)
                for data in request.stream:  # type: ignore[union-attr]
                    if data:
                        conn.sock.sendall(frame(data))
                conn.sock.sendall(frame(b""))

    def _read_head(self, conn: _SyncConn, request: httpx2.Request, timeout: float | None, reused: bool) -> Head:
        conn.sock.settimeout(timeout)
        while True:
            with _mapped("read", request, reused):
                lines = [conn.line()]
                while lines[-1] not in (b"\r\n", b"\n"):
                    lines.append(conn.line())
            head = _head(b"".join(line.rstrip(b"\r\n") + b"\r\n" for line in lines[:-1]) + b"\r\n", request)
            if not _interim(head[0]):
                return head
            reused = False

    def _exchange(self, request: httpx2.Request, timeouts: dict[str, Any], fresh: bool) -> httpx2.Response:
        conn, reused = self._acquire(request, timeouts, fresh)
        failed: httpx2.WriteError | None = None
        try:
            try:
                self._write(conn, request, timeouts.get("write"), reused)
            except httpx2.WriteError as exc:  # the server may have answered early (413, 400): read on
                failed = exc
            head = self._read_head(conn, request, timeouts.get("read"), reused)
        except BaseException as exc:
            self.release(conn, reuse=False)
            if failed is not None and isinstance(exc, Exception):
                raise failed from None
            raise
        return _response(head, request, conn, _SyncBody(self, conn, request, _framing(request, head, failed)))

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if httpx2.HTTPTransport.handle_request is not _STOCK_SYNC:  # patched by a recorder
            return httpx2.HTTPTransport.handle_request(self, request)
        timeouts = request.extensions.get("timeout") or {}
        try:
            return self._exchange(request, timeouts, fresh=False)
        except _Stale as exc:
            if not _replayable(request):
                raise httpx2.RemoteProtocolError("Server closed the connection.", request=request) from exc
        try:
            return self._exchange(request, timeouts, fresh=True)
        except _Stale as exc:  # pragma: no cover - a fresh connection is never marked reused
            raise httpx2.RemoteProtocolError("Server closed the connection.", request=request) from exc

    def close(self) -> None:
        self._idle.clear()
        super().close()


def _replayable(request: httpx2.Request) -> bool:
    try:
        request.content  # noqa: B018 - raises when the body is a one-shot stream
    except httpx2.RequestNotRead:
        return False
    return True


__all__ = ["FINISH_KEY", "LeanAsyncTransport", "LeanTransport"]

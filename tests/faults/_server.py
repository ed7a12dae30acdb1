"""A scripted loopback HTTP/1.1 server for fault tests: each request is answered by a list of raw steps."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.monotonic)
    peer: Any = None
    """The client's (host, port): one value per connection."""


@dataclass(frozen=True)
class Sleep:
    seconds: float


CLOSE = object()
"""Step: close the connection now."""
HANG = object()
"""Step: send nothing more until the client goes away (or the server stops)."""

Step = Any  # bytes | Sleep | CLOSE | HANG
Script = list[Step]
Handler = Callable[[Request], Script]


def http_head(status: int, headers: dict[str, str], *, length: int | None = None, close: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 429: "Too Many Requests", 502: "Bad Gateway"}
_REASONS |= {503: "Service Unavailable", 500: "Internal Server Error", 403: "Forbidden"}


def body_response(status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> Script:
    """A complete response with Content-Length (the connection stays open for the next request)."""
    return [http_head(status, {"Content-Type": ctype, **(headers or {})}, length=len(body)) + body]


def json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> Script:
    return body_response(status, json.dumps(obj).encode(), "application/json", headers)


def sse_head(status: int = 200, ctype: str = "text/event-stream;charset=UTF-8") -> bytes:
    """Head of a close-delimited event stream."""
    return http_head(status, {"Content-Type": ctype, "Cache-Control": "no-cache"}, close=True)


def frame(obj: Any) -> bytes:
    return b"data: " + (obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\n\n"


def chunk(text: str = "", *, finish: str | None = None, reasoning: str | None = None, usage: bool = False) -> dict:
    delta: dict[str, Any] = {"content": text} if text or not reasoning else {}
    if reasoning:
        delta["reasoning_content"] = reasoning
    out: dict[str, Any] = {
        "id": "chatcmpl-fault",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "qwen-plus",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage:
        out["choices"] = []
        out["usage"] = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    return out


def completion(text: str) -> dict:
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "created": 1,
        "model": "qwen-plus",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def stream_ok(*texts: str) -> Script:
    return [sse_head(), *(frame(chunk(t)) for t in texts), frame(chunk(finish="stop")), frame(b"[DONE]"), CLOSE]


def embeddings(count: int) -> dict:
    return {
        "object": "list",
        "model": "text-embedding-v4",
        "data": [{"object": "embedding", "index": i, "embedding": [0.1 * i, 0.2]} for i in range(count)],
        "usage": {"prompt_tokens": count, "total_tokens": count},
    }


class FaultServer:
    """Loopback server on its own event loop thread. `script(...)` queues answers; `handler` answers the rest."""

    def __init__(self, ssl_context: Any = None) -> None:
        self.ssl_context = ssl_context
        """Serve TLS with this server-side context (the URL is then https://localhost)."""
        self.requests: list[Request] = []
        self.handler: Handler | None = None
        self._queue: list[Script] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fault-server", daemon=True)
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.port = 0

    # --- control (test thread) ---

    @property
    def url(self) -> str:
        if self.ssl_context is not None:
            return f"https://localhost:{self.port}/compatible-mode/v1"
        return f"http://127.0.0.1:{self.port}/compatible-mode/v1"

    def script(self, *scripts: Script) -> None:
        with self._lock:
            self._queue.extend(scripts)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()
            self.handler = None

    def open_connections(self) -> int:
        return len(self._writers)

    def __enter__(self) -> FaultServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    # --- server (its own loop) ---

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=2048, ssl=self.ssl_context)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await server.wait_closed()

    def _next_script(self, request: Request) -> Script:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.pop(0)
            handler = self.handler
        if handler is None:
            return json_response(500, {"error": {"message": "fault server: no script left", "code": "no_script"}})
        return handler(request)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        task = asyncio.current_task()
        if task is not None:  # held until done: a pending handler is never garbage-collected
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        try:
            while (request := await _read_request(reader)) is not None:
                request.peer = writer.get_extra_info("peername")
                if not await self._play(self._next_script(request), reader, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _play(self, script: Script, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Send the steps; False when the connection must close afterwards."""
        for step in script:
            if step is CLOSE:
                return False
            if step is HANG:
                hang = asyncio.ensure_future(reader.read())
                stop = asyncio.ensure_future(self._stop.wait())
                await asyncio.wait({hang, stop}, return_when=asyncio.FIRST_COMPLETED)
                hang.cancel()
                stop.cancel()
                return False
            if isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
                continue
            writer.write(step)
            await writer.drain()
        return True


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    raw = await reader.readexactly(int(headers.get("content-length", "0") or 0))
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw
    return Request(method, path, headers, body)


class EchoWith503:
    """Answers "echo <prompt>" (JSON, or a short event stream); the first attempt of every 20th prompt gets a
    503 (5 %). `GET /stats` reports the counts."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        self.requests = 0
        self.unavailable = 0

    def __call__(self, request: Request) -> Script:
        if request.method == "GET" and request.path.endswith("/stats"):
            return json_response(200, {"requests": self.requests, "unavailable": self.unavailable})
        self.requests += 1
        prompt = request.body["messages"][-1]["content"]
        attempt = self.seen[prompt] = self.seen.get(prompt, 0) + 1
        if attempt == 1 and int(prompt.split("-")[1]) % 20 == 7:
            self.unavailable += 1
            busy = {"error": {"message": "busy", "code": "ServiceUnavailable"}}
            return json_response(503, busy, {"retry-after-ms": "20"})
        if not request.body.get("stream"):
            return json_response(200, completion(f"echo {prompt}"))
        frames = [
            frame(chunk("echo ")),
            frame(chunk(prompt, finish="stop")),
            frame(chunk(usage=True)),
            frame(b"[DONE]"),
        ]
        return chunked_stream(frames)


def chunked_stream(frames: list[bytes]) -> Script:
    """An event stream in chunked transfer encoding (the connection stays open for the next request)."""
    head = http_head(200, {"Content-Type": "text/event-stream;charset=UTF-8", "Transfer-Encoding": "chunked"})
    return [head, *(b"%x\r\n%s\r\n" % (len(f), f) for f in frames), b"0\r\n\r\n"]


def main() -> None:
    """`python -m tests.faults._server`: serve `EchoWith503` until stdin closes; prints the port first."""
    import sys

    with FaultServer() as server:
        server.handler = EchoWith503()
        server.requests = _Discard()
        print(server.port, flush=True)
        sys.stdin.read()


class _Discard(list):  # type: ignore[type-arg]
    """A request log that keeps nothing (long load runs)."""

    def append(self, _item: Any) -> None:
        return None


if __name__ == "__main__":
    main()

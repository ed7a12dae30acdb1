"""A loopback HTTP server of the conformance tests that replays one stored DashScope capture verbatim.

Status line, captured headers (in order) and body bytes go out as recorded. Bodies are sent with the
framing the captured headers name: `transfer-encoding: chunked` is really chunked, `content-encoding:
gzip` is really gzipped. Event streams are cut the way a network cuts them: mostly one event per
chunk, some events split mid-way (inside multi-byte UTF-8 characters too) and some chunks carrying two
events, with a short pause between chunks so the client really reads them one by one.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CAPTURES = Path(__file__).parent / "captures"
_HOP_BY_HOP = {"transfer-encoding", "content-length", "connection", "keep-alive"}


@dataclass(frozen=True)
class Capture:
    """One stored response: where it was found, what produced it, and the bytes to replay."""

    name: str
    status: int
    headers: list[tuple[str, str]] | None
    content_type: str
    body: str | None
    record: dict[str, Any] = field(repr=False)

    @property
    def is_sse(self) -> bool:
        return self.content_type.startswith("text/event-stream")

    @property
    def header_names(self) -> set[str]:
        return {k.lower() for k, _ in self.headers or []}

    def events(self) -> list[str]:
        """The `data:` payloads of an event stream body, in order (`[DONE]` included)."""
        assert self.body is not None
        return [line[len("data:") :].strip() for line in self.body.splitlines() if line.startswith("data:")]


def load(name: str) -> Capture:
    record = json.loads((CAPTURES / f"{name}.json").read_text(encoding="utf-8"))
    headers = [(k, v) for k, v in record["headers"]] if record.get("headers") else None
    return Capture(
        name=record["name"],
        status=record["status"],
        headers=headers,
        content_type=record["content_type"],
        body=record["body"],
        record=record,
    )


def all_captures() -> list[Capture]:
    return [load(p.stem) for p in sorted(CAPTURES.glob("*.json"))]


def network_chunks(body: bytes) -> list[bytes]:
    """Split an event-stream body into the chunks a real connection would deliver (deterministic)."""
    events = [e + b"\n\n" for e in body.split(b"\n\n") if e]
    if not body.endswith(b"\n\n") and events:
        events[-1] = events[-1][:-2]
    chunks: list[bytes] = []
    for i, event in enumerate(events):
        if i % 3 == 1 and len(event) > 8:
            cut = len(event) // 2
            chunks += [event[:cut], event[cut:]]  # may fall inside a UTF-8 sequence: the client must cope
        elif i % 4 == 2 and chunks:
            chunks[-1] += event  # two events in one read
        else:
            chunks.append(event)
    return chunks


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ReplayServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        self.server.log.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "json": body})
        cap = self.server.capture
        assert cap is not None and cap.body is not None, "no capture loaded"
        self._respond(cap)

    def _respond(self, cap: Capture) -> None:
        headers = cap.headers or [("content-type", cap.content_type)]
        names = {k.lower(): v.lower() for k, v in headers}
        payload = cap.body.encode("utf-8") if cap.body is not None else b""
        if names.get("content-encoding") == "gzip":
            payload = gzip.compress(payload)
        chunked = cap.is_sse or names.get("transfer-encoding") == "chunked"
        self.send_response_only(cap.status)
        for key, value in headers:
            if key.lower() not in _HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header(
            "Transfer-Encoding" if chunked else "Content-Length", "chunked" if chunked else str(len(payload))
        )
        self.end_headers()
        if not chunked:
            self.wfile.write(payload)
            return
        pieces = network_chunks(payload) if cap.is_sse and cap.status < 400 else [payload]
        for piece in pieces:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
            time.sleep(0.002)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class ReplayServer(ThreadingHTTPServer):
    """Serves `capture` to every request on 127.0.0.1 and logs what the client sent."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.capture: Capture | None = None
        self.log: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/compatible-mode/v1"

    def load(self, name: str) -> Capture:
        self.capture = load(name)
        self.log.clear()
        return self.capture

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)

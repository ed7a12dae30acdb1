"""Bench servers run in their own process: the emulator (optionally with per-request latency) and a tool-call SSE stand-in.

Usage (prints the base URL on the first stdout line, serves until killed):

    python bench/_serve.py emulator [--latency 0.1] [--tool-arg-piece-tokens 1]
    python bench/_serve.py tool-stream [--pieces 2000]
    python bench/_serve.py lean [--latency 0.1]

`emulator` is the DashScope emulator; `--latency S` holds every request S seconds (in its own handler
thread) before it is answered, `--tool-arg-piece-tokens N` streams tool-call arguments N tokens per delta.

`tool-stream` (a cross-check of the emulator's tool stream) answers every POST with one streamed tool
call whose arguments arrive in `--pieces` fragments, in DashScope's wire shape (F3.3: the first delta
carries id and name, continuations `id: ""` and `name: null`, `finish_reason: "tool_calls"` on the last
fragment, then the usage chunk and `[DONE]`).

`lean` is an asyncio server that answers every POST, after `--latency` seconds, with one canned
non-stream completion in DashScope's shape. It spends ~0.1 ms of CPU per request (the emulator spends
milliseconds tokenizing and validating), so a concurrent batch against it measures the client's own
per-request cost instead of the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOOL_NAME = "record_note"
CALL_ID = "call_0123456789abcdef01234567"


def tool_call_arguments(pieces: int) -> list[str]:
    """`pieces` argument fragments whose concatenation is `{"text": "w0 w1 ..."}` (valid JSON)."""
    words = [f" w{i}" for i in range(max(pieces - 2, 1))]
    return ['{"text": "', *words, '"}']


def tool_stream_body(pieces: int) -> bytes:
    """The whole SSE body of a tool-call stream, as DashScope frames it (compact JSON, one event per chunk)."""
    common = {"created": 1764460800, "model": "qwen-plus", "object": "chat.completion.chunk"}
    chat_id = "chatcmpl-bench-tool-stream"
    events = []

    def event(choices: list[dict[str, Any]], usage: Any = None) -> None:
        obj = {"id": chat_id, "choices": choices, **common, "service_tier": None, "system_fingerprint": None}
        obj["usage"] = usage
        events.append("data: " + json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n\n")

    first = {"content": "", "function_call": None, "refusal": None, "role": "assistant", "tool_calls": None}
    event([{"delta": first, "finish_reason": None, "index": 0, "logprobs": None}])
    args = tool_call_arguments(pieces)
    for j, piece in enumerate(args):
        call = {
            "index": 0,
            "id": CALL_ID if j == 0 else "",
            "type": "function",
            "function": {"name": TOOL_NAME if j == 0 else None, "arguments": piece},
        }
        delta = {"content": "", "function_call": None, "refusal": None, "role": None, "tool_calls": [call]}
        finish = "tool_calls" if j == len(args) - 1 else None
        event([{"delta": delta, "finish_reason": finish, "index": 0, "logprobs": None}])
    usage = {"prompt_tokens": 20, "completion_tokens": len(args), "total_tokens": 20 + len(args)}
    event([], usage)
    events.append("data: [DONE]\n\n")
    return "".join(events).encode()


def _tool_handler(body: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream;charset=UTF-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("x-request-id", "bench-request")
            self.end_headers()
            step = 32 * 1024  # the emulator's write size
            for i in range(0, len(body), step):
                part = body[i : i + step]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")

    return Handler


LEAN_BODY = json.dumps(
    {
        "id": "chatcmpl-bench-lean",
        "object": "chat.completion",
        "created": 1764460800,
        "model": "qwen-plus",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Emulated reply: a short answer."},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 8, "total_tokens": 28},
        "service_tier": None,
        "system_fingerprint": None,
    },
    separators=(",", ":"),
).encode()
LEAN_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: bench-request\r\n"
    b"Content-Length: %d\r\n\r\n" % len(LEAN_BODY)
)


async def _lean_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, latency: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            if latency:
                await asyncio.sleep(latency)
            writer.write(LEAN_HEAD + LEAN_BODY)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve_lean(latency: float) -> None:
    server = await asyncio.start_server(lambda r, w: _lean_connection(r, w, latency), "127.0.0.1", 0, backlog=512)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}/compatible-mode/v1", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["emulator", "tool-stream", "lean"])
    parser.add_argument("--api-key", default="sk-bench")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--pieces", type=int, default=2000)
    parser.add_argument("--tool-arg-piece-tokens", type=int, default=None)
    args = parser.parse_args()
    if args.kind == "lean":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve_lean(args.latency))
        return
    if args.kind == "emulator":
        from langchain_qwen.testing.emulator import DashScopeEmulator

        emu = DashScopeEmulator(
            api_key=args.api_key, latency=args.latency, tool_arg_piece_tokens=args.tool_arg_piece_tokens
        )
        emu.start()
        print(emu.base_url, flush=True)
    else:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _tool_handler(tool_stream_body(args.pieces)))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"http://127.0.0.1:{server.server_address[1]}/compatible-mode/v1", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


if __name__ == "__main__":
    main()

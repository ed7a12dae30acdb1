"""Streaming: an SSE decoder tolerant of DashScope's frame quirks, and the per-stream state/accumulator."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, Protocol

from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from langchain_qwen._client import DEADLINE_KEY, Deadline, HttpMeta, Watchdog, response_json
from langchain_qwen._errors import (
    ErrorContext,
    QwenTimeoutError,
    interrupted,
    redact,
    stream_payload_error,
)
from langchain_qwen._json import loads
from langchain_qwen._parse import (
    content_chunk,
    delta_chunk,
    fallback_call_id,
    http_metadata,
    message_from_chunks,
    result_of,
    usage_chunk,
)
from langchain_qwen._transport import FINISH_KEY

try:
    from openai._httpx2 import request_exceptions, timeout_exceptions
except ImportError:  # pragma: no cover
    import httpx2

    def timeout_exceptions() -> tuple[type[httpx2.TimeoutException], ...]:
        return (httpx2.TimeoutException,)

    def request_exceptions() -> tuple[type[Exception], ...]:
        return (httpx2.RequestError,)


DONE = object()
"""Sentinel yielded for `data: [DONE]`."""


class UndecodableStreamError(ValueError):
    """The event stream held something that is not an SSE frame of JSON (a gateway error page, a cut frame)."""

    def __init__(self, what: str, data: bytes) -> None:
        self.text = data[:300].decode("utf-8", "replace")
        super().__init__(f"{what}: {self.text!r}")


class SSEDecoder:
    """Incremental `text/event-stream` decoder yielding parsed `data:` JSON payloads and `DONE`.

    Data that cannot be decoded (a cut JSON frame, a gateway's HTML page) comes out as an
    `UndecodableStreamError` item, after the events before it, for the driver to raise.

    Lines are split without re-copying growing prefixes. Beyond the WHATWG rules it copes with two
    DashScope gateway quirks (F2.2): frames not separated by blank lines (several complete JSON
    `data:` lines in one event) and one JSON value split over consecutive `data:` lines.
    """

    __slots__ = ("_buf", "_data", "_scan")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._scan = 0
        self._data: list[bytes] = []

    def feed(self, chunk: bytes) -> list[Any]:
        buf = self._buf
        buf += chunk
        nl = buf.rfind(b"\n", self._scan)
        if nl < 0:
            self._scan = len(buf)
            return []
        block = bytes(buf[:nl])
        del buf[: nl + 1]
        self._scan = 0
        out: list[Any] = []
        data = self._data
        for line in block.split(b"\n"):
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                if data:
                    self._data = []
                    self._dispatch(data, out)
                    data = self._data
            elif line.startswith(b"data:"):
                data.append(line[6:] if line[5:6] == b" " else line[5:])
            elif line[:1] in (b"<", b"{"):
                out.append(self._foreign(line, block))
                if out[-1].__class__ is UndecodableStreamError:
                    break
            # comments (":") and event/id/retry fields carry nothing the client needs
        return out

    @staticmethod
    def _foreign(line: bytes, block: bytes) -> Any:
        """A line outside SSE framing: a bare JSON object (an error body) is kept; HTML and the rest are an error
        item (returned in order, after the events before it, for the driver to raise)."""
        if line[:1] == b"{":
            try:
                return json.loads(line)
            except ValueError:
                pass
        start = block.find(line)
        return UndecodableStreamError("the event stream carried text that is not an event", block[start:])

    def finish(self) -> list[Any]:
        out: list[Any] = []
        if self._buf:
            out.extend(self.feed(b"\n"))
        if self._data:
            lines, self._data = self._data, []
            self._dispatch(lines, out)
        return out

    @staticmethod
    def _dispatch(lines: list[bytes], out: list[Any]) -> None:
        if len(lines) == 1:
            line = lines[0]
            if line.startswith(b"[DONE]"):
                out.append(DONE)
                return
            try:
                out.append(loads(line))
            except ValueError:
                out.append(UndecodableStreamError("undecodable event-stream data", line))
            return
        try:
            out.append(loads(b"\n".join(lines)))
            return
        except ValueError:
            pass
        pending = b""
        for line in lines:
            if line.startswith(b"[DONE]") and not pending:
                out.append(DONE)
                continue
            pending += line
            try:
                out.append(loads(pending))
                pending = b""
            except ValueError:
                continue
        if pending:
            out.append(UndecodableStreamError("undecodable event-stream data", pending))


class StreamState:
    """Turns one stream's wire chunks into LangChain chunks; invoke's aggregate is built from those same chunks.

    * the first non-null `finish_reason` of a choice is final; later duplicates are dropped (F2.2);
    * cumulative streams (qwen-mt-plus/turbo, F2.3) are turned into true deltas;
    * exactly one chunk carries usage;
    * every chunk of choice 0 is kept (a reference per chunk), so `partial()` can hand what arrived to an
      error; with `aggregate=True` the other choices' chunks are kept too and `result()` merges each
      choice's chunks into the `ChatResult` that invoke returns.
    """

    def __init__(
        self, meta: HttpMeta | None, *, cumulative: bool = False, aggregate: bool = False, audio: bool = False
    ) -> None:
        self.meta = meta
        self.cumulative = cumulative
        self.aggregate = aggregate
        self.audio = audio
        self.audio_pending = b""
        self.audio_started = False
        self.done = False
        self.first = True
        self.finished: set[int] = set()
        self.prev_text: dict[int, str] = {}
        self.top: dict[str, Any] = {}
        self.usage: Mapping[str, Any] | None = None
        self.chunks: dict[int, list[ChatGenerationChunk]] = {0: []}
        self.call_ids: set[tuple[int, int]] = set()

    def _text(self, index: int, content: str | None) -> str:
        if not content:
            return ""
        if not self.cumulative:
            return content
        prev = self.prev_text.get(index, "")
        self.prev_text[index] = content
        if content.startswith(prev):
            return content[len(prev) :]
        # The server revised earlier text; emit the part after the common prefix.
        return content[len(os.path.commonprefix((prev, content))) :]  # noqa: RUF071 - text, not paths

    def feed(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        """LangChain chunks for one wire chunk (choice 0 only; other choices are kept when aggregating)."""
        out: list[ChatGenerationChunk] = []
        if not self.top:
            self.top = {k: obj.get(k) for k in ("id", "created", "model")}
        for choice in obj.get("choices") or ():
            index = choice.get("index", 0)
            if index == 0 or self.aggregate:
                made = self._choice_chunks(obj, choice, index)
                self.chunks.setdefault(index, []).extend(made)
                if index == 0:
                    out.extend(made)
        usage = obj.get("usage")
        if usage and self.usage is None:  # DashScope may repeat it: report it once
            self.usage = usage
            chunk = usage_chunk(usage, obj.get("id"))
            self.chunks[0].append(chunk)
            out.append(chunk)
        return out

    def _finish_meta(self, obj: Mapping[str, Any], choice: Mapping[str, Any], index: int) -> dict[str, Any] | None:
        finish = choice.get("finish_reason")
        meta: dict[str, Any] | None = None
        if finish and index not in self.finished:
            self.finished.add(index)
            meta = {"finish_reason": finish, "model_name": obj.get("model")}
        if index == 0 and self.first:
            self.first = False
            extra = http_metadata(self.meta)
            if extra:
                meta = {**extra, **(meta or {})}
        return meta

    def _choice_chunks(
        self, obj: Mapping[str, Any], choice: Mapping[str, Any], index: int
    ) -> list[ChatGenerationChunk]:
        delta = choice.get("delta") or {}
        text = self._text(index, delta.get("content"))
        finish_meta = self._finish_meta(obj, choice, index)
        if delta.get("tool_calls"):
            delta = self._with_call_ids(index, delta)
        if self.audio and index == 0:
            return self._audio_chunks(delta, text, finish_meta, obj.get("id"))
        if text or finish_meta or (len(delta) > 0 and _has_payload(delta)):
            return [delta_chunk(delta, text, finish_meta, obj.get("id"))]
        return []

    def _with_call_ids(self, choice: int, delta: Mapping[str, Any]) -> Mapping[str, Any]:
        """Give the first fragment of each tool call an id when the server sent none (continuations keep "")."""
        calls = []
        changed = False
        for tc in delta["tool_calls"]:
            key = (choice, tc.get("index", 0))
            if key not in self.call_ids:  # a call's first fragment
                self.call_ids.add(key)
                if not tc.get("id"):
                    tc = {**tc, "id": fallback_call_id()}
                    changed = True
            calls.append(tc)
        return {**delta, "tool_calls": calls} if changed else delta

    def _audio_chunks(
        self, delta: Mapping[str, Any], text: str, finish_meta: dict[str, Any] | None, chunk_id: str | None
    ) -> list[ChatGenerationChunk]:
        """Omni with audio output: text as block index 0, PCM as block index 1 in 3-byte-aligned base64 pieces,
        so that merged chunks hold one valid base64 string of the whole PCM; other audio fields (id, expiry,
        transcript) ride in `additional_kwargs["audio"]`."""
        audio = delta.get("audio") or {}
        text = text or audio.get("transcript") or ""
        blocks: list[dict[str, Any]] = []
        if text:
            blocks.append({"type": "text", "text": text, "index": 0})
        if audio.get("data"):
            self.audio_pending += base64.b64decode(audio["data"])
            cut = len(self.audio_pending) - len(self.audio_pending) % 3
            if cut:
                blocks.append(self._audio_block(self.audio_pending[:cut]))
                self.audio_pending = self.audio_pending[cut:]
        facts = {k: v for k, v in audio.items() if k != "data"}
        if not blocks and not finish_meta and not facts:
            return []
        return [content_chunk(blocks, finish_meta, chunk_id, {"audio": facts} if facts else None)]

    def _audio_block(self, data: bytes) -> dict[str, Any]:
        block: dict[str, Any] = {"type": "audio", "base64": base64.b64encode(data).decode("ascii"), "index": 1}
        if not self.audio_started:
            self.audio_started = True
            block["mime_type"] = "audio/pcm;rate=24000;channels=1;bits=16"
        return block

    def flush(self) -> list[ChatGenerationChunk]:
        """The last audio bytes held back for alignment, at the end of the stream."""
        if not self.audio_pending:
            return []
        block = self._audio_block(self.audio_pending)
        self.audio_pending = b""
        chunk = content_chunk([block], None, self.top.get("id"))
        self.chunks[0].append(chunk)
        return [chunk]

    def partial(self) -> AIMessage | None:
        """The message assembled from the chunks so far (None before any), kept on errors so nothing is lost."""
        if not self.chunks[0] and len(self.chunks) == 1:
            return None
        try:
            return self.result().generations[0].message  # type: ignore[return-value]
        except ValueError:
            return None

    def result(self) -> ChatResult:
        """The whole stream as invoke's `ChatResult`: each choice's chunks merged (one generation per choice)."""
        messages = [message_from_chunks(self.chunks[index], self.top.get("id")) for index in sorted(self.chunks)]
        return result_of(messages, self.usage, self.top.get("model"))


def _has_payload(delta: Mapping[str, Any]) -> bool:
    return bool(
        delta.get("reasoning_content") or delta.get("reasoning") or delta.get("tool_calls") or delta.get("audio")
    )


class Assembler(Protocol):
    """What `iter_chunks` drives: turns parsed wire chunks into LangChain chunks (chat or completion)."""

    done: bool

    def feed(self, obj: Mapping[str, Any]) -> list[Any]: ...

    def flush(self) -> list[Any]: ...

    def partial(self) -> Any: ...


def _decode_failure(exc: Exception, response: Any, state: Assembler, deadline: Deadline | None) -> Exception:
    partial = state.partial()
    if deadline is not None and deadline.remaining() <= 0:
        return deadline.error(response.request, partial)
    if isinstance(exc, timeout_exceptions()):
        return redact(QwenTimeoutError(request=response.request, partial=partial))  # type: ignore[return-value]
    if isinstance(exc, UndecodableStreamError):
        return interrupted(response.request, partial, str(exc))
    return interrupted(response.request, partial, f"{type(exc).__name__}: {exc}")


def _handle(item: Any, response: Any, state: Assembler, ctx: ErrorContext) -> list[Any]:
    if item is DONE:
        state.done = True
        return state.flush()
    if item.__class__ is UndecodableStreamError:
        raise item
    if isinstance(item, Mapping) and item.get("error") is not None and not item.get("choices"):
        exc = stream_payload_error(response, item, ctx)
        exc.partial = state.partial()  # type: ignore[attr-defined]
        raise exc
    return state.feed(item)


def _failures() -> tuple[type[Exception], ...]:
    return (*request_exceptions(), UndecodableStreamError)


def _not_a_stream(response: Any) -> bool:
    """True when the server answered a stream request with a whole JSON/HTML/text body instead of SSE."""
    ctype = (getattr(response, "headers", None) or {}).get("content-type", "").lower()
    return bool(ctype) and "event-stream" not in ctype


def _body_error(response: Any, ctx: ErrorContext) -> Exception:
    """The typed error for a non-SSE answer to a stream request (the server's own text kept)."""
    try:
        response_json(response, ctx)
    except Exception as exc:  # response_json raises only typed errors
        return exc
    return interrupted(response.request, None, f"expected an event stream, got {response.content[:300]!r}")


def _ended(response: Any, state: Assembler, deadline: Deadline | None, watchdog: Watchdog | None) -> None:
    if state.done:
        return
    if deadline is not None and (deadline.remaining() <= 0 or (watchdog is not None and watchdog.fired)):
        raise deadline.error(response.request, state.partial())
    raise interrupted(response.request, state.partial(), "connection closed")


def iter_chunks(response: Any, state: Assembler, ctx: ErrorContext) -> Iterator[Any]:
    """Chunks from a streaming `httpx2.Response` (chat or completion, per `state`).

    Handles `[DONE]`, in-band `{"error": ...}` payloads, a non-SSE body, undecodable frames, transport
    failures, the call's deadline and a stream cut before `[DONE]` as typed errors carrying
    `state.partial()`, and always closes the response.
    """
    deadline: Deadline | None = (getattr(response, "extensions", None) or {}).get(DEADLINE_KEY)
    watchdog = Watchdog(response, deadline) if deadline is not None else None
    decoder = SSEDecoder()
    try:
        if _not_a_stream(response):
            response.read()
            raise _body_error(response, ctx)
        try:
            for raw in response.iter_bytes():
                for item in decoder.feed(raw):
                    yield from _handle(item, response, state, ctx)
                if state.done:
                    if finish := (getattr(response, "extensions", None) or {}).get(FINISH_KEY):
                        finish()  # the body's terminator, so the connection is kept
                    break
                if deadline is not None and deadline.remaining() <= 0:
                    raise deadline.error(response.request, state.partial())
            else:
                for item in decoder.finish():
                    yield from _handle(item, response, state, ctx)
        except _failures() as exc:
            raise _decode_failure(exc, response, state, deadline) from exc
        _ended(response, state, deadline, watchdog)
    finally:
        if watchdog is not None:
            watchdog.cancel()
        response.close()


async def _next_raw(chunks: AsyncIterator[bytes], deadline: Deadline | None) -> bytes | None:
    """The next body chunk (None at the end), waiting no longer than the deadline allows."""
    try:
        if deadline is None:
            return await chunks.__anext__()
        return await asyncio.wait_for(chunks.__anext__(), max(deadline.remaining(), 0.0))
    except StopAsyncIteration:
        return None


async def aiter_chunks(response: Any, state: Assembler, ctx: ErrorContext) -> AsyncIterator[Any]:
    """Async twin of `iter_chunks`."""
    deadline: Deadline | None = (getattr(response, "extensions", None) or {}).get(DEADLINE_KEY)
    decoder = SSEDecoder()
    chunks = response.aiter_bytes()
    try:
        if _not_a_stream(response):
            await response.aread()
            raise _body_error(response, ctx)
        try:
            while (raw := await _next_raw(chunks, deadline)) is not None:
                for item in decoder.feed(raw):
                    for chunk in _handle(item, response, state, ctx):
                        yield chunk
                if state.done:
                    if finish := (getattr(response, "extensions", None) or {}).get(FINISH_KEY):
                        await finish()  # the body's terminator, so the connection is kept
                    break
                if deadline is not None and deadline.remaining() <= 0:
                    raise deadline.error(response.request, state.partial())
            else:
                for item in decoder.finish():
                    for chunk in _handle(item, response, state, ctx):
                        yield chunk
        except asyncio.TimeoutError as exc:
            raise deadline.error(response.request, state.partial()) from exc  # type: ignore[union-attr]
        except _failures() as exc:
            raise _decode_failure(exc, response, state, deadline) from exc
        _ended(response, state, deadline, None)
    finally:
        await response.aclose()


__all__ = ["DONE", "Assembler", "SSEDecoder", "StreamState", "UndecodableStreamError", "aiter_chunks", "iter_chunks"]

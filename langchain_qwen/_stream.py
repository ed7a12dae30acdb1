"""Streaming: an SSE decoder tolerant of DashScope's frame quirks, and the per-stream state/accumulator."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.outputs import ChatGenerationChunk

from langchain_qwen._client import DEADLINE_KEY, Deadline, HttpMeta, Watchdog, response_json
from langchain_qwen._errors import (
    ErrorContext,
    QwenTimeoutError,
    interrupted,
    redact,
    stream_payload_error,
)
from langchain_qwen._parse import chat_result, content_chunk, delta_chunk, fallback_call_id, http_metadata, usage_chunk

try:
    from openai._httpx2 import request_exceptions, timeout_exceptions
except ImportError:  # pragma: no cover
    import httpx2

    def timeout_exceptions() -> tuple[type[Exception], ...]:
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
                out.append(json.loads(line))
            except ValueError:
                out.append(UndecodableStreamError("undecodable event-stream data", line))
            return
        try:
            out.append(json.loads(b"\n".join(lines)))
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
                out.append(json.loads(pending))
                pending = b""
            except ValueError:
                continue
        if pending:
            out.append(UndecodableStreamError("undecodable event-stream data", pending))


@dataclass
class _ChoiceAcc:
    content: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    tool_calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    audio: list[bytes] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    audio_meta: dict[str, Any] = field(default_factory=dict)
    finish_reason: str | None = None


class StreamState:
    """Turns one stream's chunk dicts into LangChain chunks and/or an aggregated completion.

    * the first non-null `finish_reason` of a choice is final; later duplicates are dropped (F2.2);
    * cumulative streams (qwen-mt-plus/turbo, F2.3) are turned into true deltas;
    * exactly one chunk carries usage;
    * with `aggregate=True` it also accumulates text, reasoning, audio and tool calls keyed by
      tool-call `index` into a completion dict that the non-stream parser reads (`completion()`).
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
        self.usage_sent = False
        self.finished: set[int] = set()
        self.prev_text: dict[int, str] = {}
        self.top: dict[str, Any] = {}
        self.usage: Mapping[str, Any] | None = None
        self.choices: dict[int, _ChoiceAcc] = {}
        self.call_ids: dict[tuple[int, int], str] = {}

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
        i = 0
        for a, b in zip(prev, content, strict=False):
            if a != b:
                break
            i += 1
        return content[i:]

    def feed(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        """LangChain chunks for one wire chunk (choice 0 only; other choices are aggregated)."""
        out: list[ChatGenerationChunk] = []
        chunk_id = obj.get("id")
        if not self.top:
            self.top = {k: obj.get(k) for k in ("id", "created", "model")}
        for choice in obj.get("choices") or ():
            index = choice.get("index", 0)
            delta = choice.get("delta") or {}
            text = self._text(index, delta.get("content"))
            finish = choice.get("finish_reason")
            finish_meta: dict[str, Any] | None = None
            if finish and index not in self.finished:
                self.finished.add(index)
                finish_meta = {"finish_reason": finish, "model_name": obj.get("model")}
            elif finish:
                finish = None
            if delta.get("tool_calls"):
                delta = self._with_call_ids(index, delta)
            if self.aggregate:
                self._accumulate(index, delta, text, finish)
            if index != 0:
                continue
            if self.first:
                self.first = False
                extra = http_metadata(self.meta)
                if extra:
                    finish_meta = {**extra, **(finish_meta or {})}
            if self.audio:
                out.extend(self._audio_chunks(delta, text, finish_meta, chunk_id))
            elif text or finish_meta or (len(delta) > 0 and _has_payload(delta)):
                out.append(delta_chunk(delta, text, finish_meta, chunk_id))
        usage = obj.get("usage")
        if usage and not self.usage_sent:
            self.usage_sent = True
            self.usage = usage
            out.append(usage_chunk(usage, chunk_id))
        return out

    def _with_call_ids(self, choice: int, delta: Mapping[str, Any]) -> Mapping[str, Any]:
        """Give the first fragment of each tool call an id when the server sent none (continuations keep "")."""
        calls = []
        changed = False
        for tc in delta["tool_calls"]:
            key = (choice, tc.get("index", 0))
            if key not in self.call_ids:
                self.call_ids[key] = tc.get("id") or fallback_call_id()
                if not tc.get("id"):
                    tc = {**tc, "id": self.call_ids[key]}
                    changed = True
            calls.append(tc)
        return {**delta, "tool_calls": calls} if changed else delta

    def _audio_chunks(
        self, delta: Mapping[str, Any], text: str, finish_meta: dict[str, Any] | None, chunk_id: str | None
    ) -> list[ChatGenerationChunk]:
        """Omni with audio output: text as block index 0, PCM as block index 1 in 3-byte-aligned base64 pieces,
        so that merged chunks hold one valid base64 string of the whole PCM."""
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
        if not blocks and not finish_meta:
            return []
        return [content_chunk(blocks, finish_meta, chunk_id)]

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
        return [content_chunk([block], None, self.top.get("id"))]

    def _accumulate(self, index: int, delta: Mapping[str, Any], text: str, finish: str | None) -> None:
        acc = self.choices.get(index)
        if acc is None:
            acc = self.choices[index] = _ChoiceAcc()
        if text:
            acc.content.append(text)
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if reasoning:
            acc.reasoning.append(reasoning)
        audio = delta.get("audio")
        if audio:
            if audio.get("data"):
                acc.audio.append(base64.b64decode(audio["data"]))
            if audio.get("transcript"):
                acc.transcript.append(audio["transcript"])
            acc.audio_meta.update({k: v for k, v in audio.items() if k not in ("data", "transcript")})
        for tc in delta.get("tool_calls") or ():
            slot = acc.tool_calls.setdefault(tc.get("index", 0), {"id": None, "name": None, "args": []})
            fn = tc.get("function") or {}
            if tc.get("id"):
                slot["id"] = tc["id"]
            if fn.get("name"):
                slot["name"] = fn["name"]
            if fn.get("arguments"):
                slot["args"].append(fn["arguments"])
        if finish:
            acc.finish_reason = finish

    def partial(self) -> Any:
        """The message aggregated so far (None when not aggregating), kept on errors so nothing is lost."""
        if not self.aggregate or not self.choices:
            return None
        try:
            return chat_result(self.completion(), self.meta).generations[0].message
        except ValueError:
            return None

    def completion(self) -> dict[str, Any]:
        """The aggregated stream in non-stream `chat.completion` shape."""
        choices = []
        for index in sorted(self.choices) or [0]:
            acc = self.choices.get(index) or _ChoiceAcc()
            message: dict[str, Any] = {"role": "assistant", "content": "".join(acc.content)}
            if acc.reasoning:
                message["reasoning_content"] = "".join(acc.reasoning)
            if acc.tool_calls:
                message["tool_calls"] = [
                    {
                        "id": slot["id"],
                        "type": "function",
                        "index": i,
                        "function": {"name": slot["name"], "arguments": "".join(slot["args"])},
                    }
                    for i, slot in sorted(acc.tool_calls.items())
                ]
            if acc.audio or acc.transcript:
                message["audio"] = {**acc.audio_meta, "data": base64.b64encode(b"".join(acc.audio)).decode("ascii")}
                if acc.transcript:
                    message["audio"]["transcript"] = "".join(acc.transcript)
                    if not message["content"]:
                        message["content"] = message["audio"]["transcript"]
            choices.append({"index": index, "message": message, "finish_reason": acc.finish_reason})
        return {**self.top, "object": "chat.completion", "choices": choices, "usage": self.usage}


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

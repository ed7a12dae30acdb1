"""Where a stream's and a call's time goes: layered timing, garbage-collector work, tracked objects, cProfile.

Usage: python bench/bench_profile.py [--rounds 9] [--only layers,gc,objects,profile] [--top 20]

* layers: the 5,000-text-chunk stream (and the 4,000 + 1,000 reasoning one) taken apart on recorded
  bytes: SSE splitting + `json.loads` (and the same with `orjson.loads`), the assembly into LangChain
  chunks (`StreamState.feed`), LangChain core's own `stream` wrapper over prepared chunks (the floor),
  and the whole `ChatQwen.stream` over HTTP; each with the collector on, and the whole stream once more
  after `gc.freeze()` to show the collector's share.
* gc: collections per generation and the time spent in them during one whole stream / one abatch.
* objects: GC-tracked objects reachable from one chunk (text, reasoning, tool-call fragment), ours
  and the raw SDK's typed chunk.
* profile: cProfile of `stream` (text, tool call), 200 `invoke`s and 200 `ainvoke`s, top functions by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import statistics
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import openai
from _harness import KEY, arun, load, serve, shutdown
from bench_core import MODEL, TOOL, TOOL_PIECES, StreamCase, tool_clients, tool_prompt
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from langchain_qwen import ChatQwen, _stream
from langchain_qwen._client import HttpMeta
from langchain_qwen._stream import SSEDecoder, StreamState

try:
    import orjson
except ImportError:  # pragma: no cover
    orjson = None


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    fn()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def record(base_url: str, body: dict[str, Any]) -> list[bytes]:
    """The raw SSE body of one streamed request, in the pieces the transport handed over."""
    client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)
    response = client.post("/chat/completions", cast_to=httpx2.Response, body=body, stream=True)
    try:
        return list(response.iter_bytes())
    finally:
        response.close()


class Prepared(BaseChatModel):
    """A chat model whose `_stream` yields already-built chunks: LangChain core's own per-chunk cost."""

    chunks: list[Any]

    @property
    def _llm_type(self) -> str:
        return "prepared"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        raise NotImplementedError

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self.chunks:
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


def decode(pieces: list[bytes]) -> list[Any]:
    decoder = SSEDecoder()
    out: list[Any] = []
    for piece in pieces:
        out.extend(decoder.feed(piece))
    out.extend(decoder.finish())
    return out


def decode_orjson(pieces: list[bytes]) -> list[Any]:
    saved = _stream.json
    _stream.json = types.SimpleNamespace(loads=orjson.loads)  # type: ignore[assignment]
    try:
        return decode(pieces)
    finally:
        _stream.json = saved  # type: ignore[assignment]


def assemble(objs: list[Any]) -> list[Any]:
    state = StreamState(HttpMeta(request_id="r"))
    out: list[Any] = []
    for obj in objs:
        if obj is _stream.DONE:
            break
        out.extend(state.feed(obj))
    return out


def layers(case: StreamCase, base_url: str, rounds: int) -> None:
    pieces = record(base_url, case.body)
    objs = decode(pieces)
    chunks = assemble(objs)
    floor = Prepared(chunks=chunks)
    rows = [
        ("SSE split + json.loads", lambda: decode(pieces)),
        ("SSE split + orjson.loads", (lambda: decode_orjson(pieces)) if orjson else None),
        ("assembly (StreamState.feed)", lambda: assemble(objs)),
        ("core stream() over prepared chunks", lambda: list(floor.stream("x"))),
        ("ChatQwen.stream over HTTP (whole)", case.chat_qwen),
        ("raw SDK typed over HTTP", case.raw_typed),
    ]
    print(f"layers: {case.name} ({len(chunks)} LangChain chunks, {sum(map(len, pieces)) / 1024:.0f} KiB), {load()}")
    for label, fn in rows:
        if fn is not None:
            print(f"  {label:<40} {median_ms(fn, rounds):8.1f} ms")
    case.chat_qwen()
    gc.freeze()
    try:
        print(f"  {'ChatQwen.stream after gc.freeze()':<40} {median_ms(case.chat_qwen, rounds):8.1f} ms")
    finally:
        gc.unfreeze()


class GcWatch:
    """Counts collections per generation and the time spent in them (gc.callbacks)."""

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.seconds = 0.0
        self._t0 = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
            self.count[info["generation"]] += 1
        else:
            self.seconds += time.perf_counter() - self._t0

    def run(self, fn: Callable[[], object]) -> str:
        fn()
        gc.callbacks.append(self)
        t0 = time.perf_counter()
        try:
            fn()
        finally:
            gc.callbacks.remove(self)
        total = time.perf_counter() - t0
        return (
            f"collections gen0/1/2 = {self.count[0]}/{self.count[1]}/{self.count[2]}, "
            f"{self.seconds * 1000:.1f} ms of {total * 1000:.1f} ms in the collector"
        )


def tracked_reachable(obj: Any) -> int:
    """GC-tracked objects reachable from `obj` (classes and modules excluded), `obj` included."""
    seen: set[int] = set()
    stack = [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen or isinstance(o, (type, types.ModuleType, types.FunctionType)) or not gc.is_tracked(o):
            continue
        seen.add(id(o))
        stack.extend(gc.get_referents(o))
    return len(seen)


def objects(text: StreamCase, reasoning: StreamCase, tool_url: str) -> None:
    print("tracked objects reachable from one chunk (fewer = less collector work per chunk):")
    ours = list(text.llm.stream(text.prompt))
    print(f"  ChatQwen text chunk           {tracked_reachable(ours[len(ours) // 2])}")
    ours = list(reasoning.llm.stream(reasoning.prompt))
    print(f"  ChatQwen reasoning chunk      {tracked_reachable(ours[len(ours) // 3])}")
    llm = ChatQwen(model=MODEL, api_key=KEY, base_url=tool_url, max_retries=0).bind_tools([TOOL])
    ours = list(llm.stream(tool_prompt(200)))
    print(f"  ChatQwen tool-call fragment   {tracked_reachable(ours[len(ours) // 2])}")
    raw = list(text.sync.chat.completions.create(**text.kwargs))
    print(f"  raw SDK typed text chunk      {tracked_reachable(raw[len(raw) // 2])}")
    held: list[Any] = []
    gc.collect()
    before = len(gc.get_objects())
    for chunk in text.llm.stream(text.prompt):
        held.append(chunk)
    after = len(gc.get_objects())
    print(f"  tracked objects alive after one text stream, per chunk held: {(after - before) / len(held):.1f}")


def profile(label: str, fn: Callable[[], object], top: int) -> None:
    fn()
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    print(f"== cProfile: {label} (top {top} by own time)")
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("\n".join(line[:160] for line in lines[start - 4 : start + top + 1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--only", default="layers,gc,objects,profile")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    only = set(args.only.split(","))
    with serve("emulator") as base_url, serve("emulator", "--tool-arg-piece-tokens", "1") as tool_url:
        text = StreamCase("text 5,000", base_url, thinking=False)
        reasoning = StreamCase("reasoning 4,000 + text 1,000", base_url, thinking=True)
        tool_stream = tool_clients(tool_url)[0]["ChatQwen.stream"]
        invoke_llm = ChatQwen(model=MODEL, api_key=KEY, base_url=base_url, max_retries=0)
        if "layers" in only:
            layers(text, base_url, args.rounds)
            layers(reasoning, base_url, args.rounds)
        if "gc" in only:
            print(f"gc during ChatQwen.stream, text 5,000: {GcWatch().run(text.chat_qwen)}")
            print(f"gc during raw SDK typed stream, text 5,000: {GcWatch().run(text.raw_typed)}")
            print(f"gc during ChatQwen.stream, tool call: {GcWatch().run(tool_stream)}")
        if "objects" in only:
            objects(text, reasoning, tool_url)
        if "profile" in only:
            profile("ChatQwen.stream, text 5,000", text.chat_qwen, args.top)
            profile(f"ChatQwen.stream, tool call in {TOOL_PIECES} pieces", tool_stream, args.top)
            profile("200 x ChatQwen.invoke", lambda: [invoke_llm.invoke("Hello") for _ in range(200)], args.top)

            async def ainvokes() -> None:
                for _ in range(200):
                    await invoke_llm.ainvoke("Hello")

            async def abatch() -> None:
                await invoke_llm.abatch([f"q{i}" for i in range(256)], config={"max_concurrency": 64})

            profile("200 x ChatQwen.ainvoke", lambda: arun(ainvokes()), args.top)
            print(f"gc during ChatQwen.abatch of 256: {GcWatch().run(lambda: arun(abatch()))}")
            profile("ChatQwen.abatch of 256", lambda: arun(abatch()), args.top)
        shutdown()


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()

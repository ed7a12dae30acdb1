"""Core performance figures as ratios against the raw openai SDK on the same emulator, in the same run.

Usage: python bench/bench_core.py [--rounds 9] [--only stream,tool,invoke,abatch,import] [--json out.json]

Every goal of issue 14, each a same-run ratio to the raw `openai` SDK (typed chunks / typed completions),
with the garbage collector ON (as users run) and the servers in their own processes (no shared GIL):

* stream / astream over 4,000 reasoning + 1,000 text chunks and over 5,000 text chunks (target <= 0.25x);
* a tool call whose arguments arrive in 2,000 pieces (the emulator streaming arguments token by token),
  `stream` (target <= 0.35x) and `astream`;
* `invoke` vs the raw sync call (target <= 0.80x); `ainvoke` vs the raw async call (target <= 0.90x);
* `abatch` of 256 calls at 100 ms server latency, max_concurrency=64, against the ideal of 4 waves
  (0.4 s; target <= 1.3x), with the raw async SDK under the same semaphore for reference;
* import and construction (kept from earlier rounds).

Clients run interleaved round by round (machine noise hits all alike); each figure is a median over
rounds, as wall time and as this process's CPU time (the CPU ratio is the steadier one when the cores are
shared). The load average before/after each comparison is printed with it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import openai
from _harness import KEY, Comparison, acompare, arun, compare, load, report, serve, shutdown, track

from langchain_qwen import ChatQwen
from langchain_qwen._tokens import count_text

MODEL = "qwen-plus"
REASONING_CHUNKS, REASONING_TEXT_CHUNKS = 4000, 1000
TEXT_CHUNKS = 5000
TOOL_PIECES = 2000
BATCH_CALLS, BATCH_CONCURRENCY, BATCH_LATENCY = 256, 64, 0.1


def prompt_for(tokens: int, prefix: str = "Emulated reply: ", suffix: str = "") -> str:
    """A prompt `q` such that `prefix + q + suffix` is exactly `tokens` tokens (the emulator echoes it)."""

    def size(q: str) -> int:
        return count_text(prefix + q + suffix)

    words = max(tokens - size(""), 1)
    text = "word" + " word" * (words - 1)
    while size(text) > tokens:
        text = text[: text.rfind(" ")]
    while size(text) < tokens:
        text += " word"
    return text


# -- streams ------------------------------------------------------------------------------------


class StreamCase:
    """One streamed answer: the prompt, request options and the chunk counts every client must see."""

    def __init__(self, name: str, base_url: str, *, thinking: bool, scale: float = 1.0) -> None:
        self.name = name
        self.thinking = thinking
        if thinking:  # reasoning "The user asked: q I should reply by restating it."; answer capped by max_tokens
            reasoning, text = int(REASONING_CHUNKS * scale), int(REASONING_TEXT_CHUNKS * scale)
            self.prompt = prompt_for(reasoning, "The user asked: ", " I should reply by restating it.")
            self.expect = (reasoning, text)
            extra: dict[str, Any] = {"enable_thinking": True}
            self.max_tokens: int | None = text
        else:
            self.prompt = prompt_for(int(TEXT_CHUNKS * scale))
            self.expect = (0, int(TEXT_CHUNKS * scale))
            extra = {"enable_thinking": False}
            self.max_tokens = None
        self.extra = extra
        self.sync = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)
        self.aio = track(openai.AsyncOpenAI(api_key=KEY, base_url=base_url, max_retries=0))
        self.llm = ChatQwen(
            model=MODEL, api_key=KEY, base_url=base_url, max_retries=0, max_tokens=self.max_tokens, **extra
        )
        self.kwargs: dict[str, Any] = {
            "model": MODEL,
            "messages": [{"role": "user", "content": self.prompt}],
            "stream": True,
            "stream_options": {"include_usage": True},
            "extra_body": extra,
        }
        if self.max_tokens:
            self.kwargs["max_tokens"] = self.max_tokens
        self.body = {k: v for k, v in self.kwargs.items() if k != "extra_body"} | extra

    def check(self, reasoning: int, text: int) -> None:
        want_r, want_t = self.expect
        assert abs(reasoning - want_r) <= 2 and abs(text - want_t) <= 2, (self.name, reasoning, text)

    def raw_typed(self) -> None:
        r = t = 0
        for chunk in self.sync.chat.completions.create(**self.kwargs):
            if chunk.choices:
                delta = chunk.choices[0].delta
                if delta.content:
                    t += 1
                if getattr(delta, "reasoning_content", None):
                    r += 1
        self.check(r, t)

    def raw_untyped(self) -> None:
        r = t = 0
        for chunk in self.sync.post(
            "/chat/completions", cast_to=object, body=self.body, stream=True, stream_cls=openai.Stream[object]
        ):
            if chunk["choices"]:  # type: ignore[index]
                delta = chunk["choices"][0]["delta"]  # type: ignore[index]
                if delta.get("content"):
                    t += 1
                if delta.get("reasoning_content"):
                    r += 1
        self.check(r, t)

    def chat_qwen(self) -> None:
        r = t = 0
        for chunk in self.llm.stream(self.prompt):
            if chunk.content:
                t += 1
            if chunk.additional_kwargs.get("reasoning_content"):
                r += 1
        self.check(r, t)

    async def araw_typed(self) -> None:
        r = t = 0
        async for chunk in await self.aio.chat.completions.create(**self.kwargs):
            if chunk.choices:
                delta = chunk.choices[0].delta
                if delta.content:
                    t += 1
                if getattr(delta, "reasoning_content", None):
                    r += 1
        self.check(r, t)

    async def achat_qwen(self) -> None:
        r = t = 0
        async for chunk in self.llm.astream(self.prompt):
            if chunk.content:
                t += 1
            if chunk.additional_kwargs.get("reasoning_content"):
                r += 1
        self.check(r, t)


def bench_streams(base_url: str, rounds: int) -> list[Comparison]:
    out = []
    for case in (
        StreamCase("reasoning 4,000 + text 1,000", base_url, thinking=True),
        StreamCase("text 5,000", base_url, thinking=False),
    ):
        clients: dict[str, Callable[[], object]] = {
            "raw SDK typed": case.raw_typed,
            "raw SDK untyped (ref)": case.raw_untyped,
            "ChatQwen.stream": case.chat_qwen,
        }
        out.append(compare(f"stream, {case.name} chunks", clients, rounds))
        aclients = {"raw AsyncOpenAI typed": case.araw_typed, "ChatQwen.astream": case.achat_qwen}
        out.append(arun(acompare(f"astream, {case.name} chunks", aclients, rounds)))
    return out


Clients = dict[str, Callable[[], Any]]


TOOL = {
    "type": "function",
    "function": {
        "name": "record_note",
        "description": "Record a note.",
        "parameters": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    },
}


def tool_prompt(pieces: int) -> str:
    """A prompt that makes the emulator call `record_note` with `{"text": prompt}`, `pieces` tokens of arguments."""

    def size(q: str) -> int:
        return count_text(json.dumps({"text": q}, ensure_ascii=False))

    q = "Please record_note:"
    while size(q) < pieces:
        q += " word"
    return q


def tool_clients(base_url: str, pieces: int = TOOL_PIECES) -> tuple[Clients, Clients]:
    """(sync, async) clients streaming one tool call whose arguments arrive in about `pieces` fragments.

    The emulator must stream arguments token by token (`--tool-arg-piece-tokens 1`); every client must
    see the same number of fragments, within 2 of `pieces`.
    """
    prompt = tool_prompt(pieces)
    messages = [{"role": "user", "content": prompt}]
    sync = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)
    aio = track(openai.AsyncOpenAI(api_key=KEY, base_url=base_url, max_retries=0))
    llm = ChatQwen(model=MODEL, api_key=KEY, base_url=base_url, max_retries=0, enable_thinking=False).bind_tools([TOOL])
    kwargs: dict[str, Any] = {
        "model": MODEL,
        "messages": messages,
        "tools": [TOOL],
        "stream": True,
        "stream_options": {"include_usage": True},
        "extra_body": {"enable_thinking": False},
    }

    def check(n: int) -> None:
        assert abs(n - pieces) <= 2, (n, pieces)

    def raw_typed() -> None:
        n = 0
        for chunk in sync.chat.completions.create(**kwargs):
            if chunk.choices and chunk.choices[0].delta.tool_calls:
                n += 1
        check(n)

    def chat_qwen() -> None:
        n = 0
        for chunk in llm.stream(prompt):
            if chunk.tool_call_chunks:
                n += 1
        check(n)

    async def araw_typed() -> None:
        n = 0
        async for chunk in await aio.chat.completions.create(**kwargs):
            if chunk.choices and chunk.choices[0].delta.tool_calls:
                n += 1
        check(n)

    async def achat_qwen() -> None:
        n = 0
        async for chunk in llm.astream(prompt):
            if chunk.tool_call_chunks:
                n += 1
        check(n)

    return (
        {"raw SDK typed": raw_typed, "ChatQwen.stream": chat_qwen},
        {"raw AsyncOpenAI typed": araw_typed, "ChatQwen.astream": achat_qwen},
    )


def bench_tool_stream(base_url: str, rounds: int) -> list[Comparison]:
    sync, aio = tool_clients(base_url)
    name = f"tool call, arguments in {TOOL_PIECES:,} pieces"
    return [compare(f"stream, {name}", sync, rounds), arun(acompare(f"astream, {name}", aio, rounds))]


# -- single calls and batches ------------------------------------------------------------------

PROMPT = "Hello, how are you today?"


def invoke_clients(base_url: str, per_round: int) -> tuple[Clients, Clients]:
    """(sync, async) clients making `per_round` sequential non-stream calls."""
    sync = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)
    aio = track(openai.AsyncOpenAI(api_key=KEY, base_url=base_url, max_retries=0))
    llm = ChatQwen(model=MODEL, api_key=KEY, base_url=base_url, max_retries=0)
    messages = [{"role": "user", "content": PROMPT}]
    extra = {"enable_thinking": False}

    def raw() -> None:
        for _ in range(per_round):
            sync.chat.completions.create(model=MODEL, messages=messages, extra_body=extra)  # type: ignore[arg-type]

    def lc() -> None:
        for _ in range(per_round):
            llm.invoke(PROMPT)

    async def araw() -> None:
        for _ in range(per_round):
            await aio.chat.completions.create(model=MODEL, messages=messages, extra_body=extra)  # type: ignore[arg-type]

    async def alc() -> None:
        for _ in range(per_round):
            await llm.ainvoke(PROMPT)

    return {"raw SDK sync": raw, "ChatQwen.invoke": lc}, {"raw SDK async": araw, "ChatQwen.ainvoke": alc}


def bench_invoke(base_url: str, rounds: int, per_round: int) -> list[Comparison]:
    sync, aio = invoke_clients(base_url, per_round)
    return [
        compare("invoke, per call", sync, rounds, unit=per_round),
        arun(acompare("ainvoke, per call", aio, rounds, unit=per_round)),
    ]


def abatch_clients(base_url: str, calls: int = BATCH_CALLS) -> Clients:
    """Async clients running `calls` concurrent calls, at most BATCH_CONCURRENCY at a time."""
    aio = track(openai.AsyncOpenAI(api_key=KEY, base_url=base_url, max_retries=0))
    llm = ChatQwen(model=MODEL, api_key=KEY, base_url=base_url, max_retries=0)
    prompts = [f"Question {i}: what is {i} squared?" for i in range(calls)]
    extra = {"enable_thinking": False}

    async def raw() -> None:
        sem = asyncio.Semaphore(BATCH_CONCURRENCY)

        async def one(p: str) -> Any:
            async with sem:
                return await aio.chat.completions.create(
                    model=MODEL,
                    messages=[{"role": "user", "content": p}],
                    extra_body=extra,  # type: ignore[arg-type]
                )

        results = await asyncio.gather(*(one(p) for p in prompts))
        assert len(results) == calls

    async def lc() -> None:
        results = await llm.abatch(prompts, config={"max_concurrency": BATCH_CONCURRENCY})  # type: ignore[arg-type]
        assert len(results) == calls

    return {"raw SDK async + semaphore": raw, "ChatQwen.abatch": lc}


def bench_abatch(base_url: str, rounds: int, server: str) -> Comparison:
    name = (
        f"abatch, {BATCH_CALLS} calls at {BATCH_LATENCY * 1000:.0f} ms latency, "
        f"max_concurrency={BATCH_CONCURRENCY}, {server}"
    )
    return arun(acompare(name, abatch_clients(base_url), rounds, warmup=1))


# -- import and construction -----------------------------------------------------------------


def bench_import(rounds: int) -> dict[str, float]:
    def run(code: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - t0

    samples: dict[str, list[float]] = {"baseline": [], "langchain_qwen": [], "base_full": [], "ours_full": []}
    for _ in range(rounds):
        samples["baseline"].append(run("import langchain_core.language_models, openai"))
        samples["langchain_qwen"].append(run("import langchain_qwen"))
        samples["base_full"].append(run("from langchain_core.language_models import BaseChatModel; import openai"))
        samples["ours_full"].append(run("from langchain_qwen import ChatQwen"))
    return {k: statistics.median(v) for k, v in samples.items()}


def bench_construct(n: int = 2000) -> float:
    ChatQwen(model=MODEL, api_key=KEY)
    t0 = time.perf_counter()
    for _ in range(n):
        ChatQwen(model=MODEL, api_key=KEY)
    return (time.perf_counter() - t0) / n


TARGETS = {
    "stream, reasoning": 0.25,
    "astream, reasoning": 0.25,
    "stream, text": 0.25,
    "astream, text": 0.25,
    "stream, tool call": 0.35,
    "astream, tool call": None,
    "invoke": 0.80,
    "ainvoke": 0.90,
}


def target_of(name: str) -> float | None:
    return next((t for prefix, t in TARGETS.items() if name.startswith(prefix)), None)


def summary(results: list[Comparison], ideal: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in results:
        ours = next(k for k in c.samples if k.startswith("ChatQwen"))
        entry: dict[str, Any] = {
            "ratio_wall": round(c.ratio(ours), 3),
            "ratio_cpu": round(c.ratio(ours, cpu=True), 3),
            "paired_wall": [round(x, 3) for x in c.paired(ours)],
            "wall_ms": {k: round(s.wall_median * 1000, 3) for k, s in c.samples.items()},
            "cpu_ms": {k: round(s.cpu_median * 1000, 3) for k, s in c.samples.items()},
            "load": [c.load_before, c.load_after],
            "target": target_of(c.name),
        }
        if c.name.startswith("abatch"):
            entry["of_ideal"] = {k: round(s.wall_median / ideal, 3) for k, s in c.samples.items()}
            entry["target"] = 1.3
        out[c.name] = entry
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--invokes", type=int, default=40, help="calls per client per invoke round")
    parser.add_argument("--only", default="stream,tool,invoke,abatch,import")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args()
    only = set(args.only.split(","))
    print(f"start: {load()}; python {sys.version.split()[0]}, openai {openai.__version__}", flush=True)
    results: list[Comparison] = []
    ideal = BATCH_CALLS / BATCH_CONCURRENCY * BATCH_LATENCY
    if only & {"stream", "invoke"}:
        with serve("emulator") as base_url:
            if "stream" in only:
                results += bench_streams(base_url, args.rounds)
            if "invoke" in only:
                results += bench_invoke(base_url, args.rounds, args.invokes)
    if "tool" in only:
        with serve("emulator", "--tool-arg-piece-tokens", "1") as base_url:
            results += bench_tool_stream(base_url, args.rounds)
    if "abatch" in only:
        with serve("emulator", "--latency", str(BATCH_LATENCY)) as base_url:
            results.append(bench_abatch(base_url, max(args.rounds // 2, 3), "emulator"))
        with serve("lean", "--latency", str(BATCH_LATENCY)) as base_url:
            results.append(bench_abatch(base_url, max(args.rounds // 2, 3), "lean stand-in server"))
    shutdown()
    for c in results:
        target = target_of(c.name)
        print("\n".join(report(c, f"<= {target:.2f}x" if target else "")))
        if c.name.startswith("abatch"):
            for key, s in c.samples.items():
                print(
                    f"    {key:<26} {s.wall_median / ideal:5.2f}x of the ideal {ideal:.1f} s (target <= 1.30x); "
                    f"client CPU {s.cpu_median / BATCH_CALLS * 1e6:.0f} us per call"
                )
    if "import" in only:
        imp = bench_import(max(args.rounds, 5))
        construct = bench_construct()
        print("import (fresh interpreter, median):")
        print(f"  core+openai          {imp['baseline'] * 1000:8.1f} ms   1.00x")
        print(
            f"  langchain_qwen       {imp['langchain_qwen'] * 1000:8.1f} ms   {imp['langchain_qwen'] / imp['baseline']:.2f}x"
        )
        print(f"  BaseChatModel+openai {imp['base_full'] * 1000:8.1f} ms   1.00x")
        print(f"  ChatQwen class       {imp['ours_full'] * 1000:8.1f} ms   {imp['ours_full'] / imp['base_full']:.2f}x")
        print(f"construct ChatQwen     {construct * 1e6:8.1f} us  (target < 1000 us)")
    print(f"end: {load()}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary(results, ideal), f, indent=1)


if __name__ == "__main__":
    main()

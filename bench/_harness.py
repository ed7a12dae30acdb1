"""Shared bench plumbing: server subprocesses, interleaved rounds with wall and CPU medians, machine load."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

KEY = "sk-bench"
SERVE = str(Path(__file__).with_name("_serve.py"))


@contextlib.contextmanager
def serve(kind: str, *args: str) -> Iterator[str]:
    """Run `bench/_serve.py kind *args` in its own process (no GIL shared with the client); yield its base URL."""
    proc = subprocess.Popen(
        [sys.executable, SERVE, kind, "--api-key", KEY, *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        if not base_url.startswith("http"):
            raise RuntimeError(f"bench server {kind} did not start")
        yield base_url
    finally:
        proc.terminate()
        proc.wait()


def load() -> str:
    """The 1/5/15-minute load averages and the core count, to read noisy figures against."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


@dataclass
class Samples:
    """Per-round wall and CPU seconds of one client."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


@dataclass
class Comparison:
    """One goal: the raw SDK baseline against ChatQwen (and any references), measured round by round."""

    name: str
    baseline: str
    samples: dict[str, Samples]
    load_before: str
    load_after: str
    unit: float = 1.0
    """Divide each sample by this (calls per sample, for per-call figures)."""

    def ratio(self, name: str, *, cpu: bool = False) -> float:
        a, b = self.samples[name], self.samples[self.baseline]
        return a.cpu_median / b.cpu_median if cpu else a.wall_median / b.wall_median

    def paired(self, name: str) -> tuple[float, float]:
        """The lowest and highest per-round wall ratio (a round runs every client back to back)."""
        ratios = [a / b for a, b in zip(self.samples[name].wall, self.samples[self.baseline].wall, strict=True)]
        return min(ratios), max(ratios)


def _check_gc() -> None:
    if not gc.isenabled():
        raise RuntimeError("bench figures are taken with the garbage collector on, as users run")


def compare(
    name: str, clients: dict[str, Callable[[], object]], rounds: int, *, warmup: int = 2, unit: float = 1.0
) -> Comparison:
    """Run every client once per round, interleaved, so machine noise hits all alike; the first key is the baseline."""
    _check_gc()
    for _ in range(warmup):
        for fn in clients.values():
            fn()
    before = load()
    samples = {k: Samples() for k in clients}
    for _ in range(rounds):
        for key, fn in clients.items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            samples[key].wall.append((time.perf_counter() - w0) / unit)
            samples[key].cpu.append((time.process_time() - c0) / unit)
    return Comparison(name, next(iter(clients)), samples, before, load(), unit)


async def acompare(
    name: str, clients: dict[str, Callable[[], Awaitable[object]]], rounds: int, *, warmup: int = 2, unit: float = 1.0
) -> Comparison:
    """Async twin of `compare` (all clients share the running event loop)."""
    _check_gc()
    for _ in range(warmup):
        for fn in clients.values():
            await fn()
    before = load()
    samples = {k: Samples() for k in clients}
    for _ in range(rounds):
        for key, fn in clients.items():
            w0, c0 = time.perf_counter(), time.process_time()
            await fn()
            samples[key].wall.append((time.perf_counter() - w0) / unit)
            samples[key].cpu.append((time.process_time() - c0) / unit)
    return Comparison(name, next(iter(clients)), samples, before, load(), unit)


_LOOP: asyncio.AbstractEventLoop | None = None
_ASYNC_CLIENTS: list[Any] = []


def arun(coro: Awaitable[T]) -> T:
    """Run `coro` on the one event loop of this bench process (async clients stay bound to it)."""
    global _LOOP
    if _LOOP is None:
        _LOOP = asyncio.new_event_loop()
    return _LOOP.run_until_complete(coro)


def track(client: T) -> T:
    """Remember an async SDK client so that `shutdown` closes it on its loop."""
    _ASYNC_CLIENTS.append(client)
    return client


def shutdown() -> None:
    """Close every async client (ours, and ChatQwen's cached ones) on the bench loop, then the loop."""
    global _LOOP
    if _LOOP is None:
        return
    from langchain_qwen import _client

    cached = [c for c in _client._CACHE.values() if hasattr(c, "close") and asyncio.iscoroutinefunction(c.close)]

    async def close_all() -> None:
        for client in [*_ASYNC_CLIENTS, *cached]:
            await client.close()

    _LOOP.run_until_complete(close_all())
    _client._CACHE.clear()
    _ASYNC_CLIENTS.clear()
    _LOOP.close()
    _LOOP = None


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms" if seconds >= 0.01 else f"{seconds * 1e6:9.0f} us"


def report(c: Comparison, target: str = "", ideal: float | None = None) -> list[str]:
    """Lines for one comparison: wall and CPU medians per client and their ratios to the baseline."""
    rounds = len(c.samples[c.baseline].wall)
    lines = [f"{c.name}  (median of {rounds} rounds; {c.load_before} -> {c.load_after.split(' on ')[0][13:]})"]
    for key, s in c.samples.items():
        line = f"  {key:<22} wall {fmt_time(s.wall_median)}  cpu {fmt_time(s.cpu_median)}"
        if key != c.baseline:
            lo, hi = c.paired(key)
            line += f"   {c.ratio(key):5.2f}x wall (rounds {lo:.2f}-{hi:.2f})  {c.ratio(key, cpu=True):5.2f}x cpu"
            if target and key.startswith("ChatQwen"):
                line += f"   target {target}"
        if ideal is not None:
            line += f"   {s.wall_median / ideal:5.2f}x of ideal {fmt_time(ideal).strip()}"
        lines.append(line)
    return lines


__all__ = [
    "KEY",
    "Comparison",
    "Samples",
    "acompare",
    "arun",
    "compare",
    "fmt_time",
    "load",
    "report",
    "serve",
    "shutdown",
    "track",
]

"""Bounded load: 500 concurrent ainvoke + 200 astream with 5% 503s, answers matched to inputs, fds and memory flat.

The server runs in its own process (so its sockets and CPU are not the client's) and answers every 20th
prompt's first attempt with a 503, which the client retries.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from langchain_qwen import ChatQwen

INVOKES = 500
STREAMS = 200
ROOT = Path(__file__).resolve().parents[2]


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.fixture
def echo_server() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.faults._server"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}/compatible-mode/v1"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)


def _stats(url: str) -> dict[str, int]:
    with urllib.request.urlopen(url + "/stats", timeout=10) as response:
        return json.loads(response.read())


async def _round(llm: ChatQwen, tag: int, invokes: int, streams: int) -> tuple[list[str], list[str]]:
    async def stream(prompt: str) -> str:
        return "".join([c.text async for c in llm.astream(prompt)])

    answers = await asyncio.gather(
        *(llm.ainvoke(f"i-{n}-{tag}") for n in range(invokes)), *(stream(f"s-{n}-{tag}") for n in range(streams))
    )
    return [a.text for a in answers[:invokes]], list(answers[invokes:])


def _run(llm: ChatQwen, tag: int, invokes: int, streams: int) -> tuple[float, float, int, float, int]:
    start, cpu = time.monotonic(), time.process_time()
    texts, streamed = asyncio.run(_round(llm, tag, invokes, streams))  # a new event loop each time
    elapsed, cpu = time.monotonic() - start, time.process_time() - cpu
    assert texts == [f"echo i-{n}-{tag}" for n in range(invokes)]  # every answer matched to its input
    assert streamed == [f"echo s-{n}-{tag}" for n in range(streams)]
    gc.collect()
    return round(elapsed, 2), round(cpu, 2), _fds(), round(_rss_mb(), 1), len(gc.get_objects())


def _unavailable(count: int) -> int:
    return sum(1 for n in range(count) if n % 20 == 7)


def test_load_500_ainvoke_200_astream_with_503s(echo_server: str) -> None:
    llm = ChatQwen(model="qwen-plus", api_key="sk-load", base_url=echo_server, max_retries=2, timeout=60)
    warm = _run(llm, 0, 50, 20)
    full = _run(llm, 1, INVOKES, STREAMS)
    after = _run(llm, 2, 50, 20)
    stats = _stats(echo_server)
    busy = 2 * (_unavailable(50) + _unavailable(20)) + _unavailable(INVOKES) + _unavailable(STREAMS)
    assert stats["unavailable"] == busy  # 5 % of the prompts were answered 503 once...
    assert stats["requests"] == 2 * 70 + INVOKES + STREAMS + busy  # ...and retried, nothing else repeated
    (_, _, fds_0, _, objs_0), (_, _, fds_1, rss_1, _), (_, _, fds_2, rss_2, objs_2) = warm, full, after
    assert fds_1 <= fds_0 + 2 and fds_2 <= fds_0 + 2, (warm, full, after)  # connections closed with each loop
    assert objs_2 - objs_0 < 500, (warm, full, after)  # nothing kept per request (live objects flat)
    assert rss_2 - rss_1 < 10, (warm, full, after)  # and no growth after the full round (MB)
    print("load (wall s, client CPU s, open fds, RSS MB, live objects):", warm, full, after)

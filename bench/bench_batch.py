"""Batch scale check: N chat requests through the emulator's Files and Batches endpoints, peak memory and wall time.

Usage: python bench/bench_batch.py [--requests 100000]

Encodes N requests with the live request builder (streamed to JSONL on disk), uploads, creates the
batches, waits, downloads, and decodes every result in input order through `iter_results()` (one line
at a time). Reports this process's peak RSS (target < 150 MB, issue 14) and the time of each phase. The emulator
runs in a separate process, so its memory is not counted.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from langchain_core.messages import AIMessage

from langchain_qwen import ChatQwen
from langchain_qwen.batch import BatchError, QwenBatch

KEY = "sk-bench"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    args = parser.parse_args()
    proc = subprocess.Popen(
        [sys.executable, "-m", "langchain_qwen.testing", "--port", "0", "--api-key", KEY],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    base_url = proc.stdout.readline().strip()
    try:
        llm = ChatQwen(model="qwen-plus", api_key=KEY, base_url=base_url, max_retries=2)
        print(f"baseline peak RSS after imports: {peak_mb():.0f} MB")
        workdir = Path(tempfile.mkdtemp(prefix="qwen-batch-bench-"))
        batch = QwenBatch(llm, workdir=workdir)
        t0 = time.perf_counter()
        parts, total = batch.encode(f"Question number {i}: what is {i} squared?" for i in range(args.requests))
        t_encode = time.perf_counter() - t0
        size = sum(p.bytes for p in parts)
        t0 = time.perf_counter()
        job = batch.submit_parts(parts, total)
        t_submit = time.perf_counter() - t0
        t0 = time.perf_counter()
        job.wait(max_interval=2.0)
        t_wait = time.perf_counter() - t0
        t0 = time.perf_counter()
        ok = failed = 0
        last = -1
        for index, item in job.iter_results():
            assert index == last + 1
            last = index
            if isinstance(item, AIMessage):
                ok += 1
            elif isinstance(item, BatchError):
                failed += 1
        t_decode = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait()
    print(f"requests: {total} in {len(parts)} files ({size / 2**20:.1f} MB of JSONL); answered {ok}, failed {failed}")
    print(
        f"encode {t_encode:.1f} s ({t_encode / total * 1e6:.0f} us/request), upload+create {t_submit:.1f} s, "
        f"server processing {t_wait:.1f} s, download+decode {t_decode:.1f} s ({t_decode / total * 1e6:.0f} us/request)"
    )
    print(f"encode + decode wall time: {t_encode + t_decode:.1f} s")
    print(f"peak RSS of this process: {peak_mb():.0f} MB (target < 150 MB)")


if __name__ == "__main__":
    main()

"""Load-independent figures: instructions executed by the client (valgrind callgrind) per goal, ChatQwen vs raw SDK.

Usage: python bench/bench_callgrind.py [--scale 0.2] [--only stream,tool,invoke[,abatch]]

Wall-clock ratios swing with whatever else the shared cores run; instruction counts of the client do not.
The servers run natively in their own processes; one client process runs under callgrind. For every goal
each client runs once to warm up, then once more between CALLGRIND_ZERO_STATS and CALLGRIND_DUMP_STATS_AT
(client requests issued through a tiny C helper compiled here with the system's callgrind.h), so imports
and warm-up are not counted. The garbage collector is on. `--scale` shrinks the streams (0.2: 800 + 200
reasoning/text chunks, 1,000 text chunks, 400 tool-call pieces) to keep the run to minutes; per-chunk costs,
and so the ratios, barely depend on the length. `abatch` (instructions per call of 256 concurrent calls) is
opt-in: under callgrind's slowdown its 64 simultaneous connects can outlast the SDK's connect timeout.
Needs valgrind and a C compiler.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import inspect
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _harness import arun, load, serve, shutdown
from bench_core import (
    BATCH_CALLS,
    TOOL_PIECES,
    StreamCase,
    abatch_clients,
    invoke_clients,
    tool_clients,
)

HELPER = r"""
#include <valgrind/callgrind.h>
void cg_zero(void) { CALLGRIND_ZERO_STATS; }
void cg_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""
INVOKES = 20


def build_helper(workdir: Path) -> Path:
    src, lib = workdir / "cgmark.c", workdir / "cgmark.so"
    src.write_text(HELPER)
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", str(lib), str(src)], check=True)
    return lib


def child(args: argparse.Namespace) -> None:
    lib = ctypes.CDLL(args.lib)
    only = set(args.only.split(","))
    goals: list[tuple[str, dict[str, Any]]] = []
    if "stream" in only:
        for thinking, label in ((True, "reasoning+text"), (False, "text")):
            case = StreamCase(label, args.emulator, thinking=thinking, scale=args.scale)
            goals.append((f"stream {label}", {"raw SDK typed": case.raw_typed, "ChatQwen.stream": case.chat_qwen}))
            aio = {"raw AsyncOpenAI typed": case.araw_typed, "ChatQwen.astream": case.achat_qwen}
            goals.append((f"astream {label}", aio))
    if "tool" in only:
        sync, aio = tool_clients(args.tool, int(TOOL_PIECES * args.scale))
        goals += [("stream tool call", sync), ("astream tool call", aio)]
    if "invoke" in only:
        sync, aio = invoke_clients(args.emulator, INVOKES)
        goals += [("invoke", sync), ("ainvoke", aio)]
    if "abatch" in only:
        goals.append(("abatch", abatch_clients(args.batch, int(BATCH_CALLS * args.scale))))
    for goal, clients in goals:
        for fn in clients.values():  # warm up every client of the goal first
            arun(fn()) if inspect.iscoroutinefunction(fn) else fn()
        for name, fn in clients.items():
            lib.cg_zero()
            arun(fn()) if inspect.iscoroutinefunction(fn) else fn()
            lib.cg_dump(f"{goal}|{name}".encode())
    shutdown()


def parse_dumps(outdir: Path) -> dict[str, dict[str, int]]:
    """{goal: {client: instructions}} from the dump files (`desc: Trigger: Client Request: goal|client`)."""
    out: dict[str, dict[str, int]] = {}
    for path in outdir.glob("cg.out*"):
        text = path.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: Client Request: (.+)$", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if trigger and total and "|" in trigger.group(1):
            goal, name = trigger.group(1).split("|", 1)
            out.setdefault(goal, {})[name] = int(total.group(1))
    return out


def per_unit(goal: str, scale: float) -> tuple[float, str]:
    if goal.startswith(("invoke", "ainvoke")):
        return INVOKES, "call"
    if goal == "abatch":
        return BATCH_CALLS * scale, "call"
    return 1, "stream"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--only", default="stream,tool,invoke")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    for name in ("lib", "emulator", "tool", "batch"):
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    print(f"start: {load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="h8-callgrind-") as tmp:
        workdir = Path(tmp)
        lib = build_helper(workdir)
        with (
            serve("emulator") as emulator,
            serve("emulator", "--tool-arg-piece-tokens", "1") as tool,
            serve("emulator", "--latency", "0.1") as batch,
        ):
            cmd = [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={workdir}/cg.out.%p",
                "--dump-instr=no",
                "--dump-line=no",
                f"--log-file={workdir}/valgrind.log",
                sys.executable,
                __file__,
                "--child",
                f"--scale={args.scale}",
                f"--only={args.only}",
                f"--lib={lib}",
                f"--emulator={emulator}",
                f"--tool={tool}",
                f"--batch={batch}",
            ]
            code = subprocess.run(cmd).returncode  # a failed goal still leaves the dumps of the others
        results = parse_dumps(workdir)
    if code:
        print(f"(the client process exited with status {code}; figures below are the goals it finished)")
    print(f"instructions executed by the client (callgrind, GC on, scale {args.scale}):")
    for goal, clients in results.items():
        base_name = next(k for k in clients if k.startswith("raw"))
        ours_name = next(k for k in clients if k.startswith("ChatQwen"))
        unit, label = per_unit(goal, args.scale)
        base, ours = clients[base_name] / unit, clients[ours_name] / unit
        print(
            f"  {goal:<24} {base_name:<26} {base / 1e6:9.2f} M/{label}   {ours_name:<18} {ours / 1e6:9.2f} M/{label}"
            f"   {ours / base:5.2f}x"
        )
    print(f"end: {load()}")


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()

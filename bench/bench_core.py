"""Core performance figures as ratios against the raw openai SDK on the same emulator, in the same run.

Usage: python bench/bench_core.py [--chunks 5000] [--rounds 7] [--invokes 300]

* stream: ChatQwen.stream over an N-chunk answer vs iterating the raw SDK's typed chunks
  (target <= 0.6x); the SDK's untyped SSE path is shown for reference.
* invoke: ChatQwen.invoke vs client.chat.completions.create on a short prompt (target <= 1.1x).
* import: `import langchain_qwen` vs `import langchain_core.language_models, openai` (target <= 1.1x).
* construct: one ChatQwen() (target < 1 ms).

The emulator runs in a separate process so that the server does not compete with the client for the GIL.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import openai

from langchain_qwen import ChatQwen
from langchain_qwen._tokens import count_text

MODEL = "qwen-plus"
KEY = "sk-bench"


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "langchain_qwen.testing", "--port", "0", "--api-key", KEY],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    base_url = proc.stdout.readline().strip()
    return proc, base_url


def prompt_for(chunks: int) -> str:
    """A prompt whose echoed answer ("Emulated reply: " + prompt) is exactly `chunks` tokens long."""
    words = max(chunks - count_text("Emulated reply: "), 1)
    text = "word" + " word" * (words - 1)
    while count_text("Emulated reply: " + text) > chunks:
        text = text[: text.rfind(" ")]
    while count_text("Emulated reply: " + text) < chunks:
        text += " word"
    return text


def best_of(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_stream(base_url: str, chunks: int, rounds: int) -> dict[str, float]:
    prompt = prompt_for(chunks)
    client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)
    llm = ChatQwen(model=MODEL, api_key=KEY, base_url=base_url, max_retries=0)
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": prompt}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "enable_thinking": False,
    }

    def raw_typed() -> None:
        n = 0
        for chunk in client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": prompt}],
            stream=True,
            stream_options={"include_usage": True},
            extra_body={"enable_thinking": False},
        ):
            if chunk.choices and chunk.choices[0].delta.content:
                n += 1
        assert n >= chunks - 2, n

    def raw_untyped() -> None:
        n = 0
        for chunk in client.post(
            "/chat/completions", cast_to=object, body=body, stream=True, stream_cls=openai.Stream[object]
        ):
            if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):  # type: ignore[index]
                n += 1
        assert n >= chunks - 2, n

    def chat_qwen() -> None:
        n = 0
        for chunk in llm.stream(prompt):
            if chunk.content:
                n += 1
        assert n >= chunks - 2, n

    for fn in (raw_typed, raw_untyped, chat_qwen):  # warm up connections, tokenizer and imports
        fn()
    results = {"raw_typed": 0.0, "raw_untyped": 0.0, "chat_qwen": 0.0}
    samples: dict[str, list[float]] = {k: [] for k in results}
    for _ in range(rounds):  # interleave so that machine noise hits every client alike
        samples["raw_typed"].append(best_of(raw_typed, 1))
        samples["raw_untyped"].append(best_of(raw_untyped, 1))
        samples["chat_qwen"].append(best_of(chat_qwen, 1))
    return {k: statistics.median(v) for k, v in samples.items()}


def bench_invoke(base_url: str, n: int) -> dict[str, float]:
    client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)
    llm = ChatQwen(model=MODEL, api_key=KEY, base_url=base_url, max_retries=0)
    messages = [{"role": "user", "content": "Hello, how are you today?"}]

    def raw() -> None:
        client.chat.completions.create(model=MODEL, messages=messages, extra_body={"enable_thinking": False})

    def lc() -> None:
        llm.invoke("Hello, how are you today?")

    for _ in range(20):
        raw()
        lc()
    samples: dict[str, list[float]] = {"raw": [], "chat_qwen": []}
    for _ in range(n):
        samples["raw"].append(best_of(raw, 1))
        samples["chat_qwen"].append(best_of(lc, 1))
    return {k: statistics.median(v) for k, v in samples.items()}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--invokes", type=int, default=300)
    args = parser.parse_args()
    proc, base_url = start_emulator()
    try:
        s = bench_stream(base_url, args.chunks, args.rounds)
        i = bench_invoke(base_url, args.invokes)
    finally:
        proc.terminate()
        proc.wait()
    imp = bench_import(max(args.rounds, 5))
    construct = bench_construct()
    print(f"stream ({args.chunks} chunks, median of {args.rounds}):")
    print(f"  raw SDK typed    {s['raw_typed'] * 1000:8.1f} ms   1.00x")
    print(f"  raw SDK untyped  {s['raw_untyped'] * 1000:8.1f} ms   {s['raw_untyped'] / s['raw_typed']:.2f}x")
    print(
        f"  ChatQwen.stream  {s['chat_qwen'] * 1000:8.1f} ms   {s['chat_qwen'] / s['raw_typed']:.2f}x  (target <= 0.60x)"
    )
    print(f"invoke (median of {args.invokes}):")
    print(f"  raw SDK          {i['raw'] * 1e6:8.0f} us   1.00x")
    print(f"  ChatQwen.invoke  {i['chat_qwen'] * 1e6:8.0f} us   {i['chat_qwen'] / i['raw']:.2f}x  (target <= 1.10x)")
    print("import (fresh interpreter, median):")
    print(f"  core+openai      {imp['baseline'] * 1000:8.1f} ms   1.00x")
    print(
        f"  langchain_qwen   {imp['langchain_qwen'] * 1000:8.1f} ms   "
        f"{imp['langchain_qwen'] / imp['baseline']:.2f}x  (target <= 1.10x)"
    )
    print(f"  BaseChatModel+openai {imp['base_full'] * 1000:6.1f} ms   1.00x")
    print(f"  ChatQwen class   {imp['ours_full'] * 1000:8.1f} ms   {imp['ours_full'] / imp['base_full']:.2f}x")
    print(f"construct ChatQwen {construct * 1e6:8.1f} us  (target < 1000 us)")


if __name__ == "__main__":
    main()

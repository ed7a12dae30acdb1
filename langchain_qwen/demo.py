"""A short demo: stream a Qwen answer with its reasoning, from DashScope or the built-in emulator.

Run `python -m langchain_qwen.demo`. With `DASHSCOPE_API_KEY` set it calls DashScope (region and base
URL from `DASHSCOPE_REGION` / `DASHSCOPE_BASE_URL` as usual); otherwise it starts the loopback
DashScope emulator that ships with the package and says so.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from typing import Any


def main(argv: list[str] | None = None) -> int:
    from langchain_core.messages import HumanMessage, SystemMessage

    from langchain_qwen import ChatQwen

    args = argv if argv is not None else sys.argv[1:]
    question = " ".join(args) or "Which is larger, 9.9 or 9.11?"
    with ExitStack() as stack:
        kwargs: dict[str, Any] = {}
        if os.environ.get("DASHSCOPE_API_KEY"):
            print("Using DashScope (DASHSCOPE_API_KEY is set).")
        else:
            from langchain_qwen.testing import DashScopeEmulator

            emu = stack.enter_context(DashScopeEmulator())
            kwargs = {"base_url": emu.base_url, "api_key": emu.api_key}
            print(f"DASHSCOPE_API_KEY is not set: using the built-in DashScope emulator at {emu.base_url}.")
            print("(Its answers are canned: it restates your question.)")
        llm = ChatQwen(model="qwen-plus", enable_thinking=True, **kwargs)
        messages = [SystemMessage("You are a helpful assistant."), HumanMessage(question)]
        print(f"\nQuestion: {question}")
        print(f"Local token count of the prompt: {llm.get_num_tokens_from_messages(messages)}\n")
        full = None
        phase = ""
        for chunk in llm.stream(messages):
            reasoning = chunk.additional_kwargs.get("reasoning_content", "")
            if reasoning:
                if phase != "reasoning":
                    print("[reasoning] ", end="")
                    phase = "reasoning"
                print(reasoning, end="", flush=True)
            if chunk.text:
                if phase != "answer":
                    print("\n[answer] ", end="")
                    phase = "answer"
                print(chunk.text, end="", flush=True)
            full = chunk if full is None else full + chunk
        print()
        if full is not None:
            print(f"\nusage: {full.usage_metadata}")
            print(
                f"model: {full.response_metadata.get('model_name')}, finish: {full.response_metadata.get('finish_reason')}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

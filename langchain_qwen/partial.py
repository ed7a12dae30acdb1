"""Partial mode (prefix continuation): prefix messages, prefix completion, and continuing cut-off answers.

DashScope continues a final assistant message marked `"partial": true` and returns only the
continuation (F5). Partial mode is refused locally for models without it and for always-thinking
models; hybrid models have thinking switched off for that call.

```python
from langchain_qwen import ChatQwen
from langchain_qwen.partial import complete_prefix, continue_answer

llm = ChatQwen(model="qwen3-coder-plus")
code = complete_prefix(llm, [HumanMessage("Write a fibonacci function")], "def fib(")
code.text  # "def fib(n): ..." (prefix + continuation)

answer = llm.invoke(messages, max_tokens=100)
full = continue_answer(llm, messages, answer)  # continues while finish_reason == "length" or cut at 300 s
```
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.messages.ai import add_usage


def prefix_message(prefix: str) -> AIMessage:
    """A final assistant message that DashScope will continue (`"partial": true`)."""
    return AIMessage(content=prefix, additional_kwargs={"partial": True})


def _joined(prefix: str, continuation: AIMessage, usage: Any = None) -> AIMessage:
    return continuation.model_copy(
        update={
            "content": prefix + continuation.text,
            "usage_metadata": add_usage(usage, continuation.usage_metadata) if usage else continuation.usage_metadata,
        }
    )


def complete_prefix(
    llm: Any, messages: Sequence[BaseMessage], prefix: str, *, include_prefix: bool = True, **kwargs: Any
) -> AIMessage:
    """Let the model continue `prefix`; returns prefix + continuation (or only the continuation)."""
    result = llm.invoke([*messages, prefix_message(prefix)], **kwargs)
    return _joined(prefix, result) if include_prefix else result


async def acomplete_prefix(
    llm: Any, messages: Sequence[BaseMessage], prefix: str, *, include_prefix: bool = True, **kwargs: Any
) -> AIMessage:
    """Async twin of `complete_prefix`."""
    result = await llm.ainvoke([*messages, prefix_message(prefix)], **kwargs)
    return _joined(prefix, result) if include_prefix else result


def needs_continuation(message: AIMessage) -> bool:
    """True when the answer was cut: `finish_reason == "length"`, or the 300 s partial response (F2.5)."""
    meta = message.response_metadata
    return meta.get("finish_reason") == "length" or bool(meta.get("partial_response"))


def continue_answer(
    llm: Any, messages: Sequence[BaseMessage], answer: AIMessage, *, max_rounds: int = 4, **kwargs: Any
) -> AIMessage:
    """Continue a cut-off `answer` with partial mode until it finishes (at most `max_rounds` more calls).

    The result holds the whole text, summed usage, and the last call's metadata.
    """
    for _ in range(max_rounds):
        if not needs_continuation(answer):
            break
        answer = _joined(
            answer.text, llm.invoke([*messages, prefix_message(answer.text)], **kwargs), answer.usage_metadata
        )
    return answer


async def acontinue_answer(
    llm: Any, messages: Sequence[BaseMessage], answer: AIMessage, *, max_rounds: int = 4, **kwargs: Any
) -> AIMessage:
    """Async twin of `continue_answer`."""
    for _ in range(max_rounds):
        if not needs_continuation(answer):
            break
        more = await llm.ainvoke([*messages, prefix_message(answer.text)], **kwargs)
        answer = _joined(answer.text, more, answer.usage_metadata)
    return answer


__all__ = [
    "acomplete_prefix",
    "acontinue_answer",
    "complete_prefix",
    "continue_answer",
    "needs_continuation",
    "prefix_message",
]

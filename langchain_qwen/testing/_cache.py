"""Explicit context cache (F9) of the DashScope emulator: `cache_control` markers, prefix keys and a TTL store.

Rules (models with ``profile.explicit_cache``; general, nothing depends on the text):

* A marker is ``"cache_control": {"type": "ephemeral"}`` on a part of an array ``content`` (any role);
  another ``type`` is refused (``MSG_CACHE_TYPE``, ``[invented]``). Only the last four markers count.
* Content blocks are the parts of array contents and each string content (one block). A marker's
  prefix is ``tools`` (if any) plus every block from the start of ``messages`` up to and including the
  marked part; its tokens are the ChatML tokens of that prefix (without the closing ``<|im_end|>``).
  Prefixes are identified by a chained BLAKE2b hash of the blocks (``cache_control`` keys left out).
* Markers whose prefix has fewer than 1024 tokens are ignored; with none left the request reports the
  plain ``{"cached_tokens": 0}``.
* Hit: the longest stored, unexpired prefix among the 20 block positions ending at each effective
  marker (the marker's own block included); a hit resets that entry's TTL.
* Creation: the longest effective prefix when it is not stored; ``cache_creation_input_tokens`` is its
  tokens minus the hit tokens. Every effective prefix not yet stored is written *after* the response
  has been sent (``CacheStore.commit``), with expiry now + TTL (300 s by default).
* Usage of such a request: ``prompt_tokens_details = {"text_tokens": prompt_tokens, "cache_creation":
  {"ephemeral_5m_input_tokens": C}, "cache_creation_input_tokens": C, "cache_type": "ephemeral",
  "cached_tokens": H}`` (C = 0 on a pure hit).
* Entries are kept per (model, API key) (caches are isolated per account and model).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._tokens import count_text, render_segments
from ._errors import ChatError
from ._service import ServiceModel

DEFAULT_TTL = 300.0
MIN_CACHE_TOKENS = 1024
MAX_MARKERS = 4
LOOKBACK_BLOCKS = 20
MSG_CACHE_TYPE = "cache_control.type only supports 'ephemeral'"
"""[invented] F9.2: "ephemeral" is the only type; the refusal of others was not captured."""

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def _dumps(value: Any) -> bytes:
    return _encoder.encode(value).encode("utf-8")


@dataclass
class _Marker:
    block: int
    """Position of the marked block among all blocks."""
    message: int
    part: int
    key: str


@dataclass
class CacheUsage:
    """The explicit-cache outcome of one request."""

    scope: tuple[str, str]
    hit_tokens: int
    creation_tokens: int
    pending: list[tuple[str, int]] = field(default_factory=list)
    """(prefix key, tokens) to store once the response is sent."""

    def details(self, prompt_tokens: int) -> dict[str, Any]:
        """`usage.prompt_tokens_details` for this request."""
        return {
            "text_tokens": prompt_tokens,
            "cache_creation": {"ephemeral_5m_input_tokens": self.creation_tokens},
            "cache_creation_input_tokens": self.creation_tokens,
            "cache_type": "ephemeral",
            "cached_tokens": self.hit_tokens,
        }


class CacheStore:
    """Stored prefixes per (model, API key): key -> (expiry on the monotonic clock, tokens)."""

    def __init__(self, ttl: float = DEFAULT_TTL) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], dict[str, tuple[float, int]]] = {}

    def lookup(self, scope: tuple[str, str], keys: Sequence[str]) -> tuple[str, int] | None:
        """The longest unexpired stored prefix among `keys` (its TTL is reset), or None."""
        now = time.monotonic()
        with self._lock:
            entries = self._entries.get(scope, {})
            best: tuple[str, int] | None = None
            for key in keys:
                entry = entries.get(key)
                if entry is None:
                    continue
                if entry[0] <= now:
                    del entries[key]
                    continue
                if best is None or entry[1] > best[1]:
                    best = (key, entry[1])
            if best is not None:
                entries[best[0]] = (now + self.ttl, best[1])
            return best

    def commit(self, usage: CacheUsage) -> None:
        """Store the prefixes a request created (called after its response was sent)."""
        if not usage.pending:
            return
        expiry = time.monotonic() + self.ttl
        with self._lock:
            entries = self._entries.setdefault(usage.scope, {})
            for key, tokens in usage.pending:
                entries[key] = (expiry, tokens)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        now = time.monotonic()
        with self._lock:
            return sum(1 for entries in self._entries.values() for exp, _ in entries.values() if exp > now)


def _is_marker(part: Any) -> bool:
    return isinstance(part, Mapping) and "cache_control" in part


def has_markers(messages: Sequence[Mapping[str, Any]]) -> bool:
    """Whether any array content part carries `cache_control`."""
    return any(isinstance(m.get("content"), list) and any(_is_marker(p) for p in m["content"]) for m in messages)


def _blocks(messages: Sequence[Mapping[str, Any]], tools: Any) -> tuple[list[str], list[_Marker]]:
    """Chained prefix keys of every block, and the markers in order."""
    state = hashlib.blake2b(_dumps(tools or None), digest_size=16).digest()
    keys: list[str] = []
    markers: list[_Marker] = []
    for i, msg in enumerate(messages):
        meta = {k: v for k, v in msg.items() if k != "content"}
        content = msg.get("content")
        parts = content if isinstance(content, list) and content else [content]
        for j, part in enumerate(parts):
            clean = {k: v for k, v in part.items() if k != "cache_control"} if isinstance(part, Mapping) else part
            state = hashlib.blake2b(state + _dumps([i, meta if j == 0 else None, clean]), digest_size=16).digest()
            keys.append(state.hex())
            if _is_marker(part):
                control = part["cache_control"]
                if not isinstance(control, Mapping) or control.get("type") != "ephemeral":
                    raise ChatError(MSG_CACHE_TYPE)
                markers.append(_Marker(len(keys) - 1, i, j, keys[-1]))
    return keys, markers


def prefix_tokens(
    messages: Sequence[Mapping[str, Any]], tools: Any, message: int, part: int, vocab: Any = "qwen"
) -> int:
    """ChatML tokens of `tools` + messages up to part `part` of message `message` (turn left open)."""
    marked = dict(messages[message])
    if isinstance(marked.get("content"), list):
        marked["content"] = marked["content"][: part + 1]
    marked.pop("partial", None)
    segs = render_segments([*messages[:message], marked], tools)[:-2]  # drop the open assistant turn
    if len(segs) >= 2 and segs[-2] is None and segs[-1] == "\n":
        segs = segs[:-2]  # the marked turn's <|im_end|>\n
    return sum(1 if seg is None else count_text(seg, vocab) for seg in segs)


def plan_cache(
    messages: Sequence[Mapping[str, Any]], tools: Any, profile: ServiceModel, store: CacheStore, account: str
) -> CacheUsage | None:
    """The explicit-cache outcome of a request, or None when no marker prefix reaches 1024 tokens."""
    if not profile.explicit_cache or not has_markers(messages):
        return None
    keys, markers = _blocks(messages, tools)
    effective = []
    for marker in markers[-MAX_MARKERS:]:
        tokens = prefix_tokens(messages, tools, marker.message, marker.part, profile.tokenizer)
        if tokens >= MIN_CACHE_TOKENS:
            effective.append((marker, tokens))
    if not effective:
        return None
    scope = (profile.model, account)
    candidates: list[str] = []
    for marker, _ in effective:
        candidates += keys[max(0, marker.block - LOOKBACK_BLOCKS + 1) : marker.block + 1]
    hit = store.lookup(scope, list(dict.fromkeys(candidates)))
    hit_key, hit_tokens = hit if hit is not None else ("", 0)
    longest, longest_tokens = max(effective, key=lambda e: e[1])
    creation = 0 if longest.key == hit_key else max(0, longest_tokens - hit_tokens)
    pending = [(m.key, t) for m, t in effective if m.key != hit_key]
    return CacheUsage(scope=scope, hit_tokens=hit_tokens, creation_tokens=creation, pending=pending)


__all__ = ["DEFAULT_TTL", "CacheStore", "CacheUsage", "has_markers", "plan_cache", "prefix_tokens"]

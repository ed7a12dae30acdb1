"""Raw-wire helpers for the emulator's protocol tests."""

from __future__ import annotations

import json
from typing import Any

import httpx2


def post(http: httpx2.Client, **body: Any) -> httpx2.Response:
    return http.post("/chat/completions", json=body)


def sse(text: str) -> list[Any]:
    """Data payloads of an SSE body: parsed JSON, or the literal "[DONE]"."""
    assert text.endswith("\n\n")
    out: list[Any] = []
    for event in text.split("\n\n")[:-1]:
        assert event.startswith("data: "), event
        payload = event[len("data: ") :]
        out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out

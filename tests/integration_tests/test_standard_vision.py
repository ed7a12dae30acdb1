"""Standard LangChain integration tests for a Qwen-VL model (image inputs) against the emulator, offline.

langchain-tests downloads its sample image with `httpx.get`; that download is served from a PNG generated
here, so the suite runs without a network. The model call itself goes over HTTP to the emulator as usual.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

import httpx
import pytest

from tests.integration_tests import test_standard_emulator as standard


def _png(width: int = 16, height: int = 16) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(
        b"\x00" + b"".join(bytes((x * 16 % 256, y * 16 % 256, 128)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture(autouse=True)
def _offline_test_assets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    image = _png()

    def fake_get(url: str, *args: object, **kwargs: object) -> httpx.Response:
        return httpx.Response(200, content=image, request=httpx.Request("GET", url))

    monkeypatch.setattr(httpx, "get", fake_get)
    yield


class TestChatQwenVisionEmulator(standard.TestChatQwenEmulator):
    """The same standard suite on a Qwen-VL model, with image inputs and image URLs switched on."""

    @property
    def chat_model_params(self) -> dict:
        return {**super().chat_model_params, "model": "qwen3-vl-plus"}

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

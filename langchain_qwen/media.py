"""Media for Qwen-VL / Qwen-Omni: content blocks from local files, bytes or URLs, and Omni audio as WAV.

```python
from langchain_core.messages import HumanMessage
from langchain_qwen.media import image_block, video_block, audio_block, message_wav

msg = HumanMessage([{"type": "text", "text": "What is in this picture?"}, image_block("cat.png", max_pixels=1003520)])
frames = video_block(["f1.jpg", "f2.jpg", "f3.jpg", "f4.jpg"], fps=2)   # a video as a list of frames
answer = ChatQwen(model="qwen3-omni-flash", modalities=["text", "audio"], audio={"voice": "Cherry"}).invoke("Hi")
open("answer.wav", "wb").write(message_wav(answer))
```

Local paths and bytes become base64 data URIs (DashScope's compatible mode never accepts `file://`);
items over DashScope's 10 MB data-URI limit are refused locally. Per-part options (`min_pixels`,
`max_pixels`, `total_pixels`, `fps`, `cache_control`) ride on the block and are sent as siblings of the part.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import os
import wave
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from langchain_qwen._convert import MAX_DATA_URI_BYTES
from langchain_qwen._errors import QwenValidationError

MediaSource = str | os.PathLike[str] | bytes
PCM_RATE = 24000
"""Qwen-Omni audio output: raw 16-bit little-endian mono PCM at 24 kHz (F10.3)."""


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "data:"))


def _read(source: MediaSource, mime_type: str | None, default: str) -> tuple[str, str]:
    """(base64 data, mime type) for a local path or raw bytes."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        mime = mime_type or default
    else:
        path = Path(unquote(urlparse(str(source)).path) if str(source).startswith("file://") else source)
        data = path.read_bytes()
        mime = mime_type or mimetypes.guess_type(path.name)[0] or default
    if len(data) > MAX_DATA_URI_BYTES:
        raise QwenValidationError(
            f"{len(data) / 2**20:.1f} MB is over DashScope's 10 MB limit for inline (base64) media; "
            f"upload it somewhere public and pass the http(s) URL instead."
        )
    return base64.b64encode(data).decode("ascii"), mime


def _block(kind: str, source: MediaSource, mime_type: str | None, default: str, options: Mapping[str, Any]) -> dict:
    if isinstance(source, str) and _is_url(source):
        return {"type": kind, "url": source, **options}
    data, mime = _read(source, mime_type, default)
    return {"type": kind, "base64": data, "mime_type": mime, **options}


def image_block(source: MediaSource, *, mime_type: str | None = None, **options: Any) -> dict[str, Any]:
    """A LangChain image block from a URL, a local path or bytes (+ `min_pixels`/`max_pixels`/`cache_control`)."""
    return _block("image", source, mime_type, "image/png", options)


def audio_block(source: MediaSource, *, mime_type: str | None = None, **options: Any) -> dict[str, Any]:
    """A LangChain audio block (Qwen-Omni input) from a URL, a local path or bytes."""
    return _block("audio", source, mime_type, "audio/wav", options)


def video_block(
    source: MediaSource | Sequence[MediaSource],
    *,
    fps: float | None = None,
    mime_type: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """A video block: one file/URL, or a list of frames (images) with `fps` spacing."""
    if fps is not None:
        if not 0.1 <= fps <= 10:
            raise QwenValidationError(f"fps must be within [0.1, 10] (DashScope), got {fps}.")
        options = {**options, "fps": fps}
    if isinstance(source, (list, tuple)):
        frames = [
            f if isinstance(f, str) and _is_url(f) else "data:{1};base64,{0}".format(*_read(f, None, "image/jpeg"))
            for f in source
        ]
        return {"type": "video", "video": frames, **options}
    return _block("video", source, mime_type, "video/mp4", options)  # type: ignore[arg-type]


def inline_local_media(messages: Sequence[Any]) -> list[Any]:
    """Messages with `file://` (or bare local path) media URLs replaced by data URIs; others returned as is."""
    out = []
    for message in messages:
        content = getattr(message, "content", None)
        if not isinstance(content, list) or not any(_local(b) for b in content):
            out.append(message)
            continue
        blocks = [_inline(b) if _local(b) else b for b in content]
        out.append(message.model_copy(update={"content": blocks}))
    return out


def _local(block: Any) -> bool:
    return (
        isinstance(block, Mapping)
        and block.get("type") in ("image", "video", "audio")
        and isinstance(block.get("url"), str)
        and block["url"].startswith("file://")
    )


def _inline(block: Mapping[str, Any]) -> dict[str, Any]:
    defaults = {"image": "image/png", "video": "video/mp4", "audio": "audio/wav"}
    data, mime = _read(block["url"], block.get("mime_type"), defaults[block["type"]])
    rest = {k: v for k, v in block.items() if k not in ("url", "mime_type")}
    return {**rest, "base64": data, "mime_type": mime}


def pcm_to_wav(pcm: bytes, *, sample_rate: int = PCM_RATE) -> bytes:
    """A playable WAV file (16-bit mono) around raw PCM."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
    return buf.getvalue()


def message_wav(message: Any) -> bytes | None:
    """The answer's audio as WAV bytes: from an invoke result's WAV block or a merged stream's PCM block."""
    content = getattr(message, "content", None)
    if not isinstance(content, list):
        return None
    for block in content:
        if isinstance(block, Mapping) and block.get("type") == "audio" and block.get("base64"):
            data = base64.b64decode(block["base64"])
            return data if str(block.get("mime_type", "")).startswith("audio/wav") else pcm_to_wav(data)
    return None


__all__ = [
    "PCM_RATE",
    "audio_block",
    "image_block",
    "inline_local_media",
    "message_wav",
    "pcm_to_wav",
    "video_block",
]

"""Media for Qwen-VL / Qwen-Omni: content blocks from local files, bytes or URLs, and Omni audio as WAV.

```python
from langchain_core.messages import HumanMessage
from langchain_qwen.media import image_block, video_block, audio_block, message_wav

msg = HumanMessage([{"type": "text", "text": "What is in this picture?"}, image_block("cat.png", max_pixels=1003520)])
frames = video_block(["f1.jpg", "f2.jpg", "f3.jpg", "f4.jpg"], fps=2)   # a video as a list of frames
answer = ChatQwen(model="qwen3-omni-flash", modalities=["text", "audio"], audio={"voice": "Cherry"}).invoke("Hi")
open("answer.wav", "wb").write(message_wav(answer))
```

The helpers read local paths and bytes explicitly into base64 data URIs (DashScope's compatible mode never
accepts `file://`); a `file://` URL or bare path inside message content is never read implicitly (it is
refused, unless the model was built with `allow_local_files=True`). Items over DashScope's 10 MB data-URI
limit are refused locally. Per-part options (`min_pixels`,
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
        path = Path(unquote(urlparse(str(source)).path) if str(source).startswith("file:") else source)
        data = path.read_bytes()
        mime = mime_type or mimetypes.guess_type(path.name)[0] or default
    if len(data) > MAX_DATA_URI_BYTES:
        raise QwenValidationError(
            f"{len(data) / 2**20:.1f} MB is over DashScope's 10 MB limit for inline (base64) media; "
            f"upload it somewhere public and pass the http(s) URL instead."
        )
    return base64.b64encode(data).decode("ascii"), mime


def _block(
    kind: str, source: MediaSource, mime_type: str | None, default: str, options: Mapping[str, Any]
) -> dict[str, Any]:
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


def inline_local_media(messages: Sequence[Any], *, allow: bool = False) -> list[Any]:
    """Messages whose media blocks point at local files (`file://` URLs, bare paths).

    Local files are read only when `allow` is True (the model's `allow_local_files=True`): the
    reference becomes a data URI. Otherwise such a block is refused with `QwenValidationError`
    naming the explicit helper (`image_block(path)`, ...): nothing is read because a message
    mentions a path.
    """
    out = []
    for position, message in enumerate(messages):
        content = getattr(message, "content", None)
        if not isinstance(content, list) or not any(_local_ref(b) for b in _checked(content, position)):
            out.append(message)
            continue
        blocks = [_inline(b, position, i, allow) if _local_ref(b) else b for i, b in enumerate(content)]
        out.append(message.model_copy(update={"content": blocks}))
    return out


_HELPERS = {"image": "image_block", "video": "video_block", "audio": "audio_block"}


def _checked(content: list[Any], message: int) -> list[Any]:
    """`content` after checking that blocks are dicts and text is text (nothing is turned into a str silently)."""
    for index, block in enumerate(content):
        if isinstance(block, str):
            continue
        where = f"messages[{message}].content[{index}]"
        if not isinstance(block, Mapping):
            raise QwenValidationError(f"{where} is a {type(block).__name__}; allowed: a str or a content block dict.")
        kind = block.get("type")
        if kind in ("text", "text-plain") and not isinstance(block.get("text"), str):
            shown = type(block.get("text")).__name__
            raise QwenValidationError(f"{where}: text is a {shown} ({block.get('text')!r}); allowed: a str.")
    return content


_OPENAI_FORMS = {"image_url": "image", "video_url": "video"}


def _is_local(url: Any) -> bool:
    if not isinstance(url, str) or not url:
        return False
    if url.startswith("file:"):
        return True
    scheme = urlparse(url).scheme
    return not scheme or len(scheme) == 1  # a bare path (or a Windows drive letter)


def _local_ref(block: Any) -> str | None:
    """The local file a media block points at (v1 `url` or OpenAI `image_url`/`video_url`), else None."""
    if not isinstance(block, Mapping):
        return None
    kind = block.get("type")
    if kind in _HELPERS and "base64" not in block and "data" not in block:
        url = block.get("url")
    elif kind in _OPENAI_FORMS and isinstance(block.get(kind), (Mapping, str)):
        inner = block[kind]
        url = inner if isinstance(inner, str) else inner.get("url")
    else:
        return None
    return url if _is_local(url) else None


def _inline(block: Mapping[str, Any], message: int, index: int, allow: bool) -> dict[str, Any]:
    url = _local_ref(block) or ""
    kind = _OPENAI_FORMS.get(block["type"], block["type"])
    if not allow:
        path = unquote(urlparse(url).path) if url.startswith("file:") else url
        raise QwenValidationError(
            f"messages[{message}].content[{index}]: {kind} url={url!r} is a local file, and local files are "
            f"never read implicitly. Allowed: an http(s) or data: URL; to send a local file use "
            f"langchain_qwen.media.{_HELPERS[kind]}({path!r}), or build the model with allow_local_files=True."
        )
    defaults = {"image": "image/png", "video": "video/mp4", "audio": "audio/wav"}
    try:
        data, mime = _read(url, block.get("mime_type"), defaults[kind])
    except OSError as err:
        raise QwenValidationError(f"messages[{message}].content[{index}]: cannot read {url!r}: {err}") from err
    rest = {k: v for k, v in block.items() if k not in ("url", "mime_type", "image_url", "video_url")}
    return {**rest, "type": kind, "base64": data, "mime_type": mime}


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

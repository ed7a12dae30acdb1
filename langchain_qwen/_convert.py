"""LangChain messages to DashScope wire messages (pure: no I/O, never mutates its input)."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_qwen._errors import QwenValidationError
from langchain_qwen._profiles import QwenProfile

_DROPPED_BLOCKS = frozenset(
    {"reasoning", "thinking", "redacted_thinking", "tool_use", "tool_call", "tool_call_chunk", "invalid_tool_call"}
)
_ROLE_MAP = {"developer": "system", "human": "user", "ai": "assistant"}


def _text_block(block: Mapping[str, Any]) -> str | None:
    btype = block.get("type")
    if btype == "text":
        return str(block.get("text", ""))
    if btype == "text-plain" and block.get("text") is not None:
        return str(block["text"])
    return None


MAX_DATA_URI_BYTES = 10 * 1024 * 1024
"""DashScope's limit per base64 data-URI item ("Exceeded limit on max bytes per data-uri item : 10485760")."""


def _check_data_uri(url: str) -> str:
    if url.startswith("data:"):
        _head, _, payload = url.partition(",")
        size = len(payload) * 3 // 4 - payload[-2:].count("=")
        if size > MAX_DATA_URI_BYTES:
            raise QwenValidationError(
                f"A base64 media item of {size / 2**20:.1f} MB exceeds DashScope's 10 MB data-URI limit; "
                f"pass a public http(s) URL for large files instead."
            )
    elif url.startswith("file://"):
        raise QwenValidationError(
            "file:// URLs are not accepted by DashScope's compatible mode; use langchain_qwen.media.image_block(path) "
            "(or video_block / audio_block), which inline local files as data URIs."
        )
    return url


def _data_url(block: Mapping[str, Any], default_mime: str) -> str:
    if block.get("url"):
        return _check_data_uri(str(block["url"]))
    data = block.get("base64") or block.get("data")  # `data`: legacy v0 `source_type` blocks
    if data:
        if isinstance(data, (bytes, bytearray)):
            data = base64.b64encode(data).decode("ascii")
        return _check_data_uri(f"data:{block.get('mime_type') or default_mime};base64,{data}")
    if block.get("file_id"):
        raise QwenValidationError(
            "Media blocks with file_id are not supported in DashScope chat; qwen-long documents go in "
            "fileid:// system messages (langchain_qwen.files.document_messages)."
        )
    raise QwenValidationError(f"A {block.get('type')} block needs `url` or `base64` data: {dict(block)!r}")


def _audio_data(data: str, fmt: str) -> str:
    # OpenAI-style input_audio carries bare base64; DashScope wants a URL or a data URI.
    if data.startswith(("http://", "https://", "data:", "file://")):
        return _check_data_uri(data)
    return _check_data_uri(f"data:audio/{fmt};base64,{data}")


def _media_part(block: Mapping[str, Any]) -> dict[str, Any] | None:
    """A DashScope media part for an image/video/audio block, or None if `block` is not media."""
    btype = block.get("type")
    opts = _part_options(block)
    if btype == "image_url":
        image = block["image_url"]
        url = image if isinstance(image, str) else image.get("url", "")
        return {"type": "image_url", "image_url": {"url": _check_data_uri(url)}} | opts
    if btype == "image":
        return {"type": "image_url", "image_url": {"url": _data_url(block, "image/png")}} | opts
    if btype == "video_url":
        return {"type": "video_url", "video_url": {"url": _check_data_uri(block["video_url"]["url"])}} | opts
    if btype == "video":
        frames = block.get("video") or block.get("frames") or (block.get("extras") or {}).get("frames")
        if isinstance(frames, list):
            return {"type": "video", "video": [_check_data_uri(str(f)) for f in frames]} | opts
        return {"type": "video_url", "video_url": {"url": _data_url(block, "video/mp4")}} | opts
    if btype == "input_audio":
        audio = block["input_audio"]
        fmt = audio.get("format") or "wav"
        return {
            "type": "input_audio",
            "input_audio": {"data": _audio_data(str(audio.get("data", "")), fmt), "format": fmt},
        }
    if btype == "audio":
        fmt = (block.get("mime_type") or "audio/wav").split("/")[-1].split(";")[0]
        fmt = {"mpeg": "mp3", "x-wav": "wav", "wave": "wav"}.get(fmt, fmt)
        return {"type": "input_audio", "input_audio": {"data": _data_url(block, "audio/wav"), "format": fmt}}
    return None


_PART_OPTION_KEYS = ("min_pixels", "max_pixels", "total_pixels", "fps", "cache_control")


def _part_options(block: Mapping[str, Any]) -> dict[str, Any]:
    extras: Mapping[str, Any] = block["extras"] if isinstance(block.get("extras"), Mapping) else {}
    out = {k: block[k] for k in _PART_OPTION_KEYS if k in block}
    out.update({k: extras[k] for k in _PART_OPTION_KEYS if k in extras})
    return out


def content_to_wire(content: str | list[Any], profile: QwenProfile, *, role: str) -> str | list[dict[str, Any]]:
    """Message content for the wire: a string unless parts need the array form.

    Text-only models reject array content ("input content must be a string."), so text parts are
    joined unless a part carries `cache_control` (explicit cache) or media.
    """
    if isinstance(content, str):
        return content
    parts: list[dict[str, Any]] = []
    needs_array = False
    for block in content:
        if isinstance(block, str):
            parts.append({"type": "text", "text": block})
            continue
        if not isinstance(block, Mapping):
            raise QwenValidationError(f"Unsupported content part {type(block).__name__} in a {role} message")
        if block.get("type") in _DROPPED_BLOCKS:
            continue
        text = _text_block(block)
        if text is not None:
            part: dict[str, Any] = {"type": "text", "text": text}
            if "cache_control" in block:
                part["cache_control"] = dict(block["cache_control"])
                needs_array = True
            parts.append(part)
            continue
        media = _media_part(block)
        if media is None:
            raise QwenValidationError(
                f"Content part of type {block.get('type')!r} is not supported by DashScope chat messages; allowed: "
                f"text, image, video, audio blocks (or image_url, video_url, input_audio)."
            )
        # Input modalities are a volatile table fact: never refused here; the server's answer maps to a typed error.
        needs_array = True
        parts.append(media)
    if any(p["type"] != "text" for p in parts):
        return parts
    if needs_array and (not profile.known or profile.explicit_cache or profile.input_modalities != {"text"}):
        return parts  # cache_control markers need the array form
    return "".join(p["text"] for p in parts)


def _tool_call_to_wire(call: Mapping[str, Any], index: int) -> dict[str, Any]:
    args = call.get("args")
    arguments = json.dumps(args if args is not None else {}, ensure_ascii=False)
    return {
        "id": call.get("id") or f"call_{index}",
        "type": "function",
        "index": index,
        "function": {"name": call["name"], "arguments": arguments},
    }


def _invalid_call_to_wire(call: Mapping[str, Any], index: int) -> dict[str, Any]:
    raw = call.get("args")
    try:
        json.loads(raw or "{}")
        arguments = raw or "{}"
    except (TypeError, ValueError):
        # DashScope rejects non-JSON arguments in history and the session would stay broken;
        # keep the raw text visible to the model as a JSON string value instead.
        arguments = json.dumps({"_invalid_arguments": raw}, ensure_ascii=False)
    return {
        "id": call.get("id") or f"call_{index}",
        "type": "function",
        "index": index,
        "function": {"name": call.get("name") or "", "arguments": arguments},
    }


def _tool_content(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(
        isinstance(b, str) or (isinstance(b, Mapping) and b.get("type") == "text") for b in content
    ):
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content)
    return json.dumps(content, ensure_ascii=False, default=str)


def _assistant_text(content: Any) -> Any:
    if isinstance(content, list):
        return "".join(b if isinstance(b, str) else (_text_block(b) or "") for b in content)
    return content


def _assistant_calls(message: AIMessage) -> list[dict[str, Any]]:
    calls = [_tool_call_to_wire(c, i) for i, c in enumerate(message.tool_calls)]
    calls += [_invalid_call_to_wire(c, len(calls) + i) for i, c in enumerate(message.invalid_tool_calls)]
    if not calls and message.additional_kwargs.get("tool_calls"):
        calls = [dict(c) for c in message.additional_kwargs["tool_calls"]]
    return calls


def _assistant_reasoning(message: AIMessage) -> str | None:
    """`reasoning_content` from additional_kwargs, else joined from reasoning content blocks."""
    reasoning = message.additional_kwargs.get("reasoning_content")
    if reasoning is None and isinstance(message.content, list):
        blocks = [b for b in message.content if isinstance(b, Mapping) and b.get("type") == "reasoning"]
        reasoning = "".join(str(b.get("reasoning", "")) for b in blocks) or None
    return reasoning if reasoning else None


def assistant_to_wire(message: AIMessage, profile: QwenProfile, *, keep_reasoning: bool) -> dict[str, Any]:
    """An AI turn: text content, tool calls (arguments as JSON strings), optional reasoning, partial flag."""
    out: dict[str, Any] = {"role": "assistant", "content": _assistant_text(message.content)}
    calls = _assistant_calls(message)
    if calls:
        out["tool_calls"] = calls
    reasoning = _assistant_reasoning(message) if keep_reasoning else None
    if reasoning:
        out["reasoning_content"] = reasoning
    if message.additional_kwargs.get("partial"):
        out["partial"] = True
    if message.name:
        out["name"] = message.name
    return out


def message_to_wire(
    message: BaseMessage, profile: QwenProfile, *, keep_reasoning: bool, keep_tool_turn_reasoning: bool = False
) -> dict[str, Any]:
    """One LangChain message as a DashScope wire message."""
    if isinstance(message, AIMessage):
        keep = keep_reasoning or (keep_tool_turn_reasoning and bool(message.tool_calls))
        return assistant_to_wire(message, profile, keep_reasoning=keep)
    if isinstance(message, ToolMessage):
        content = _tool_content(message.content)
        if message.status == "error" and not content.lower().startswith("error"):
            content = f"Error: {content}"
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": content}
    if isinstance(message, SystemMessage):
        role = "system"
    elif isinstance(message, HumanMessage):
        role = "user"
    elif isinstance(message, ChatMessage):
        role = _ROLE_MAP.get(message.role, message.role)
    elif isinstance(message, FunctionMessage):
        raise QwenValidationError(
            "FunctionMessage (legacy OpenAI function calling) is not supported by DashScope; use ToolMessage."
        )
    else:
        raise QwenValidationError(f"Unsupported message type {type(message).__name__}")
    out: dict[str, Any] = {"role": role, "content": content_to_wire(message.content, profile, role=role)}
    if message.name:
        out["name"] = message.name
    return out


def messages_to_wire(
    messages: Sequence[BaseMessage],
    profile: QwenProfile,
    *,
    keep_reasoning: bool = False,
    keep_tool_turn_reasoning: bool = False,
) -> list[dict[str, Any]]:
    """Convert a conversation.

    `keep_reasoning` sends every prior `reasoning_content` back (preserve-thinking models);
    `keep_tool_turn_reasoning` keeps it on assistant turns that carry tool calls (DashScope's
    function-calling guidance returns the reasoning with the tool results).
    """
    return [
        message_to_wire(m, profile, keep_reasoning=keep_reasoning, keep_tool_turn_reasoning=keep_tool_turn_reasoning)
        for m in messages
    ]


__all__ = ["assistant_to_wire", "content_to_wire", "message_to_wire", "messages_to_wire"]

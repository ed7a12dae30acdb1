"""Wire to LangChain: completions and stream chunks to AIMessage / AIMessageChunk, sharing field mappers."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import add_ai_message_chunks
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_qwen._chunks import text_chunk, tool_chunk
from langchain_qwen._client import HttpMeta

PROVIDER = "qwen"
"""`response_metadata["model_provider"]`: no core block translator is registered under this name, so
core's best-effort path turns `additional_kwargs["reasoning_content"]` into a leading reasoning block."""


def usage_from_wire(usage: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """LangChain `UsageMetadata` from DashScope usage (all detail fields optional, None dropped)."""
    if not usage:
        return None
    inp = int(usage.get("prompt_tokens") or 0)
    out = int(usage.get("completion_tokens") or 0)
    result: dict[str, Any] = {
        "input_tokens": inp,
        "output_tokens": out,
        "total_tokens": int(usage.get("total_tokens") or inp + out),
    }
    pdet = usage.get("prompt_tokens_details") or {}
    cdet = usage.get("completion_tokens_details") or {}
    in_details = {
        "cache_read": pdet.get("cached_tokens") or usage.get("cached_tokens"),
        "cache_creation": pdet.get("cache_creation_input_tokens"),
        "audio": pdet.get("audio_tokens"),
    }
    out_details = {"reasoning": cdet.get("reasoning_tokens"), "audio": cdet.get("audio_tokens")}
    in_details = {k: int(v) for k, v in in_details.items() if v is not None}
    out_details = {k: int(v) for k, v in out_details.items() if v is not None}
    if in_details:
        result["input_token_details"] = in_details
    if out_details:
        result["output_token_details"] = out_details
    return result


def reasoning_from_wire(obj: Mapping[str, Any]) -> str | None:
    """`reasoning_content`, or the `reasoning` alias some gateways use."""
    value = obj.get("reasoning_content")
    if value is None:
        value = obj.get("reasoning")
    return value if isinstance(value, str) else None


def tool_calls_from_wire(raw_calls: Sequence[Mapping[str, Any]] | None) -> tuple[list[Any], list[Any]]:
    """(tool_calls, invalid_tool_calls); arguments are parsed once, never repaired."""
    calls: list[Any] = []
    invalid: list[Any] = []
    for raw in raw_calls or ():
        fn = raw.get("function") or {}
        name = fn.get("name")
        args_text = fn.get("arguments")
        call_id = raw.get("id") or fallback_call_id()
        try:
            args = json.loads(args_text) if args_text not in (None, "") else {}
        except (TypeError, ValueError) as exc:
            invalid.append(invalid_tool_call(name=name, args=args_text, id=call_id, error=f"Invalid JSON: {exc}"))
            continue
        if not isinstance(args, dict) or not name:
            invalid.append(
                invalid_tool_call(name=name, args=args_text, id=call_id, error="Arguments are not a JSON object")
            )
            continue
        calls.append(tool_call(name=name, args=args, id=call_id))
    return calls, invalid


def fallback_call_id() -> str:
    """A unique id for a tool call the server sent without one (LangGraph's ToolNode skips id-less calls)."""
    return f"call_{uuid.uuid4().hex[:24]}"


def http_metadata(meta: HttpMeta | None) -> dict[str, Any]:
    """Response-header facts for `response_metadata` (request id, partial-response flag, reseller balance)."""
    if meta is None:
        return {}
    out: dict[str, Any] = {}
    if meta.request_id:
        out["request_id"] = meta.request_id
    if meta.partial_response:
        out["partial_response"] = True
    if meta.account_balance is not None:
        out["account_balance"] = meta.account_balance
    return out


def message_from_choice(
    choice: Mapping[str, Any], resp: Mapping[str, Any], meta: HttpMeta | None, usage: dict[str, Any] | None
) -> AIMessage:
    """One non-stream choice as an `AIMessage` (carrying `usage`: the request's, on the first choice only)."""
    msg = choice.get("message") or {}
    additional: dict[str, Any] = {}
    reasoning = reasoning_from_wire(msg)
    if reasoning:
        additional["reasoning_content"] = reasoning
    content: Any = msg.get("content") or ""
    audio = msg.get("audio")
    if audio:
        additional["audio"] = {k: v for k, v in audio.items() if k != "data"}
        if audio.get("data"):
            content = _wav_content(content, audio["data"])
    calls, invalid = tool_calls_from_wire(msg.get("tool_calls"))
    response_metadata: dict[str, Any] = {
        "model_provider": PROVIDER,
        "model_name": resp.get("model"),
        "finish_reason": choice.get("finish_reason"),
        "id": resp.get("id"),
    }
    if choice.get("logprobs"):
        response_metadata["logprobs"] = choice["logprobs"]
    response_metadata.update(http_metadata(meta))
    return AIMessage(
        content=content,
        additional_kwargs=additional,
        tool_calls=calls,
        invalid_tool_calls=invalid,
        usage_metadata=usage,
        response_metadata=response_metadata,
        id=resp.get("id"),
    )


def chat_result(resp: Mapping[str, Any], meta: HttpMeta | None = None) -> ChatResult:
    """A non-stream completion (or an aggregated stream) as a `ChatResult` (one generation per choice)."""
    if isinstance(resp.get("error"), Mapping):
        raise ValueError(f"DashScope returned an error body with HTTP 200: {resp['error']}")
    choices = resp.get("choices")
    if not choices:
        raise ValueError(f"DashScope returned no choices: {json.dumps(resp, ensure_ascii=False)[:500]}")
    ordered = sorted(choices, key=lambda c: c.get("index", 0))
    usage = usage_from_wire(resp.get("usage"))
    messages = [message_from_choice(choice, resp, meta, usage if i == 0 else None) for i, choice in enumerate(ordered)]
    return result_of(messages, resp.get("usage"), resp.get("model"))


def result_of(messages: Sequence[AIMessage], usage: Mapping[str, Any] | None, model: Any) -> ChatResult:
    """One generation per choice (finish reason from its metadata) and the request's `llm_output`.

    Usage covers the whole request, so only the first message carries it."""
    gens = []
    for i, message in enumerate(messages):
        if i > 0:
            message.usage_metadata = None
        info = {"finish_reason": message.response_metadata.get("finish_reason")}
        gens.append(ChatGeneration(message=message, generation_info=info))
    return ChatResult(
        generations=gens,
        llm_output={"token_usage": dict(usage or {}), "model_name": model, "model_provider": PROVIDER},
    )


def delta_chunk(
    delta: Mapping[str, Any], text: str, finish_metadata: dict[str, Any] | None, chunk_id: str | None
) -> ChatGenerationChunk:
    """One streamed choice delta as a generation chunk (`text` is the already de-cumulated content)."""
    additional: dict[str, Any] = {}
    reasoning = reasoning_from_wire(delta)
    if reasoning:
        additional["reasoning_content"] = reasoning
    if delta.get("audio"):
        additional["audio"] = delta["audio"]
    tool_chunks = [
        tool_call_chunk(
            name=(tc.get("function") or {}).get("name") or None,
            args=(tc.get("function") or {}).get("arguments") or None,
            id=tc.get("id") or None,  # continuation deltas carry id "" (F3.3)
            index=tc.get("index", 0),
        )
        for tc in delta.get("tool_calls") or ()
    ]
    metadata = {"model_provider": PROVIDER}
    if finish_metadata:
        metadata.update(finish_metadata)
    if tool_chunks:
        return tool_chunk(text, additional, tool_chunks, metadata, chunk_id)
    return text_chunk(text, additional, metadata, chunk_id)


def content_chunk(
    blocks: list[dict[str, Any]],
    finish_metadata: dict[str, Any] | None,
    chunk_id: str | None,
    additional: dict[str, Any] | None = None,
) -> ChatGenerationChunk:
    """A chunk whose content is a list of blocks (Omni text + audio); blocks merge by `index`."""
    metadata = {"model_provider": PROVIDER, **(finish_metadata or {})}
    message = AIMessageChunk(
        content=cast(list[str | dict[Any, Any]], blocks),
        additional_kwargs=additional or {},
        response_metadata=metadata,
        id=chunk_id,
    )
    return ChatGenerationChunk(message=message)


def _final_content(content: list[Any]) -> Any:
    """Merged Omni blocks as a non-stream answer has them: the text, plus the whole PCM as one WAV block."""
    text = "".join(str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text")
    pcm = "".join(str(b.get("base64", "")) for b in content if isinstance(b, dict) and b.get("type") == "audio")
    return _wav_content(text, pcm) if pcm else text


def _wav_content(text: str, pcm_base64: str) -> list[dict[str, Any]]:
    """An Omni answer's content: its text, then its raw 24 kHz PCM (base64) as one WAV audio block."""
    from langchain_qwen.media import pcm_to_wav

    wav = base64.b64encode(pcm_to_wav(base64.b64decode(pcm_base64))).decode("ascii")
    return [{"type": "text", "text": text}, {"type": "audio", "base64": wav, "mime_type": "audio/wav"}]


def message_from_chunks(chunks: Sequence[ChatGenerationChunk], response_id: str | None) -> AIMessage:
    """One choice's stream chunks merged into the `AIMessage` a non-stream call would return.

    Tool-call arguments are parsed strictly by `tool_calls_from_wire` (never repaired), as for a completion.
    """
    merged = (
        add_ai_message_chunks(*(cast(AIMessageChunk, c.message) for c in chunks))
        if chunks
        else AIMessageChunk(content="")
    )
    raw_calls = [
        {"id": c.get("id"), "function": {"name": c.get("name"), "arguments": c.get("args")}}
        for c in merged.tool_call_chunks
    ]
    calls, invalid = tool_calls_from_wire(raw_calls)
    content = _final_content(merged.content) if isinstance(merged.content, list) else merged.content
    metadata = {"model_provider": PROVIDER, **merged.response_metadata, "id": response_id}
    return AIMessage(
        content=content,
        additional_kwargs=dict(merged.additional_kwargs),
        tool_calls=calls,
        invalid_tool_calls=invalid,
        usage_metadata=merged.usage_metadata,
        response_metadata=metadata,
        id=response_id,
    )


def usage_chunk(usage: Mapping[str, Any], chunk_id: str | None) -> ChatGenerationChunk:
    """The trailing choice-less usage chunk as an empty message carrying `usage_metadata`."""
    message = AIMessageChunk(
        content="",
        usage_metadata=usage_from_wire(usage),
        response_metadata={"model_provider": PROVIDER},
        id=chunk_id,
    )
    return ChatGenerationChunk(message=message)


__all__ = [
    "PROVIDER",
    "chat_result",
    "content_chunk",
    "delta_chunk",
    "http_metadata",
    "message_from_choice",
    "message_from_chunks",
    "reasoning_from_wire",
    "result_of",
    "tool_calls_from_wire",
    "usage_chunk",
    "usage_from_wire",
]

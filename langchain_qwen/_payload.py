"""The one request builder shared by invoke, stream and batch: settings folded through the request rules."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from langchain_qwen._chat_settings import ReasoningPolicy, SearchOptions
from langchain_qwen._convert import messages_to_wire
from langchain_qwen._errors import QwenValidationError
from langchain_qwen._input_rules import INPUT_RULES
from langchain_qwen._profiles import QwenProfile, resolve_profile
from langchain_qwen._rules import (
    RULES,
    apply_rules,
    audio_out,
    check_body,
    keep_reasoning,
    stream_fields,
    thinking_state,
)

ALL_RULES = {**INPUT_RULES, **RULES}
"""Input checks (documented hard limits, refused before any request) first, then the rules that build the body."""


@dataclass(frozen=True)
class ChatRequest:
    """A fully decided request: body, whether the HTTP call streams, and why."""

    body: dict[str, Any]
    stream: bool
    """The HTTP request streams (asked for, or required by the model/mode)."""
    aggregate: bool
    """invoke() must stream internally and aggregate (stream-only model or mode)."""
    profile: QwenProfile
    thinking: bool | None
    """Effective thinking state (None when the model is unknown and nothing was asked)."""
    audio: bool = False
    """The answer streams audio (Qwen-Omni with modalities including "audio")."""
    headers: dict[str, str] | None = None
    timeout: float | None = None


def _tail(messages: Sequence[BaseMessage]) -> tuple[Mapping[str, Any], ...]:
    """What the thinking decision needs to know about the conversation before it is converted."""
    last = messages[-1] if messages else None
    if isinstance(last, AIMessage) and last.additional_kwargs.get("partial"):
        return ({"role": "assistant", "partial": True},)
    return ()


def build_chat_request(
    messages: Sequence[BaseMessage],
    params: Mapping[str, Any],
    *,
    want_stream: bool,
    check_input: bool = True,
    region: str | None = None,
) -> ChatRequest:
    """Decide the whole request from the model's settings merged with per-call options (facts of `region`).

    `check_input=False` skips the input rules (token counting of a partial conversation sends nothing).
    """
    model = params.get("model")
    if not model:
        raise QwenValidationError("No model given: pass model='qwen-plus' (or another DashScope model id).")
    profile = resolve_profile(model, params.get("qwen_profile"), region=region)
    tail = _tail(messages)
    thinking = thinking_state(profile, params, tail)
    policy = params.get("reasoning_in_history") or "auto"
    wire = messages_to_wire(
        messages,
        profile,
        keep_reasoning=keep_reasoning(profile, params, tail, thinking=thinking),
        keep_tool_turn_reasoning=policy != "never",
    )
    rules = ALL_RULES if check_input else RULES
    fields, final_messages, notes = apply_rules(profile, params, wire, rules, thinking=thinking)
    body: dict[str, Any] = {"model": model, "messages": list(final_messages), **fields}
    body.update(params.get("model_kwargs") or {})
    body.update(params.get("extra_body") or {})
    check_body(profile, body)
    stream = stream_fields(profile, params, tail, want_stream=want_stream, thinking=thinking)
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}  # usage only arrives when asked for (F2.1)
    else:
        body.pop("stream", None)
        body.pop("stream_options", None)
    for note in notes:
        warnings.warn(note, stacklevel=3)
    return ChatRequest(
        body=body,
        stream=stream,
        aggregate=stream and not want_stream,
        profile=profile,
        thinking=thinking.on,
        audio=audio_out(params),
        headers=params.get("extra_headers"),
        timeout=params.get("timeout"),
    )


__all__ = ["ChatRequest", "ReasoningPolicy", "SearchOptions", "build_chat_request"]

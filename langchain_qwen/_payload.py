"""The one request builder shared by invoke, stream and batch: options, thinking control, wire body."""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from langchain_core.messages import BaseMessage

from langchain_qwen._convert import messages_to_wire
from langchain_qwen._errors import QwenValidationError
from langchain_qwen._profiles import QwenProfile, resolve_profile
from langchain_qwen._tools import forced, normalize_tool_choice, wire_tool_choice

ReasoningPolicy = Literal["auto", "always", "never"]

CONTROL_KEYS = frozenset(
    {
        "model",
        "extra_body",
        "model_kwargs",
        "extra_headers",
        "timeout",
        "reasoning_in_history",
        "qwen_profile",
        "enable_thinking",
        "thinking_budget",
        "preserve_thinking",
        "reasoning_effort",
        "stream",
        "stream_options",
        "stream_usage",
        "response_schema_hint",
        "translation_options",
        "auto_cache",
    }
)
"""Options that steer the request but are not copied verbatim into the JSON body."""


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


def resolve_thinking(
    profile: QwenProfile, params: Mapping[str, Any], exclusive: str | None = None
) -> tuple[dict[str, Any], bool | None, bool]:
    """Body fields for thinking control, the effective thinking state, and whether reasoning is preserved.

    Parameters a model would reject are never sent; asking for something the profile says the
    model cannot do raises `QwenValidationError` before any network call (F1.2, F1.4).
    `exclusive` names a feature DashScope refuses while thinking (forced tool, JSON output, partial
    mode, F1.6/F1.7): thinking is switched off for this call on hybrid models, and refused on
    always-thinking ones.
    """
    enable = params.get("enable_thinking")
    budget = params.get("thinking_budget")
    preserve = params.get("preserve_thinking")
    effort = params.get("reasoning_effort")
    model = profile.model
    body: dict[str, Any] = {}
    if profile.thinking == "unknown":
        for key, value in (
            ("enable_thinking", enable),
            ("thinking_budget", budget),
            ("preserve_thinking", preserve),
            ("reasoning_effort", effort),
        ):
            if value is not None:
                body[key] = value
        return body, enable, bool(preserve)
    if profile.thinking == "none":
        asked = {
            "enable_thinking=True": enable is True,
            "thinking_budget": budget is not None,
            "preserve_thinking=True": preserve is True,
            "reasoning_effort": effort is not None,
        }
        wrong = [k for k, v in asked.items() if v]
        if wrong:
            raise QwenValidationError(
                f"Model {model} has no thinking mode, so DashScope rejects {', '.join(wrong)}. Use a thinking "
                f"model (e.g. qwen-plus with enable_thinking=True, or qwq-plus) or drop the option."
            )
        return body, False, False
    if profile.thinking == "always":
        if enable is False:
            raise QwenValidationError(
                f"Model {model} always thinks; DashScope rejects enable_thinking=False for it "
                f'("The value of the enable_thinking parameter is restricted to True."). Use a hybrid model '
                f"such as qwen-plus to switch thinking off."
            )
        on = True
    else:
        on = enable if enable is not None else bool(profile.thinking_default)
    if exclusive and on:
        if profile.thinking == "always":
            raise QwenValidationError(
                f"Model {model} always thinks, and DashScope does not allow {exclusive} while thinking. Use a "
                f"hybrid model (e.g. qwen-plus), where thinking is switched off for such calls."
            )
        if enable is True:
            warnings.warn(
                f"DashScope does not allow {exclusive} while thinking; thinking is off for this call to {model}.",
                stacklevel=4,
            )
        return {"enable_thinking": False}, False, False
    if effort is not None:
        if not profile.reasoning_effort:
            raise QwenValidationError(f"Model {model} does not accept reasoning_effort; use thinking_budget instead.")
        if effort not in profile.reasoning_effort:
            raise QwenValidationError(
                f"reasoning_effort={effort!r} is not accepted by {model}; use one of {list(profile.reasoning_effort)}."
            )
        if budget is not None and profile.effort_excludes_budget:
            raise QwenValidationError(
                f"Model {model} accepts reasoning_effort or thinking_budget, not both; set only one."
            )
        if effort == "none":
            if profile.thinking == "always":
                raise QwenValidationError(f"Model {model} always thinks; reasoning_effort='none' is not possible.")
            on = False
        body["reasoning_effort"] = effort
    if profile.thinking != "always":
        body["enable_thinking"] = on  # always explicit: defaults differ per model (F1.1)
    if budget is not None:
        if profile.max_thinking_budget is None:
            raise QwenValidationError(f"Model {model} does not accept thinking_budget.")
        if isinstance(budget, bool) or not isinstance(budget, int) or not 0 < budget <= profile.max_thinking_budget:
            raise QwenValidationError(
                f"thinking_budget must be a positive integer not greater than {profile.max_thinking_budget} "
                f"for {model}; got {budget!r}."
            )
        if on:
            body["thinking_budget"] = budget
    if preserve is not None:
        if profile.preserve_thinking == "unsupported":
            if preserve:
                raise QwenValidationError(
                    f"Model {model} does not support preserve_thinking (qwen3.6+ and qwen3.8 models do)."
                )
        else:
            body["preserve_thinking"] = bool(preserve)
    preserved = on and (preserve if preserve is not None else profile.preserve_thinking == "default_on")
    return body, on, bool(preserved)


def _keep_reasoning(policy: ReasoningPolicy, preserved: bool) -> bool:
    if policy == "always":
        return True
    if policy == "never":
        return False
    return preserved


def _check_local(profile: QwenProfile, body: Mapping[str, Any]) -> None:
    if not profile.known:
        return
    n = body.get("n")
    if n not in (None, 1):
        if not profile.n_choices:
            raise QwenValidationError(f"Model {profile.model} does not accept n={n}; only n=1.")
        if body.get("tools"):
            raise QwenValidationError("DashScope requires n=1 when tools are passed.")
    if body.get("enable_search") and not profile.web_search:
        raise QwenValidationError(f"Model {profile.model} does not support enable_search (web search).")
    if body.get("tools") and not profile.tools:
        raise QwenValidationError(f"Model {profile.model} does not support tool calling.")


_JSON_INSTRUCTION = "Respond with a JSON object."
_SCHEMA_INSTRUCTION = "Respond with a JSON object that conforms to this JSON schema:\n"


def _exclusive_reason(params: Mapping[str, Any], messages: Sequence[BaseMessage]) -> str | None:
    if params.get("tools") and forced(normalize_tool_choice(params.get("tool_choice"), params["tools"])):
        return "forcing a tool call (tool_choice)"
    fmt = params.get("response_format")
    if isinstance(fmt, Mapping) and fmt.get("type") in ("json_object", "json_schema"):
        return f"JSON output (response_format {fmt['type']})"
    if messages and messages[-1].type == "ai" and messages[-1].additional_kwargs.get("partial"):
        return "partial mode (prefix continuation)"
    return None


def _apply_tools(profile: QwenProfile, body: dict[str, Any]) -> None:
    tools = body.get("tools")
    if not tools:
        for key in ("tools", "tool_choice", "parallel_tool_calls"):
            body.pop(key, None)
        return
    choice = wire_tool_choice(profile, normalize_tool_choice(body.get("tool_choice"), tools), tools)
    if choice is None:
        body.pop("tool_choice", None)
    else:
        body["tool_choice"] = choice
    # DashScope's default is false (at most one call per turn); we keep that default but send it explicitly.
    body.setdefault("parallel_tool_calls", False)


def _apply_json(profile: QwenProfile, body: dict[str, Any], schema_hint: Any) -> None:
    fmt = body.get("response_format")
    if not isinstance(fmt, Mapping):
        return
    kind = fmt.get("type")  # JSON-format availability is volatile (per model and region): sent, the server decides
    if kind not in ("json_object", "json_schema"):
        return
    if body.get("max_tokens") or body.get("max_completion_tokens"):
        warnings.warn(
            "max_tokens with JSON output can cut the JSON short and make it invalid (DashScope advises against it).",
            stacklevel=4,
        )
    messages = body["messages"]
    instruction = None
    if schema_hint is not None:
        instruction = _SCHEMA_INSTRUCTION + json.dumps(schema_hint, ensure_ascii=False)
    elif kind == "json_object" and not any(
        m.get("role") in ("system", "user") and "json" in json.dumps(m.get("content"), ensure_ascii=False).lower()
        for m in messages
    ):
        # DashScope rejects json_object unless a system or user message contains the word "json".
        instruction = _JSON_INSTRUCTION
    if instruction:
        lead = 0
        while lead < len(messages) and messages[lead].get("role") == "system":
            lead += 1
        messages.insert(lead, {"role": "system", "content": instruction})


def _apply_partial(profile: QwenProfile, body: dict[str, Any]) -> None:
    messages = body["messages"]
    for msg in messages[:-1]:
        msg.pop("partial", None)  # only the final assistant message can be a prefix (F5.1)
    last = messages[-1] if messages else {}
    if last.get("partial"):
        if last.get("role") != "assistant":
            last.pop("partial")
        elif profile.known and not profile.partial_mode:
            raise QwenValidationError(f"Model {profile.model} has no partial mode (prefix continuation).")


_MT_SHAPE = (
    "Qwen-MT takes exactly one user message (the text to translate): no system message, no history "
    '("Role must be in [user, assistant]"). Put terminology, translation memory and domain hints in '
    "translation_options instead."
)
MAX_FILE_IDS = 100


def _apply_translation(profile: QwenProfile, body: dict[str, Any], options: Any) -> None:
    if options is not None:
        if profile.known and not profile.translation:
            raise QwenValidationError(f"translation_options is for Qwen-MT models (qwen-mt-*), not {profile.model}.")
        from langchain_qwen.translation import translation_wire

        body["translation_options"] = translation_wire(options)
    if profile.translation:
        roles = [m.get("role") for m in body["messages"]]
        if roles != ["user"]:
            raise QwenValidationError(f"{_MT_SHAPE} Got roles {roles}.")


def _apply_audio(profile: QwenProfile, body: dict[str, Any], thinking: bool | None) -> bool:
    """Validate Qwen-Omni audio output (F10.3); returns whether the answer will carry audio."""
    modalities = body.get("modalities")
    if body.get("audio") and not modalities:
        modalities = body["modalities"] = ["text", "audio"]  # audio settings imply audio output
    if not modalities or "audio" not in modalities:
        return False
    model = profile.model
    if profile.known and "audio" not in profile.output_modalities:
        raise QwenValidationError(
            f"Model {model} cannot answer with audio; Qwen-Omni models (e.g. qwen3-omni-flash) can."
        )
    if thinking and profile.thinking_disables_audio:
        raise QwenValidationError(
            f"Qwen-Omni thinking mode answers with text only: {model} cannot think and speak in one call. "
            f"Use modalities=['text'] with enable_thinking=True, or enable_thinking=False for audio."
        )
    audio = dict(body.get("audio") or {})
    audio.setdefault("format", "wav")
    if audio["format"] != "wav":
        raise QwenValidationError(
            f"Qwen-Omni audio format must be 'wav' (raw 24 kHz PCM is streamed); got {audio['format']!r}."
        )
    voice = audio.get("voice")
    if not voice:
        raise QwenValidationError(
            f"Audio output needs a voice, e.g. audio={{'voice': '{(profile.voices or ('Cherry',))[0]}'}}."
        )
    if profile.known and profile.voices and voice not in profile.voices:
        raise QwenValidationError(f"Voice {voice!r} is not offered by {model}; choose one of {list(profile.voices)}.")
    body["audio"] = audio
    return True


class SearchOptions(TypedDict, total=False):
    """DashScope web-search options for compatible mode (F13.2)."""

    forced_search: bool
    search_strategy: Literal["turbo", "max", "agent", "agent_max"]
    enable_search_extension: bool
    freshness: Literal[7, 30, 180, 365]
    assigned_site_list: list[str]
    prompt_intervene: str


MAX_CACHE_MARKERS = 4
_EPHEMERAL = {"type": "ephemeral"}
SEARCH_STRATEGIES = ("turbo", "max", "agent", "agent_max")
SEARCH_KEYS = frozenset(
    {
        "forced_search",
        "search_strategy",
        "enable_search_extension",
        "freshness",
        "assigned_site_list",
        "prompt_intervene",
    }
)
_NATIVE_ONLY_SEARCH = frozenset({"enable_source", "enable_citation", "citation_format", "prepend_search_result"})


def _marked_parts(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        p
        for m in messages
        if isinstance(m.get("content"), list)
        for p in m["content"]
        if isinstance(p, dict) and "cache_control" in p
    ]


def _mark(message: dict[str, Any]) -> None:
    content = message.get("content")
    if isinstance(content, str):
        message["content"] = [{"type": "text", "text": content, "cache_control": dict(_EPHEMERAL)}]
    elif isinstance(content, list):
        texts = [p for p in content if isinstance(p, dict) and p.get("type") == "text"]
        if texts:
            texts[-1]["cache_control"] = dict(_EPHEMERAL)


def _apply_cache(profile: QwenProfile, body: dict[str, Any], auto: bool) -> None:
    """Explicit context cache (F9.2): at most four markers count (the last four); `auto` marks the stable prefix."""
    messages = body["messages"]
    marked = _marked_parts(messages)
    if len(marked) > MAX_CACHE_MARKERS:
        for part in marked[:-MAX_CACHE_MARKERS]:
            del part["cache_control"]
        warnings.warn(
            f"DashScope honours only the last {MAX_CACHE_MARKERS} cache_control markers; "
            f"{len(marked) - MAX_CACHE_MARKERS} earlier ones were dropped.",
            stacklevel=4,
        )
    if not auto or marked or not (profile.explicit_cache or not profile.known):
        return
    lead = 0
    while lead < len(messages) and messages[lead].get("role") == "system":
        lead += 1
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    targets = {lead - 1, last_user - 1} - {-1}  # end of the system prompt (tools precede it), end of the history
    for i in sorted(targets):
        if 0 <= i < len(messages) and not messages[i].get("tool_calls"):
            _mark(messages[i])


def _apply_search(profile: QwenProfile, body: dict[str, Any]) -> None:
    options = body.get("search_options")
    if options is None:
        return
    if not isinstance(options, Mapping):
        raise QwenValidationError("search_options must be a dict (see langchain_qwen.SearchOptions).")
    body.setdefault("enable_search", True)  # options without search switched on would be ignored
    native = _NATIVE_ONLY_SEARCH & set(options)
    if native:
        raise QwenValidationError(
            f"search_options {sorted(native)} are not available in DashScope's compatible mode, which returns no "
            f"search sources or citations; drop them (or use DashScope's native API)."
        )
    unknown = set(options) - SEARCH_KEYS
    if unknown:
        raise QwenValidationError(f"Unknown search_options {sorted(unknown)}; accepted: {sorted(SEARCH_KEYS)}.")
    strategy = options.get("search_strategy", "turbo")
    if strategy not in SEARCH_STRATEGIES:
        raise QwenValidationError(f"search_strategy must be one of {list(SEARCH_STRATEGIES)}, got {strategy!r}.")
    if strategy in ("agent", "agent_max") and profile.known and not profile.search_agent:
        raise QwenValidationError(
            f"search_strategy={strategy!r} is only for qwen3-max and qwen3.5 models, not {profile.model}."
        )
    if "freshness" in options and options["freshness"] not in (7, 30, 180, 365):
        raise QwenValidationError(f"freshness must be 7, 30, 180 or 365 (days), got {options['freshness']!r}.")
    sites = options.get("assigned_site_list")
    if sites is not None and (not isinstance(sites, list) or len(sites) > 25):
        raise QwenValidationError("assigned_site_list must be a list of at most 25 sites.")
    if ("freshness" in options or sites) and strategy != "turbo":
        raise QwenValidationError("freshness and assigned_site_list work only with search_strategy='turbo'.")
    if "forced_search" in options and not isinstance(options["forced_search"], bool):
        raise QwenValidationError("forced_search must be true or false.")


def _check_file_ids(profile: QwenProfile, body: Mapping[str, Any]) -> None:
    if not profile.file_context:
        return
    count = sum(str(m.get("content")).count("fileid://") for m in body["messages"] if m.get("role") == "system")
    if count > MAX_FILE_IDS:
        raise QwenValidationError(
            f"DashScope accepts at most {MAX_FILE_IDS} fileid:// documents per request; got {count}."
        )


def build_chat_request(messages: Sequence[BaseMessage], params: Mapping[str, Any], *, want_stream: bool) -> ChatRequest:
    """Decide the whole request from the model's defaults merged with per-call options."""
    model = params.get("model")
    if not model:
        raise QwenValidationError("No model given: pass model='qwen-plus' (or another DashScope model id).")
    profile = resolve_profile(model, params.get("qwen_profile"))
    exclusive = _exclusive_reason(params, messages)
    thinking_body, thinking, preserved = resolve_thinking(profile, params, exclusive)
    policy = params.get("reasoning_in_history") or "auto"
    wire = messages_to_wire(
        messages, profile, keep_reasoning=_keep_reasoning(policy, preserved), keep_tool_turn_reasoning=policy != "never"
    )
    body: dict[str, Any] = {"model": model, "messages": wire}
    for key, value in params.items():
        if value is not None and key not in CONTROL_KEYS:
            body[key] = value
    body.update(thinking_body)
    _apply_tools(profile, body)
    _apply_json(profile, body, params.get("response_schema_hint"))
    _apply_partial(profile, body)
    _apply_translation(profile, body, params.get("translation_options"))
    _check_file_ids(profile, body)
    audio_out = _apply_audio(profile, body, thinking)
    _apply_cache(profile, body, bool(params.get("auto_cache")))
    _apply_search(profile, body)
    if body.get("stop") in ([], ""):
        body.pop("stop")
    body.update(params.get("model_kwargs") or {})
    body.update(params.get("extra_body") or {})
    _check_local(profile, body)
    must_stream = profile.stream_only or bool(
        thinking and (profile.thinking_stream_only or profile.thinking == "unknown")
    )
    stream = want_stream or must_stream
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}  # usage only arrives when asked for (F2.1)
    else:
        body.pop("stream", None)
        body.pop("stream_options", None)
    return ChatRequest(
        body=body,
        stream=stream,
        aggregate=stream and not want_stream,
        profile=profile,
        thinking=thinking,
        audio=audio_out,
        headers=params.get("extra_headers"),
        timeout=params.get("timeout"),
    )


__all__ = ["CONTROL_KEYS", "ChatRequest", "ReasoningPolicy", "SearchOptions", "build_chat_request", "resolve_thinking"]

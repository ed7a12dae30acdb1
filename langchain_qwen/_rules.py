"""Request rules: small pure functions `(profile, settings, messages) -> Fragment`, one per concern.

Each rule reads the model's profile (capabilities are data), the merged settings and the wire
messages, and returns a `Fragment`: body keys to set or drop, replaced messages, warnings. It
raises `QwenValidationError` for a request DashScope documents as refused. No rule mutates its
inputs; `langchain_qwen._payload.build_chat_request` folds the fragments into a new body.
Thinking behaviour is read from the profile (`thinking`, `max_thinking_budget`, `reasoning_effort`,
`effort_excludes_budget`, `preserve_thinking`, `thinking_stream_only`, `tool_choice_thinking`), so a
family with a new behaviour is a table row.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from langchain_qwen._chat_settings import SENT_KEYS, SETTINGS
from langchain_qwen._errors import QwenValidationError
from langchain_qwen._profiles import QwenProfile
from langchain_qwen._tools import REQUIRED, plan_tool_choice, soft_required, tool_names

Settings = Mapping[str, Any]
Messages = Sequence[Mapping[str, Any]]
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Fragment:
    """What one rule contributes to the request."""

    body: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    """Keys set on the body."""
    drop: frozenset[str] = frozenset()
    """Keys removed from the body."""
    messages: tuple[Mapping[str, Any], ...] | None = None
    """The wire messages, when the rule changes them."""
    warnings: tuple[str, ...] = ()
    """Said once per request (`UserWarning`)."""


NOTHING = Fragment()

RuleFn = Callable[[QwenProfile, Settings, Messages], Fragment]


# --- thinking: one decision, four rules ------------------------------------------------------


def partial_last(messages: Messages) -> bool:
    """The conversation ends with an assistant prefix to continue (partial mode)."""
    return bool(messages) and messages[-1].get("role") == "assistant" and bool(messages[-1].get("partial"))


def exclusive_reason(profile: QwenProfile, settings: Settings, messages: Messages) -> str | None:
    """A feature DashScope refuses while thinking (forced tool, JSON output, partial mode; F1.6/F1.7), if asked."""
    tools = settings.get("tools")
    if tools and plan_tool_choice(profile, settings.get("tool_choice"), tools).forces:
        return "forcing a tool call (tool_choice)"
    fmt = settings.get("response_format")
    if isinstance(fmt, Mapping) and fmt.get("type") in ("json_object", "json_schema"):
        return f"JSON output (response_format {fmt['type']})"
    if partial_last(messages):
        return "partial mode (prefix continuation)"
    return None


@dataclass(frozen=True)
class Thinking:
    """The effective thinking state of one request."""

    on: bool | None
    """Thinking on, off, or None (unknown model, nothing asked)."""
    preserved: bool = False
    """The server reads prior reasoning (history reasoning is sent back under the "auto" policy)."""
    forced_off: bool = False
    """Switched off for this call because an exclusive feature was asked."""


def thinking_state(profile: QwenProfile, settings: Settings, messages: Messages) -> Thinking:
    """Decide thinking from profile data and settings (validation is left to the thinking rules)."""
    enable, preserve = settings.get("enable_thinking"), settings.get("preserve_thinking")
    if profile.thinking == "unknown":
        return Thinking(on=enable, preserved=bool(preserve))
    if profile.thinking == "none":
        return Thinking(on=False)
    # A thinking_budget asks for thinking: on a hybrid model it switches thinking on unless enable_thinking is given.
    asked = enable if enable is not None else (True if settings.get("thinking_budget") is not None else None)
    on = True if profile.thinking == "always" else (asked if asked is not None else bool(profile.thinking_default))
    if on and exclusive_reason(profile, settings, messages):
        return Thinking(on=False, forced_off=True)
    if settings.get("reasoning_effort") == "none" and profile.thinking != "always":
        on = False
    preserved = on and (preserve if preserve is not None else profile.preserve_thinking == "default_on")
    return Thinking(on=on, preserved=bool(preserved))


def _refuse_no_thinking(profile: QwenProfile, settings: Settings) -> None:
    asked = {
        "enable_thinking=True": settings.get("enable_thinking") is True,
        "thinking_budget": settings.get("thinking_budget") is not None,
        "preserve_thinking=True": settings.get("preserve_thinking") is True,
        "reasoning_effort": settings.get("reasoning_effort") is not None,
    }
    wrong = [k for k, v in asked.items() if v]
    if wrong:
        raise QwenValidationError(
            f"Model {profile.model} has no thinking mode, so DashScope rejects {', '.join(wrong)}. Use a thinking "
            f"model (e.g. qwen-plus with enable_thinking=True, or qwq-plus) or drop the option."
        )


def _refuse_always_off(profile: QwenProfile, settings: Settings, messages: Messages) -> None:
    if settings.get("enable_thinking") is False:
        raise QwenValidationError(
            f"Model {profile.model} always thinks; DashScope rejects enable_thinking=False for it "
            f'("The value of the enable_thinking parameter is restricted to True."). Use a hybrid model '
            f"such as qwen-plus to switch thinking off."
        )
    reason = exclusive_reason(profile, settings, messages)
    if reason:
        raise QwenValidationError(
            f"Model {profile.model} always thinks, and DashScope does not allow {reason} while thinking. Use a "
            f"hybrid model (e.g. qwen-plus), where thinking is switched off for such calls."
        )


def rule_thinking(
    profile: QwenProfile, settings: Settings, messages: Messages, *, thinking: Thinking | None = None
) -> Fragment:
    """`enable_thinking`: always explicit on hybrid models (defaults differ per model, F1.1); never for others.

    `thinking` is `thinking_state(profile, settings, messages)` when the caller has it (computed here otherwise).
    """
    enable = settings.get("enable_thinking")
    if profile.thinking == "unknown":
        return Fragment(body={"enable_thinking": enable}) if enable is not None else NOTHING
    if profile.thinking == "none":
        _refuse_no_thinking(profile, settings)
        return NOTHING
    if profile.thinking == "always":
        _refuse_always_off(profile, settings, messages)
        return NOTHING
    state = thinking or thinking_state(profile, settings, messages)
    if state.forced_off and enable is True:
        reason = exclusive_reason(profile, settings, messages)
        warning = f"DashScope does not allow {reason} while thinking; thinking is off for this call to {profile.model}."
        return Fragment(body={"enable_thinking": False}, warnings=(warning,))
    return Fragment(body={"enable_thinking": bool(state.on)})


def _applies(profile: QwenProfile, settings: Settings, messages: Messages, key: str, thinking: Thinking | None) -> bool:
    """A thinking sub-setting is validated and sent (not for no-thinking models or a forced-off call)."""
    if settings.get(key) is None or profile.thinking == "none":
        return False
    return not (thinking or thinking_state(profile, settings, messages)).forced_off


def _effort_off(profile: QwenProfile, settings: Settings, messages: Messages, thinking: Thinking | None) -> str | None:
    """The profile's thinking-off effort (qwen3.8: "none") when thinking is off and no asked effort says otherwise."""
    if not profile.reasoning_effort_off or profile.thinking not in ("hybrid_on", "hybrid_off"):
        return None
    state = thinking or thinking_state(profile, settings, messages)
    if state.forced_off or (state.on is False and settings.get("reasoning_effort") is None):
        return profile.reasoning_effort_off
    return None


def rule_reasoning_effort(
    profile: QwenProfile, settings: Settings, messages: Messages, *, thinking: Thinking | None = None
) -> Fragment:
    """`reasoning_effort`: only the values the profile lists; "none" switches a hybrid model's thinking off.

    On models steered by effort (`reasoning_effort_off` in the profile, qwen3.8), thinking switched off (asked, or
    for a forced tool / JSON / partial call) is also said with that value.
    """
    off = _effort_off(profile, settings, messages, thinking)
    if off is not None:
        return Fragment(body={"reasoning_effort": off})
    if not _applies(profile, settings, messages, "reasoning_effort", thinking):
        return NOTHING
    effort = settings["reasoning_effort"]
    if profile.thinking != "unknown":
        model = profile.model
        if not profile.reasoning_effort:
            raise QwenValidationError(f"Model {model} does not accept reasoning_effort; use thinking_budget instead.")
        if effort not in profile.reasoning_effort:
            raise QwenValidationError(
                f"reasoning_effort={effort!r} is not accepted by {model}; use one of {list(profile.reasoning_effort)}."
            )
        if settings.get("thinking_budget") is not None and profile.effort_excludes_budget:
            raise QwenValidationError(
                f"Model {model} accepts reasoning_effort or thinking_budget, not both; set only one."
            )
        if effort == "none" and profile.thinking == "always":
            raise QwenValidationError(f"Model {model} always thinks; reasoning_effort='none' is not possible.")
    return Fragment(body={"reasoning_effort": effort})


def rule_thinking_budget(
    profile: QwenProfile, settings: Settings, messages: Messages, *, thinking: Thinking | None = None
) -> Fragment:
    """`thinking_budget`: a positive integer up to the profile's maximum; sent only while thinking."""
    if not _applies(profile, settings, messages, "thinking_budget", thinking):
        return NOTHING
    budget = settings["thinking_budget"]
    if profile.thinking == "unknown":
        return Fragment(body={"thinking_budget": budget})
    limit = profile.max_thinking_budget
    if limit is None:
        raise QwenValidationError(f"Model {profile.model} does not accept thinking_budget.")
    if isinstance(budget, bool) or not isinstance(budget, int) or not 0 < budget <= limit:
        raise QwenValidationError(
            f"thinking_budget must be a positive integer not greater than {limit} for {profile.model}; got {budget!r}."
        )
    if not (thinking or thinking_state(profile, settings, messages)).on:
        why = "enable_thinking=False" if settings.get("enable_thinking") is False else "reasoning_effort='none'"
        raise QwenValidationError(
            f"thinking_budget={budget} contradicts {why}: a budget only applies while {profile.model} thinks; "
            f"allowed: drop thinking_budget, or switch thinking on."
        )
    return Fragment(body={"thinking_budget": budget})


def rule_preserve_thinking(
    profile: QwenProfile, settings: Settings, messages: Messages, *, thinking: Thinking | None = None
) -> Fragment:
    """`preserve_thinking`: sent to models that support it; asking for it elsewhere is refused."""
    if not _applies(profile, settings, messages, "preserve_thinking", thinking):
        return NOTHING
    preserve = settings["preserve_thinking"]
    if profile.thinking == "unknown":
        return Fragment(body={"preserve_thinking": preserve})
    if profile.preserve_thinking == "unsupported":
        if preserve:
            raise QwenValidationError(
                f"Model {profile.model} does not support preserve_thinking (qwen3.6+ and qwen3.8 models do)."
            )
        return NOTHING
    return Fragment(body={"preserve_thinking": bool(preserve)})


def keep_reasoning(
    profile: QwenProfile, settings: Settings, messages: Messages, *, thinking: Thinking | None = None
) -> bool:
    """Whether history reasoning goes back to the server ("auto": only where it is preserved)."""
    policy = settings.get("reasoning_in_history") or "auto"
    if policy == "always":
        return True
    if policy == "never":
        return False
    return (thinking or thinking_state(profile, settings, messages)).preserved


# --- verbatim settings, stop --------------------------------------------------------------------


def rule_sent(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """Settings declared `SENT`, and undeclared per-call keys, copied verbatim when not None."""
    return Fragment(body={k: v for k, v in settings.items() if v is not None and (k in SENT_KEYS or k not in SETTINGS)})


def rule_stop(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """`stop`, unless empty."""
    stop = settings.get("stop")
    return NOTHING if stop in (None, [], "") else Fragment(body={"stop": stop})


def _after_system(messages: Messages) -> int:
    lead = 0
    while lead < len(messages) and messages[lead].get("role") == "system":
        lead += 1
    return lead


def with_system(messages: Messages, text: str) -> tuple[Mapping[str, Any], ...]:
    """`messages` with a system instruction `text` after the leading system messages."""
    lead = _after_system(messages)
    return (*messages[:lead], {"role": "system", "content": text}, *messages[lead:])


# --- tools --------------------------------------------------------------------------------------


def rule_tools(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """`tools`, with DashScope's default `parallel_tool_calls: false` sent explicitly; nothing without tools."""
    tools = settings.get("tools")
    if not tools:
        return NOTHING
    parallel = settings.get("parallel_tool_calls")
    return Fragment(body={"tools": tools, "parallel_tool_calls": False if parallel is None else parallel})


def rule_tool_choice(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """`tool_choice` mapped to what the model accepts (table in `langchain_qwen._tools`); a force the model cannot
    take becomes "auto" plus a system instruction, with one warning."""
    tools = settings.get("tools")
    if not tools:
        return NOTHING
    plan = plan_tool_choice(profile, settings.get("tool_choice"), tools)
    if plan.wire is None:
        return NOTHING
    if plan.instruction is None:
        return Fragment(body={"tool_choice": plan.wire})
    new = with_system(messages, plan.instruction)
    warning = (
        f"{profile.model} cannot be forced to call one of several tools (no tool_choice='required' for it"
        f"{' while thinking' if profile.thinking == 'always' else ''}); sent tool_choice='auto' with an instruction "
        f"to call a tool."
    )
    return Fragment(body={"tool_choice": plan.wire}, messages=new, warnings=(warning,))


REQUIRED_REFUSALS = (
    'tool_choice is one of the strings that should be ["none", "auto"]',
    "does not support being set to required",
)
"""The server's answers to a `tool_choice: "required"` it does not take ([ISS-PYDAI1265]; [ISS-OMP886], A8)."""


def required_fallback(
    profile: QwenProfile, body: Mapping[str, Any], error: BaseException
) -> tuple[dict[str, Any], str] | None:
    """The body to send once more when the server refused `tool_choice: "required"` (A8 [uncertain]): "auto" plus
    the soft mapping's instruction, and the warning to give; None when `error` is not that refusal."""
    if body.get("tool_choice") != REQUIRED:
        return None
    text = f"{error} {getattr(error, 'message', '')}"
    if not any(refusal in text for refusal in REQUIRED_REFUSALS):
        return None
    plan = soft_required(tool_names(body.get("tools")))
    new = {
        **body,
        "tool_choice": plan.wire,
        "messages": list(with_system(body.get("messages") or (), plan.instruction or "")),
    }
    warning = (
        f"DashScope refused tool_choice='required' for {profile.model} (accepted there only with thinking off, and "
        f"not on every model [uncertain]); sent again with tool_choice='auto' and an instruction to call a tool."
    )
    return new, warning


# --- JSON output --------------------------------------------------------------------------------

_JSON_INSTRUCTION = "Respond with a JSON object."
_SCHEMA_INSTRUCTION = "Respond with a JSON object that conforms to this JSON schema:\n"


def _json_kind(settings: Settings) -> str | None:
    fmt = settings.get("response_format")
    kind = fmt.get("type") if isinstance(fmt, Mapping) else None
    return kind if kind in ("json_object", "json_schema") else None


def rule_response_format(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """`response_format`, sent as asked: JSON-format availability is volatile (per model and region), so the server
    decides and its answer is mapped to a typed error."""
    fmt = settings.get("response_format")
    if fmt is None:
        return NOTHING
    warnings: tuple[str, ...] = ()
    if _json_kind(settings) and (settings.get("max_tokens") or settings.get("max_completion_tokens")):
        warnings = (
            "max_tokens with JSON output can cut the JSON short and make it invalid (DashScope advises against it).",
        )
    return Fragment(body={"response_format": fmt}, warnings=warnings)


def _mentions_json(messages: Messages) -> bool:
    return any(
        m.get("role") in ("system", "user") and "json" in json.dumps(m.get("content"), ensure_ascii=False).lower()
        for m in messages
    )


def rule_json_instruction(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """A system instruction for JSON output: the schema hint (json_mode), or the word "json" DashScope requires."""
    kind = _json_kind(settings)
    hint = settings.get("response_schema_hint")
    if kind is None:
        return NOTHING
    if hint is not None:
        instruction = _SCHEMA_INSTRUCTION + json.dumps(hint, ensure_ascii=False)
    elif kind == "json_object" and not _mentions_json(messages):
        instruction = _JSON_INSTRUCTION  # DashScope rejects json_object unless a system/user message says "json"
    else:
        return NOTHING
    return Fragment(messages=with_system(messages, instruction))


# --- partial mode, translation, documents ------------------------------------------------------


def rule_partial(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """Only a final assistant message can be a prefix (F5.1); the model must have partial mode (F5.3)."""
    flagged = [i for i, m in enumerate(messages) if "partial" in m]
    if not flagged:
        return NOTHING
    last = len(messages) - 1
    keep = partial_last(messages)
    if keep and profile.known and not profile.partial_mode:
        raise QwenValidationError(f"Model {profile.model} has no partial mode (prefix continuation).")
    new = [
        m if (i == last and keep) or "partial" not in m else {k: v for k, v in m.items() if k != "partial"}
        for i, m in enumerate(messages)
    ]
    return Fragment(messages=tuple(new))


_MT_SHAPE = (
    "Qwen-MT takes exactly one user message (the text to translate): no system message, no history "
    '("Role must be in [user, assistant]"). Put terminology, translation memory and domain hints in '
    "translation_options instead."
)


def rule_translation(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """Qwen-MT: validated `translation_options`, and exactly one user message (F6)."""
    options = settings.get("translation_options")
    fragment = NOTHING
    if options is not None:
        if profile.known and not profile.translation:
            raise QwenValidationError(f"translation_options is for Qwen-MT models (qwen-mt-*), not {profile.model}.")
        from langchain_qwen._translation_options import translation_wire

        fragment = Fragment(body={"translation_options": translation_wire(options)})
    if profile.translation:
        roles = [m.get("role") for m in messages]
        if roles != ["user"]:
            raise QwenValidationError(f"{_MT_SHAPE} Got roles {roles}.")
    return fragment


MAX_FILE_IDS = 100


def rule_file_ids(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """At most 100 `fileid://` documents per request (F7)."""
    if not profile.file_context:
        return NOTHING
    count = sum(str(m.get("content")).count("fileid://") for m in messages if m.get("role") == "system")
    if count > MAX_FILE_IDS:
        raise QwenValidationError(
            f"DashScope accepts at most {MAX_FILE_IDS} fileid:// documents per request; got {count}."
        )
    return NOTHING


# --- Qwen-Omni audio ---------------------------------------------------------------------------


def _modalities(settings: Settings) -> list[str] | None:
    """The output modalities asked for (an `audio` setting implies text and audio), or None."""
    return settings.get("modalities") or (["text", "audio"] if settings.get("audio") else None)


def audio_out(settings: Settings) -> bool:
    """The answer will carry audio (audio settings imply audio output)."""
    return "audio" in (_modalities(settings) or ())


def _check_voice(profile: QwenProfile, audio: Mapping[str, Any]) -> None:
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
        raise QwenValidationError(
            f"Voice {voice!r} is not offered by {profile.model}; choose one of {list(profile.voices)}."
        )


def rule_audio(
    profile: QwenProfile, settings: Settings, messages: Messages, *, thinking: Thinking | None = None
) -> Fragment:
    """Qwen-Omni audio output (F10.3): a wav voice the model offers, and no thinking in the same call."""
    modalities = _modalities(settings)
    if not audio_out(settings):
        asked = {"modalities": modalities, "audio": settings.get("audio")}
        body = {k: v for k, v in asked.items() if v}
        return Fragment(body=body) if body else NOTHING
    if profile.known and "audio" not in profile.output_modalities:
        raise QwenValidationError(
            f"Model {profile.model} cannot answer with audio; Qwen-Omni models (e.g. qwen3-omni-flash) can."
        )
    if profile.thinking_disables_audio and (thinking or thinking_state(profile, settings, messages)).on:
        raise QwenValidationError(
            f"Qwen-Omni thinking mode answers with text only: {profile.model} cannot think and speak in one call. "
            f"Use modalities=['text'] with enable_thinking=True, or enable_thinking=False for audio."
        )
    audio = {"format": "wav", **(settings.get("audio") or {})}
    _check_voice(profile, audio)
    return Fragment(body={"modalities": modalities, "audio": audio})


# --- explicit cache ----------------------------------------------------------------------------

MAX_CACHE_MARKERS = 4
_EPHEMERAL = {"type": "ephemeral"}


def _marked_parts(messages: Messages) -> list[dict[str, Any]]:
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


def _auto_targets(messages: Messages) -> list[int]:
    """End of the system prompt (tools precede it) and end of the history before the last user turn."""
    lead = _after_system(messages)
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    targets = {lead - 1, last_user - 1} - {-1}
    return [i for i in sorted(targets) if 0 <= i < len(messages) and not messages[i].get("tool_calls")]


def rule_cache(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """Explicit context cache (F9.2): only the last four markers count; `auto_cache` marks the stable prefix."""
    marked = len(_marked_parts(messages))
    auto = bool(settings.get("auto_cache")) and not marked and (profile.explicit_cache or not profile.known)
    if marked <= MAX_CACHE_MARKERS and not auto:
        return NOTHING
    new: list[dict[str, Any]] = [
        dict(m) for m in copy.deepcopy(messages)
    ]  # a private copy: the caller's messages are never changed
    if auto:
        for i in _auto_targets(new):
            _mark(new[i])
        return Fragment(messages=tuple(new))
    for part in _marked_parts(new)[:-MAX_CACHE_MARKERS]:
        del part["cache_control"]
    warning = (
        f"DashScope honours only the last {MAX_CACHE_MARKERS} cache_control markers; "
        f"{marked - MAX_CACHE_MARKERS} earlier ones were dropped."
    )
    return Fragment(messages=tuple(new), warnings=(warning,))


# --- web search --------------------------------------------------------------------------------

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


def _check_search_keys(options: Mapping[str, Any]) -> None:
    native = _NATIVE_ONLY_SEARCH & set(options)
    if native:
        raise QwenValidationError(
            f"search_options {sorted(native)} are not available in DashScope's compatible mode, which returns no "
            f"search sources or citations; drop them (or use DashScope's native API)."
        )
    unknown = set(options) - SEARCH_KEYS
    if unknown:
        raise QwenValidationError(f"Unknown search_options {sorted(unknown)}; accepted: {sorted(SEARCH_KEYS)}.")


def _check_search_values(profile: QwenProfile, options: Mapping[str, Any]) -> None:
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


def rule_search(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """`search_options` (F13.2), validated; they switch `enable_search` on unless it was set."""
    options = settings.get("search_options")
    if options is None:
        return NOTHING
    if not isinstance(options, Mapping):
        raise QwenValidationError("search_options must be a dict (see langchain_qwen.SearchOptions).")
    _check_search_keys(options)
    _check_search_values(profile, options)
    enable = settings.get("enable_search")
    return Fragment(body={"search_options": options, "enable_search": True if enable is None else enable})


# --- the pipeline ------------------------------------------------------------------------------

RULES: dict[str, RuleFn] = {
    "sent": rule_sent,
    "stop": rule_stop,
    "thinking": rule_thinking,
    "reasoning_effort": rule_reasoning_effort,
    "thinking_budget": rule_thinking_budget,
    "preserve_thinking": rule_preserve_thinking,
    "tools": rule_tools,
    "tool_choice": rule_tool_choice,
    "response_format": rule_response_format,
    "json_instruction": rule_json_instruction,
    "partial": rule_partial,
    "translation": rule_translation,
    "file_ids": rule_file_ids,
    "audio": rule_audio,
    "cache": rule_cache,
    "search": rule_search,
}
"""Body rules in the order they apply; messages changed by one rule are what the next ones see."""

CONSUMED_ELSEWHERE: dict[str, str] = {
    "history": "keep_reasoning (which history reasoning the wire messages carry)",
    "profile": "resolve_profile (qwen_profile overrides)",
    "extra": "build_chat_request (model_kwargs, then extra_body, override the body last)",
    "stream": "stream_fields (stream / stream_options decided by the mode and the model)",
    "transport": "ChatRequest.headers / ChatRequest.timeout",
    "responses": "langchain_qwen._responses_chat (the Responses API path; never in a Chat Completions body)",
}
"""Settings consumed outside the body rules, by name."""


def stream_fields(
    profile: QwenProfile, settings: Settings, messages: Messages, *, want_stream: bool, thinking: Thinking | None = None
) -> bool:
    """Whether the HTTP request streams: asked for, or required by the model or its thinking mode (F1.4, F2.4)."""
    if want_stream or profile.stream_only:
        return True
    on = (thinking or thinking_state(profile, settings, messages)).on
    return bool(on and (profile.thinking_stream_only or profile.thinking == "unknown"))


def check_body(profile: QwenProfile, body: Mapping[str, Any]) -> None:
    """Hard rules on the final body (after `model_kwargs`/`extra_body`): n, web search, tool calling."""
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


class ThinkingRule(Protocol):
    """A rule that can take the request's `thinking_state` from the caller instead of deciding it again."""

    def __call__(
        self, profile: QwenProfile, settings: Settings, messages: Messages, *, thinking: Thinking | None = None
    ) -> Fragment: ...


THINKING_RULES: dict[RuleFn, ThinkingRule] = {
    rule: rule
    for rule in (rule_thinking, rule_reasoning_effort, rule_thinking_budget, rule_preserve_thinking, rule_audio)
}
"""The rules that read the thinking decision; `apply_rules` passes them the request's one decision."""


def _fold(body: dict[str, Any], warnings: list[str], fragment: Fragment) -> None:
    for key in fragment.drop:
        body.pop(key, None)
    if fragment.body:
        body.update(fragment.body)
    if fragment.warnings:
        warnings.extend(fragment.warnings)


def apply_rules(
    profile: QwenProfile,
    settings: Settings,
    messages: Messages,
    rules: Mapping[str, RuleFn] = RULES,
    *,
    thinking: Thinking | None = None,
) -> tuple[dict[str, Any], tuple[Mapping[str, Any], ...], list[str]]:
    """Fold every rule's fragment, in order, into a new body; returns (body, messages, warnings).

    `thinking` is the request's `thinking_state` when the caller has decided it (else decided here, once: no rule
    changes what it reads, the last message's partial flag)."""
    body: dict[str, Any] = {}
    notes: list[str] = []
    current: tuple[Mapping[str, Any], ...] = tuple(messages)
    for rule in rules.values():
        with_state = THINKING_RULES.get(rule)
        if with_state is None:
            fragment = rule(profile, settings, current)
        else:
            thinking = thinking or thinking_state(profile, settings, current)
            fragment = with_state(profile, settings, current, thinking=thinking)
        if fragment is NOTHING:
            continue
        _fold(body, notes, fragment)
        if fragment.messages is not None:
            current = fragment.messages
    return body, current, notes


__all__ = [
    "CONSUMED_ELSEWHERE",
    "MAX_CACHE_MARKERS",
    "MAX_FILE_IDS",
    "NOTHING",
    "RULES",
    "SEARCH_KEYS",
    "SEARCH_STRATEGIES",
    "THINKING_RULES",
    "Fragment",
    "Thinking",
    "ThinkingRule",
    "apply_rules",
    "audio_out",
    "check_body",
    "exclusive_reason",
    "keep_reasoning",
    "partial_last",
    "required_fallback",
    "stream_fields",
    "thinking_state",
]

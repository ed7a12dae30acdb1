"""The one declaration of chat request settings: model fields, per-call options, and how each reaches the wire.

In the manner of pydantic-ai's `OpenAIChatModelSettings`: every setting is declared once, below.

* `QwenChatSettings` fields are `ChatQwen` constructor fields and per-call keyword arguments
  (`llm.invoke(..., temperature=0)`); `CALL_SETTINGS` are per-call only (bound by `bind_tools`,
  `with_structured_output` or passed to `invoke`).
* Each setting is either `SENT` (copied verbatim into the JSON body when not None) or consumed by a
  named request rule (`Rule("thinking")`, see `langchain_qwen._rules.RULES`), which validates it and
  emits what DashScope should get.

Adding a parameter is one line here (plus the rule that consumes it, if it is not sent verbatim).
Per-call keys declared nowhere are sent verbatim, like `model_kwargs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypedDict, get_args

from pydantic import BaseModel, Field, model_validator

from langchain_qwen._errors import QwenValidationError

ReasoningPolicy = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class Rule:
    """Marks a setting as consumed by the request rule `name` (never copied blindly into the body)."""

    name: str


SENT = Rule("sent")
"""Marks a setting copied verbatim into the JSON body when not None."""


@dataclass(frozen=True)
class Range:
    """A documented value range (dashscope-protocol F13.1): checked by the input rules before any request."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def holds(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)

    def check(self, name: str, value: float) -> None:
        """Raise `QwenValidationError` naming the setting when `value` is outside the range."""
        if not self.holds(value):
            raise QwenValidationError(f"{name}={value!r} is out of range; allowed: {self.text}.")

    @property
    def text(self) -> str:
        if self.high is None:
            return f"{'>' if self.low_open else '>='} {_num(self.low)}"
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{left}{_num(self.low)}, {_num(self.high)}{right}"


def _num(value: float | None) -> str:
    return str(int(value)) if value is not None and float(value).is_integer() else f"{value:g}"


class SearchOptions(TypedDict, total=False):
    """DashScope web-search options for compatible mode (F13.2)."""

    forced_search: bool
    search_strategy: Literal["turbo", "max", "agent", "agent_max"]
    enable_search_extension: bool
    freshness: Literal[7, 30, 180, 365]
    assigned_site_list: list[str]
    prompt_intervene: str


class QwenChatSettings(BaseModel):
    """Request settings of a `ChatQwen`: constructor fields, also accepted per call."""

    @model_validator(mode="after")
    def _check_ranges(self) -> Any:
        """A setting outside its documented range is refused when the model is built."""
        for name, bounds in RANGES.items():
            value = getattr(self, name)
            if value is not None:
                bounds.check(name, value)
        return self

    temperature: Annotated[float | None, SENT, Range(0, 2, high_open=True)] = None
    top_p: Annotated[float | None, SENT, Range(0, 1, low_open=True)] = None
    top_k: Annotated[int | None, SENT, Range(0)] = None
    """>= 0; None or above 100 leaves the candidate set unrestricted."""
    seed: Annotated[int | None, SENT, Range(0, 2**31 - 1)] = None
    presence_penalty: Annotated[float | None, SENT, Range(-2, 2)] = None
    frequency_penalty: Annotated[float | None, SENT] = None
    repetition_penalty: Annotated[float | None, SENT, Range(0, low_open=True)] = None
    stop: Annotated[list[str] | str | None, Rule("stop")] = Field(default=None, alias="stop_sequences")
    """Stop sequences (an empty list or string is not sent)."""
    max_tokens: Annotated[int | None, SENT, Range(1)] = None
    """Maximum answer tokens (for thinking models the reasoning is not counted)."""
    max_completion_tokens: Annotated[int | None, SENT, Range(1)] = None
    """Maximum reasoning + answer tokens (newer models)."""
    n: Annotated[int | None, SENT, Range(1, 4)] = None
    logprobs: Annotated[bool | None, SENT] = None
    top_logprobs: Annotated[int | None, SENT, Range(0, 5)] = None
    enable_search: Annotated[bool | None, SENT] = None
    """DashScope web search."""
    search_options: Annotated[dict[str, Any] | None, Rule("search")] = None
    """Web search options (`SearchOptions`): forced_search, search_strategy, freshness, assigned_site_list, ...;
    setting them switches enable_search on."""

    enable_thinking: Annotated[bool | None, Rule("thinking")] = None
    """Thinking on/off for hybrid models; None uses the model's default (sent explicitly)."""
    thinking_budget: Annotated[int | None, Rule("thinking_budget")] = None
    """Maximum reasoning tokens."""
    preserve_thinking: Annotated[bool | None, Rule("preserve_thinking")] = None
    """Let the server read prior `reasoning_content` (qwen3.6+; default on for qwen3.8)."""
    reasoning_effort: Annotated[str | None, Rule("reasoning_effort")] = None
    """Reasoning effort for models that take it (qwen3.8: low / medium / xhigh)."""
    reasoning_in_history: Annotated[ReasoningPolicy, Rule("history")] = "auto"
    """Send prior reasoning back: "auto" only where the server consumes it (preserve_thinking), or always/never."""

    modalities: Annotated[list[str] | None, Rule("audio")] = None
    """Qwen-Omni output: ["text"] (default) or ["text", "audio"]."""
    audio: Annotated[dict[str, Any] | None, Rule("audio")] = None
    """Qwen-Omni audio output settings: {"voice": "Cherry", "format": "wav"} (voices come from the model profile)."""
    vl_high_resolution_images: Annotated[bool | None, SENT] = None
    """Qwen-VL: read images at high resolution (a fixed 16,384-token cap per image instead of max_pixels)."""
    auto_cache: Annotated[bool | None, Rule("cache")] = None
    """Mark the stable prefix (system prompt with tools, earlier history) with `cache_control` on models with
    explicit cache; explicit hits cost 10 % of input price (F9)."""
    translation_options: Annotated[Any | None, Rule("translation")] = None
    """Qwen-MT options (`TranslationOptions` or a dict with source_lang, target_lang, terms, tm_list, domains)."""

    use_responses_api: Annotated[bool | None, Rule("responses")] = None
    """Speak DashScope's Responses API (`/responses`): True always, None (default) only when a built-in tool
    (`{"type": "web_search"}`, ...) is bound, False never (`langchain_qwen._responses_chat`)."""
    use_previous_response_id: Annotated[bool, Rule("responses")] = False
    """Responses API: send only the turns after the last stored answer, with its `previous_response_id`."""
    store: Annotated[bool | None, Rule("responses")] = None
    """Responses API: store the response (DashScope's default: yes, 7 days) for chaining and `get_response`."""
    session_cache: Annotated[bool, Rule("responses")] = False
    """Responses API: header `x-dashscope-session-cache: enable` (server-side context cache)."""

    qwen_profile: Annotated[dict[str, Any] | None, Rule("profile")] = None
    """Overrides for this model's capability profile (see `QwenProfile`), e.g. `{"stream_only": True}`."""
    extra_body: Annotated[dict[str, Any] | None, Rule("extra")] = None
    """Extra top-level JSON keys for every request (applied last)."""
    model_kwargs: Annotated[dict[str, Any], Rule("extra")] = Field(default_factory=dict)
    """Other request parameters (unknown constructor kwargs land here)."""


CALL_SETTINGS: dict[str, Rule] = {
    "model": SENT,
    "tools": Rule("tools"),
    "parallel_tool_calls": Rule("tools"),
    "tool_choice": Rule("tool_choice"),
    "response_format": Rule("response_format"),
    "response_schema_hint": Rule("json_instruction"),
    "stream": Rule("stream"),
    "stream_options": Rule("stream"),
    "stream_usage": Rule("stream"),
    "extra_headers": Rule("transport"),
    "timeout": Rule("transport"),
}
"""Per-call settings that are not constructor fields (`model` is the `model_name` field)."""


def _declared() -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for name, info in QwenChatSettings.model_fields.items():
        rules = [m for m in info.metadata if isinstance(m, Rule)]
        if len(rules) != 1:
            raise TypeError(f"setting {name} must carry exactly one SENT/Rule marker")
        out[name] = rules[0]
    return out | CALL_SETTINGS


SETTINGS: dict[str, Rule] = _declared()
"""Every declared setting and how it reaches the wire."""
MODEL_SETTINGS: tuple[str, ...] = tuple(QwenChatSettings.model_fields)
"""Settings that are `ChatQwen` fields (read into every request when set)."""
SENT_KEYS: frozenset[str] = frozenset(k for k, r in SETTINGS.items() if r is SENT)
CONSUMED_KEYS: frozenset[str] = frozenset(SETTINGS) - SENT_KEYS
"""Steer the request but are never copied verbatim into the JSON body."""


def ranges() -> dict[str, Range]:
    """The declared `Range` of each setting that has one."""
    return {
        name: marks[0]
        for name, info in QwenChatSettings.model_fields.items()
        if (marks := [m for m in info.metadata if isinstance(m, Range)])
    }


RANGES: dict[str, Range] = ranges()
"""The declared ranges, once (read by the constructor check and the input rules)."""


def scalar_types() -> dict[str, tuple[type, ...]]:
    """The accepted Python types of each scalar setting (bool / int / float / str, None aside)."""
    out: dict[str, tuple[type, ...]] = {}
    for name, info in QwenChatSettings.model_fields.items():
        kinds = tuple(t for t in get_args(info.annotation) or (info.annotation,) if t is not type(None))
        if kinds and all(t in (bool, int, float, str) for t in kinds):
            out[name] = kinds
    return out


def settings_of(model: BaseModel) -> dict[str, Any]:
    """The request settings a model instance sets (None and empty values left out)."""
    fields = model.__dict__  # pydantic keeps field values here; reading it skips attribute lookup per setting
    out: dict[str, Any] = {}
    for name in MODEL_SETTINGS:
        value = fields[name]
        if value is not None and not (name in _EMPTY_UNSET and not value):
            out[name] = value
    return out


_EMPTY_UNSET = frozenset({"stop", "model_kwargs"})
"""Settings left out when empty as well as when None."""


__all__ = [
    "CALL_SETTINGS",
    "CONSUMED_KEYS",
    "MODEL_SETTINGS",
    "RANGES",
    "SENT",
    "SENT_KEYS",
    "SETTINGS",
    "QwenChatSettings",
    "Range",
    "ReasoningPolicy",
    "Rule",
    "SearchOptions",
    "ranges",
    "scalar_types",
    "settings_of",
]

"""Model-profile table: Qwen model families and snapshots mapped to DashScope capabilities."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

ThinkingMode = Literal["none", "hybrid_off", "hybrid_on", "always", "unknown"]
"""How a model thinks: never; hybrid with thinking off or on by default; always; not in the table."""

PreserveThinking = Literal["unsupported", "default_off", "default_on"]

AS_OF = "2026-11"
"""Snapshot date of this table (DashScope changes model lists often; see dashscope-protocol.md F1.1)."""

_ALL_REGIONS = None

_TEXT = frozenset({"text"})
_IMAGE_VIDEO = frozenset({"text", "image", "video"})
_OMNI_IN = frozenset({"text", "image", "video", "audio"})

OMNI_FLASH_VOICES_49 = (
    "Cherry", "Serena", "Ethan", "Chelsie", "Momo", "Vivian", "Moon", "Maia", "Kai", "Nofish",
    "Bella", "Jennifer", "Ryan", "Katerina", "Aiden", "Eldric Sage", "Mia", "Mochi", "Bellona",
    "Vincent", "Bunny", "Neil", "Elias", "Arthur", "Nini", "Ebona", "Seren", "Pip", "Stella",
    "Bodega", "Sonrisa", "Alek", "Dolce", "Sohee", "Ono Anna", "Lenn", "Emilien", "Andre",
    "Radio Gol", "Jada", "Dylan", "Li", "Marcus", "Roy", "Peter", "Sunny", "Eric", "Rocky", "Kiki",
)  # fmt: skip
OMNI_FLASH_VOICES_17 = (
    "Cherry", "Ethan", "Nofish", "Jennifer", "Ryan", "Katerina", "Elias", "Jada", "Dylan",
    "Sunny", "Li", "Marcus", "Roy", "Peter", "Rocky", "Kiki", "Eric",
)  # fmt: skip
OMNI_TURBO_VOICES = ("Cherry", "Serena", "Ethan", "Chelsie")

QWEN38_EFFORTS = ("low", "medium", "xhigh", "high", "max", "minimal", "none")
"""qwen3.8 accepts low|medium|xhigh and maps max/high->xhigh, minimal->low, none->thinking off."""


@dataclass(frozen=True)
class QwenProfile:
    """What one DashScope model accepts and how it behaves on the wire.

    Read by the request builder, the response parser and the emulator; never derived from the
    model name at request time. Unknown models get `known=False` and permissive values: the
    client then sends only what the user asked for and lets the server decide.
    """

    model: str = ""
    """The model id this profile was resolved for."""
    known: bool = True
    """False for models not in the table (permissive defaults)."""
    thinking: ThinkingMode = "none"
    """Thinking class (F1.1)."""
    thinking_stream_only: bool = False
    """Thinking mode is rejected without `stream: true` (F1.4)."""
    stream_only: bool = False
    """The model only answers streamed requests (QwQ, QVQ, Omni; F2.4)."""
    max_thinking_budget: int | None = None
    """Upper bound of `thinking_budget`; None means the budget is not supported."""
    preserve_thinking: PreserveThinking = "unsupported"
    """Whether the server consumes history `reasoning_content` (F1.2, F1.5)."""
    reasoning_effort: tuple[str, ...] = ()
    """Accepted `reasoning_effort` values; empty means the parameter is not accepted."""
    effort_excludes_budget: bool = False
    """`reasoning_effort` and `thinking_budget` are mutually exclusive (qwen3.8)."""
    tools: bool = True
    """Function calling (F3.5)."""
    tool_choice: tuple[str, ...] = ("auto", "none", "function")
    """Allowed `tool_choice` kinds when not thinking ("function" = a named tool)."""
    tool_choice_thinking: tuple[str, ...] = ("auto", "none")
    """Allowed `tool_choice` kinds while thinking (F1.6)."""
    json_object: bool = True
    """`response_format: json_object` when not thinking (F4.2)."""
    json_schema: bool = False
    """`response_format: json_schema` (Beijing only, F4.2)."""
    partial_mode: bool = True
    """Prefix continuation with `partial: true` (F5.3)."""
    input_modalities: frozenset[str] = _TEXT
    output_modalities: frozenset[str] = _TEXT
    context_window: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    regions: frozenset[str] | None = _ALL_REGIONS
    """Regions serving the model; None means every region."""
    explicit_cache: bool = False
    """`cache_control` markers (F9.4)."""
    tokenizer: Literal["qwen", "qwen3_5"] = "qwen"
    """BPE vocabulary: Qwen2/3 (151k) or Qwen3.5+ (248k)."""
    translation: bool = False
    """Qwen-MT: `translation_options`, one user message (F6)."""
    cumulative_stream: bool = False
    """Each streamed `delta.content` repeats the whole text so far (qwen-mt-plus/turbo, F2.3)."""
    file_context: bool = False
    """Reads `fileid://` documents (qwen-long, qwen-doc-turbo, F7)."""
    web_search: bool = False
    """`enable_search` (F13.2)."""
    fim: bool = False
    """Fill-in-the-middle on `/completions` (F11)."""
    search_agent: bool = False
    """Web search strategies "agent" / "agent_max" (F13.2)."""
    n_choices: bool = False
    """`n > 1` accepted (F13.1)."""
    voices: tuple[str, ...] = ()
    """Omni audio-output voices (F10.3)."""
    thinking_disables_audio: bool = False
    """Thinking mode means text-only output (qwen3-omni-flash)."""
    family: str = ""
    """Family name used for documentation and snapshot inheritance."""

    def with_overrides(self, overrides: dict[str, Any] | None) -> QwenProfile:
        """Return a copy with user overrides applied (unknown keys raise)."""
        if not overrides:
            return self
        names = {f.name for f in dataclasses.fields(self)}
        unknown = set(overrides) - names
        if unknown:
            raise ValueError(f"Unknown Qwen profile keys: {sorted(unknown)}; known keys: {sorted(names)}")
        fixed = {k: (frozenset(v) if k in _SET_FIELDS and v is not None else v) for k, v in overrides.items()}
        return dataclasses.replace(self, **fixed)

    @property
    def can_think(self) -> bool:
        return self.thinking in ("hybrid_off", "hybrid_on", "always")

    @property
    def thinking_default(self) -> bool | None:
        """Thinking state when the request says nothing; None if unknown."""
        return {"none": False, "hybrid_off": False, "hybrid_on": True, "always": True}.get(self.thinking)

    def to_langchain(self) -> dict[str, Any]:
        """This profile as LangChain's `ModelProfile` dict."""
        out: dict[str, Any] = {
            "text_inputs": True,
            "image_inputs": "image" in self.input_modalities,
            "image_url_inputs": "image" in self.input_modalities,
            "audio_inputs": "audio" in self.input_modalities,
            "video_inputs": "video" in self.input_modalities,
            "pdf_inputs": False,
            "text_outputs": True,
            "audio_outputs": "audio" in self.output_modalities,
            "image_outputs": False,
            "video_outputs": False,
            "reasoning_output": self.can_think,
            "tool_calling": self.tools,
            "tool_choice": self.tools and "function" in self.tool_choice,
            "tool_call_streaming": self.tools,
            "structured_output": self.json_schema,
            "temperature": True,
        }
        if self.max_input_tokens or self.context_window:
            out["max_input_tokens"] = self.max_input_tokens or self.context_window
        if self.max_output_tokens:
            out["max_output_tokens"] = self.max_output_tokens
        if self.reasoning_effort:
            out["reasoning_effort_levels"] = [e for e in self.reasoning_effort if e in ("low", "medium", "xhigh")]
        return out


_SET_FIELDS = {"input_modalities", "output_modalities", "regions"}

BEIJING = frozenset({"cn-beijing"})

UNKNOWN = QwenProfile(
    known=False,
    thinking="unknown",
    tool_choice=("auto", "none", "function", "required"),
    tool_choice_thinking=("auto", "none", "function", "required"),
    json_object=True,
    json_schema=True,
    partial_mode=True,
    input_modalities=_OMNI_IN,
    n_choices=True,
    web_search=True,
)
"""Permissive defaults for models missing from the table: the API decides."""


def _p(**kw: Any) -> QwenProfile:
    return QwenProfile(**kw)


# -- Base profiles per family (F1.1, F3.5, F4.2, F5.3, F9.4, F10, F13.2; as of AS_OF) ----------

_HYBRID_COMMERCIAL = dict(
    thinking="hybrid_off",
    max_thinking_budget=38912,
    web_search=True,
    json_object=True,
    partial_mode=True,
)
_QWEN3_OPEN_HYBRID = dict(
    thinking="hybrid_on",
    thinking_stream_only=True,
    max_thinking_budget=38912,
    n_choices=True,
)
_QWEN35 = dict(
    thinking="hybrid_on",
    thinking_stream_only=True,
    max_thinking_budget=81920,
    tokenizer="qwen3_5",
    context_window=1_000_000,
    max_output_tokens=65536,
    web_search=True,
)
_THINK_ONLY = dict(
    thinking="always",
    tool_choice=("auto", "none"),
    json_object=False,
    partial_mode=False,
    max_thinking_budget=81920,
)
_NO_THINK_TEXT = dict(thinking="none")

_FAMILIES: dict[str, dict[str, Any]] = {
    # Commercial flagships
    "qwen-max": dict(_NO_THINK_TEXT, context_window=32768, max_output_tokens=8192, web_search=True),
    "qwen3-max": dict(
        _HYBRID_COMMERCIAL,
        context_window=262144,
        max_output_tokens=65536,
        explicit_cache=True,
        thinking_stream_only=True,
        search_agent=True,
    ),
    "qwen3-max-preview": dict(_HYBRID_COMMERCIAL, context_window=262144, max_output_tokens=65536),
    "qwen-plus": dict(
        _HYBRID_COMMERCIAL,
        context_window=1_000_000,
        max_output_tokens=32768,
        explicit_cache=True,
        json_schema=True,
        n_choices=True,
    ),
    "qwen-flash": dict(_HYBRID_COMMERCIAL, context_window=1_000_000, max_output_tokens=32768, explicit_cache=True),
    "qwen-turbo": dict(_HYBRID_COMMERCIAL, context_window=1_000_000, max_output_tokens=16384),
    # Qwen3.5 and later (2026)
    "qwen3.5-plus": dict(_QWEN35, search_agent=True),
    "qwen3.5-flash": dict(_QWEN35, search_agent=True),
    "qwen3.6-plus": dict(_QWEN35, preserve_thinking="default_off"),
    "qwen3.6-flash": dict(_QWEN35, preserve_thinking="default_off"),
    "qwen3.6-max": dict(_QWEN35, preserve_thinking="default_off"),
    "qwen3.7-max": dict(_QWEN35, preserve_thinking="default_off"),
    "qwen3.7-plus": dict(_QWEN35, preserve_thinking="default_off"),
    "qwen3.7-flash": dict(_QWEN35, preserve_thinking="default_off"),
    "qwen3.8-max": dict(
        _QWEN35,
        preserve_thinking="default_on",
        reasoning_effort=QWEN38_EFFORTS,
        effort_excludes_budget=True,
        max_thinking_budget=262144,
    ),
    "qwen3.8-flash": dict(
        _QWEN35,
        preserve_thinking="default_on",
        reasoning_effort=QWEN38_EFFORTS,
        effort_excludes_budget=True,
        max_thinking_budget=262144,
    ),
    # Always-thinking
    "qwq-plus": dict(_THINK_ONLY, stream_only=True, context_window=131072, max_output_tokens=8192, web_search=True),
    "qwq-32b": dict(_THINK_ONLY, stream_only=True, context_window=131072, max_output_tokens=8192),
    "qwq-32b-preview": dict(_THINK_ONLY, stream_only=True, context_window=32768, max_output_tokens=16384),
    "qwen3-235b-a22b-thinking-2507": dict(_THINK_ONLY, context_window=131072, max_output_tokens=32768),
    "qwen3-30b-a3b-thinking-2507": dict(_THINK_ONLY, context_window=131072, max_output_tokens=32768),
    "qwen3-next-80b-a3b-thinking": dict(_THINK_ONLY, context_window=131072, max_output_tokens=32768),
    # Open-source Qwen3 hybrids (thinking on by default, stream-only while thinking)
    **{
        f"qwen3-{size}": dict(_QWEN3_OPEN_HYBRID, context_window=131072, max_output_tokens=16384)
        for size in ("235b-a22b", "32b", "30b-a3b", "14b", "8b", "4b", "1.7b", "0.6b")
    },
    "qwen3-235b-a22b-instruct-2507": dict(_NO_THINK_TEXT, context_window=131072, max_output_tokens=32768),
    "qwen3-30b-a3b-instruct-2507": dict(_NO_THINK_TEXT, context_window=131072, max_output_tokens=32768),
    "qwen3-next-80b-a3b-instruct": dict(_NO_THINK_TEXT, context_window=131072, max_output_tokens=32768),
    # Qwen2.5 / Qwen2 open source
    **{
        f"qwen2.5-{size}-instruct": dict(_NO_THINK_TEXT, context_window=131072, max_output_tokens=8192)
        for size in ("72b", "32b", "14b", "7b", "3b", "1.5b", "0.5b")
    },
    **{
        f"qwen2.5-{size}-instruct-1m": dict(_NO_THINK_TEXT, context_window=1_000_000, max_output_tokens=8192)
        for size in ("14b", "7b")
    },
    "qwen2-72b-instruct": dict(_NO_THINK_TEXT, context_window=131072, max_output_tokens=6144),
    "qwen2-7b-instruct": dict(_NO_THINK_TEXT, context_window=131072, max_output_tokens=6144),
    # Coder (partial mode; FIM on /completions for the turbo/2.5 line, Beijing only)
    "qwen3-coder-plus": dict(_NO_THINK_TEXT, context_window=1_000_000, max_output_tokens=65536, explicit_cache=True),
    "qwen3-coder-flash": dict(_NO_THINK_TEXT, context_window=1_000_000, max_output_tokens=65536, explicit_cache=True),
    "qwen3-coder-480b-a35b-instruct": dict(_NO_THINK_TEXT, context_window=262144, max_output_tokens=65536),
    "qwen3-coder-30b-a3b-instruct": dict(_NO_THINK_TEXT, context_window=262144, max_output_tokens=65536),
    "qwen-coder-plus": dict(_NO_THINK_TEXT, context_window=131072, max_output_tokens=8192),
    "qwen-coder-turbo": dict(_NO_THINK_TEXT, context_window=131072, max_output_tokens=8192, fim=True, regions=BEIJING),
    **{
        f"qwen2.5-coder-{size}-instruct": dict(
            _NO_THINK_TEXT, context_window=131072, max_output_tokens=8192, fim=True, json_object=False
        )
        for size in ("32b", "14b", "7b", "3b", "1.5b", "0.5b")
    },
    # Math (no tools, F3.5)
    "qwen-math-plus": dict(_NO_THINK_TEXT, tools=False, json_object=False, context_window=4096, max_output_tokens=3072),
    "qwen-math-turbo": dict(
        _NO_THINK_TEXT, tools=False, json_object=False, context_window=4096, max_output_tokens=3072
    ),
    **{
        f"qwen2.5-math-{size}-instruct": dict(
            _NO_THINK_TEXT, tools=False, json_object=False, context_window=4096, max_output_tokens=3072
        )
        for size in ("72b", "7b", "1.5b")
    },
    # Qwen-MT (F6)
    "qwen-mt-plus": dict(
        _NO_THINK_TEXT,
        translation=True,
        cumulative_stream=True,
        tools=False,
        json_object=False,
        partial_mode=False,
        context_window=16384,
        max_input_tokens=8192,
        max_output_tokens=8192,
    ),
    "qwen-mt-turbo": dict(
        _NO_THINK_TEXT,
        translation=True,
        cumulative_stream=True,
        tools=False,
        json_object=False,
        partial_mode=False,
        context_window=16384,
        max_input_tokens=8192,
        max_output_tokens=8192,
    ),
    "qwen-mt-flash": dict(
        _NO_THINK_TEXT,
        translation=True,
        tools=False,
        json_object=False,
        partial_mode=False,
        context_window=16384,
        max_input_tokens=8192,
        max_output_tokens=8192,
    ),
    "qwen-mt-lite": dict(
        _NO_THINK_TEXT,
        translation=True,
        tools=False,
        json_object=False,
        partial_mode=False,
        context_window=16384,
        max_input_tokens=8192,
        max_output_tokens=8192,
    ),
    # Long context (F7): Beijing only, no tools / partial mode / search
    "qwen-long": dict(
        _NO_THINK_TEXT,
        file_context=True,
        tools=False,
        partial_mode=False,
        regions=BEIJING,
        context_window=10_000_000,
        max_input_tokens=10_000_000,
        max_output_tokens=8192,
    ),
    "qwen-doc-turbo": dict(
        _NO_THINK_TEXT,
        file_context=True,
        tools=False,
        partial_mode=False,
        regions=BEIJING,
        context_window=262144,
        max_output_tokens=8192,
    ),
    # Vision (F10.2)
    "qwen-vl-max": dict(
        _NO_THINK_TEXT, tools=False, input_modalities=_IMAGE_VIDEO, context_window=131072, max_output_tokens=8192
    ),
    "qwen-vl-plus": dict(
        _NO_THINK_TEXT, tools=False, input_modalities=_IMAGE_VIDEO, context_window=131072, max_output_tokens=8192
    ),
    "qwen-vl-ocr": dict(
        _NO_THINK_TEXT,
        tools=False,
        partial_mode=False,
        json_object=False,
        input_modalities=_IMAGE_VIDEO,
        context_window=34096,
        max_output_tokens=4096,
    ),
    "qwen3-vl-plus": dict(
        thinking="hybrid_off",
        max_thinking_budget=81920,
        input_modalities=_IMAGE_VIDEO,
        context_window=262144,
        max_output_tokens=32768,
    ),
    "qwen3-vl-flash": dict(
        thinking="hybrid_off",
        max_thinking_budget=81920,
        input_modalities=_IMAGE_VIDEO,
        context_window=262144,
        max_output_tokens=32768,
    ),
    "qvq-max": dict(
        _THINK_ONLY,
        stream_only=True,
        tools=False,
        input_modalities=_IMAGE_VIDEO,
        context_window=131072,
        max_output_tokens=8192,
    ),
    "qvq-plus": dict(
        _THINK_ONLY,
        stream_only=True,
        tools=False,
        input_modalities=_IMAGE_VIDEO,
        context_window=131072,
        max_output_tokens=8192,
    ),
    "qvq-72b-preview": dict(
        _THINK_ONLY,
        stream_only=True,
        tools=False,
        input_modalities=_IMAGE_VIDEO,
        context_window=32768,
        max_output_tokens=16384,
    ),
    # Omni (F10.3): stream only, audio out
    "qwen3-omni-flash": dict(
        thinking="hybrid_off",
        stream_only=True,
        max_thinking_budget=32768,
        thinking_disables_audio=True,
        input_modalities=_OMNI_IN,
        output_modalities=frozenset({"text", "audio"}),
        voices=OMNI_FLASH_VOICES_17,
        json_object=False,
        partial_mode=False,
        context_window=65536,
        max_input_tokens=16384,
        max_output_tokens=16384,
    ),
    "qwen-omni-turbo": dict(
        _NO_THINK_TEXT,
        stream_only=True,
        tools=False,
        json_object=False,
        partial_mode=False,
        input_modalities=_OMNI_IN,
        output_modalities=frozenset({"text", "audio"}),
        voices=OMNI_TURBO_VOICES,
        context_window=32768,
        max_input_tokens=30720,
        max_output_tokens=2048,
    ),
    "qwen2.5-omni-7b": dict(
        _NO_THINK_TEXT,
        stream_only=True,
        tools=False,
        json_object=False,
        partial_mode=False,
        input_modalities=_OMNI_IN,
        output_modalities=frozenset({"text", "audio"}),
        voices=OMNI_TURBO_VOICES,
        context_window=32768,
        max_output_tokens=2048,
    ),
    # Third-party models hosted on DashScope (Beijing)
    "deepseek-v3.2": dict(
        thinking="hybrid_off", regions=BEIJING, partial_mode=False, explicit_cache=True, context_window=131072
    ),
    "deepseek-v3": dict(_NO_THINK_TEXT, regions=BEIJING, partial_mode=False, context_window=65536),
    "deepseek-r1": dict(_THINK_ONLY, max_thinking_budget=None, regions=BEIJING, context_window=65536),
    "kimi-k2-thinking": dict(_THINK_ONLY, json_object=True, regions=BEIJING, context_window=262144),
    "glm-4.6": dict(thinking="hybrid_on", partial_mode=False, regions=BEIJING, context_window=202752),
    "glm-4.7": dict(thinking="hybrid_off", partial_mode=False, regions=BEIJING, context_window=202752),
}

# Explicit snapshots whose behaviour differs from their family (F1.4: only the listed aliases
# may think without streaming; F10.3: the 2025-12-01 Omni snapshot has 49 voices).
_SNAPSHOTS: dict[str, tuple[str, dict[str, Any]]] = {
    "qwen-plus-latest": ("qwen-plus", {"thinking_stream_only": True}),
    "qwen-turbo-latest": ("qwen-turbo", {"thinking_stream_only": True}),
    "qwen-flash-2025-07-28": ("qwen-flash", {}),
    "qwen-max-latest": ("qwen-max", {}),
    "qwq-plus-latest": ("qwq-plus", {}),
    "qwen-vl-max-latest": ("qwen-vl-max", {}),
    "qwen-vl-plus-latest": ("qwen-vl-plus", {}),
    "qwen-long-latest": ("qwen-long", {}),
    "qwen-omni-turbo-latest": ("qwen-omni-turbo", {}),
    "qwen-coder-turbo-latest": ("qwen-coder-turbo", {}),
    "qwen-coder-plus-latest": ("qwen-coder-plus", {}),
    "qwen-math-plus-latest": ("qwen-math-plus", {}),
    "qwen-math-turbo-latest": ("qwen-math-turbo", {}),
    "qwen-coder-turbo-0919": ("qwen-coder-turbo", {}),
    "qwen3-max-2025-09-23": ("qwen3-max", {"thinking": "none", "max_thinking_budget": None}),
    "qwen3-omni-flash-2025-12-01": ("qwen3-omni-flash", {"voices": OMNI_FLASH_VOICES_49}),
    "qwen-long-0125": ("qwen-long", {}),
}

# A dated snapshot not listed above inherits its family with these changes: older snapshots of
# the commercial hybrids only think when streamed (F1.4 FAQ lists the aliases only).
_SNAPSHOT_DEFAULTS: dict[str, dict[str, Any]] = {
    "qwen-plus": {"thinking_stream_only": True, "explicit_cache": False},
    "qwen-turbo": {"thinking_stream_only": True},
    "qwen-flash": {"explicit_cache": False},
    "qwen3-max": {"explicit_cache": False},
}

_DATE_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")
"""Snapshot suffixes `-2025-07-28` / `-0919`: used only to find the family row in the table."""


FIM_REGIONS = BEIJING
"""The `/completions` (fill-in-the-middle) endpoint is served only in Beijing (F11), whatever the model."""


def known_models() -> list[str]:
    """Every model id the table names explicitly."""
    return sorted({*_FAMILIES, *_SNAPSHOTS})


@lru_cache(maxsize=512)
def _resolve(model: str) -> QwenProfile:
    if model in _FAMILIES:
        return QwenProfile(model=model, family=model, **_FAMILIES[model])
    if model in _SNAPSHOTS:
        family, changes = _SNAPSHOTS[model]
        return dataclasses.replace(_resolve(family), model=model, **changes)
    m = _DATE_SUFFIX.search(model)
    if m:
        family = model[: m.start()]
        if family in _FAMILIES:
            changes = _SNAPSHOT_DEFAULTS.get(family, {})
            return dataclasses.replace(_resolve(family), model=model, **changes)
    return dataclasses.replace(UNKNOWN, model=model, family="")


def resolve_profile(model: str, overrides: dict[str, Any] | None = None) -> QwenProfile:
    """The profile for `model` (exact id, listed snapshot, dated snapshot of a family, else permissive)."""
    base = _resolve(model)
    return base.with_overrides(overrides) if overrides else base


@dataclass(frozen=True)
class EmbeddingProfile:
    """What one text-embedding model accepts (F12)."""

    model: str
    dimensions: tuple[int, ...]
    """Allowed `dimensions`; the first entry of a one-element tuple is fixed (no `dimensions` parameter)."""
    default_dimension: int
    max_batch: int
    """Inputs per request."""
    max_input_tokens: int
    """Tokens per input."""
    accepts_dimensions: bool = True


EMBEDDING_MODELS: dict[str, EmbeddingProfile] = {
    "text-embedding-v4": EmbeddingProfile(
        "text-embedding-v4", (2048, 1536, 1024, 768, 512, 256, 128, 64), 1024, 10, 8192
    ),
    "text-embedding-v3": EmbeddingProfile("text-embedding-v3", (1024, 768, 512, 256, 128, 64), 1024, 10, 8192),
    "text-embedding-v2": EmbeddingProfile("text-embedding-v2", (1536,), 1536, 25, 2048, accepts_dimensions=False),
    "text-embedding-v1": EmbeddingProfile("text-embedding-v1", (1536,), 1536, 25, 2048, accepts_dimensions=False),
}


def embedding_profile(model: str) -> EmbeddingProfile | None:
    """The embedding model's limits, or None for models not in the table."""
    return EMBEDDING_MODELS.get(model)


__all__ = [
    "AS_OF",
    "EMBEDDING_MODELS",
    "UNKNOWN",
    "EmbeddingProfile",
    "QwenProfile",
    "embedding_profile",
    "known_models",
    "resolve_profile",
]

"""Model-profile table: Qwen model families and snapshots mapped to DashScope capabilities.

The facts live in `data/models.json` (one row per family or snapshot, each with `as_of` and source
tags); this module loads it on first use, resolves snapshots to their family and region-dependent
facts to the caller's region, and lets users override a row per instance (`qwen_profile=`) or
register models for the whole process (`register_model`). Nothing here derives a capability from
a model name: an id missing from the table gets permissive defaults and the server decides.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

ThinkingMode = Literal["none", "hybrid_off", "hybrid_on", "always", "unknown"]
"""How a model thinks: never; hybrid with thinking off or on by default; always; not known."""

PreserveThinking = Literal["unsupported", "default_off", "default_on"]

AS_OF = "2026-11"
"""Snapshot date of the table as a whole (each row carries its own `as_of`)."""

DEFAULT_REGION = "cn-beijing"
"""Region whose facts apply when the caller names none (DashScope's default host is Beijing)."""

_ALL_REGIONS = None

_TEXT = frozenset({"text"})
_OMNI_IN = frozenset({"text", "image", "video", "audio"})


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
    kind: Literal["chat", "rerank"] = "chat"
    """Which endpoint serves the model (rerank models are listed for completeness)."""
    reasoning_effort_default: str | None = None
    """The server's `reasoning_effort` when the request names none (qwen3.8: "xhigh")."""
    reasoning_effort_off: str | None = None
    """The `reasoning_effort` value that switches thinking off (qwen3.8: "none"); None if there is none."""
    batch: bool | None = None
    """Served by the Batch API in `region` (documented list); None = not documented there (sent as asked)."""
    batch_max_input_tokens: int | None = None
    """Per-request input cap in Batch (256K for the 3.5-3.7 Plus/Max/Flash models, BATCH-2606)."""
    region: str | None = None
    """Region the region-dependent facts (json_schema, batch, ...) were resolved for; None = the default region."""
    as_of: str = ""
    """When the row's facts were last checked (YYYY-MM)."""
    source: tuple[str, ...] = ()
    """Source tags of the row (URLs in the data file's `sources`)."""
    note: str = ""
    """Caveats recorded with the row (uncertain facts)."""

    def with_overrides(self, overrides: dict[str, Any] | None) -> QwenProfile:
        """Return a copy with user overrides applied (unknown keys raise)."""
        if not overrides:
            return self
        unknown = set(overrides) - _FIELDS
        if unknown:
            raise _invalid(f"Unknown Qwen profile keys: {sorted(unknown)}; known keys: {sorted(_FIELDS)}")
        return dataclasses.replace(self, **_coerce(overrides, self.region))

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
_TUPLE_FIELDS = {"reasoning_effort", "tool_choice", "tool_choice_thinking", "voices", "source"}
_FIELDS = frozenset(f.name for f in dataclasses.fields(QwenProfile))
_ROW_META = frozenset({"extends", "family", "dated"})
"""Row keys that are not profile fields: presets to merge, the family of a snapshot, dated-snapshot changes."""

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

FIM_REGIONS = BEIJING
"""The `/completions` (fill-in-the-middle) endpoint is served only in Beijing (F11), whatever the model."""


def _invalid(message: str) -> Exception:
    """A `QwenValidationError` (also a `ValueError`); imported late to keep this module light."""
    from langchain_qwen._errors import QwenValidationError

    return QwenValidationError(message)


def _coerce(fields: Mapping[str, Any], region: str | None) -> dict[str, Any]:
    """Row values as dataclass values: region-keyed objects resolved, lists made tuples / frozensets."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, Mapping):  # {"cn-beijing": true, "*": false}: a region-dependent fact
            value = value.get(region or DEFAULT_REGION, value.get("*", _MISSING))
            if value is _MISSING:
                continue
        if isinstance(value, str) and value.startswith("@"):
            value = _table().lists[value[1:]]
        if key in _SET_FIELDS and value is not None:
            value = frozenset(value)
        elif key in _TUPLE_FIELDS and value is not None:
            value = tuple(value)
        out[key] = value
    return out


_MISSING = object()


@dataclass(frozen=True)
class _Table:
    """The parsed data file plus rows registered at run time."""

    families: dict[str, dict[str, Any]]
    """Family rows with their presets merged in (values may still be region-keyed)."""
    snapshots: dict[str, dict[str, Any]]
    lists: dict[str, list[str]]
    suffix: re.Pattern[str]
    sources: dict[str, str]


def _flatten(row: Mapping[str, Any], presets: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    extends = row.get("extends") or []
    out: dict[str, Any] = {}
    for name in [extends] if isinstance(extends, str) else extends:
        out.update(_flatten(presets[name], presets))
    out.update({k: v for k, v in row.items() if k != "extends"})
    return out


def _check_row(name: str, row: Mapping[str, Any]) -> None:
    unknown = set(row) - _FIELDS - _ROW_META
    if unknown:
        raise _invalid(f"Model row {name!r}: unknown keys {sorted(unknown)}; known keys: {sorted(_FIELDS)}")


_LOCK = threading.Lock()
_REGISTERED: dict[str, dict[str, Any]] = {}


@lru_cache(maxsize=1)
def _table() -> _Table:
    from importlib.resources import files

    raw = json.loads(files("langchain_qwen").joinpath("data", "models.json").read_bytes())
    presets = raw["presets"]
    families = {name: _flatten(row, presets) for name, row in raw["families"].items()}
    for name, row in [*families.items(), *raw["snapshots"].items()]:
        _check_row(name, row)
    return _Table(
        families=families,
        snapshots=dict(raw["snapshots"]),
        lists=raw["lists"],
        suffix=re.compile(raw["snapshot_suffix"]),
        sources=raw["sources"],
    )


def _fields(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in _ROW_META}


def _family_row(model: str, family: str) -> tuple[dict[str, Any], str]:
    base = _row(family)
    if base is None:
        raise _invalid(f"Model row {model!r} names an unknown family {family!r}; known: known_models().")
    return base


def _row(model: str, registry: bool = True) -> tuple[dict[str, Any], str] | None:
    """The merged (not yet region-resolved) row of `model` and its family name, or None if unknown."""
    table = _table()
    mine = _REGISTERED.get(model) if registry else None
    if mine is not None:
        if mine.get("family"):
            fields, family = _family_row(model, mine["family"])
        else:
            fields, family = _row(model, registry=False) or ({}, model)
        return {**fields, **_fields(mine)}, family
    snap = table.snapshots.get(model)
    if snap is not None:
        fields, family = _family_row(model, snap["family"])
        return {**fields, **_fields(snap)}, family
    if model in table.families:
        return _fields(table.families[model]), model
    return _dated_row(model)


def _dated_row(model: str) -> tuple[dict[str, Any], str] | None:
    """An unlisted dated snapshot (`qwen3.7-max-2026-12-01`, `qwen3.8-max-0902`): its family plus `dated` changes."""
    table = _table()
    m = table.suffix.search(model)
    family = model[: m.start()] if m else ""
    row = _REGISTERED.get(family) or table.families.get(family)
    base = _row(family) if row is not None else None
    if row is None or base is None:
        return None
    return {**base[0], **(row.get("dated") or {})}, base[1]


@lru_cache(maxsize=1024)
def _resolve(model: str, region: str | None) -> QwenProfile:
    found = _row(model)
    if found is None:
        return dataclasses.replace(UNKNOWN, model=model, family="", region=region)
    fields, family = found
    return QwenProfile(model=model, family=family, region=region, **_coerce(fields, region))


def resolve_profile(model: str, overrides: dict[str, Any] | None = None, *, region: str | None = None) -> QwenProfile:
    """The profile for `model` in `region` (exact id, listed snapshot, dated snapshot of a family, else permissive).

    `region` is a canonical region id (`"cn-beijing"`, `"ap-southeast-1"`, ...); None means the
    default region (Beijing). `overrides` are applied last (see `QwenProfile.with_overrides`).
    """
    base = _resolve(model, region)
    return base.with_overrides(overrides) if overrides else base


@lru_cache(maxsize=64)
def profile_region(region: str | None, base_url: str | None = None) -> str | None:
    """The region whose facts apply: the configured one, else the one a DashScope base URL names.

    None when neither says (a proxy or a test server without `region=`): the default region's facts apply.
    """
    from langchain_qwen._hosts import describe_host, normalize_region

    if region:
        try:
            return normalize_region(region)
        except ValueError:  # an invalid region is reported when the client is built, not here
            return None
    return describe_host(base_url)[0] if base_url else None


def register_model(model: str, *, family: str | None = None, **fields: Any) -> QwenProfile:
    """Add or replace a model row for the whole process; returns its profile in the default region.

    `family` copies an existing row (a snapshot or fine-tune of a known model); `fields` are
    `QwenProfile` field names, and a value may be an object keyed by region id (`"*"` = any other
    region), e.g. `register_model("qwen-plus", json_schema={"cn-beijing": True, "ap-southeast-1": True})`.
    A model already in the table keeps its packaged facts under the registered ones; a new model
    without `family` starts from `QwenProfile`'s defaults (text only, no thinking).

    Raises:
        QwenValidationError: An unknown field name or family (a `ValueError` too).
    """
    row: dict[str, Any] = {**fields, "source": fields.get("source", ("registered",))}
    if family is not None:
        row["family"] = family
    _check_row(model, row)
    with _LOCK:
        previous = _REGISTERED.get(model)
        _REGISTERED[model] = row
        _resolve.cache_clear()
        try:
            return resolve_profile(model)
        except Exception:
            _REGISTERED.pop(model) if previous is None else _REGISTERED.update({model: previous})
            _resolve.cache_clear()
            raise


def unregister_model(model: str) -> bool:
    """Drop a row added by `register_model` (the packaged row, if any, applies again); True if one was dropped."""
    with _LOCK:
        found = _REGISTERED.pop(model, None) is not None
        _resolve.cache_clear()
    return found


def known_models() -> list[str]:
    """Every model id the table names explicitly (packaged and registered)."""
    table = _table()
    return sorted({*table.families, *table.snapshots, *_REGISTERED})


def batch_models(region: str | None = None) -> list[str]:
    """Families the Batch API serves in `region` (default region when None), per the table."""
    return [m for m in sorted(_table().families) if resolve_profile(m, region=region).batch]


def table_sources() -> dict[str, str]:
    """Source tag -> where the fact was read (URL and revision date)."""
    return dict(_table().sources)


def __getattr__(name: str) -> Any:
    """Voice lists and qwen3.8 effort values, read from the data file on first access."""
    lists = {
        "OMNI_FLASH_VOICES_49": "omni_flash_49",
        "OMNI_FLASH_VOICES_17": "omni_flash_17",
        "OMNI_TURBO_VOICES": "omni_turbo",
    }
    if name in lists:
        return tuple(_table().lists[lists[name]])
    if name == "QWEN38_EFFORTS":
        return resolve_profile("qwen3.8-max").reasoning_effort
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    "DEFAULT_REGION",
    "EMBEDDING_MODELS",
    "UNKNOWN",
    "EmbeddingProfile",
    "QwenProfile",
    "batch_models",
    "embedding_profile",
    "known_models",
    "profile_region",
    "register_model",
    "resolve_profile",
    "table_sources",
    "unregister_model",
]

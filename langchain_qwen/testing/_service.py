"""The emulated service's own model facts (as of 2026-11), independent of the client's profile table.

The emulator answers like the real DashScope, so what a model accepts is decided here, from the protocol
references (`dashscope-protocol.md` = [BASE §x], `dashscope-2026-addendum.md` = its tags), never from the
client's `_profiles` table: a wrong client table must make a client test fail, not move the oracle with it.
Every row carries `src` (source tags); `[uncertain]` marks rows or fields the sources do not settle.

Lookup (`service_model`): exact id, else a snapshot of a family (`-YYYY-MM-DD`, `-MMDD`, `-latest`,
`-preview` suffixes, e.g. `qwen3.7-max-2026-06-08`, `qwen3.8-max-0902`) with the family's facts, else
unknown (`known=False`: chat answers 404 `model_not_found`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

AS_OF = "2026-11"

Thinking = Literal["none", "hybrid_off", "hybrid_on", "always", "unknown"]
ForcedToolError = Literal["legacy", "thinking_mode"]

TEXT = frozenset({"text"})
TIV = frozenset({"text", "image", "video"})
OMNI_IN = frozenset({"text", "image", "video", "audio"})
TEXT_AUDIO = frozenset({"text", "audio"})
BEIJING = frozenset({"cn-beijing"})
FIM_REGIONS = BEIJING
"""`/completions` (fill-in-the-middle) is served only in Beijing, whatever the model [BASE F11]."""

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
"""qwen3.8 accepts low|medium|xhigh, maps max/high->xhigh, minimal->low, none->thinking off [BASE F1.2]."""


@dataclass(frozen=True)
class ServiceModel:
    """What the emulated service accepts from one chat model and how it answers."""

    model: str = ""
    family: str = ""
    known: bool = True
    src: str = ""
    """Source tags of the row."""
    thinking: Thinking = "none"
    thinking_stream_only: bool = False
    """Thinking is refused without `stream: true` [BASE F1.4]."""
    stream_only: bool = False
    max_thinking_budget: int | None = None
    reasoning_effort: tuple[str, ...] = ()
    effort_excludes_budget: bool = False
    tools: bool = True
    tool_choice: tuple[str, ...] = ("auto", "none", "function")
    """Accepted `tool_choice` kinds with thinking off ("function" = the object form)."""
    tool_choice_thinking: tuple[str, ...] = ("auto", "none")
    forced_tool_error: ForcedToolError = "legacy"
    """How a forced choice while thinking is refused: `legacy` ("required" is an unknown string,
    [BASE F3.1]) or `thinking_mode` (the 2026 `InternalError.Algo.InvalidParameter` 400, [ISS-OMP886])."""
    json_object: bool = True
    json_schema: bool = False
    """`json_schema` response format (Beijing only, [SO-2512])."""
    partial_mode: bool = True
    input_modalities: frozenset[str] = TEXT
    output_modalities: frozenset[str] = TEXT
    context_window: int | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None
    regions: frozenset[str] | None = None
    explicit_cache: bool = False
    tokenizer: Literal["qwen", "qwen3_5"] = "qwen"
    translation: bool = False
    cumulative_stream: bool = False
    file_context: bool = False
    web_search: bool = False
    fim: bool = False
    n_choices: bool = False
    voices: tuple[str, ...] = ()
    thinking_disables_audio: bool = False
    search_agent: bool = False
    """Web-search strategies `agent` / `agent_max` [BASE F13.2][WEBEXT-2603]."""
    batch_max_input_tokens: int | None = None
    """Per-request input cap inside the Batch API [A10][BATCH-2606]."""
    merged_first_reasoning: bool = False
    """A thinking stream's first frame carries the first reasoning piece with `role` (2026 capture
    `stream-qwen3.5-flash-thinking-tool-call-2026-04`); older models send `reasoning_content: ""` first
    (`stream-qwen-plus-thinking-usage-2025-11`)."""

    @property
    def thinking_default(self) -> bool:
        """Whether the model thinks when the request says nothing about thinking."""
        return self.thinking in ("hybrid_on", "always")


UNKNOWN = ServiceModel(known=False, thinking="unknown", src="")


# -- rows ------------------------------------------------------------------------------------------

_COMMERCIAL_HYBRID = dict(thinking="hybrid_off", max_thinking_budget=38912, web_search=True)
_OPEN_QWEN3 = dict(thinking="hybrid_on", thinking_stream_only=True, max_thinking_budget=38912, n_choices=True)
_QWEN35 = dict(
    thinking="hybrid_on",
    max_thinking_budget=81920,
    tokenizer="qwen3_5",
    context_window=1_000_000,
    max_output_tokens=65536,
    web_search=True,
    tool_choice=("auto", "none", "function", "required"),  # [uncertain] A8: accepted with thinking off only
    forced_tool_error="thinking_mode",
    merged_first_reasoning=True,
)
"""Qwen3.5-3.8 hybrids: think by default [A7][BATCH-2606][QWC-THINK]; non-stream thinking is served
(dify-official-plugins#2626 stopped forcing streams for qwen3.5-; pi#2770) [uncertain: no doc statement]."""
_QWEN35_MM = dict(_QWEN35, input_modalities=TIV)
_BATCH_CAP = {"batch_max_input_tokens": 262144}
"""Natively multimodal flagships: `image_url` / `video_url` on the chat endpoint [A9][MD][VERCEL-GW]."""
_QWEN38 = dict(_QWEN35_MM, reasoning_effort=QWEN38_EFFORTS, effort_excludes_budget=True, max_thinking_budget=262144)
"""Qwen3.8: `reasoning_effort` default xhigh, `none` = off [BASE F1.2][APIYI-38]."""
_ALWAYS = dict(
    thinking="always", tool_choice=("auto", "none"), json_object=False, partial_mode=False, max_thinking_budget=81920
)
_PLAIN = dict(thinking="none")
_HIGH_MAX = ("high", "max", "low", "medium", "xhigh")
"""DeepSeek-V4 / GLM-5.2 `reasoning_effort`: high (default) | max; low/medium -> high, xhigh -> max [BASE F1.2]."""
_MT = dict(
    _PLAIN,
    translation=True,
    tools=False,
    json_object=False,
    partial_mode=False,
    context_window=16384,
    max_input_tokens=8192,
    max_output_tokens=8192,
)
_VL_OLD = dict(_PLAIN, tools=False, input_modalities=TIV, context_window=131072, max_output_tokens=8192)
_QVQ = dict(_ALWAYS, stream_only=True, tools=False, input_modalities=TIV, context_window=131072, max_output_tokens=8192)
_OMNI_OLD = dict(
    _PLAIN,
    stream_only=True,
    tools=False,
    json_object=False,
    partial_mode=False,
    input_modalities=OMNI_IN,
    output_modalities=TEXT_AUDIO,
    voices=OMNI_TURBO_VOICES,
    context_window=32768,
    max_output_tokens=2048,
)
_MATH = dict(_PLAIN, tools=False, json_object=False, context_window=4096, max_output_tokens=3072)
_3P = dict(regions=BEIJING, partial_mode=False)


def _row(src: str, *bases: dict[str, Any], **facts: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for base in bases:
        out.update(base)
    out.update(facts, src=src)
    return out


_OPEN_SIZES = ("235b-a22b", "32b", "30b-a3b", "14b", "8b", "4b", "1.7b", "0.6b")

FAMILIES: dict[str, dict[str, Any]] = {
    # Commercial flagships
    "qwen-max": _row("[BASE F1.1][MD]", _PLAIN, context_window=32768, max_output_tokens=8192, web_search=True),
    "qwen3-max": _row(
        "[BASE F1.4][MD][WEBEXT-2603]",
        _COMMERCIAL_HYBRID,
        search_agent=True,
        thinking_stream_only=True,
        context_window=262144,
        max_output_tokens=65536,
        explicit_cache=True,
    ),
    "qwen3-max-preview": _row("[BASE F1.1][MD]", _COMMERCIAL_HYBRID, context_window=262144, max_output_tokens=65536),
    "qwen-plus": _row(
        "[BASE F1.1][SO-2512][MD]",
        _COMMERCIAL_HYBRID,
        context_window=1_000_000,
        max_output_tokens=32768,
        explicit_cache=True,
        json_schema=True,
        n_choices=True,
    ),
    "qwen-flash": _row(
        "[BASE F1.1][MD]", _COMMERCIAL_HYBRID, context_window=1_000_000, max_output_tokens=32768, explicit_cache=True
    ),
    "qwen-turbo": _row("[BASE F1.1][MD]", _COMMERCIAL_HYBRID, context_window=1_000_000, max_output_tokens=16384),
    # Qwen3.5 and later
    "qwen3.5-plus": _row(
        "[A7][A9][A10][MD][ISS-QC2384]", _QWEN35_MM, max_input_tokens=983616, search_agent=True, **_BATCH_CAP
    ),
    "qwen3.5-flash": _row("[A7][A9][A10][MD]", _QWEN35_MM, search_agent=True, **_BATCH_CAP),
    "qwen3.6-plus": _row("[A7][A8][A9][A10][MD][ISS-OMP886]", _QWEN35_MM, **_BATCH_CAP),
    "qwen3.6-flash": _row("[A7][A9][MD]", _QWEN35_MM, max_thinking_budget=131072),
    "qwen3.6-max-preview": _row("[A7][MD] text only", _QWEN35, context_window=262144),
    "qwen3.7-max": _row(
        "[A7][A10][MD][NOVITA] text only [uncertain: VENICE says i,v]",
        _QWEN35,
        max_thinking_budget=262144,
        **_BATCH_CAP,
    ),
    "qwen3.7-plus": _row("[A7][A8][A9][A10][MD][ISS-OMP886]", _QWEN35_MM, **_BATCH_CAP),
    "qwen3.8-max": _row(
        "[A7][A9][APIYI-38][VERCEL-GW][BASE F1.2] out [uncertain: 65,536-131,072]", _QWEN38, max_output_tokens=131072
    ),
    "qwen3.8-flash": _row(
        "[A9][APIYI-38F][VERCEL-GW] out [uncertain: 128,000-131,072]", _QWEN38, max_output_tokens=131072
    ),
    "qwen3.8-flash-next": _row(
        "[BAIDU-38FN][VERCEL-GW] open-weight preview, served via alibaba [uncertain]; efforts as qwen3.8 [uncertain]",
        _QWEN38,
        context_window=262144,
    ),
    # Always thinking
    "qwq-plus": _row(
        "[BASE F1.1][BASE F1.4]",
        _ALWAYS,
        stream_only=True,
        context_window=131072,
        max_output_tokens=8192,
        web_search=True,
    ),
    "qwq-32b": _row("[BASE F1.4][MD]", _ALWAYS, stream_only=True, context_window=131072, max_output_tokens=8192),
    "qwq-32b-preview": _row("[BASE F1.4]", _ALWAYS, stream_only=True, context_window=32768, max_output_tokens=16384),
    **{
        name: _row("[BASE F1.1][BASE F1.4]", _ALWAYS, context_window=131072, max_output_tokens=32768)
        for name in ("qwen3-235b-a22b-thinking-2507", "qwen3-30b-a3b-thinking-2507", "qwen3-next-80b-a3b-thinking")
    },
    # Open-source Qwen3 hybrids: think by default, only streamed [BASE F1.1][BASE F1.4]
    **{
        f"qwen3-{size}": _row("[BASE F1.1][BASE F1.4]", _OPEN_QWEN3, context_window=131072, max_output_tokens=16384)
        for size in _OPEN_SIZES
    },
    **{
        name: _row("[BASE F1.1]", _PLAIN, context_window=131072, max_output_tokens=32768)
        for name in ("qwen3-235b-a22b-instruct-2507", "qwen3-30b-a3b-instruct-2507", "qwen3-next-80b-a3b-instruct")
    },
    **{
        f"qwen2.5-{size}-instruct": _row("[BASE F3.5]", _PLAIN, context_window=131072, max_output_tokens=8192)
        for size in ("72b", "32b", "14b", "7b", "3b", "1.5b", "0.5b")
    },
    **{
        f"qwen2.5-{size}-instruct-1m": _row("[BASE F3.5]", _PLAIN, context_window=1_000_000, max_output_tokens=8192)
        for size in ("14b", "7b")
    },
    "qwen2-72b-instruct": _row("[BASE F3.5]", _PLAIN, context_window=131072, max_output_tokens=6144),
    "qwen2-7b-instruct": _row("[BASE F3.5]", _PLAIN, context_window=131072, max_output_tokens=6144),
    # Coder [BASE F5.3][BASE F11][MD]
    "qwen3-coder-plus": _row(
        "[MD][BASE F9.4]", _PLAIN, context_window=1_000_000, max_output_tokens=65536, explicit_cache=True
    ),
    "qwen3-coder-flash": _row(
        "[MD][BASE F9.4]", _PLAIN, context_window=1_000_000, max_output_tokens=65536, explicit_cache=True
    ),
    "qwen3-coder-next": _row("[MD]", _PLAIN, context_window=262144, max_output_tokens=65536),
    "qwen3-coder-480b-a35b-instruct": _row("[MD]", _PLAIN, context_window=262144, max_output_tokens=65536),
    "qwen3-coder-30b-a3b-instruct": _row("[MD]", _PLAIN, context_window=262144, max_output_tokens=65536),
    "qwen-coder-plus": _row("[BASE F11]", _PLAIN, context_window=131072, max_output_tokens=8192),
    "qwen-coder-turbo": _row(
        "[BASE F11]", _PLAIN, context_window=131072, max_output_tokens=8192, fim=True, regions=BEIJING
    ),
    **{
        f"qwen2.5-coder-{size}-instruct": _row(
            "[BASE F11]", _PLAIN, context_window=131072, max_output_tokens=8192, fim=True, json_object=False
        )
        for size in ("32b", "14b", "7b", "3b", "1.5b", "0.5b")
    },
    # Math: no tools [BASE F3.5]
    "qwen-math-plus": _row("[BASE F3.5]", _MATH),
    "qwen-math-turbo": _row("[BASE F3.5]", _MATH),
    **{f"qwen2.5-math-{size}-instruct": _row("[BASE F3.5]", _MATH) for size in ("72b", "7b", "1.5b")},
    # Qwen-MT [BASE F6]
    "qwen-mt-plus": _row("[BASE F6][BASE F2.3]", _MT, cumulative_stream=True),
    "qwen-mt-turbo": _row("[BASE F6][BASE F2.3]", _MT, cumulative_stream=True),
    "qwen-mt-flash": _row("[BASE F6]", _MT),
    "qwen-mt-lite": _row("[BASE F6]", _MT),
    # Long context [BASE F7]
    "qwen-long": _row(
        "[BASE F7][MD]",
        _PLAIN,
        file_context=True,
        tools=False,
        partial_mode=False,
        regions=BEIJING,
        context_window=10_000_000,
        max_input_tokens=10_000_000,
        max_output_tokens=8192,
    ),
    "qwen-doc-turbo": _row(
        "[BASE F7]",
        _PLAIN,
        file_context=True,
        tools=False,
        partial_mode=False,
        regions=BEIJING,
        context_window=262144,
        max_output_tokens=8192,
    ),
    # Vision [BASE F10.2]
    "qwen-vl-max": _row("[BASE F10.2]", _VL_OLD),
    "qwen-vl-plus": _row("[BASE F10.2]", _VL_OLD),
    "qwen-vl-ocr": _row(
        "[BASE F10.2]", _VL_OLD, partial_mode=False, json_object=False, context_window=34096, max_output_tokens=4096
    ),
    "qwen3-vl-plus": _row(
        "[BASE F10.2][MD]",
        thinking="hybrid_off",
        max_thinking_budget=81920,
        input_modalities=TIV,
        context_window=262144,
        max_output_tokens=32768,
    ),
    "qwen3-vl-flash": _row(
        "[BASE F10.2][MD]",
        thinking="hybrid_off",
        max_thinking_budget=81920,
        input_modalities=TIV,
        context_window=262144,
        max_output_tokens=32768,
    ),
    **{
        name: _row(
            "[MD] thinking: budget only (thinking variants) [uncertain]",
            thinking="unknown",
            input_modalities=frozenset({"text", "image"}),
            context_window=131072,
            max_output_tokens=32768,
            regions=frozenset({"cn-beijing", "ap-southeast-1"}),
        )
        for name in ("qwen3-vl-235b-a22b", "qwen3-vl-30b-a3b")
    },
    "qvq-max": _row("[BASE F10.2]", _QVQ),
    "qvq-plus": _row("[BASE F10.2]", _QVQ),
    "qvq-72b-preview": _row("[BASE F10.2]", _QVQ, context_window=32768, max_output_tokens=16384),
    # Omni [BASE F10.3]
    "qwen3-omni-flash": _row(
        "[BASE F10.3][MD]",
        thinking="hybrid_off",
        stream_only=True,
        max_thinking_budget=32768,
        thinking_disables_audio=True,
        input_modalities=OMNI_IN,
        output_modalities=TEXT_AUDIO,
        voices=OMNI_FLASH_VOICES_17,
        json_object=False,
        partial_mode=False,
        context_window=65536,
        max_input_tokens=16384,
        max_output_tokens=16384,
    ),
    **{
        name: _row(
            "[BASE F10.3][BASE F13.2] 2026 additions, details not captured: thinking, tools, limits, voices [uncertain]",
            thinking="unknown",
            stream_only=True,
            input_modalities=OMNI_IN,
            output_modalities=TEXT_AUDIO,
            json_object=False,
            partial_mode=False,
            tokenizer="qwen3_5",
            search_agent=True,
        )
        for name in ("qwen3.5-omni-plus", "qwen3.5-omni-flash")
    },
    "qwen-omni-turbo": _row("[BASE F10.3]", _OMNI_OLD, max_input_tokens=30720),
    "qwen2.5-omni-7b": _row("[BASE F10.3]", _OMNI_OLD),
    # Third-party models hosted in Beijing [BASE F1.1][MD]
    "deepseek-v3.2": _row("[BASE F1.1][MD]", _3P, thinking="hybrid_off", explicit_cache=True, context_window=131072),
    "deepseek-v3": _row("[BASE F1.1][MD]", _3P, _PLAIN, context_window=65536),
    "deepseek-r1": _row("[BASE F1.1][MD]", _ALWAYS, _3P, max_thinking_budget=None, context_window=65536),
    "kimi-k2-thinking": _row("[BASE F1.7][MD]", _ALWAYS, regions=BEIJING, json_object=True, context_window=262144),
    "glm-4.6": _row("[BASE F1.1]", _3P, thinking="hybrid_on", context_window=202752),
    "glm-4.7": _row("[BASE F1.1]", _3P, thinking="hybrid_off", context_window=202752),
    # 2026 open-weight Qwen3.5/3.6 (regions: SG, BJ for some [uncertain] -> served everywhere here)
    **{
        name: _row("[A7][MD][RESP-COMPAT-EN]", _QWEN35_MM, context_window=262144)
        for name in (
            "qwen3.5-397b-a17b",
            "qwen3.5-122b-a10b",
            "qwen3.5-27b",
            "qwen3.5-35b-a3b",
            "qwen3.6-27b",
            "qwen3.6-35b-a3b",
        )
    },
    # 2026 third-party models in Beijing; thinking defaults per [BASE F1.1]/[BASE F1.2]/[MD], [uncertain] where
    # the addendum has "?"
    "deepseek-v4-pro": _row(
        "[MD][BASE F1.2]", _3P, thinking="hybrid_on", reasoning_effort=_HIGH_MAX, context_window=1_000_000
    ),
    "deepseek-v4-flash": _row(
        "[MD][BASE F1.2]", _3P, thinking="hybrid_on", reasoning_effort=_HIGH_MAX, context_window=1_000_000
    ),
    "deepseek-v3.1": _row("[BASE F1.1][BASE F3.5]", _3P, thinking="hybrid_off", context_window=131072),
    "deepseek-v3.2-exp": _row("[BASE F1.1][BASE F3.5][MD]", _3P, thinking="hybrid_off", context_window=131072),
    "deepseek-r1-0528": _row("[BASE F1.1]", _ALWAYS, _3P, max_thinking_budget=None, context_window=131072),
    "kimi-k2.5": _row(
        "[MD] default off [uncertain]", _3P, thinking="hybrid_off", input_modalities=TIV, context_window=262144
    ),
    "kimi-k2.6": _row(
        "[MD] default off [uncertain]", _3P, thinking="hybrid_off", input_modalities=TIV, context_window=262144
    ),
    "kimi-k2.7-code": _row("[MD] default off [uncertain]", _3P, thinking="hybrid_off", context_window=262144),
    "glm-5": _row("[MD] default on [uncertain]", _3P, thinking="hybrid_on", context_window=202752),
    "glm-5.1": _row("[MD] default on [uncertain]", _3P, thinking="hybrid_on", context_window=202752),
    "glm-5.2": _row("[MD][BASE F1.2]", _3P, thinking="hybrid_on", reasoning_effort=_HIGH_MAX, context_window=202752),
    "MiniMax-M2.5": _row("[MD] reasoning always [uncertain]", _ALWAYS, _3P, context_window=204800),
    "MiniMax-M2.7": _row("[MD] reasoning always [uncertain]", _ALWAYS, _3P, context_window=204800),
}
"""One row per family (its snapshots share it unless `SNAPSHOTS` says otherwise)."""

SNAPSHOTS: dict[str, tuple[str, dict[str, Any]]] = {
    "qwen-plus-latest": ("qwen-plus", {"thinking_stream_only": True}),  # [BASE F1.4] FAQ lists the aliases
    "qwen-turbo-latest": ("qwen-turbo", {"thinking_stream_only": True}),
    "qwen3-max-2025-09-23": ("qwen3-max", {"thinking": "none", "max_thinking_budget": None}),  # [MD]
    "qwen3-omni-flash-2025-12-01": ("qwen3-omni-flash", {"voices": OMNI_FLASH_VOICES_49}),  # [BASE F10.3]
}
"""Snapshots whose facts differ from their family."""

SNAPSHOT_DEFAULTS: dict[str, dict[str, Any]] = {
    "qwen-plus": {"thinking_stream_only": True, "explicit_cache": False},  # [BASE F1.4][BASE F9.4]
    "qwen-turbo": {"thinking_stream_only": True},
    "qwen-flash": {"explicit_cache": False},
    "qwen3-max": {"explicit_cache": False},
}
"""What a dated snapshot of these families loses (explicit cache is for stable aliases only, F9.4)."""

_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4}|latest|preview)$")


@lru_cache(maxsize=512)
def service_model(model: str) -> ServiceModel:
    """The service's facts for `model` (module docstring: lookup order)."""
    if model in FAMILIES:
        return ServiceModel(model=model, family=model, **FAMILIES[model])
    if model in SNAPSHOTS:
        family, changes = SNAPSHOTS[model]
        return dataclasses.replace(service_model(family), model=model, **changes)
    m = _SUFFIX.search(model)
    if m and model[: m.start()] in FAMILIES:
        family = model[: m.start()]
        changes = SNAPSHOT_DEFAULTS.get(family, {}) if m.group(1)[0].isdigit() else {}
        return dataclasses.replace(service_model(family), model=model, **changes)
    return dataclasses.replace(UNKNOWN, model=model)


@dataclass(frozen=True)
class EmbeddingModel:
    """What one text-embedding model accepts [EMB-COMPAT][QWC-EMB][BASE F12]."""

    model: str
    dimensions: tuple[int, ...]
    default_dimension: int
    max_batch: int
    max_input_tokens: int
    accepts_dimensions: bool = True


EMBEDDING_MODELS: dict[str, EmbeddingModel] = {
    "text-embedding-v4": EmbeddingModel(
        "text-embedding-v4", (2048, 1536, 1024, 768, 512, 256, 128, 64), 1024, 10, 8192
    ),
    # [A12][uncertain]: the compat page lists 256/128/64 too, the Qwen Cloud reference does not.
    "text-embedding-v3": EmbeddingModel("text-embedding-v3", (1024, 768, 512, 256, 128, 64), 1024, 10, 8192),
    "text-embedding-v2": EmbeddingModel("text-embedding-v2", (1536,), 1536, 25, 2048, accepts_dimensions=False),
    "text-embedding-v1": EmbeddingModel("text-embedding-v1", (1536,), 1536, 25, 2048, accepts_dimensions=False),
}


def embedding_model(model: str) -> EmbeddingModel | None:
    """The embedding model's limits, or None when the service does not serve it."""
    return EMBEDDING_MODELS.get(model)


__all__ = [
    "AS_OF",
    "EMBEDDING_MODELS",
    "FAMILIES",
    "FIM_REGIONS",
    "SNAPSHOTS",
    "EmbeddingModel",
    "ServiceModel",
    "embedding_model",
    "service_model",
]

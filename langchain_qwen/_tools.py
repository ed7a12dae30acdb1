"""Tools for DashScope: conversion, `tool_choice` normalisation, and its mapping under the model's rules.

How LangChain's `tool_choice` values map to DashScope (F1.6, F3.1, addendum A8). "Allowed" is the profile's
`tool_choice` list on models whose thinking can be switched off, `tool_choice_thinking` on always-thinking ones:

| asked                      | sent                                                   | thinking                            |
|----------------------------|--------------------------------------------------------|-------------------------------------|
| "auto" / None / "none"     | as asked (None: omitted)                               | unchanged                           |
| a tool name / dict         | that function, if "function" is allowed; else refused  | hybrid: off for this call           |
| "any" / "required" / True, | one tool bound and "function" allowed: it, by name;    | hybrid: off for this call           |
|                            | else "required" where allowed (A8: thinking off only); |                                     |
|                            | else "auto" plus a system instruction to call one of   | unchanged (nothing is forced)       |
|                            | the tools, with a single warning                       |                                     |

"required" on Qwen3.5+ hybrids is [uncertain] (A8): when the server answers that 400 (`tool_choice is one of the
strings that should be ["none", "auto"]` / `does not support being set to required`), the request is sent once
more with "auto" plus the same instruction, with a single warning (`langchain_qwen._rules.required_fallback`).

Always-thinking models allow neither form (F1.6), so "any" becomes "auto" plus the instruction there, and a named
tool is refused. Unknown models (not in the profile table) get the value as asked ("required" included).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_qwen._errors import QwenValidationError
from langchain_qwen._profiles import QwenProfile

RESERVED_TOOL_NAMES = frozenset({"search"})
"""DashScope reserves these names: "Tool names are not allowed to be [search]"."""

REQUIRED = "required"


def convert_tools(tools: Sequence[Any], *, strict: bool | None = None) -> list[dict[str, Any]]:
    """LangChain tools, pydantic models, functions, TypedDicts or OpenAI dicts as DashScope `tools` entries."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    out = []
    for tool in tools:
        function: dict[str, Any]
        if isinstance(tool, Mapping) and tool.get("type") == "function" and "function" in tool:
            function = dict(tool["function"])
            if strict is not None:
                function["strict"] = strict
            spec: dict[str, Any] = {"type": "function", "function": function}
        else:
            spec = convert_to_openai_tool(tool, strict=strict)
            function = spec["function"]
        name = function.get("name", "")
        if name in RESERVED_TOOL_NAMES:
            raise QwenValidationError(
                f'DashScope reserves the tool name {name!r} ("Tool names are not allowed to be [{name}]"); '
                f"rename the tool."
            )
        function.setdefault("description", "")
        out.append(spec)
    return out


def tool_names(tools: Sequence[Mapping[str, Any]] | None) -> list[str]:
    return [t.get("function", {}).get("name", "") for t in tools or ()]


def normalize_tool_choice(tool_choice: Any, tools: Sequence[Mapping[str, Any]]) -> str | dict[str, Any] | None:
    """LangChain's `tool_choice` forms as "auto" | "none" | "required" | a named-function dict."""
    if tool_choice is None or tool_choice is False:
        return None
    if tool_choice is True or tool_choice in ("any", "required"):
        return REQUIRED
    if tool_choice in ("auto", "none"):
        return str(tool_choice)
    names = tool_names(tools)
    if isinstance(tool_choice, str):
        if tool_choice not in names:
            raise QwenValidationError(f"tool_choice={tool_choice!r} names no bound tool; bound tools: {names}.")
        return {"type": "function", "function": {"name": tool_choice}}
    if isinstance(tool_choice, Mapping):
        name = (tool_choice.get("function") or {}).get("name") or tool_choice.get("name")
        if not name or name not in names:
            raise QwenValidationError(f"tool_choice {dict(tool_choice)!r} names no bound tool; bound tools: {names}.")
        return {"type": "function", "function": {"name": name}}
    raise QwenValidationError(f"Unsupported tool_choice {tool_choice!r}.")


@dataclass(frozen=True)
class ToolChoicePlan:
    """What is sent for one `tool_choice`: the wire value, whether it forces a call, and an instruction."""

    wire: Any
    """The `tool_choice` sent (None: omitted)."""
    forces: bool = False
    """A call is forced on the wire (DashScope refuses that while thinking: hybrids think off for the call)."""
    instruction: str | None = None
    """A system instruction standing in for a force the model cannot take (sent with "auto", warned once)."""


def _allowed(profile: QwenProfile) -> tuple[str, ...]:
    return profile.tool_choice_thinking if profile.thinking == "always" else profile.tool_choice


def soft_required(names: Sequence[str]) -> ToolChoicePlan:
    """ "auto" plus a system instruction to call one of `names` (the stand-in for a force the model cannot take)."""
    listed = ", ".join(names)
    return ToolChoicePlan(
        wire="auto",
        instruction=f"You must answer by calling one of the provided tools ({listed}); do not answer with text only.",
    )


def _named(profile: QwenProfile, choice: Mapping[str, Any]) -> ToolChoicePlan:
    if "function" in _allowed(profile):
        return ToolChoicePlan(wire=dict(choice), forces=True)
    if profile.thinking == "always":
        raise QwenValidationError(
            f"Model {profile.model} always thinks, and DashScope does not allow forcing a tool call (tool_choice) "
            f"while thinking. Use a hybrid model (e.g. qwen-plus), where thinking is switched off for such calls, "
            f"or tool_choice='auto'."
        )
    raise QwenValidationError(f"Model {profile.model} cannot be forced to call a tool; use tool_choice='auto'.")


def plan_tool_choice(profile: QwenProfile, tool_choice: Any, tools: Sequence[Mapping[str, Any]]) -> ToolChoicePlan:
    """The `tool_choice` DashScope accepts for this model and call (see the table in the module docstring)."""
    choice = normalize_tool_choice(tool_choice, tools)
    if choice is None or choice in ("auto", "none"):
        return ToolChoicePlan(wire=choice)
    if not profile.known:
        return ToolChoicePlan(wire=choice, forces=True)
    if isinstance(choice, Mapping):
        return _named(profile, choice)
    names = tool_names(tools)
    allowed = _allowed(profile)
    if len(names) == 1 and "function" in allowed:
        return ToolChoicePlan(wire={"type": "function", "function": {"name": names[0]}}, forces=True)
    if REQUIRED in allowed:
        return ToolChoicePlan(wire=REQUIRED, forces=True)
    return soft_required(names)


__all__ = [
    "REQUIRED",
    "RESERVED_TOOL_NAMES",
    "ToolChoicePlan",
    "convert_tools",
    "normalize_tool_choice",
    "plan_tool_choice",
    "soft_required",
    "tool_names",
]

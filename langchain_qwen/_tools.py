"""Tools for DashScope: conversion, `tool_choice` normalisation, and its mapping under the model's rules.

How LangChain's `tool_choice` values map to DashScope (F1.6, F3.1):

| asked                      | DashScope has            | sent (non-thinking)                  | while thinking                                   |
|----------------------------|--------------------------|--------------------------------------|--------------------------------------------------|
| "auto" / None              | "auto" (default)         | "auto" / omitted                     | same                                             |
| "none"                     | "none"                   | "none"                               | same                                             |
| a tool name / dict         | {"type":"function",...}  | the named function                   | hybrid: thinking off for this call; always: error |
| "any" / "required" / True  | no "required"            | one tool: that tool by name; several: error | as above                                   |

Unknown models (not in the profile table) get the value as asked ("required" included): the API decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def forced(tool_choice: Any) -> bool:
    """Whether `tool_choice` (normalised) forces a call: DashScope forbids that while thinking."""
    return tool_choice == REQUIRED or isinstance(tool_choice, Mapping)


def wire_tool_choice(profile: QwenProfile, tool_choice: Any, tools: Sequence[Mapping[str, Any]]) -> Any:
    """The `tool_choice` DashScope accepts for this model (thinking already switched off when forcing)."""
    if tool_choice is None or tool_choice in ("auto", "none"):
        return tool_choice
    if not profile.known:
        return tool_choice
    if tool_choice == REQUIRED:
        names = tool_names(tools)
        if len(names) != 1:
            raise QwenValidationError(
                f"DashScope has no tool_choice='required' ('tool_choice is one of the strings that should be "
                f'["none", "auto"]\'), and {len(names)} tools are bound, so no single call can be forced. '
                f"Pass one tool name as tool_choice to force that tool, or use tool_choice='auto'."
            )
        tool_choice = {"type": "function", "function": {"name": names[0]}}
    if "function" not in profile.tool_choice:
        raise QwenValidationError(f"Model {profile.model} cannot be forced to call a tool; use tool_choice='auto'.")
    return tool_choice


__all__ = [
    "REQUIRED",
    "RESERVED_TOOL_NAMES",
    "convert_tools",
    "forced",
    "normalize_tool_choice",
    "tool_names",
    "wire_tool_choice",
]

"""Emulator tool calls, schema-built JSON and canned answers (general rules only, documented below).

``q`` is the text of the last user message. Nothing here looks at a particular prompt or tool name.

Tool-call decision (request with non-empty ``tools``, ``decide_tool_calls``):

* ``tool_choice`` ``{"type": "function", "function": {"name": N}}`` calls ``N`` (400 when ``N`` is not
  one of ``tools``; see ``MSG_TOOL_CHOICE_UNKNOWN``), even after tool results (as DashScope does, F3.1).
* ``"none"`` answers with text.
* ``"auto"`` / absent: a last message of role ``tool`` gets a text answer; otherwise every tool the last
  user message *mentions* is called (all of them, in ``tools`` order, when ``parallel_tool_calls`` is
  true; only the first otherwise); no mention means a text answer. ``"required"`` (accepted by
  Qwen3.5+ hybrids with thinking off, ``_service``) behaves like ``"auto"`` but falls back to the first tool;
  after tool results it still calls one: the first tool no assistant turn has called yet (else the first).
* A partial-mode request (F5) never calls tools: it always answers with the continuation text.
* A tool is mentioned when ``q`` contains (case-insensitive) its name, or its name with ``_`` / ``-``
  replaced by spaces, or, as a whole word, a part of the name (split on ``_``, ``-`` and camelCase) of at
  least 4 characters that is not in ``STOP_PARTS``.

Values built from a JSON schema (tool arguments and JSON-mode answers, ``value_for``):

* ``$ref`` is resolved against the schema root (``#/$defs/...``, ``#/definitions/...``, any JSON
  pointer); ``allOf`` branches are merged; ``anyOf`` / ``oneOf`` take the first non-null branch.
* ``enum`` gives its first value, ``const`` its value. A type list uses its first non-null type.
* ``string``: the first quoted span of ``q`` (``'...'`` not inside a word, ``"..."``, ``“...”``,
  ``「...」``), else ``q`` stripped (cut to ``maxLength``).
* ``integer``: the first integer of ``q``, else 0; ``number``: the first number of ``q`` as a float,
  else 0.0; both are clamped to ``minimum`` / ``maximum`` (and the exclusive bounds).
* ``boolean``: true; ``null``: null; ``array``: one item (``minItems`` items when larger).
* ``object`` (or no type but ``properties``): every property, required ones first, each in schema
  order; ``additionalProperties`` is ignored. From ``MAX_DEPTH`` nesting levels on (recursive schemas)
  only required properties are filled and arrays are empty.
* No type at all: ``q``. A tool without parameters or with empty ``properties`` gets ``{}``.

Arguments are serialized with ``json.dumps(args, ensure_ascii=False)`` (DashScope keeps CJK unescaped).
Each call id is ``call_`` plus 24 hex digits.

Text answers (``answer_text``):

* partial mode (last message ``{"role": "assistant", "partial": true}``): ``" …continued: " + q`` —
  only the continuation, never the prefix (F5.2);
* JSON mode: ``json_object`` answers the object built from the last JSON schema found in a system or
  user message (a ``{...}`` span that parses and has ``"properties"`` or ``"type": "object"``), else
  ``{"reply": q}``; ``json_schema`` answers the object built from ``json_schema.schema``;
* after tool results (last message role ``tool``): ``"Emulated reply: " + q + " (tool results: "``
  + the trailing tool contents joined with ``"; "`` + ``")"``;
* with ``fileid://`` documents (file-context models): ``"Emulated reply: " + q + " (documents: "`` + the
  file names in reference order joined with ``", "`` + ``")"``;
* otherwise ``"Emulated reply: " + q``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._tokens import text_of

STOP_PARTS = frozenset(
    {"tool", "tools", "func", "function", "call", "make", "create", "with", "from", "data", "info", "value", "result"}
)
"""Name parts too generic to count as a mention."""
MAX_DEPTH = 8
"""Nesting depth after which optional properties and array items are left out (recursive schemas)."""
MSG_TOOL_CHOICE_UNKNOWN = "The function {name} specified in tool_choice is not found in tools."
"""[invented] wording: the protocol does not capture this refusal."""
CONTINUATION = " …continued: "

_QUOTED = re.compile(r"\"([^\"\n]+)\"|“([^”]+)”|「([^」]+)」|(?<!\w)'([^'\n]+)'(?!\w)")
_INTEGER = re.compile(r"(?:(?<![\w-])-)?\d+")
_NUMBER = re.compile(r"(?:(?<![\w-])-)?\d+(?:\.\d+)?")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_NO_VALUE = object()


@dataclass
class ToolCall:
    """One emulated tool call."""

    id: str
    name: str
    arguments: str


# -- schema values -----------------------------------------------------------------------------


def _resolve_ref(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not ref.startswith("#"):
        return {}
    node: Any = root
    for part in ref[1:].split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return {}
    return node if isinstance(node, Mapping) else {}


def _is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and (schema.get("type") == "null" or schema.get("const", _NO_VALUE) is None)


def _normalize(schema: Any, root: Mapping[str, Any], seen: int = 0) -> Mapping[str, Any]:
    """Resolve `$ref`, `allOf`, `anyOf` and `oneOf` at the top of `schema`."""
    if not isinstance(schema, Mapping) or seen > 32:
        return {}
    if "$ref" in schema:
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return _normalize({**_resolve_ref(str(schema["$ref"]), root), **rest}, root, seen + 1)
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            resolved = [_normalize(b, root, seen + 1) for b in branches]
            pick = next((b for b in resolved if not _is_null(b)), resolved[0])
            rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
            return _normalize({**rest, **pick}, root, seen + 1)
    branches = schema.get("allOf")
    if isinstance(branches, list):
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for branch in branches:
            part = _normalize(branch, root, seen + 1)
            props = {**(merged.get("properties") or {}), **(part.get("properties") or {})}
            required = [*(merged.get("required") or []), *(part.get("required") or [])]
            merged.update(part)
            if props:
                merged["properties"] = props
            if required:
                merged["required"] = list(dict.fromkeys(required))
        return merged
    return schema


def _schema_type(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if kind is None:
        if "properties" in schema:
            return "object"
        if "items" in schema:
            return "array"
    return kind if isinstance(kind, str) else None


def first_quoted(q: str) -> str | None:
    """The first quoted span of `q` ('...', "...", “...”, 「...」), or None."""
    match = _QUOTED.search(q)
    if match is None:
        return None
    return next(g for g in match.groups() if g is not None)


def _clamp(value: float, schema: Mapping[str, Any], step: float) -> float:
    low, high = schema.get("minimum"), schema.get("maximum")
    xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(xlow, (int, float)) and not isinstance(xlow, bool) and value <= xlow:
        value = xlow + step
    if isinstance(low, (int, float)) and not isinstance(low, bool) and value < low:
        value = low
    if isinstance(xhigh, (int, float)) and not isinstance(xhigh, bool) and value >= xhigh:
        value = xhigh - step
    if isinstance(high, (int, float)) and not isinstance(high, bool) and value > high:
        value = high
    return value


def value_for(schema: Any, q: str, root: Mapping[str, Any] | None = None, depth: int = 0) -> Any:
    """A value valid for `schema`, drawn from the text `q` (rules in the module docstring)."""
    if root is None:
        root = schema if isinstance(schema, Mapping) else {}
    node = _normalize(schema, root)
    if "enum" in node and isinstance(node["enum"], list) and node["enum"]:
        return node["enum"][0]
    if "const" in node:
        return node["const"]
    kind = _schema_type(node)
    if kind == "string":
        text = first_quoted(q)
        text = q.strip() if text is None else text
        limit = node.get("maxLength")
        return text[:limit] if isinstance(limit, int) and not isinstance(limit, bool) else text
    if kind == "integer":
        match = _INTEGER.search(q)
        return int(_clamp(int(match.group()) if match else 0, node, 1))
    if kind == "number":
        match = _NUMBER.search(q)
        return float(_clamp(float(match.group()) if match else 0.0, node, 1e-6))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "array":
        if depth >= MAX_DEPTH:
            return []
        count = node.get("minItems")
        count = max(1, count) if isinstance(count, int) and not isinstance(count, bool) else 1
        item = value_for(node.get("items", {}), q, root, depth + 1)
        return [item] * count
    if kind == "object":
        return _object_for(node, q, root, depth)
    return q


def _object_for(node: Mapping[str, Any], q: str, root: Mapping[str, Any], depth: int) -> dict[str, Any]:
    props = node.get("properties")
    if not isinstance(props, Mapping):
        return {}
    required = [k for k in node.get("required") or () if k in props]
    names = required + ([k for k in props if k not in required] if depth < MAX_DEPTH else [])
    return {name: value_for(props[name], q, root, depth + 1) for name in names}


def arguments_for(parameters: Any, q: str) -> dict[str, Any]:
    """Tool arguments for a `parameters` schema; `{}` when it has no properties."""
    if not isinstance(parameters, Mapping):
        return {}
    node = _normalize(parameters, parameters)
    return _object_for(node, q, parameters, 0)


def find_schema(messages: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The last JSON schema written in a system or user message (a parsable object span), or None."""
    decoder = json.JSONDecoder()
    for msg in reversed(messages):
        if msg.get("role") not in ("system", "user"):
            continue
        text = text_of(msg.get("content"))
        if "{" not in text:
            continue
        found = None
        pos = text.find("{")
        while pos >= 0:
            try:
                obj, end = decoder.raw_decode(text, pos)
            except ValueError:
                obj, end = None, pos + 1
            if isinstance(obj, dict) and ("properties" in obj or obj.get("type") == "object"):
                found = obj
                pos = text.find("{", end)
            else:
                pos = text.find("{", pos + 1)
        if found is not None:
            return found
    return None


# -- tool choice -------------------------------------------------------------------------------


def _name_parts(name: str) -> list[str]:
    return [p for chunk in re.split(r"[_\-\s]+", name) for p in _CAMEL.findall(chunk)]


def mentions(name: str, q: str) -> bool:
    """Whether the text `q` mentions the tool `name` (rules in the module docstring)."""
    if not name:
        return False
    text = q.lower()
    low = name.lower()
    if low in text or re.sub(r"[_\-]+", " ", low).strip() in text:
        return True
    for part in _name_parts(name):
        part = part.lower()
        if (
            len(part) >= 4
            and part not in STOP_PARTS
            and re.search(rf"(?<![a-z0-9]){re.escape(part)}(?![a-z0-9])", text)
        ):
            return True
    return False


def _functions(tools: Sequence[Any]) -> list[Mapping[str, Any]]:
    out = []
    for tool in tools:
        fn = tool.get("function") if isinstance(tool, Mapping) else None
        if isinstance(fn, Mapping) and isinstance(fn.get("name"), str):
            out.append(fn)
    return out


def new_call_id() -> str:
    """`call_` plus 24 hex digits, like DashScope's ids (F3.2)."""
    return "call_" + uuid.uuid4().hex[:24]


def forced_tool_name(tool_choice: Any, tools: Sequence[Any] | None) -> str | None:
    """The name an object `tool_choice` forces, validated against `tools` (None for string choices)."""
    if not isinstance(tool_choice, Mapping):
        return None
    fn = tool_choice.get("function")
    name = fn.get("name") if isinstance(fn, Mapping) else None
    if not any(f.get("name") == name for f in _functions(tools or ())):
        raise ValueError(MSG_TOOL_CHOICE_UNKNOWN.format(name=name))
    return name


def _not_called(functions: Sequence[Mapping[str, Any]], messages: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The functions no assistant turn of the conversation has called yet, in `tools` order."""
    called = {
        (call.get("function") or {}).get("name")
        for m in messages
        if m.get("role") == "assistant"
        for call in m.get("tool_calls") or ()
    }
    return [f for f in functions if f.get("name") not in called]


def decide_tool_calls(body: Mapping[str, Any], messages: Sequence[Mapping[str, Any]], q: str) -> list[ToolCall]:
    """The tool calls to answer with (empty list: answer with text)."""
    tools = body.get("tools") or ()
    functions = _functions(tools)
    if not functions:
        return []
    choice = body.get("tool_choice")
    forced = forced_tool_name(choice, tools)
    if forced is not None:
        picked = [next(f for f in functions if f.get("name") == forced)]
    elif choice == "none" or (messages and messages[-1].get("role") == "tool" and choice != "required"):
        return []
    elif choice == "required" and messages and messages[-1].get("role") == "tool":
        picked = _not_called(functions, messages)[:1] or functions[:1]  # "required" must call again
    else:
        picked = [f for f in functions if mentions(f["name"], q)]
        if not picked and choice == "required":
            picked = functions[:1]
        if body.get("parallel_tool_calls") is not True:
            picked = picked[:1]
    return [
        ToolCall(new_call_id(), f["name"], json.dumps(arguments_for(f.get("parameters"), q), ensure_ascii=False))
        for f in picked
    ]


def fragments(arguments: str) -> list[str]:
    """Split an arguments string into up to 3 roughly equal stream fragments (1 when short)."""
    count = max(1, min(3, len(arguments) // 4))
    size = -(-len(arguments) // count)
    return [arguments[i : i + size] for i in range(0, len(arguments), size)] or [arguments]


# -- text answers ------------------------------------------------------------------------------


def is_prefix_request(messages: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the last message is a partial-mode assistant prefix (F5.1)."""
    last = messages[-1] if messages else None
    return isinstance(last, Mapping) and last.get("role") == "assistant" and last.get("partial") is True


def answer_text(
    body: Mapping[str, Any],
    messages: Sequence[Mapping[str, Any]],
    q: str,
    *,
    json_mode: bool,
    prefix: bool,
    documents: Sequence[str] = (),
) -> str:
    """The text answer for `q` (rules in the module docstring)."""
    if prefix:
        return CONTINUATION + q
    if json_mode:
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            spec = fmt.get("json_schema")
            schema = spec.get("schema") if isinstance(spec, Mapping) else None
        else:
            schema = find_schema(messages)
        value = value_for(schema, q) if isinstance(schema, Mapping) else {"reply": q}
        return json.dumps(value, ensure_ascii=False)
    if messages and messages[-1].get("role") == "tool":
        results = []
        for msg in reversed(messages):
            if msg.get("role") != "tool":
                break
            results.append(text_of(msg.get("content")))
        return f"Emulated reply: {q} (tool results: {'; '.join(reversed(results))})"
    if documents:
        return f"Emulated reply: {q} (documents: {', '.join(documents)})"
    return "Emulated reply: " + q


__all__ = [
    "CONTINUATION",
    "MSG_TOOL_CHOICE_UNKNOWN",
    "ToolCall",
    "answer_text",
    "arguments_for",
    "decide_tool_calls",
    "find_schema",
    "first_quoted",
    "forced_tool_name",
    "fragments",
    "is_prefix_request",
    "mentions",
    "new_call_id",
    "value_for",
]

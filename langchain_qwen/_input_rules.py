"""Input rules: DashScope's documented hard limits on settings, conversation shape, tools and content, checked locally.

Each is a request rule in the shape of `langchain_qwen._rules` (`(profile, settings, messages) -> Fragment`)
that only validates: a request DashScope documents as refused raises `QwenValidationError` naming the
parameter, the value and what is allowed, before any network call. Volatile limits (a model's output
limit) only warn. Ranges come from the settings declaration (`Range` markers, dashscope-protocol F13.1 and
the 2026 addendum).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_qwen._chat_settings import RANGES, SETTINGS, scalar_types
from langchain_qwen._errors import QwenValidationError
from langchain_qwen._profiles import QwenProfile
from langchain_qwen._rules import NOTHING, Fragment, Messages, Settings, partial_last

_TYPES: dict[str, tuple[type, ...]] = scalar_types()
_TYPE_WORDS = {bool: "a bool (True or False)", int: "an int", float: "a number", str: "a str"}
_TRANSPORT_KEYS = frozenset({"timeout"})
# Keys LangChain itself passes through a model's call kwargs (never DashScope's).
_LANGCHAIN_KEYS = frozenset({"ls_structured_output_format", "run_manager", "callbacks", "tags", "metadata"})


def _type_error(name: str, value: Any, types: tuple[type, ...]) -> QwenValidationError:
    words = " or ".join(_TYPE_WORDS.get(t, t.__name__) for t in types)
    return QwenValidationError(f"{name}={value!r} is not allowed; allowed: {words}.")


def _check_type(name: str, value: Any) -> None:
    types = _TYPES.get(name)
    if types is None:
        return
    if isinstance(value, bool) and bool not in types:
        raise _type_error(name, value, types)
    if isinstance(value, int) and float in types:
        return
    if not isinstance(value, types):
        raise _type_error(name, value, types)


def rule_ranges(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """Documented types and ranges of sampling and length settings (F13.1); n > 1 never with tools."""
    for name, value in settings.items():
        if value is None:
            continue
        _check_type(name, value)
        bounds = RANGES.get(name)
        if bounds is not None:
            bounds.check(name, value)
    n, tools = settings.get("n"), settings.get("tools")
    if isinstance(n, int) and n > 1 and tools:
        raise QwenValidationError(f"n={n} is not allowed with tools; allowed: n=1 (DashScope: n must be 1 with tools).")
    return _output_limit(profile, settings)


def _output_limit(profile: QwenProfile, settings: Settings) -> Fragment:
    """Above the documented output limit: a warning only (limits change; the server decides)."""
    limit = profile.max_output_tokens
    asked = [(k, settings[k]) for k in ("max_tokens", "max_completion_tokens") if isinstance(settings.get(k), int)]
    over = [(k, v) for k, v in asked if limit and v > limit]
    if not over:
        return NOTHING
    name, value = over[0]
    return Fragment(
        warnings=(
            f"{name}={value} is above the documented output limit of {profile.model} ({limit} tokens as of "
            f"{profile.as_of or 'the table date'}); sent anyway, DashScope decides.",
        )
    )


def rule_stop(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """`stop`: a str or a list of one kind (str, int token ids or lists of ids), never mixed (F13.1)."""
    stop = settings.get("stop")
    if not isinstance(stop, list) or not stop:
        return NOTHING
    kinds = {type(s).__name__ for s in stop}
    if len(kinds) > 1 or not kinds <= {"str", "int", "list"}:
        raise QwenValidationError(
            f"stop={stop!r} mixes {sorted(kinds)}; allowed: a str, or a list of str, of int token ids, or of lists "
            f"of int token ids (all elements of the same type)."
        )
    return NOTHING


_SETTING_NAMES = tuple(SETTINGS)


@functools.lru_cache(maxsize=256)
def _suggestion(key: str) -> str | None:
    """The setting `key` is a near-miss of (a typo), if any; the same keys come back on every call."""
    if key in SETTINGS:
        return None
    close = difflib.get_close_matches(key, _SETTING_NAMES, n=1, cutoff=0.85)
    return close[0] if close else None


def _near_miss(key: str, value: Any) -> None:
    close = _suggestion(key)
    if close:
        raise QwenValidationError(
            f"{key}={value!r} is not a setting; did you mean {close}? (Allowed: the ChatQwen settings; to send "
            f"an undeclared DashScope key on purpose, put it in extra_body.)"
        )


def rule_call_keys(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """Per-call keys declared nowhere: a near-miss of a setting is refused; anything else is sent with a warning."""
    unknown = [k for k in settings if k not in SETTINGS and k not in _LANGCHAIN_KEYS]
    for key, value in (settings.get("model_kwargs") or {}).items():  # ChatQwen(temperatur=...) lands there
        _near_miss(key, value)
    notes = []
    for key in unknown:
        _near_miss(key, settings[key])
        notes.append(f"{key} is not a declared ChatQwen setting; it is sent to DashScope as is.")
    timeout = settings.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise QwenValidationError(f"timeout={timeout!r} is not allowed; allowed: a number of seconds > 0, or None.")
    return Fragment(warnings=tuple(notes)) if notes else NOTHING


_FORMATS = ("text", "json_object", "json_schema")
_MODALITIES = frozenset({"text", "audio"})


def rule_formats(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """`response_format` shapes DashScope parses (F4) and output `modalities` it knows (F10.3)."""
    fmt = settings.get("response_format")
    if fmt is not None:
        if not isinstance(fmt, Mapping) or fmt.get("type") not in _FORMATS:
            shown = fmt.get("type") if isinstance(fmt, Mapping) else fmt
            raise QwenValidationError(
                f"response_format={shown!r} is not allowed; allowed: a dict whose type is one of {list(_FORMATS)} "
                f"(DashScope: 'response_format should be a dict, includes type and an optional key json_schema')."
            )
        schema = fmt.get("json_schema")
        if fmt["type"] == "json_schema" and not (
            isinstance(schema, Mapping) and isinstance(schema.get("schema"), Mapping)
        ):
            raise QwenValidationError(
                f"response_format json_schema={schema!r} has no schema; allowed: "
                f"{{'type': 'json_schema', 'json_schema': {{'name': ..., 'schema': {{...}}}}}}."
            )
    modalities = settings.get("modalities")
    if modalities is not None and (not isinstance(modalities, list) or not set(modalities) <= _MODALITIES):
        raise QwenValidationError(
            f"modalities={modalities!r} is not allowed; allowed: ['text'] or ['text', 'audio'] (Qwen-Omni output)."
        )
    return NOTHING


# --- conversation shape -------------------------------------------------------------------------------

_ROLES = frozenset({"system", "user", "assistant", "tool"})


def rule_conversation(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """At least one user message; the last message is not an assistant turn unless it is a partial prefix (F13.1)."""
    if not messages:
        raise QwenValidationError(
            "messages is empty; allowed: at least one message, including a user message (DashScope: '[] is too short')."
        )
    roles = [m.get("role") for m in messages]
    odd = [r for r in roles if r not in _ROLES]
    if odd:
        raise QwenValidationError(
            f"messages has role {odd[0]!r}; allowed: {sorted(_ROLES)} (developer messages count as system)."
        )
    if "user" not in roles:
        raise QwenValidationError(
            f"messages has roles {roles} but no user message; allowed: a conversation with at least one user "
            f"message (a system message alone is refused: 'The input messages do not contain elements with the "
            f"role of user')."
        )
    if messages[-1].get("role") == "assistant" and not partial_last(messages):
        raise QwenValidationError(
            "messages ends with an assistant message that is not a partial prefix; allowed: a conversation ending "
            "with a user or tool message, or an assistant prefix marked partial "
            "(AIMessage(..., additional_kwargs={'partial': True}) on a model with partial mode)."
        )
    _check_tool_replies(messages)
    return NOTHING


def _check_tool_replies(messages: Messages) -> None:
    """Every tool message answers a tool call of the assistant message before it (F3)."""
    calls: list[str] | None = None
    for index, message in enumerate(messages):
        role = message.get("role")
        if role == "assistant":
            calls = [c.get("id") for c in message.get("tool_calls") or ()]
        elif role == "tool":
            call_id = message.get("tool_call_id")
            if not calls:
                raise QwenValidationError(
                    f"ToolMessage messages[{index}] (tool_call_id={call_id!r}) follows no assistant message with "
                    f"tool_calls; allowed: tool messages right after the AIMessage whose tool_calls they answer."
                )
            if call_id not in calls:
                raise QwenValidationError(
                    f"ToolMessage messages[{index}] answers tool_call_id={call_id!r}, but the assistant message "
                    f"before it called {calls}; allowed: one of those ids."
                )
        else:
            calls = None


# --- tool definitions ------------------------------------------------------------------------------------

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SCHEMA_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")


def rule_tool_definitions(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """Tool names (letters, digits, `_`, `-`, at most 64, unique) and object parameter schemas with valid types."""
    tools = settings.get("tools")
    if tools is None:
        return NOTHING
    if not isinstance(tools, Sequence) or isinstance(tools, (str, bytes, Mapping)):
        raise QwenValidationError(f"tools={tools!r} is not allowed; allowed: a list of tools (use bind_tools).")
    seen: set[str] = set()
    for tool in tools:
        fn = tool.get("function") if isinstance(tool, Mapping) else None
        if not isinstance(fn, Mapping):
            continue
        name = _check_tool_name(fn.get("name"), seen)
        params = fn.get("parameters")
        if params is not None:
            _check_parameters(name, params)
    return NOTHING


def _check_tool_name(name: Any, seen: set[str]) -> str:
    if not isinstance(name, str) or not _TOOL_NAME.match(name):
        raise QwenValidationError(
            f"tool name {name!r} is not allowed; allowed: 1 to 64 letters, digits, '_' or '-' (no spaces)."
        )
    if name in seen:
        raise QwenValidationError(f"tool name {name!r} is given twice; allowed: unique tool names.")
    seen.add(name)
    return name


def _check_parameters(name: str, params: Any) -> None:
    if not isinstance(params, Mapping) or params.get("type", "object") != "object":
        kind = params.get("type") if isinstance(params, Mapping) else type(params).__name__
        raise QwenValidationError(
            f"tool {name!r} parameters has type {kind!r}; allowed: a JSON schema of type 'object' (arguments are a "
            f"JSON object)."
        )
    bad = _bad_types(params)
    if bad:
        raise QwenValidationError(
            f"tool {name!r} parameters uses JSON-schema type {bad!r}; allowed: {sorted(_SCHEMA_TYPES)}."
        )


def _bad_types(schema: Any) -> Any:
    """The first invalid `type` value in a JSON schema (walking properties, items and combinators), else None."""
    if not isinstance(schema, Mapping):
        return None
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    for k in kinds:
        if k not in _SCHEMA_TYPES:
            return k
    children: list[Any] = [schema.get("items"), schema.get("additionalProperties"), schema.get("not")]
    for key in _SUBSCHEMA_LISTS:
        children.extend(schema.get(key) or ())
    for key in _SUBSCHEMA_MAPS:
        value = schema.get(key)
        children.extend(value.values() if isinstance(value, Mapping) else ())
    for child in children:
        bad = _bad_types(child)
        if bad is not None:
            return bad
    return None


# --- content -------------------------------------------------------------------------------------------

_FILE_ID = re.compile(r"^fileid://[A-Za-z0-9][A-Za-z0-9_.-]*$")
_MEDIA_PREFIX = {"image_url": "image/", "video_url": "video/"}


def rule_content(profile: QwenProfile, settings: Settings, messages: Messages) -> Fragment:
    """Well-formed `fileid://` references (F7) and data URIs whose mime type matches the part (F10)."""
    for index, message in enumerate(messages):
        content = message.get("content")
        if isinstance(content, str):
            if message.get("role") == "system" and content.startswith("fileid://"):
                _check_file_ids(index, content)
            continue
        for part in content or ():
            if isinstance(part, Mapping):
                _check_part_mime(index, part)
    return NOTHING


def _check_file_ids(index: int, content: str) -> None:
    for ref in content.split(","):
        if not _FILE_ID.match(ref):
            raise QwenValidationError(
                f"messages[{index}] has a malformed fileid:// reference {ref!r}; allowed: 'fileid://<file id>' "
                f"(several joined by ',' without spaces), with ids from QwenFiles.upload."
            )


def _check_part_mime(index: int, part: Mapping[str, Any]) -> None:
    kind = str(part.get("type"))
    prefix = _MEDIA_PREFIX.get(kind)
    inner = part.get(kind)
    if prefix is None or not isinstance(inner, Mapping):
        return
    url = inner.get("url")
    if isinstance(url, str) and url.startswith("data:"):
        mime = url[5:].split(";", 1)[0].split(",", 1)[0]
        if not mime.startswith(prefix):
            raise QwenValidationError(
                f"messages[{index}] has a {kind} part with mime_type {mime!r}; allowed: {prefix}* "
                f"(e.g. {prefix}png for images, {prefix}mp4 for video)."
            )


INPUT_RULES = {
    "call_keys": rule_call_keys,
    "ranges": rule_ranges,
    "stop_values": rule_stop,
    "formats": rule_formats,
    "conversation": rule_conversation,
    "tool_definitions": rule_tool_definitions,
    "content": rule_content,
}
"""The input rules, run before the rules that build the body."""

__all__ = ["INPUT_RULES", "rule_content", "rule_conversation", "rule_ranges", "rule_tool_definitions"]

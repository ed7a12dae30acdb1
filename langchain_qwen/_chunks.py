"""Streaming hot path: LangChain chunk objects built without pydantic validation, equal to the validating constructors."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import invalid_tool_call, tool_call
from langchain_core.outputs import ChatGenerationChunk
from langchain_core.utils.json import parse_partial_json

_new = object.__new__
_set = object.__setattr__
_TEXT_FIELDS = frozenset({"content", "additional_kwargs", "response_metadata", "id"})
_TOOL_FIELDS = _TEXT_FIELDS | {"tool_call_chunks", "tool_calls", "invalid_tool_calls"}
_GENERATION_FIELDS = frozenset({"text", "message"})
_NOT_AN_OBJECT = object()


class _SharedEmpty(list[Any]):
    """The one empty list behind every streamed chunk's unused tool-call fields.

    Thousands of chunks stay alive until a stream ends, and each fresh empty list is one more object for
    the garbage collector to scan (three per text chunk; sharing them cut a 5,000-chunk stream's
    collector time about fourfold). Mutating it raises instead of leaking into every other chunk;
    copies (`+`, `list()`, `model_copy`, merging chunks) are ordinary lists.
    """

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("A streamed chunk's empty tool-call list is shared and read-only; assign a new list instead.")

    append = extend = insert = remove = pop = clear = sort = reverse = _read_only
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only


EMPTY: list[Any] = _SharedEmpty()


def _generation(message: AIMessageChunk, text: str) -> ChatGenerationChunk:
    gen = _new(ChatGenerationChunk)
    _set(gen, "__dict__", {"text": text, "generation_info": None, "type": "ChatGenerationChunk", "message": message})
    _set(gen, "__pydantic_fields_set__", set(_GENERATION_FIELDS))
    _set(gen, "__pydantic_extra__", None)
    _set(gen, "__pydantic_private__", None)
    return gen


def _message(
    text: str,
    additional: dict[str, Any],
    metadata: dict[str, Any],
    chunk_id: str | None,
    fields_set: frozenset[str],
    tool_call_chunks: list[Any] = EMPTY,
    tool_calls: list[Any] = EMPTY,
    invalid_tool_calls: list[Any] = EMPTY,
) -> AIMessageChunk:
    """The `AIMessageChunk` with these fields (the rest at their defaults) and this `model_fields_set`."""
    message = _new(AIMessageChunk)
    fields = {
        "content": text,
        "additional_kwargs": additional,
        "response_metadata": metadata,
        "type": "AIMessageChunk",
        "name": None,
        "id": chunk_id,
        "tool_calls": tool_calls,
        "invalid_tool_calls": invalid_tool_calls,
        "usage_metadata": None,
        "tool_call_chunks": tool_call_chunks,
        "chunk_position": None,
    }
    _set(message, "__dict__", fields)
    _set(message, "__pydantic_fields_set__", set(fields_set))
    _set(message, "__pydantic_extra__", {})
    _set(message, "__pydantic_private__", None)
    return message


def text_chunk(
    text: str, additional: dict[str, Any], metadata: dict[str, Any], chunk_id: str | None
) -> ChatGenerationChunk:
    """`ChatGenerationChunk(message=AIMessageChunk(content=text, additional_kwargs=..., response_metadata=..., id=...))`.

    The per-chunk path of text and reasoning streams (thousands per answer): the same object, fields and
    `model_fields_set` as the validating constructors, for values that are already well typed.
    """
    return _generation(_message(text, additional, metadata, chunk_id, _TEXT_FIELDS), text)


def _partial_args(args: str) -> Any:
    """What core's `init_tool_calls` reads from one fragment: `parse_partial_json(args)`, or a marker when it fails.

    Only a fragment whose first non-blank character is `{` can come out as an object (every repair
    candidate starts with that character, and core files anything else, failure or not, as an invalid
    call), so the others skip the repair loop.
    """
    if not args.lstrip(" \t\n\r").startswith("{"):
        return _NOT_AN_OBJECT
    try:
        return parse_partial_json(args)
    except Exception:
        return _NOT_AN_OBJECT


def _well_typed(tc: dict[str, Any]) -> bool:
    index = tc["index"]
    return all(v is None or type(v) is str for v in (tc["name"], tc["args"], tc["id"])) and (
        index is None or type(index) is int
    )


def tool_chunk(
    text: str,
    additional: dict[str, Any],
    tool_chunks: list[Any],
    metadata: dict[str, Any],
    chunk_id: str | None,
) -> ChatGenerationChunk:
    """A chunk with tool-call fragments, `tool_calls` / `invalid_tool_calls` derived exactly as core derives them.

    `tool_chunks` are `tool_call_chunk(...)` dicts. Values of unexpected types take the validating
    constructor, so its errors and coercions are kept.
    """
    if not all(_well_typed(tc) for tc in tool_chunks):
        message = AIMessageChunk(
            content=text,
            additional_kwargs=additional,
            tool_call_chunks=tool_chunks,
            response_metadata=metadata,
            id=chunk_id,
        )
        return ChatGenerationChunk(message=message)
    calls: list[Any] = []
    invalid: list[Any] = []
    for tc in tool_chunks:
        args = _partial_args(tc["args"]) if tc["args"] else {}
        if isinstance(args, dict):
            calls.append(tool_call(name=tc["name"] or "", args=args, id=tc["id"]))
        else:
            invalid.append(invalid_tool_call(name=tc["name"], args=tc["args"], id=tc["id"], error=None))
    message = _message(
        text, additional, metadata, chunk_id, _TOOL_FIELDS, tool_chunks, calls or EMPTY, invalid or EMPTY
    )
    return _generation(message, text)


__all__ = ["EMPTY", "text_chunk", "tool_chunk"]

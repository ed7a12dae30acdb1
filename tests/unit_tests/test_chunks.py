"""The streaming chunk builders produce exactly what LangChain's validating constructors produce."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_qwen._chunks import text_chunk, tool_chunk


def _same(fast: ChatGenerationChunk, slow: ChatGenerationChunk) -> None:
    assert fast == slow
    assert fast.message.__dict__ == slow.message.__dict__
    assert list(fast.message.__dict__) == list(slow.message.__dict__)
    assert fast.message.model_fields_set == slow.message.model_fields_set
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.message.__pydantic_extra__ == slow.message.__pydantic_extra__
    assert fast.message.model_dump() == slow.message.model_dump()
    try:
        slow_json = slow.message.model_dump_json()
    except ValueError:  # e.g. a lone surrogate in parsed arguments: both fail alike
        with pytest.raises(ValueError):
            fast.message.model_dump_json()
    else:
        assert fast.message.model_dump_json() == slow_json
    assert repr(fast) == repr(slow)


@pytest.mark.parametrize(
    ("text", "additional", "chunk_id"),
    [("Hello", {}, "chatcmpl-1"), ("", {"reasoning_content": "think"}, None), ("你好", {"audio": {"id": "a"}}, "x")],
)
def test_text_chunk_equals_validated(text: str, additional: dict[str, Any], chunk_id: str | None) -> None:
    metadata = {"model_provider": "qwen", "finish_reason": "stop"}
    slow = ChatGenerationChunk(
        message=AIMessageChunk(content=text, additional_kwargs=additional, response_metadata=metadata, id=chunk_id)
    )
    _same(text_chunk(text, dict(additional), dict(metadata), chunk_id), slow)


def test_text_chunk_merges_and_mutates_like_validated() -> None:
    a, b = text_chunk("a", {}, {"model_provider": "qwen"}, "c"), text_chunk("b", {}, {"model_provider": "qwen"}, "c")
    assert (a + b).message.content == "ab"
    a.message.response_metadata = {"model_provider": "qwen", "extra": 1}  # what core's stream() does per chunk
    assert a.message.response_metadata["extra"] == 1
    assert "tool_calls" not in a.message.model_fields_set
    a.message.name = "n"
    assert "name" in a.message.model_fields_set and "name" not in b.message.model_fields_set


EDGE_FRAGMENTS = [
    '{"location": "杭州"}',
    '{"location":',
    ' "杭州"}',
    '{"text": "',
    " w12",
    '"}',
    "",
    "   ",
    "\n",
    "}",
    "]",
    "{",
    "[1, 2",
    "12",
    "-",
    "-1.5e",
    "true",
    "nul",
    "NaN",
    "Infinity",
    '"just a string',
    '{"a": "line\nbreak',
    '{"a": "esc\\',
    '{"a": 1}}',
    "\ufeff{}",
    '{"a": "\\ud800"}',
    '\t{"k": [1, {"x": null',
    "w {",
    " ]",
    '[{"a": 1}]',
    ' \n {"a": 1}',
    '"{\\"a\\": 1}"',
    "1{",
    "{}",
    "{]",
    '{"a": [1, {"b": "c',
]


def _random_fragments(seed: int) -> list[str]:
    rng = random.Random(seed)
    doc = json.dumps(
        {"city": "杭州", "days": [1, 2, 3], "opts": {"unit": "c", "deep": [True, None, -1.5]}, "q": 'say "hi"\n'},
        ensure_ascii=rng.random() < 0.5,
    )
    cuts = sorted(rng.sample(range(1, len(doc)), 12))
    return [doc[i:j] for i, j in zip([0, *cuts], [*cuts, len(doc)], strict=True)]


FRAGMENTS = EDGE_FRAGMENTS + [f for seed in range(20) for f in _random_fragments(seed)]


@pytest.mark.parametrize("args", FRAGMENTS)
def test_tool_chunk_equals_validated(args: str) -> None:
    def calls() -> list[Any]:
        return [
            tool_call_chunk(name="get_weather", args=args or None, id="call_1", index=0),
            tool_call_chunk(name=None, args=args or None, id=None, index=1),
        ]

    metadata = {"model_provider": "qwen"}
    slow = ChatGenerationChunk(
        message=AIMessageChunk(
            content="", additional_kwargs={}, tool_call_chunks=calls(), response_metadata=metadata, id="c"
        )
    )
    _same(tool_chunk("", {}, calls(), dict(metadata), "c"), slow)


def test_tool_chunk_keeps_validation_for_unexpected_types() -> None:
    bad = [tool_call_chunk(name="f", args=None, id="call_1", index=0)]
    bad[0]["args"] = {"already": "parsed"}  # type: ignore[typeddict-item]
    with pytest.raises(ValueError):
        AIMessageChunk(content="", tool_call_chunks=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        tool_chunk("", {}, bad, {"model_provider": "qwen"}, "c")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "payload",
    [
        b'{"id":"c","choices":[{"delta":{"content":"\xe4\xbd\xa0\xe5\xa5\xbd"},"index":0}],"usage":null}',
        b'{"a":1,"a":2}',
        b'{"x":1e400}',
        b'{"x":NaN}',
        b'{"s":"\\ud800"}',
        b'{"n":-0,"f":1.0000000000000002,"e":1.5E3}',
        b'{"u":"\\u00e9\\n\\t"}',
    ],
)
def test_sse_decoder_values_equal_json(payload: bytes) -> None:
    from langchain_qwen._stream import SSEDecoder

    out = SSEDecoder().feed(b"data: " + payload + b"\n\n")
    expected = json.loads(payload)
    assert repr(out) == repr([expected])  # same values and types (NaN compares unequal to itself)


@pytest.mark.parametrize("payload", [b'{"a": "\x01"}', b'{"a": ', b"\xff\xfe"])
def test_sse_decoder_undecodable_unchanged(payload: bytes) -> None:
    from langchain_qwen._stream import SSEDecoder, UndecodableStreamError

    with pytest.raises(ValueError):
        json.loads(payload)
    (item,) = SSEDecoder().feed(b"data: " + payload + b"\n\n")
    assert isinstance(item, UndecodableStreamError)


def test_shared_empty_lists_are_read_only_and_copy_as_plain_lists() -> None:
    import copy
    import pickle

    a = text_chunk("a", {}, {"model_provider": "qwen"}, "c")
    b = text_chunk("b", {}, {"model_provider": "qwen"}, "c")
    assert a.message.tool_calls == [] and a.message.invalid_tool_calls == [] and a.message.tool_call_chunks == []
    with pytest.raises(TypeError):
        a.message.tool_calls.append({"name": "f", "args": {}, "id": "1", "type": "tool_call"})
    with pytest.raises(TypeError):
        a.message.tool_call_chunks += [{"name": "f", "args": "", "id": "1", "index": 0, "type": "tool_call_chunk"}]
    assert b.message.tool_calls == [] and b.message.tool_call_chunks == []
    a.message.tool_calls = [{"name": "f", "args": {}, "id": "1", "type": "tool_call"}]  # assigning works
    assert len(a.message.tool_calls) == 1 and b.message.tool_calls == []
    merged = (b + b).message
    assert type(merged.tool_calls) is list and merged.tool_calls == []
    for clone in (pickle.loads(pickle.dumps(b)), copy.deepcopy(b), b.model_copy(deep=True)):
        assert clone == b
    assert type(b.message.model_dump()["tool_calls"]) is list

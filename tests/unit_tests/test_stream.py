"""SSE decoding and the stream state: quirks, finish de-duplication, cumulative text, aggregation."""

import json

import pytest
from langchain_core.messages import AIMessageChunk

from langchain_qwen._client import HttpMeta
from langchain_qwen._stream import DONE, SSEDecoder, StreamState
from tests._helpers import merge


def _events(*objs: object) -> bytes:
    return b"".join(
        b"data: " + (o if isinstance(o, bytes) else json.dumps(o, ensure_ascii=False).encode()) + b"\n\n" for o in objs
    )


def _feed_all(data: bytes, size: int) -> list:
    dec = SSEDecoder()
    out = []
    for i in range(0, len(data), size):
        out += dec.feed(data[i : i + size])
    return out + dec.finish()


@pytest.mark.parametrize("size", [1, 3, 7, 64, 10_000])
def test_decoder_any_chunking_including_split_utf8(size: int) -> None:
    data = _events({"a": "известни 你好"}, {"b": 2}, b"[DONE]")
    assert _feed_all(data, size) == [{"a": "известни 你好"}, {"b": 2}, DONE]


def test_decoder_crlf_comments_and_frames_without_blank_lines() -> None:
    data = b': keep-alive\r\ndata: {"a": 1}\r\n\r\ndata: {"b": 1}\ndata: {"c": 1}\n\ndata: {"d":\ndata: 2}\n\n'
    assert _feed_all(data, 5) == [{"a": 1}, {"b": 1}, {"c": 1}, {"d": 2}]


def _chunk(delta: dict, finish: str | None = None, index: int = 0) -> dict:
    return {
        "id": "chatcmpl-1",
        "model": "qwen-plus",
        "created": 1,
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
        "usage": None,
    }


def test_state_reasoning_finish_dedupe_and_single_usage() -> None:
    state = StreamState(HttpMeta(request_id="req-1"), aggregate=True)
    wire = [
        _chunk({"content": None, "role": "assistant", "reasoning_content": ""}),
        _chunk({"content": None, "reasoning_content": "好的"}),
        _chunk({"content": "我是", "reasoning_content": None}),
        _chunk({"content": ""}, "stop"),
        _chunk({"content": ""}, "stop"),  # duplicated finish chunk (qwen-mt-flash capture)
        {
            "id": "chatcmpl-1",
            "choices": [],
            "usage": {
                "prompt_tokens": 10,
                "completion_tokens": 3,
                "total_tokens": 13,
                "completion_tokens_details": {"reasoning_tokens": 1},
            },
        },
    ]
    chunks = [c.message for w in wire for c in state.feed(w)]
    merged = chunks[0]
    for c in chunks[1:]:
        merged = merged + c
    assert isinstance(merged, AIMessageChunk)
    assert merged.content == "我是" and merged.additional_kwargs["reasoning_content"] == "好的"
    assert merged.response_metadata["finish_reason"] == "stop"  # not "stopstop"
    assert merged.response_metadata["model_name"] == "qwen-plus" and merged.response_metadata["request_id"] == "req-1"
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert merged.usage_metadata["output_token_details"] == {"reasoning": 1}
    result = state.result().generations[0].message
    assert result.content == "我是" and result.additional_kwargs["reasoning_content"] == "好的"
    assert result.content_blocks[0]["type"] == "reasoning"


def test_state_cumulative_stream_becomes_deltas() -> None:
    state = StreamState(None, cumulative=True, aggregate=True)
    texts = ["I", "I didn", "I didn't", "I didn't laugh"]
    out = [c.message.content for t in texts for c in state.feed(_chunk({"content": t}))]
    assert out == ["I", " didn", "'t", " laugh"]
    assert state.result().generations[0].message.content == "I didn't laugh"


def test_state_tool_calls_by_index_with_empty_id_continuations() -> None:
    state = StreamState(None, aggregate=True)
    wire = [
        _chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location":'},
                    }
                ]
            }
        ),
        _chunk(
            {
                "tool_calls": [
                    {"index": 0, "id": "", "type": "function", "function": {"name": None, "arguments": ' "杭州"}'}}
                ]
            }
        ),
        _chunk(
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "call_b",
                        "type": "function",
                        "function": {"name": "get_time", "arguments": "{}"},
                    }
                ]
            },
            "tool_calls",
        ),
    ]
    chunks = [c.message for w in wire for c in state.feed(w)]
    merged = chunks[0] + chunks[1] + chunks[2]
    assert [tc["args"] for tc in merged.tool_calls] == [{"location": "杭州"}, {}]
    assert [tc["id"] for tc in merged.tool_calls] == ["call_a", "call_b"]
    msg = state.result().generations[0].message
    assert [tc["name"] for tc in msg.tool_calls] == ["get_weather", "get_time"]
    assert msg.response_metadata["finish_reason"] == "tool_calls"


def test_invalid_arguments_become_invalid_tool_calls() -> None:
    state = StreamState(None, aggregate=True)
    state.feed(
        _chunk(
            {"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": '{"a": 1'}}]}, "tool_calls"
        )
    )
    msg = state.result().generations[0].message
    assert msg.tool_calls == [] and msg.invalid_tool_calls[0]["args"] == '{"a": 1'


def test_tool_calls_without_ids_get_unique_fallback_ids() -> None:
    state = StreamState(None, aggregate=True)
    wire = [
        _chunk({"tool_calls": [{"index": 0, "function": {"name": "a", "arguments": '{"x":'}}]}),
        _chunk({"tool_calls": [{"index": 0, "id": "", "function": {"arguments": " 1}"}}]}),
        _chunk({"tool_calls": [{"index": 1, "function": {"name": "b", "arguments": "{}"}}]}, "tool_calls"),
    ]
    chunks = [c.message for w in wire for c in state.feed(w)]
    merged = chunks[0] + chunks[1] + chunks[2]
    ids = [tc["id"] for tc in merged.tool_calls]
    assert merged.tool_calls[0]["args"] == {"x": 1} and all(i and i.startswith("call_") for i in ids)
    assert len(set(ids)) == 2
    final = state.result().generations[0].message
    assert [tc["id"] for tc in final.tool_calls] == ids  # invoke and stream agree


def test_result_is_the_merge_of_the_yielded_chunks() -> None:
    """invoke's aggregate and the stream agree because the aggregate is built from the yielded chunks."""
    state = StreamState(HttpMeta(request_id="req-9"), aggregate=True)
    wire = [
        _chunk({"reasoning_content": "think"}),
        _chunk({"content": "Hel"}),
        _chunk(
            {"content": "lo", "tool_calls": [{"index": 0, "id": "c1", "function": {"name": "f", "arguments": "{}"}}]}
        ),
        _chunk({"content": ""}, "tool_calls"),
        {"id": "chatcmpl-1", "choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}},
    ]
    yielded = [c.message for w in wire for c in state.feed(w)]
    merged = merge(yielded)
    final = state.result().generations[0].message
    assert final.text == merged.text == "Hello"
    assert final.additional_kwargs == merged.additional_kwargs == {"reasoning_content": "think"}
    assert final.tool_calls == merged.tool_calls and final.usage_metadata == merged.usage_metadata
    assert final.response_metadata == {**merged.response_metadata, "id": "chatcmpl-1"}
    assert state.result().llm_output == {
        "token_usage": wire[-1]["usage"],
        "model_name": "qwen-plus",
        "model_provider": "qwen",
    }


def test_partial_without_aggregation_keeps_choice_zero() -> None:
    state = StreamState(None)
    assert state.partial() is None
    state.feed(_chunk({"content": "so far"}))
    state.feed(_chunk({"content": "other choice"}, index=1))
    partial = state.partial()
    assert partial is not None and partial.text == "so far" and len(state.result().generations) == 1

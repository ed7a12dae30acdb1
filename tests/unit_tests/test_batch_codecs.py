"""Batch codecs: lines come from the live request builder; files split within DashScope's limits (no network)."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_qwen import ChatQwen, QwenEmbeddings, QwenValidationError
from langchain_qwen._batch import BatchStatus, batch_body, encode_line, iter_jsonl, line_error, write_parts
from langchain_qwen._payload import build_chat_request
from langchain_qwen.batch import QwenBatch, QwenEmbeddingBatch


def test_lines_use_the_live_request_builder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    llm = ChatQwen(model="qwen-plus", api_key="k", temperature=0.2)
    parts, total = QwenBatch(llm, workdir=tmp_path).encode(["hi", [SystemMessage("s"), HumanMessage("q")]], top_k=5)
    assert total == 2 and len(parts) == 1 and parts[0].lines == 2 and parts[0].model == "qwen-plus"
    lines = [line for _, line in iter_jsonl(parts[0].path)]
    live = build_chat_request([HumanMessage("hi")], llm._default_params | {"top_k": 5}, want_stream=False).body
    assert lines[0] == {"custom_id": "0", "method": "POST", "url": "/v1/chat/completions", "body": live}
    assert lines[1]["body"]["messages"][0] == {"role": "system", "content": "s"}


def test_stream_only_models_lose_stream_flags_and_batches_cannot_stream(tmp_path) -> None:  # type: ignore[no-untyped-def]
    parts, _ = QwenBatch(ChatQwen(model="qwq-plus", api_key="k"), workdir=tmp_path).encode(["9.9 or 9.11?"])
    body = next(iter_jsonl(parts[0].path))[1]["body"]
    assert "stream" not in body and "stream_options" not in body
    with pytest.raises(QwenValidationError, match="cannot stream"):
        QwenBatch(ChatQwen(model="qwen-plus", api_key="k"), workdir=tmp_path).encode(["x"], stream=True)
    with pytest.raises(QwenValidationError, match="headers"):
        QwenBatch(ChatQwen(model="qwen-plus", api_key="k"), workdir=tmp_path).encode(["x"], extra_headers={"a": "b"})


def test_generators_are_streamed_and_split_by_lines_bytes_and_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    llm = ChatQwen(model="qwen-plus", api_key="k")
    parts, total = QwenBatch(llm, workdir=tmp_path, max_lines=10).encode(f"q{i}" for i in range(25))
    assert total == 25 and [p.lines for p in parts] == [10, 10, 5]
    ids = [line["custom_id"] for p in parts for _, line in iter_jsonl(p.path)]
    assert ids == [str(i) for i in range(25)]
    lines = [("m1", encode_line("0", "/v1/chat/completions", {"x": "a" * 50})) for _ in range(4)]
    lines += [("m2", encode_line("9", "/v1/chat/completions", {"x": 1}))]
    sized = write_parts(lines, tmp_path, max_bytes=300, stem="sized")  # 129-byte lines: two per file
    assert [(p.lines, p.model) for p in sized] == [(2, "m1"), (2, "m1"), (1, "m2")]
    assert all(p.bytes <= 300 for p in sized)


def test_embedding_lines_group_texts_by_the_model_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    emb = QwenEmbeddings(model="text-embedding-v4", api_key="k", dimensions=256)
    parts, groups = QwenEmbeddingBatch(emb, workdir=tmp_path).encode([f"text {i}" for i in range(23)])
    bodies = [line["body"] for _, line in iter_jsonl(parts[0].path)]
    assert groups == 3 and [len(b["input"]) for b in bodies] == [10, 10, 3]
    assert bodies[0]["encoding_format"] == "float" and bodies[0]["dimensions"] == 256
    with pytest.raises(QwenValidationError):
        QwenEmbeddingBatch(emb, workdir=tmp_path).encode(["ok", ""])


def test_line_errors_and_statuses() -> None:
    err = line_error(
        3,
        {
            "custom_id": "3",
            "response": {"status_code": 400, "body": {"error": {"code": "x"}}},
            "error": {"code": "invalid_parameter_error", "message": "Temperature should be in [0.0, 2.0)"},
        },
    )
    assert (err.index, err.code, err.status_code) == (3, "invalid_parameter_error", 400)
    assert BatchStatus("cancelled").terminal and not BatchStatus("finalizing").terminal
    assert batch_body({"model": "m", "stream": True, "stream_options": {}}, None) == {"model": "m"}
    assert json.loads(encode_line("1", "/v1/embeddings", {"input": ["你好"]}))["body"]["input"] == ["你好"]

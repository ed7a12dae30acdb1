"""The emulator's wire shapes compared with the real captures: field sets per object level, value kinds,
frame order, header names and error bodies. Where the emulator still differs the case is an
`xfail(strict=True, reason="emulator: ...")`, listed for its owner in ../NOTES-h3.md.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from langchain_qwen.testing import DashScopeEmulator, Fault
from tests.conformance._replay import Capture, load

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}


@pytest.fixture(scope="module")
def emu() -> Iterator[DashScopeEmulator]:
    with DashScopeEmulator(api_key="sk-shapes") as server:
        yield server


@pytest.fixture(scope="module")
def http(emu: DashScopeEmulator) -> Iterator[httpx2.Client]:
    headers = {"Authorization": f"Bearer {emu.api_key}", "Accept-Encoding": "identity"}
    with httpx2.Client(base_url=emu.base_url, headers=headers) as client:
        yield client


@pytest.fixture(autouse=True)
def _clean(emu: DashScopeEmulator) -> None:
    emu.clear()


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__  # str, list, dict


def shape(obj: Any, path: str = "$") -> dict[str, dict[str, str]]:
    """{object path: {key: kind of its value}} for every object level (list items merged under `[]`)."""
    out: dict[str, dict[str, str]] = {}
    if isinstance(obj, dict):
        out[path] = {k: kind(v) for k, v in obj.items()}
        for k, v in obj.items():
            for p, keys in shape(v, f"{path}.{k}").items():
                out.setdefault(p, {}).update(keys)
    elif isinstance(obj, list):
        for item in obj:
            for p, keys in shape(item, f"{path}[]").items():
                out.setdefault(p, {}).update(keys)
    return out


def frames(body: str) -> list[Any]:
    """Parsed `data:` payloads of an event stream (the literal "[DONE]" kept)."""
    out = []
    for line in body.splitlines():
        if line.startswith("data:"):
            payload = line[len("data:") :].strip()
            out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out


def frame_kind(frame: Any) -> str:
    """What a stream frame carries, for comparing frame order."""
    if frame == "[DONE]":
        return "done"
    if "error" in frame:
        return "error"
    if not frame["choices"]:
        return "usage"
    choice = frame["choices"][0]
    delta = choice.get("delta", {})
    if choice.get("finish_reason"):
        return "finish"
    if delta.get("tool_calls"):
        call = delta["tool_calls"][0]
        if call.get("function", {}).get("name"):
            return "tool-start"
        return "tool-args" if call.get("function", {}).get("arguments") else "tool-empty"
    if delta.get("role"):
        return "role"
    return "reasoning" if delta.get("reasoning_content") else "content"


def order(stream: list[Any]) -> list[str]:
    """Frame kinds with repeats collapsed: ['role', 'reasoning', 'content', 'finish', 'usage', 'done']."""
    out: list[str] = []
    for f in stream:
        k = frame_kind(f)
        if not out or out[-1] != k:
            out.append(k)
    return out


def by_kind(stream: list[Any]) -> dict[str, dict[str, dict[str, str]]]:
    """The merged shape of all frames of each kind."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for f in stream:
        if f == "[DONE]":
            continue
        merged = out.setdefault(frame_kind(f), {})
        for p, keys in shape(f).items():
            merged.setdefault(p, {}).update(keys)
    return out


def cap_json(name: str) -> Any:
    cap = load(name)
    assert cap.body is not None
    return json.loads(cap.body)


def cap_frames(name: str) -> list[Any]:
    cap = load(name)
    assert cap.body is not None
    return frames(cap.body)


def emu_stream(http: httpx2.Client, **body: Any) -> list[Any]:
    resp = http.post("/chat/completions", json={"stream": True, **body})
    assert resp.status_code == 200, resp.text
    return frames(resp.text)


def xfail(reason: str) -> Any:
    return pytest.mark.xfail(strict=True, reason=f"emulator: {reason}")


# -- non-stream chat ----------------------------------------------------------------------------


def test_text_completion_fields(http: httpx2.Client) -> None:
    resp = http.post(
        "/chat/completions", json={"model": "qwen-plus", "messages": [SYSTEM, {"role": "user", "content": "你是谁？"}]}
    )
    assert shape(resp.json()) == shape(cap_json("chat-qwen-plus-curl-2025-11"))


def test_text_completion_key_order(http: httpx2.Client) -> None:
    resp = http.post(
        "/chat/completions", json={"model": "qwen-plus", "messages": [{"role": "user", "content": "你是谁？"}]}
    )
    body, cap = resp.json(), cap_json("chat-qwen-plus-curl-2025-11")
    assert list(body) == list(cap)
    assert list(body["choices"][0]) == list(cap["choices"][0])
    assert list(body["usage"]) == list(cap["usage"])


def test_tool_call_completion_fields(http: httpx2.Client) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "mysql_select_tool",
            "description": "select a row",
            "parameters": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "tableName": {"type": "string"}},
                "required": ["id", "tableName"],
            },
        },
    }
    body = {
        "model": "qwen-flash",
        "messages": [{"role": "user", "content": "run mysql_select_tool for id '123'"}],
        "tools": [tool],
    }
    got = http.post("/chat/completions", json=body).json()
    assert got["choices"][0]["finish_reason"] == "tool_calls"
    assert shape(got) == shape(cap_json("chat-qwen-flash-tool-call-2025-11"))


# -- streams ---------------------------------------------------------------------------------------


def test_text_stream_frames(http: httpx2.Client) -> None:
    cap = cap_frames("stream-qwen-plus-doc-singapore")
    got = emu_stream(http, model="qwen-plus", messages=[SYSTEM, {"role": "user", "content": "Who are you?"}])
    assert order(got) == order(cap) == ["role", "content", "finish", "done"]
    assert by_kind(got) == by_kind(cap)


def test_thinking_stream_frames_with_usage(http: httpx2.Client) -> None:
    name = "stream-qwen-plus-thinking-usage-2025-11"
    cap = cap_frames(name)
    got = emu_stream(
        http,
        model="qwen-plus",
        enable_thinking=True,
        stream_options={"include_usage": True},
        messages=[SYSTEM, {"role": "user", "content": "你是谁？"}],
    )
    assert order(got) == order(cap) == ["role", "reasoning", "content", "finish", "usage", "done"]
    assert by_kind(got) == by_kind(cap)


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "当你想查询指定城市的天气时非常有用。",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    },
}


def _tool_stream(http: httpx2.Client) -> list[Any]:
    return emu_stream(
        http,
        model="qwen3.5-flash",
        tools=[WEATHER],
        messages=[{"role": "user", "content": "杭州市 get_current_weather"}],
    )


def test_thinking_tool_stream_frame_order(http: httpx2.Client) -> None:
    cap = cap_frames("stream-qwen3.5-flash-thinking-tool-call-2026-04")
    assert order(cap) == ["role", "reasoning", "tool-start", "tool-args", "tool-empty", "finish", "done"]
    assert order(_tool_stream(http)) == order(cap)


def test_thinking_tool_stream_frame_fields(http: httpx2.Client) -> None:
    cap = by_kind(cap_frames("stream-qwen3.5-flash-thinking-tool-call-2026-04"))
    got = by_kind(_tool_stream(http))
    for kind_ in ("tool-start", "tool-args", "tool-empty", "finish"):
        assert got.get(kind_) == cap[kind_], kind_


# -- headers ---------------------------------------------------------------------------------------

_PER_CALL = {"set-cookie", "content-encoding"}
"""Headers DashScope sends only sometimes (load-balancer cookie; gzip when the client accepts it)."""


def header_names(cap: Capture) -> set[str]:
    return cap.header_names - _PER_CALL


def test_json_response_header_names(http: httpx2.Client) -> None:
    resp = http.post(
        "/chat/completions", json={"model": "qwen-plus", "messages": [{"role": "user", "content": "Hello!"}]}
    )
    got = {k.lower() for k in resp.headers} - _PER_CALL
    assert got == header_names(load("chat-qwen-plus-with-headers-2025-12"))
    assert got == header_names(load("headers-json-qwen-plus-tools-2025-09"))
    assert resp.headers["x-dashscope-call-gateway"] == "true"
    assert resp.headers["server"] == "istio-envoy"


def test_stream_response_header_names(http: httpx2.Client) -> None:
    with http.stream(
        "POST",
        "/chat/completions",
        json={"model": "qwen-plus", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
    ) as resp:
        resp.read()
    cap = load("headers-stream-qwen3.5-omni-flash-2026-05")
    assert {k.lower() for k in resp.headers} - _PER_CALL == header_names(cap)
    assert resp.headers["content-type"].lower() == "text/event-stream;charset=utf-8"


def test_error_response_header_names(http: httpx2.Client) -> None:
    resp = http.post("/chat/completions", json={"model": "qwen-plus"})
    assert resp.status_code == 400
    cap = load("error-400-invalid-parameter-prefixed-gzip-2025-08")
    assert {k.lower() for k in resp.headers} - _PER_CALL == header_names(cap)


def test_gzip_when_the_client_accepts_it(emu: DashScopeEmulator) -> None:
    headers = {"Authorization": f"Bearer {emu.api_key}", "Accept-Encoding": "gzip"}
    body = {"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]}
    with (
        httpx2.Client(base_url=emu.base_url, headers=headers) as client,
        client.stream("POST", "/chat/completions", json=body) as resp,
    ):
        raw = b"".join(resp.iter_raw())
    assert resp.headers.get("content-encoding") == "gzip"  # as in both captures made with the openai SDK
    assert json.loads(gzip.decompress(raw))["object"] == "chat.completion"


# -- error bodies --------------------------------------------------------------------------------


def test_auth_error_body(emu: DashScopeEmulator) -> None:
    with httpx2.Client(base_url=emu.base_url, headers={"Authorization": "Bearer sk-wrong"}) as client:
        resp = client.post(
            "/chat/completions", json={"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]}
        )
    cap = cap_json("error-401-invalid-api-key-beijing-2026-04")
    assert resp.status_code == 401
    assert shape(resp.json()) == shape(cap)


def test_auth_error_message(emu: DashScopeEmulator) -> None:
    with httpx2.Client(base_url=emu.base_url, headers={"Authorization": "Bearer sk-wrong"}) as client:
        resp = client.post(
            "/chat/completions", json={"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]}
        )
    assert resp.json()["error"]["message"] == cap_json("error-401-invalid-api-key-beijing-2026-04")["error"]["message"]


def test_invalid_parameter_error_body_fields(http: httpx2.Client) -> None:
    resp = http.post("/chat/completions", json={"model": "qwen-plus"})
    assert resp.status_code == 400
    assert shape(resp.json()) == shape(cap_json("error-400-invalid-parameter-prefixed-gzip-2025-08"))


def test_tool_choice_under_thinking_error(http: httpx2.Client) -> None:
    body = {
        "model": "qwen3.5-plus",
        "messages": [{"role": "user", "content": "什么也别管，直接调用 get_current_weather 工具"}],
        "tools": [{"type": "function", "function": {"name": "get_current_weather"}}],
        "tool_choice": "required",
        "enable_thinking": True,
    }
    resp = http.post("/chat/completions", json=body)
    cap = cap_json("error-400-tool-choice-thinking-2026-04")
    assert resp.status_code == 400
    got = resp.json()
    assert shape(got) == shape(cap)
    assert got["error"] == cap["error"]


def test_moderation_of_a_stream_request_is_a_400_with_a_data_line(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    cap = load("stream-400-sse-body-data-inspection-2026-09")
    message = "Input text data may contain inappropriate content."
    emu.inject(Fault(status=400, code="data_inspection_failed", message=message))
    resp = http.post(
        "/chat/completions",
        json={"model": "qwen-plus", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
    )
    assert resp.status_code == 400
    assert resp.text.startswith("data: {")
    assert shape(frames(resp.text)[0]) == shape(frames(cap.body or "")[0])


def test_moderation_of_a_plain_request_is_a_json_400(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.inject(
        Fault(status=400, code="data_inspection_failed", message="Input data may contain inappropriate content.")
    )
    resp = http.post("/chat/completions", json={"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]})
    assert resp.status_code == 400
    got, cap = resp.json(), cap_json("error-400-data-inspection-stream-request-2025-12")
    assert set(got) == set(cap) and set(got["error"]) == set(cap["error"])


def test_mid_stream_error_frame(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.inject(Fault(stream_error_after=1))
    got = emu_stream(http, model="qwen-plus", messages=[{"role": "user", "content": "hi"}])
    cap = cap_frames("stream-midstream-moderation-qwen3.7-plus-go")
    assert [frame_kind(f) for f in got][-1] == "error", "no [DONE] after the error frame, as captured"
    assert shape(got[-1]) == shape(cap[-1])


# -- embeddings ------------------------------------------------------------------------------------


def test_embeddings_fields(http: httpx2.Client) -> None:
    resp = http.post(
        "/embeddings",
        json={
            "model": "text-embedding-v4",
            "input": "我想知道迪士尼的退票政策",
            "dimensions": 1024,
            "encoding_format": "float",
        },
    )
    assert resp.status_code == 200, resp.text
    assert shape(resp.json()) == shape(cap_json("embeddings-text-embedding-v4-2026"))


def test_path_outside_compatible_mode_is_an_empty_404(emu: DashScopeEmulator) -> None:
    native = emu.base_url.replace("/compatible-mode/v1", "/api/v1")
    body = {"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]}
    resp = httpx2.post(native + "/chat/completions", json=body, headers={"Authorization": f"Bearer {emu.api_key}"})
    assert resp.status_code == load("error-404-path-without-compatible-mode-2024-12").status
    assert resp.content == b""


def _fault_reply(emu: DashScopeEmulator, http: httpx2.Client, **fault: Any) -> Any:
    emu.inject(Fault(**fault))
    resp = http.post("/chat/completions", json={"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]})
    assert resp.status_code == fault["status"]
    return resp.json()


def test_arrearage_body(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    got = _fault_reply(emu, http, status=400, code="Arrearage")
    cap = cap_json("error-400-arrearage-2026")
    assert shape(got) == shape(cap)
    assert got["error"] == cap["error"]


def test_free_tier_only_body(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    got = _fault_reply(emu, http, status=403, code="AllocationQuota.FreeTierOnly")
    cap = cap_json("error-403-free-tier-only-2026-09")
    assert got["error"] == cap["error"]
    assert set(got) == {"error", "request_id"}


def test_stream_refusal_line_is_compact_json(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.inject(Fault(status=400, code="data_inspection_failed"))
    resp = http.post(
        "/chat/completions",
        json={"model": "qwen-plus", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
    )
    line = resp.text.strip()
    payload = json.loads(line[len("data: ") :])
    assert line == "data: " + json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    assert payload["error"]["message"] == "Input text data may contain inappropriate content."

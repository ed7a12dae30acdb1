"""Wire-level checks of the DashScope emulator over real loopback HTTP (httpx2 and the openai SDK)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from typing import Any

import httpx2
import openai
import pytest

from langchain_qwen._tokens import count_text
from langchain_qwen.testing import DashScopeEmulator, Fault, RecordedRequest, shared_emulator
from tests.emulator._wire import post, sse

HELLO = [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "你好"}]


def assert_error(
    resp: httpx2.Response,
    status: int,
    message: str,
    code: str | None = "invalid_parameter_error",
    type_: str = "invalid_request_error",
) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"] == {"message": message, "type": type_, "param": None, "code": code}
    assert body["request_id"] == resp.headers["x-request-id"]
    if status in (401, 403, 429):
        assert "id" not in body  # 401 captures: `request_id` only
    else:
        assert body["id"] == f"chatcmpl-{body['request_id']}"
    return body


# -- transport, auth, log -------------------------------------------------------------------------


def test_auth_failure_body(emu: DashScopeEmulator) -> None:
    with httpx2.Client(base_url=emu.base_url, headers={"Authorization": "Bearer sk-wrong"}) as client:
        resp = client.post("/chat/completions", json={"model": "qwen-plus", "messages": HELLO})
    bad_key = (
        "Incorrect API key provided. For details, see: https://help.aliyun.com/zh/model-studio/error-code#apikey-error"
    )
    assert list(assert_error(resp, 401, bad_key, "invalid_api_key")) == ["error", "request_id"]
    with (
        DashScopeEmulator(region="ap-southeast-1") as intl,
        httpx2.Client(base_url=intl.base_url, headers={"Authorization": "Bearer sk-wrong"}) as client,
    ):
        message = client.post("/chat/completions", json={}).json()["error"]["message"]
    assert message.endswith("https://www.alibabacloud.com/help/en/model-studio/error-code#apikey-error")
    with httpx2.Client(base_url=emu.base_url) as client:
        assert client.post("/chat/completions", json={}).status_code == 401


def test_unknown_path_and_model(http: httpx2.Client) -> None:
    assert http.post("/no/such/path", json={}).status_code == 404
    resp = post(http, model="gpt-4o-nonexistent", messages=HELLO)
    assert_error(
        resp, 404, "The model `gpt-4o-nonexistent` does not exist or you do not have access to it.", "model_not_found"
    )
    assert_error(post(http, messages=HELLO), 400, "you must provide a model parameter.", "invalid_value")
    resp = http.post("/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"})
    assert_error(resp, 400, "Required body invalid, please check the request body format.")


def test_request_log(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    resp = http.post(
        "/chat/completions?trace=1",
        json={"model": "qwen-plus", "messages": HELLO},
        headers={"X-DashScope-DataInspection": '{"input":"cip"}'},
    )
    assert resp.status_code == 200
    assert len(emu.requests) == 1
    rec = emu.last_request
    assert isinstance(rec, RecordedRequest)
    assert (rec.method, rec.path, rec.query) == ("POST", "/chat/completions", {"trace": "1"})
    assert rec.headers["authorization"] == "Bearer sk-emulator"
    assert rec.headers["x-dashscope-datainspection"] == '{"input":"cip"}'
    assert rec.body == {"model": "qwen-plus", "messages": HELLO}
    assert json.loads(rec.raw_body) == rec.body
    emu.clear()
    assert emu.requests == []


def test_account_balance_and_region() -> None:
    with DashScopeEmulator(region="ap-southeast-1", account_balance="123.0165") as intl:  # noqa: SIM117
        with httpx2.Client(base_url=intl.base_url, headers={"Authorization": "Bearer sk-emulator"}) as client:
            ok = client.post("/chat/completions", json={"model": "qwen-plus", "messages": HELLO})
            assert ok.status_code == 200
            assert ok.headers["x-account-balance"] == "123.0165"
            beijing_only = client.post("/chat/completions", json={"model": "qwen-long", "messages": HELLO})
            assert_error(
                beijing_only,
                404,
                "The model `qwen-long` does not exist or you do not have access to it.",
                "model_not_found",
            )
            assert beijing_only.headers["x-account-balance"] == "123.0165"


def test_shared_emulator_is_one_running_instance() -> None:
    first = shared_emulator()
    assert first is shared_emulator()
    assert first.running and first.api_key == "sk-emulator" and first.region == "cn-beijing"


def test_cli_prints_base_url_and_key() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "langchain_qwen.testing", "--api-key", "sk-cli"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/compatible-mode/v1")
        assert proc.stdout.readline().strip() == "api key: sk-cli"
        resp = httpx2.post(
            url + "/chat/completions",
            headers={"Authorization": "Bearer sk-cli"},
            json={"model": "qwen-plus", "messages": HELLO},
        )
        assert resp.json()["choices"][0]["message"]["content"] == "Emulated reply: 你好"
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_cli_help_names_the_key() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "langchain_qwen.testing", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--api-key" in out and "sk-emulator" in out and "api key:" in out


def test_recorded_request_repr_hides_the_key(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    post(http, model="qwen-plus", messages=HELLO)
    rec = emu.last_request
    assert rec.headers["authorization"] == "Bearer sk-emulator"  # the test oracle still sees it
    text = repr(rec)
    assert "sk-emulator" not in text and "Bearer **********" in text and "/chat/completions" in text


@pytest.mark.parametrize("path", ["/chat/completions", "/v1/chat/completions", "/compatible-mode/v2/chat/completions"])
def test_paths_outside_the_prefix_are_not_found(emu: DashScopeEmulator, path: str) -> None:
    url = f"http://{emu.host}:{emu.port}{path}"
    resp = httpx2.post(url, headers={"Authorization": "Bearer sk-emulator"}, json={"model": "qwen-plus"})
    assert resp.status_code == 404 and resp.content == b""  # cline#926: no body


def test_route_table_serves_a_new_endpoint(emu: DashScopeEmulator) -> None:
    from langchain_qwen.testing._routes import COMPAT_API, ROUTES, Reply, Route

    route = Route(COMPAT_API, "/echo", lambda ex: Reply(body={"path": ex.path, "got": ex.body}), json_post=True)
    ROUTES.append(route)
    try:
        url = f"http://{emu.host}:{emu.port}{COMPAT_API}/echo"
        resp = httpx2.post(url, headers={"Authorization": "Bearer sk-emulator"}, json={"a": 1})
        assert resp.json() == {"path": "/echo", "got": {"a": 1}}
        assert httpx2.get(url, headers={"Authorization": "Bearer sk-emulator"}).status_code == 405
    finally:
        ROUTES.remove(route)


# -- non-stream ----------------------------------------------------------------------------------


def test_non_stream_envelope_and_usage(http: httpx2.Client) -> None:
    resp = post(http, model="qwen2.5-14b-instruct", messages=HELLO)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert body["id"] == f"chatcmpl-{resp.headers['x-request-id']}"
    assert body["object"] == "chat.completion" and body["model"] == "qwen2.5-14b-instruct"
    assert body["system_fingerprint"] is None and "service_tier" not in body
    assert list(body) == ["choices", "object", "usage", "created", "system_fingerprint", "model", "id"]
    assert isinstance(body["created"], int)
    assert body["choices"] == [
        {
            "message": {"role": "assistant", "content": "Emulated reply: 你好"},
            "finish_reason": "stop",
            "index": 0,
            "logprobs": None,
        }
    ]
    completion = count_text("Emulated reply: 你好")
    assert body["usage"] == {
        "prompt_tokens": 20,
        "completion_tokens": completion,
        "total_tokens": 20 + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
    }


def test_openai_sdk_non_stream(oai: openai.OpenAI) -> None:
    completion = oai.chat.completions.create(model="qwen-plus", messages=HELLO)  # type: ignore[arg-type]
    assert completion.choices[0].message.content == "Emulated reply: 你好"
    assert completion.usage is not None and completion.usage.prompt_tokens == 20


def test_max_tokens_stop_and_n(http: httpx2.Client) -> None:
    body = post(http, model="qwen-plus", messages=HELLO, max_tokens=2).json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 2
    body = post(http, model="qwen-plus", messages=HELLO, stop=["reply", "你"]).json()
    assert body["choices"][0] == {**body["choices"][0], "finish_reason": "stop"}
    assert body["choices"][0]["message"]["content"] == "Emulated "
    body = post(http, model="qwen-plus", messages=HELLO, n=2).json()
    contents = [c["message"]["content"] for c in body["choices"]]
    assert contents == ["Emulated reply: 你好", "Emulated reply: 你好 (choice 1)"]
    assert [c["index"] for c in body["choices"]] == [0, 1]


def test_thinking_non_stream_with_budget(http: httpx2.Client) -> None:
    body = post(http, model="qwen-plus", messages=HELLO, enable_thinking=True, thinking_budget=3).json()
    message = body["choices"][0]["message"]
    assert message["reasoning_content"] == "The user asked"
    assert body["usage"]["completion_tokens_details"] == {"reasoning_tokens": 3}
    assert body["usage"]["completion_tokens"] == 3 + count_text("Emulated reply: 你好")


def test_json_object_rules(http: httpx2.Client) -> None:
    fmt = {"type": "json_object"}
    resp = post(http, model="qwen-plus", messages=HELLO, response_format=fmt)
    assert_error(
        resp,
        400,
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
    )
    msgs = [{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": "hi"}]
    body = post(http, model="qwen-plus", messages=msgs, response_format=fmt).json()
    assert json.loads(body["choices"][0]["message"]["content"]) == {"reply": "hi"}
    resp = post(http, model="qwen-plus", messages=msgs, response_format=fmt, enable_thinking=True, stream=True)
    assert_error(resp, 400, "Json mode response is not supported when enable_thinking is true")


# -- stream --------------------------------------------------------------------------------------


def test_stream_chunk_sequence_with_usage(http: httpx2.Client) -> None:
    resp = post(http, model="qwen2.5-14b-instruct", messages=HELLO, stream=True, stream_options={"include_usage": True})
    assert resp.headers["content-type"] == "text/event-stream;charset=UTF-8"
    assert resp.headers["vary"] == "Origin" and "cache-control" not in resp.headers
    events = sse(resp.text)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert {c["id"] for c in chunks} == {f"chatcmpl-{resp.headers['x-request-id']}"}
    assert len({c["created"] for c in chunks}) == 1
    for c in chunks:
        assert c["object"] == "chat.completion.chunk" and c["model"] == "qwen2.5-14b-instruct"
        assert "service_tier" not in c and c["system_fingerprint"] is None
        assert list(c) == ["choices", "object", "usage", "created", "system_fingerprint", "model", "id"]
    assert chunks[0]["choices"] == [
        {
            "delta": {"content": "", "role": "assistant"},
            "finish_reason": None,
            "index": 0,
            "logprobs": None,
        }
    ]
    content = chunks[1:-2]
    assert len(content) == count_text("Emulated reply: 你好")
    for c in content:
        assert list(c["choices"][0]["delta"]) == ["content"] and c["choices"][0]["finish_reason"] is None
        assert c["usage"] is None
    assert "".join(c["choices"][0]["delta"]["content"] for c in content) == "Emulated reply: 你好"
    finish = chunks[-2]
    assert finish["choices"][0]["delta"]["content"] == "" and finish["choices"][0]["finish_reason"] == "stop"
    usage = chunks[-1]
    assert usage["choices"] == []
    assert usage["usage"]["prompt_tokens"] == 20
    assert usage["usage"]["completion_tokens"] == len(content)


def test_stream_without_usage(http: httpx2.Client) -> None:
    events = sse(post(http, model="qwen-plus", messages=HELLO, stream=True).text)
    assert events[-1] == "[DONE]"
    assert all(e["choices"] and e["usage"] is None for e in events[:-1])
    assert events[-2]["choices"][0]["finish_reason"] == "stop"


def test_thinking_stream_phases_qwq(http: httpx2.Client) -> None:
    question = "9.9和9.11谁大"
    messages = [{"role": "user", "content": question}]
    resp = post(http, model="qwq-32b", messages=messages)
    assert_error(
        resp, 400, "This model only support stream mode, please enable the stream parameter to access the model. "
    )
    events = sse(
        post(http, model="qwq-32b", messages=messages, stream=True, stream_options={"include_usage": True}).text
    )
    chunks = events[:-1]
    assert chunks[0]["choices"][0]["delta"] == {"content": None, "role": "assistant", "reasoning_content": ""}
    deltas = [c["choices"][0]["delta"] for c in chunks[1:-2]]
    phases = ["r" if d["content"] is None else "a" for d in deltas]
    assert phases == sorted(phases, reverse=True) and "r" in phases and "a" in phases  # reasoning, then answer
    reasoning = "".join(d["reasoning_content"] for d in deltas if d["content"] is None)
    answer = "".join(d["content"] for d in deltas if d["content"] is not None)
    assert all(d["reasoning_content"] is None for d in deltas if d["content"] is not None)
    assert reasoning == f"The user asked: {question} I should reply by restating it."
    assert answer == f"Emulated reply: {question}"
    assert chunks[-2]["choices"][0] == {
        "delta": {"content": "", "reasoning_content": None},
        "finish_reason": "stop",
        "index": 0,
        "logprobs": None,
    }
    usage = chunks[-1]["usage"]
    assert usage["prompt_tokens"] == 18  # the documented real figure for this prompt (qwq-quickstart capture)
    assert usage["completion_tokens_details"] == {"reasoning_tokens": count_text(reasoning)}
    assert usage["completion_tokens"] == count_text(reasoning) + count_text(answer)


def test_thinking_errors(http: httpx2.Client) -> None:
    msgs = [{"role": "user", "content": "hi"}]
    assert_error(
        post(http, model="qwen3-32b", messages=msgs),
        400,
        "parameter.enable_thinking must be set to false for non-streaming calls",
    )
    assert post(http, model="qwen3-32b", messages=msgs, enable_thinking=False).status_code == 200
    assert_error(
        post(http, model="qwen-max", messages=msgs, enable_thinking=True),
        400,
        "The model qwen-max does not support enable_thinking.",
    )
    assert_error(
        post(http, model="qwen3-235b-a22b-thinking-2507", messages=msgs, enable_thinking=False),
        400,
        "The value of the enable_thinking parameter is restricted to True.",
    )
    assert_error(
        post(http, model="qwen-plus", messages=msgs, enable_thinking=True, thinking_budget=40000),
        400,
        "The thinking_budget parameter must be a positive integer and not greater than 38912",
    )
    assert_error(
        post(http, model="qwen3.8-max", messages=msgs, stream=True, reasoning_effort="low", thinking_budget=100),
        400,
        "reasoning_effort and thinking_budget cannot be set at the same time.",
    )
    assert post(http, model="qwen-plus", messages=msgs, reasoning_effort="low").status_code == 400
    body = sse(post(http, model="qwen3.8-max", messages=msgs, stream=True, reasoning_effort="none").text)
    assert "reasoning_content" not in body[0]["choices"][0]["delta"]


def test_qwen_mt_cumulative_and_incremental(http: httpx2.Client) -> None:
    msgs = [{"role": "user", "content": "我看到这个视频后没有笑"}]
    full = "Emulated reply: 我看到这个视频后没有笑"
    plus = [e for e in sse(post(http, model="qwen-mt-plus", messages=msgs, stream=True).text) if e != "[DONE]"]
    texts = [e["choices"][0]["delta"]["content"] for e in plus]
    assert texts[0] == "" and texts[-1] == full
    assert all(b.startswith(a) and len(b) >= len(a) for a, b in itertools.pairwise(texts))
    assert [e["choices"][0]["finish_reason"] for e in plus].count("stop") == 1
    flash = [
        e
        for e in sse(
            post(http, model="qwen-mt-flash", messages=msgs, stream=True, stream_options={"include_usage": True}).text
        )
        if e != "[DONE]"
    ]
    assert "".join(e["choices"][0]["delta"]["content"] for e in flash[:-1]) == full
    assert [e["choices"][0]["finish_reason"] for e in flash[-3:-1]] == ["stop", "stop"]
    assert flash[-4]["choices"][0]["finish_reason"] is None
    assert flash[-1]["choices"] == [] and flash[-1]["usage"]["prompt_tokens_details"] is None


def test_stream_n_interleaves(http: httpx2.Client) -> None:
    events = sse(post(http, model="qwen-plus", messages=HELLO, n=2, stream=True).text)[:-1]
    assert [e["choices"][0]["index"] for e in events[:4]] == [0, 1, 0, 1]
    texts = {0: "", 1: ""}
    for e in events:
        texts[e["choices"][0]["index"]] += e["choices"][0]["delta"]["content"]
    assert texts == {0: "Emulated reply: 你好", 1: "Emulated reply: 你好 (choice 1)"}


def test_long_stream_arrives_whole(http: httpx2.Client) -> None:
    # Speed is measured by bench/, not asserted here: this checks a 5,000-token stream arrives whole.
    prompt = "token " * 5000
    resp = post(http, model="qwen-plus", messages=[{"role": "user", "content": prompt}], stream=True)
    events = sse(resp.text)
    assert len(events) >= 5000 and events[-1] == "[DONE]"


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"messages": []}, "[] is too short - 'messages'"),
        (
            {"messages": [{"role": "system", "content": "x"}]},
            "The input messages do not contain elements with the role of user.",
        ),
        (
            {"messages": [{"role": "developer", "content": "x"}, {"role": "user", "content": "hi"}]},
            "developer is not one of ['system', 'assistant', 'user', 'tool', 'function'] - 'messages.[0].role'",
        ),
        (
            {"messages": [{"role": "user", "content": "hi"}, {"role": "tool", "content": "1", "tool_call_id": "c"}]},
            'messages with role "tool" must be a response to a preceeding message with "tool_calls"',
        ),
        ({"tool_choice": "required"}, 'tool_choice is one of the strings that should be ["none", "auto"]'),
        ({"tools": []}, "[] is too short - 'tools'"),
        (
            {"tools": [{"type": "function", "function": {"name": "search", "parameters": {}}}]},
            "Tool names are not allowed to be [search]",
        ),
        ({"temperature": 2}, "Temperature should be in [0.0, 2.0)"),
        ({"top_p": 0}, "Range of top_p should be (0.0, 1.0]"),
        ({"n": 5}, "Range of n should be [1, 4]"),
        ({"max_tokens": 0}, "Range of max_tokens should be [1, 32768]"),
        ({"seed": -1}, "-1 is lesser than the minimum of 0 - 'seed'"),
        ({"model": "qwen-vl-ocr", "enable_search": True}, "This model does not support enable_search."),
        (
            {
                "model": "qwen2.5-7b-instruct",
                "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}],
            },
            "input content must be a string.",
        ),
        (
            {"model": "qwen-mt-flash", "messages": [{"role": "user", "content": "翻译 " * 9000}]},
            "Range of input length should be [1, 8192]",
        ),
    ],
)
def test_validation_errors(http: httpx2.Client, extra: dict[str, Any], message: str) -> None:
    body = {"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}], **extra}
    resp = post(http, **body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"]["message"] == message


def test_tool_messages_and_thinking_tool_choice(http: httpx2.Client) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    msgs = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "", "tool_calls": [call, call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "1"},
        {"role": "tool", "tool_call_id": "call_1", "content": "2"},
    ]
    tools = [{"type": "function", "function": {"name": "f", "description": "d", "parameters": {}}}]
    assert post(http, model="qwen-plus", messages=msgs, tools=tools).status_code == 200
    bad = [*msgs[:2], {"role": "tool", "tool_call_id": "call_1", "content": {"x": 1}}]
    assert_error(post(http, model="qwen-plus", messages=bad), 400, "input content must be a string.")
    choice = {"type": "function", "function": {"name": "f"}}
    assert post(http, model="qwen-plus", messages=msgs, tools=tools, tool_choice=choice).status_code == 200
    assert_error(
        post(
            http, model="qwen-plus", messages=msgs, tools=tools, tool_choice=choice, enable_thinking=True, stream=True
        ),
        400,
        "The tool_choice parameter does not support being set to required or object in thinking mode",
    )
    assert_error(
        post(http, model="qwen2.5-7b-instruct", messages=[{"role": "user", "content": "x"}], seed=-1),
        400,
        "-1 is lesser than the minimum of 0 - 'seed'",
        "invalid_value",
    )


# -- faults --------------------------------------------------------------------------------------


def test_fault_status_error(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.inject(
        Fault(
            status=429,
            code="limit_requests",
            message="Requests rate limit exceeded, please try again later.",
            type="limit_requests",
            times=1,
        )
    )
    resp = post(http, model="qwen-plus", messages=HELLO)
    assert_error(resp, 429, "Requests rate limit exceeded, please try again later.", "limit_requests", "limit_requests")
    assert post(http, model="qwen-plus", messages=HELLO).status_code == 200  # consumed
    emu.inject(
        status=400,
        code="data_inspection_failed",
        type="data_inspection_failed",
        message="Input data may contain inappropriate content.",
        headers={"x-custom": "1"},
    )
    resp = post(http, model="qwen-plus", messages=HELLO)
    assert_error(
        resp, 400, "Input data may contain inappropriate content.", "data_inspection_failed", "data_inspection_failed"
    )
    assert resp.headers["x-custom"] == "1"
    emu.inject(status=400)
    assert_error(post(http, model="qwen-plus", messages=HELLO), 400, "The request is invalid.")


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            "qwen3.6-plus",
            "<400> InternalError.Algo.DataInspectionFailed: Input text data may contain inappropriate content.",
        ),
        (
            "qwen-plus",
            "Input data may contain inappropriate content. For details, see: "
            "https://help.aliyun.com/zh/model-studio/error-code#inappropriate-content",
        ),
    ],
)
def test_input_moderation_of_plain_requests(
    emu: DashScopeEmulator, http: httpx2.Client, model: str, message: str
) -> None:
    emu.inject(status=400, code="data_inspection_failed")
    resp = post(http, model=model, messages=HELLO, enable_thinking=False)
    assert_error(resp, 400, message, "data_inspection_failed", "data_inspection_failed")


def test_input_moderation_of_a_stream_is_one_data_line(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.inject(status=400, code="data_inspection_failed")
    resp = post(http, model="qwen3.6-plus", messages=HELLO, stream=True)
    assert resp.status_code == 400 and resp.headers["content-type"].startswith("text/event-stream")
    line = "Input text data may contain inappropriate content."
    rid = resp.headers["x-request-id"]
    assert resp.text.startswith("data: {") and resp.text.count("data:") == 1
    assert json.loads(resp.text[len("data: ") :]) == {
        "error": {"code": "data_inspection_failed", "param": None, "message": line, "type": "data_inspection_failed"},
        "id": f"chatcmpl-{rid}",
    }
    emu.inject(status=400, code="DataInspectionFailed", message="Input data may contain inappropriate content.")
    camel = post(http, model="qwen3.7-plus", messages=HELLO, stream=True)  # [QWEN-GO-TEST]: JSON body
    assert camel.json()["error"]["type"] == camel.json()["error"]["code"] == "DataInspectionFailed"


def test_bare_status_faults_use_catalogue_bodies(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.inject(status=429)
    limited = assert_error(
        post(http, model="qwen-plus", messages=HELLO),
        429,
        "Requests rate limit exceeded, please try again later.",
        "limit_requests",
        "limit_requests",
    )
    assert list(limited) == ["error", "request_id"]
    emu.inject(status=403)
    denied = "Access to model denied. Please make sure you are eligible for using the model."
    assert_error(
        post(http, model="qwen-plus", messages=HELLO),
        403,
        denied,
        "AccessDenied.Unpurchased",
        "AccessDenied.Unpurchased",
    )


def test_gateway_headers_and_gzip(emu: DashScopeEmulator) -> None:
    headers = {"Authorization": f"Bearer {emu.api_key}", "Accept-Encoding": "gzip"}
    with httpx2.Client(base_url=emu.base_url, headers=headers) as client:
        resp = post(client, model="qwen-plus", messages=HELLO)
    assert resp.headers["content-encoding"] == "gzip" and resp.json()["object"] == "chat.completion"
    assert resp.headers["x-dashscope-call-gateway"] == "true" and resp.headers["server"] == "istio-envoy"
    assert resp.headers["transfer-encoding"] == "chunked" and "content-length" not in resp.headers
    arrive, start, cost = (int(resp.headers[h]) for h in ("req-arrive-time", "resp-start-time", "req-cost-time"))
    assert start - arrive == cost >= 0 and resp.headers["vary"].endswith("Accept-Encoding")


def test_fault_status_through_sdk(emu: DashScopeEmulator, oai: openai.OpenAI) -> None:
    emu.inject(status=429, code="limit_requests", message="Requests rate limit exceeded, please try again later.")
    with pytest.raises(openai.RateLimitError) as info:
        oai.chat.completions.create(model="qwen-plus", messages=HELLO)  # type: ignore[arg-type]
    assert info.value.code == "limit_requests"


def test_fault_delay_and_headers(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.inject(delay=0.3, headers={"x-custom": "1"})
    start = time.perf_counter()
    resp = post(http, model="qwen-plus", messages=HELLO)
    assert time.perf_counter() - start >= 0.3
    assert resp.status_code == 200 and resp.headers["x-custom"] == "1"
    assert "x-custom" not in post(http, model="qwen-plus", messages=HELLO).headers


def test_fault_disconnect(emu: DashScopeEmulator, oai: openai.OpenAI, http: httpx2.Client) -> None:
    emu.inject(disconnect_after=3)
    received = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in oai.chat.completions.create(model="qwen-plus", messages=HELLO, stream=True):  # type: ignore
            received.append(chunk)
    assert len(received) == 3
    emu.inject(disconnect_after=1)
    with (
        pytest.raises(httpx2.TransportError),
        http.stream(
            "POST", "/chat/completions", json={"model": "qwen-plus", "messages": HELLO, "stream": True}
        ) as resp,
    ):
        resp.read()


def test_fault_truncate(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.inject(truncate_after=3)
    events = sse(post(http, model="qwen-plus", messages=HELLO, stream=True).text)
    assert len(events) == 3 and "[DONE]" not in events
    assert all(e["choices"][0]["finish_reason"] is None for e in events)
    assert post(http, model="qwen-plus", messages=HELLO).status_code == 200  # connection still usable


def test_fault_stream_error(emu: DashScopeEmulator, http: httpx2.Client, oai: openai.OpenAI) -> None:
    kwargs = {
        "code": "data_inspection_failed",
        "type": "data_inspection_failed",
        "message": "Output data may contain inappropriate content.",
    }
    emu.inject(stream_error_after=2, **kwargs)
    events = sse(post(http, model="qwen-plus", messages=HELLO, stream=True).text)
    assert len(events) == 3
    assert events[-1] == {"error": {**kwargs, "param": None}}
    emu.inject(stream_error_after=2, **kwargs)
    with pytest.raises(openai.APIError, match="Output data may contain inappropriate content."):
        list(oai.chat.completions.create(model="qwen-plus", messages=HELLO, stream=True))  # type: ignore


def test_fault_partial_response(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.inject(partial_response=True)
    resp = post(http, model="qwen-plus", messages=HELLO)
    assert resp.headers["x-dashscope-partialresponse"] == "true"
    body = resp.json()
    full = count_text("Emulated reply: 你好")
    assert body["choices"][0]["finish_reason"] is None
    assert body["usage"]["completion_tokens"] == full // 2
    assert "Emulated reply: 你好".startswith(body["choices"][0]["message"]["content"])


def test_fault_path_matching(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.inject(status=500, path="/embeddings", times=2)
    assert post(http, model="qwen-plus", messages=HELLO).status_code == 200
    assert http.post("/embeddings", json={}).status_code == 500
    emu.clear()
    assert_error(http.post("/embeddings", json={}), 400, "you must provide a model parameter.", "invalid_value")


def test_every_endpoint_validates_through_a_rule_table() -> None:
    from langchain_qwen.testing import _chat, _completions, _embeddings

    for rules in (_chat.CHAT_RULES, _completions.COMPLETION_RULES, _embeddings.EMBEDDING_RULES):
        assert rules and all(callable(rule) for rule in rules)
        for rule in rules:  # small rules: each fits on a screen
            lines = rule.__code__.co_lines()
            span = [line for _, _, line in lines if line is not None]
            assert max(span) - min(span) < 30, rule.__name__

"""Settings refused when the model is built, hosts (region x plan), no key in reprs/errors, no implicit file reads,
async clients tied to their event loop, batch input errors."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_qwen import ChatQwen, QwenEmbeddings
from langchain_qwen._errors import REDACTED, QwenAuthenticationError, QwenValidationError
from langchain_qwen.batch import QwenBatch
from langchain_qwen.files import QwenFiles
from langchain_qwen.media import image_block
from tests.faults._server import FaultServer, completion, json_response

KEY = "sk-settings-SECRET-42"


# --- settings refused at construction ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"max_retries": -1}, ["max_retries=-1", ">= 0"]),
        ({"base_url": "not a url"}, ["base_url='not a url'", "http(s)"]),
        ({"base_url": "ftp://dashscope.aliyuncs.com/compatible-mode/v1"}, ["base_url='ftp://", "http(s)"]),
        ({"default_headers": {"X-Trace": "a\r\nInjected: 1"}}, ["default_headers['X-Trace']", "CR"]),
        ({"default_headers": {"Bad Name": "v"}}, ["invalid header name", "'Bad Name'"]),
        ({"timeout": -5}, ["timeout=-5", "> 0"]),
        ({"total_timeout": 0}, ["total_timeout=0", "> 0"]),
        ({"region": "mars"}, ["region='mars'", "cn-hongkong"]),
        ({"plan": "gold"}, ["plan='gold'", "coding", "token"]),
        ({"region": "us-east-1", "workspace_id": "ws1"}, ["region='us-east-1'", "workspace"]),
        ({"region": "eu-central-1"}, ["workspace_id"]),
        ({"plan": "coding", "region": "us-east-1"}, ["region='us-east-1'", "Coding Plan"]),
        ({"plan": "token", "workspace_id": "ws1"}, ["plan='token'", "workspace_id"]),
    ],
)
@pytest.mark.parametrize("cls", [ChatQwen, QwenEmbeddings, QwenFiles])
def test_bad_settings_refused_when_built(cls: Any, kwargs: dict[str, Any], names: list[str]) -> None:
    with pytest.raises(QwenValidationError) as info:
        cls(api_key=KEY, **kwargs)
    for name in names:
        assert name in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "url"),
    [
        ({}, "https://dashscope.aliyuncs.com/compatible-mode/v1"),
        ({"region": "singapore"}, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"),
        ({"region": "us-east-1"}, "https://dashscope-us.aliyuncs.com/compatible-mode/v1"),
        ({"region": "cn-hongkong"}, "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1"),
        ({"region": "hk"}, "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1"),
        (
            {"region": "cn-beijing", "workspace_id": "ws-123"},
            "https://ws-123.cn-beijing.maas.aliyuncs.com/compatible-mode/v1",
        ),
        (
            {"region": "ap-southeast-1", "workspace_id": "w9"},
            "https://w9.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1",
        ),
        ({"region": "tokyo", "workspace_id": "w9"}, "https://w9.ap-northeast-1.maas.aliyuncs.com/compatible-mode/v1"),
        ({"region": "frankfurt", "workspace_id": "w9"}, "https://w9.eu-central-1.maas.aliyuncs.com/compatible-mode/v1"),
        (
            {"region": "ap-southeast-1", "trial": True},
            "https://trial.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1",
        ),
        ({"plan": "coding"}, "https://coding.dashscope.aliyuncs.com/v1"),
        ({"plan": "coding-plan", "region": "intl"}, "https://coding-intl.dashscope.aliyuncs.com/v1"),
        ({"plan": "token"}, "https://token-plan.cn-beijing.maas.aliyuncs.com/compatible-mode/v1"),
        (
            {"plan": "token", "region": "ap-southeast-1"},
            "https://token-plan.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1",
        ),
    ],
)
def test_region_and_plan_decide_the_host(kwargs: dict[str, Any], url: str) -> None:
    assert ChatQwen(api_key=KEY, **kwargs)._client_config().base_url == url


def test_plan_and_region_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_PLAN", "token")
    monkeypatch.setenv("DASHSCOPE_REGION", "ap-southeast-1")
    cfg = QwenEmbeddings(api_key=KEY)._client_config()
    assert cfg.base_url.startswith("https://token-plan.ap-southeast-1.") and cfg.plan == "token"


def test_plan_host_401_hint_names_region_and_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    # The hint reads the plan and region of a known host even when base_url is given explicitly.
    from langchain_qwen._client import make_config

    cfg = make_config(api_key=KEY, base_url="https://coding-intl.dashscope.aliyuncs.com/v1", region=None)
    assert (cfg.region, cfg.plan) == ("ap-southeast-1", "coding")


# --- secrets ------------------------------------------------------------------------------------------


def test_key_never_in_client_config_repr() -> None:
    files = QwenFiles(api_key=KEY, region="ap-southeast-1")
    assert KEY not in repr(files.config) and KEY not in repr(files) and KEY not in str(files.config)
    assert KEY not in repr(ChatQwen(api_key=KEY)._client_config())


def test_http_error_request_is_redacted_and_pickles(server: FaultServer) -> None:
    server.script(json_response(401, {"error": {"message": "Incorrect API key provided.", "code": "invalid_api_key"}}))
    with pytest.raises(QwenAuthenticationError) as info:
        ChatQwen(model="qwen-plus", api_key=KEY, base_url=server.url, max_retries=0).invoke("hi")
    err = info.value
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"  # the real key was sent...
    assert err.request.headers["authorization"] == REDACTED  # ...but the error keeps none of it
    assert err.response.request.headers["authorization"] == REDACTED
    assert KEY not in repr(vars(err)) and KEY not in str(err)
    blob = pickle.dumps(err)
    assert KEY.encode() not in blob
    back = pickle.loads(blob)
    assert isinstance(back, QwenAuthenticationError) and back.code == "invalid_api_key" and str(back) == str(err)


# --- local files are read only on request --------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        {"type": "image", "url": "file:///etc/hostname"},
        {"type": "image_url", "image_url": {"url": "file:///etc/hostname"}},
        {"type": "image", "url": "/etc/hostname"},
        {"type": "video", "url": "clip.mp4"},
        {"type": "audio", "url": "file:///tmp/a.wav"},
    ],
)
def test_local_file_in_content_is_refused_before_any_request(server: FaultServer, block: dict[str, Any]) -> None:
    llm = ChatQwen(model="qwen3-omni-flash", api_key=KEY, base_url=server.url)
    with pytest.raises(QwenValidationError, match=r"never read implicitly.*media\.(image|video|audio)_block\("):
        llm.invoke([HumanMessage([{"type": "text", "text": "what is this?"}, block])])
    assert server.requests == []


def test_local_files_are_read_when_asked(server: FaultServer, tmp_path: Path) -> None:
    photo = tmp_path / "p.png"
    photo.write_bytes(b"\x89PNG-bytes")
    server.script(json_response(200, completion("a cat")), json_response(200, completion("a cat")))
    llm = ChatQwen(model="qwen3-vl-plus", api_key=KEY, base_url=server.url)
    assert llm.invoke([HumanMessage([image_block(photo)])]).text == "a cat"  # the helper reads explicitly
    opted_in = ChatQwen(model="qwen3-vl-plus", api_key=KEY, base_url=server.url, allow_local_files=True)
    assert opted_in.invoke([HumanMessage([{"type": "image", "url": photo.as_uri()}])]).text == "a cat"
    for request in server.requests:
        url = request.body["messages"][0]["content"][0]["image_url"]["url"]
        assert url.startswith("data:image/png;base64,")


# --- async clients live and die with their event loop ------------------------------------------------


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_asyncio_run_per_call_does_not_leak(server: FaultServer, caplog: pytest.LogCaptureFixture) -> None:
    server.handler = lambda _req: json_response(200, completion("ok"))
    llm = ChatQwen(model="qwen-plus", api_key=KEY, base_url=server.url)
    assert asyncio.run(llm.ainvoke("warm up")).text == "ok"
    gc.collect()
    before = _fds()
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        for _ in range(100):
            assert asyncio.run(llm.ainvoke("hi")).text == "ok"
        gc.collect()
    assert _fds() <= before + 2  # each loop's connections were closed with it
    from langchain_qwen._client import _LOOPS

    assert len(_LOOPS) == 0  # and no finished loop is kept
    assert "Event loop is closed" not in caplog.text and "never retrieved" not in caplog.text


def test_loop_closed_without_cancelling_its_tasks_is_dropped(
    server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    from langchain_qwen._client import _LOOPS

    server.handler = lambda _req: json_response(200, completion("ok"))
    llm = ChatQwen(model="qwen-plus", api_key=KEY, base_url=server.url)
    loop = asyncio.new_event_loop()
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        assert loop.run_until_complete(llm.ainvoke("hi")).text == "ok"
        loop.close()  # a hand-run loop, closed with the guard task still pending
        assert asyncio.run(llm.ainvoke("again")).text == "ok"
        del loop
        gc.collect()
    assert len(_LOOPS) == 0
    assert "destroyed but it is pending" not in caplog.text


# --- batch inputs ---------------------------------------------------------------------------------------


def test_batch_input_errors_are_typed(tmp_path: Path) -> None:
    llm = ChatQwen(model="qwen-plus", api_key=KEY, base_url="http://127.0.0.1:9/compatible-mode/v1")
    batch = QwenBatch(llm, workdir=str(tmp_path / "work"))  # a str path is a path
    parts, total = batch.encode(["hello"])
    assert total == 1 and parts[0].path.parent == tmp_path / "work"
    with pytest.raises(QwenValidationError, match=r"batch input 1 is bytes"):
        batch.encode(["ok", b"raw bytes"])
    with pytest.raises(QwenValidationError, match=r"batch input 0.*not JSON-serialisable.*extra_body"):
        batch.encode(["hi"], extra_body={"when": object()})
    with pytest.raises(QwenValidationError, match=r"workdir=42"):
        QwenBatch(llm, workdir=42)

"""The per-instance client config cache: copies and changed settings reach their own host, key and headers."""

from __future__ import annotations

import copy
import pickle

import pytest
from pydantic import SecretStr

from langchain_qwen import ChatQwen
from langchain_qwen._errors import QwenAuthenticationError
from langchain_qwen.testing import DashScopeEmulator


def test_model_copy_with_another_base_url_calls_its_own_host(emulator: DashScopeEmulator) -> None:
    llm = ChatQwen(model="qwen-plus", base_url=emulator.base_url, api_key=emulator.api_key)
    assert llm.invoke("hi").text == "Emulated reply: hi"
    with DashScopeEmulator(api_key="sk-second") as second:
        other = llm.model_copy(update={"base_url": second.base_url, "api_key": SecretStr("sk-second")})
        assert other.invoke("there").text == "Emulated reply: there"
        assert len(second.requests) == 1 and len(emulator.requests) == 1
        assert llm.invoke("again").text == "Emulated reply: again"  # the original keeps its own host
        assert len(second.requests) == 1 and len(emulator.requests) == 2


def test_region_copy_gets_its_own_config(emulator: DashScopeEmulator) -> None:
    llm = ChatQwen(model="qwen-plus", api_key="k")
    assert llm._client_config().base_url == "https://dashscope.aliyuncs.com/compatible-mode/v1"
    sg = llm.model_copy(update={"region": "singapore"})
    assert sg._client_config().base_url == "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
    assert sg._client_config().region == "ap-southeast-1"
    assert llm._client_config().region == "cn-beijing"
    local = llm.model_copy(update={"base_url": emulator.base_url})
    assert local._client_config().base_url == emulator.base_url


def test_changed_key_and_headers_are_sent(emulator: DashScopeEmulator) -> None:
    llm = ChatQwen(model="qwen-plus", base_url=emulator.base_url, api_key=emulator.api_key, default_headers={})
    llm.invoke("hi")
    assert "x-trace" not in emulator.last_request.headers
    assert llm.default_headers is not None
    llm.default_headers["X-Trace"] = "t1"  # changed in place after a call
    llm.invoke("hi")
    assert emulator.last_request.headers["x-trace"] == "t1"
    wrong = llm.model_copy(update={"api_key": SecretStr("sk-wrong-key-123456")})
    with pytest.raises(QwenAuthenticationError):
        wrong.invoke("hi")
    assert llm.invoke("hi").text == "Emulated reply: hi"


def test_cache_leaves_equality_copy_and_pickle_alone(emulator: DashScopeEmulator) -> None:
    llm = ChatQwen(model="qwen-plus", base_url=emulator.base_url, api_key=emulator.api_key)
    fresh = ChatQwen(model="qwen-plus", base_url=emulator.base_url, api_key=emulator.api_key)
    llm.invoke("hi")
    assert llm == fresh  # a filled cache does not change model equality
    for clone in (pickle.loads(pickle.dumps(llm)), copy.deepcopy(llm), llm.model_copy()):
        assert clone == llm
        assert clone.invoke("x").text == "Emulated reply: x"

"""The request builder: thinking control per model class, stream-only decisions, parameters, overrides."""

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from langchain_qwen import ChatQwen, QwenValidationError
from langchain_qwen._payload import build_chat_request

HI = [HumanMessage("hi")]


def _req(model: str, want_stream: bool = False, **params: object):  # type: ignore[no-untyped-def]
    llm = ChatQwen(model=model, api_key="k")
    return build_chat_request(HI, llm._default_params | params, want_stream=want_stream)


def test_hybrid_default_off_sends_explicit_false_and_does_not_stream() -> None:
    req = _req("qwen-plus")
    assert req.body["enable_thinking"] is False and not req.stream and req.thinking is False


def test_hybrid_thinking_on_commercial_alias_can_be_non_stream() -> None:
    req = _req("qwen-plus", enable_thinking=True, thinking_budget=100)
    assert req.body["enable_thinking"] is True and req.body["thinking_budget"] == 100 and not req.stream


def test_open_source_qwen3_thinks_by_default_and_must_stream() -> None:
    req = _req("qwen3-32b")
    assert req.body["enable_thinking"] is True and req.stream and req.aggregate
    assert req.body["stream_options"] == {"include_usage": True}
    off = _req("qwen3-32b", enable_thinking=False)
    assert off.body["enable_thinking"] is False and not off.stream


def test_stream_only_models() -> None:
    req = _req("qwq-plus")
    assert req.stream and req.aggregate and "enable_thinking" not in req.body
    with pytest.raises(QwenValidationError, match="always thinks"):
        _req("qwq-plus", enable_thinking=False)


def test_non_thinking_models_never_get_thinking_params() -> None:
    assert "enable_thinking" not in _req("qwen-max").body
    assert "enable_thinking" not in _req("qwen-max", enable_thinking=False).body
    with pytest.raises(QwenValidationError, match="no thinking mode"):
        _req("qwen-max", enable_thinking=True)
    with pytest.raises(QwenValidationError, match="thinking_budget"):
        _req("qwen-max", thinking_budget=10)


def test_budget_effort_preserve_validation() -> None:
    with pytest.raises(QwenValidationError, match="positive integer not greater than 38912"):
        _req("qwen-plus", enable_thinking=True, thinking_budget=10**6)
    with pytest.raises(QwenValidationError, match="not both"):
        _req("qwen3.8-max", reasoning_effort="low", thinking_budget=100)
    req = _req("qwen3.8-max", reasoning_effort="low")
    assert req.body["reasoning_effort"] == "low" and req.body["enable_thinking"] is True
    assert _req("qwen3.8-max", reasoning_effort="none").body["enable_thinking"] is False
    with pytest.raises(QwenValidationError, match="does not accept reasoning_effort"):
        _req("qwen-plus", reasoning_effort="low")
    with pytest.raises(QwenValidationError, match="preserve_thinking"):
        _req("qwen-plus", preserve_thinking=True)
    assert _req("qwen3.6-plus", preserve_thinking=True).body["preserve_thinking"] is True


def test_reasoning_history_policy() -> None:
    history = [HumanMessage("q"), AIMessage("a", additional_kwargs={"reasoning_content": "r"}), HumanMessage("q2")]
    base = ChatQwen(model="qwen3.8-max", api_key="k")._default_params
    assert build_chat_request(history, base, want_stream=True).body["messages"][1]["reasoning_content"] == "r"
    plus = ChatQwen(model="qwen-plus", api_key="k")._default_params
    assert "reasoning_content" not in build_chat_request(history, plus, want_stream=True).body["messages"][1]
    always = plus | {"reasoning_in_history": "always"}
    assert build_chat_request(history, always, want_stream=True).body["messages"][1]["reasoning_content"] == "r"
    never = base | {"reasoning_in_history": "never"}
    assert "reasoning_content" not in build_chat_request(history, never, want_stream=True).body["messages"][1]


def test_unknown_models_get_only_what_was_asked() -> None:
    req = _req("my-model")
    assert "enable_thinking" not in req.body and not req.stream
    thinking = _req("my-model", enable_thinking=True)
    assert thinking.body["enable_thinking"] is True and thinking.stream  # safe: thinking always works streamed


def test_parameters_pass_through_and_merge() -> None:
    llm = ChatQwen(
        model="qwen-plus",
        api_key="k",
        temperature=0.3,
        top_k=20,
        repetition_penalty=1.05,
        seed=7,
        stop=["x"],
        max_tokens=50,
        enable_search=True,
        search_options={"forced_search": True},
        extra_body={"vl_high_resolution_images": True},
        custom_param=1,
    )
    assert llm.model_kwargs == {"custom_param": 1}
    body = build_chat_request(HI, llm._default_params, want_stream=False).body
    for key, value in {
        "temperature": 0.3,
        "top_k": 20,
        "repetition_penalty": 1.05,
        "seed": 7,
        "stop": ["x"],
        "max_tokens": 50,
        "enable_search": True,
        "custom_param": 1,
        "vl_high_resolution_images": True,
    }.items():
        assert body[key] == value
    assert "tools" not in _req("qwen-plus", tools=[]).body


def test_local_rejections() -> None:
    with pytest.raises(QwenValidationError, match="enable_search"):
        _req("qwen-mt-plus", enable_search=True)
    with pytest.raises(QwenValidationError, match="n=2"):
        _req("qwen-max", n=2)
    with pytest.raises(QwenValidationError, match="No DashScope API key"):
        ChatQwen(model="qwen-plus", api_key=None)._client_config()


def test_model_is_never_mutated_by_calls() -> None:
    llm = ChatQwen(model="qwen3-32b", api_key="k")
    before = llm.model_dump()
    _ = build_chat_request(
        HI, llm._default_params | {"enable_thinking": False, "model": "qwen-plus"}, want_stream=False
    )
    assert llm.model_dump() == before


def test_base_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHSCOPE_BASE_URL", raising=False)
    monkeypatch.delenv("DASHSCOPE_API_BASE", raising=False)
    assert ChatQwen(api_key="k")._client_config().base_url == "https://dashscope.aliyuncs.com/compatible-mode/v1"
    sg = ChatQwen(api_key="k", region="singapore")._client_config()
    assert sg.base_url == "https://dashscope-intl.aliyuncs.com/compatible-mode/v1" and sg.region == "ap-southeast-1"
    ws = ChatQwen(api_key="k", region="eu-central-1", workspace_id="ws1")._client_config()
    assert ws.base_url == "https://ws1.eu-central-1.maas.aliyuncs.com/compatible-mode/v1"
    with pytest.raises(QwenValidationError, match="workspace"):
        ChatQwen(api_key="k", region="frankfurt")._client_config()
    monkeypatch.setenv("DASHSCOPE_BASE_URL", "https://wcode.net/api/gpt/v1")
    assert ChatQwen(api_key="k")._client_config().base_url == "https://wcode.net/api/gpt/v1"

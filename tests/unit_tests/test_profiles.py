"""The model-profile table: families, snapshots, unknown models, overrides, LangChain profile."""

import pytest

from langchain_qwen import ChatQwen, QwenValidationError, resolve_profile
from langchain_qwen._profiles import known_models


def test_families_and_snapshots() -> None:
    assert resolve_profile("qwen-plus").thinking == "hybrid_off"
    assert resolve_profile("qwen-plus").thinking_stream_only is False  # documented non-stream thinking
    snap = resolve_profile("qwen-plus-2025-04-28")
    assert snap.family == "qwen-plus" and snap.thinking_stream_only is True
    assert resolve_profile("qwq-plus").stream_only and resolve_profile("qwq-plus").thinking == "always"
    assert resolve_profile("qwen3-32b").thinking == "hybrid_on"
    assert resolve_profile("qwen3.5-plus").tokenizer == "qwen3_5"
    assert resolve_profile("qwen-long").regions == frozenset({"cn-beijing"})
    assert resolve_profile("qwen-mt-plus").cumulative_stream and not resolve_profile("qwen-mt-flash").cumulative_stream
    assert resolve_profile("qwen3-omni-flash-2025-12-01").voices[-1] == "Kiki"
    assert "qwen-max" in known_models()


def test_unknown_model_is_permissive() -> None:
    p = resolve_profile("my-finetune")
    assert not p.known and p.thinking == "unknown" and p.tools and p.json_schema


def test_overrides() -> None:
    p = resolve_profile("qwen-max", {"stream_only": True, "input_modalities": ["text", "image"]})
    assert p.stream_only and p.input_modalities == frozenset({"text", "image"})
    with pytest.raises(ValueError, match="Unknown Qwen profile keys"):
        resolve_profile("qwen-max", {"nope": 1})


def test_langchain_profile_exposed() -> None:
    llm = ChatQwen(model="qwen3-vl-plus", api_key="sk-test")
    assert llm.profile["image_inputs"] is True and llm.profile["reasoning_output"] is True
    assert ChatQwen(model="qwen-max", api_key="k").profile["reasoning_output"] is False
    custom = ChatQwen(model="qwen-max", api_key="k", qwen_profile={"thinking": "hybrid_off"})
    assert custom.profile["reasoning_output"] is True


def test_region_validation() -> None:
    with pytest.raises(QwenValidationError, match="Unknown DashScope region"):
        ChatQwen(model="qwen-plus", api_key="k", region="mars")._client_config()

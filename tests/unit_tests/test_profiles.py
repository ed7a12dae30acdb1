"""The model-profile table: families, snapshots, unknown models, overrides, LangChain profile."""

import re

import pytest

from langchain_qwen import ChatQwen, QwenValidationError, resolve_profile
from langchain_qwen._profiles import known_models, register_model, table_sources, unregister_model


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
    with pytest.raises(QwenValidationError, match="Unknown Qwen profile keys"):
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


def test_every_row_carries_as_of_and_known_sources() -> None:
    import json
    from importlib.resources import files

    raw = json.loads(files("langchain_qwen").joinpath("data", "models.json").read_bytes())
    sources = table_sources()
    for name, row in [*raw["families"].items(), *raw["snapshots"].items()]:
        assert re.fullmatch(r"\d{4}-\d{2}", row["as_of"]), name
        assert row["source"] and all(tag in sources for tag in row["source"]), name
    for name in known_models():  # every row resolves, in every region the table names
        for region in (None, "cn-beijing", "ap-southeast-1", "us-east-1"):
            assert resolve_profile(name, region=region).known


def test_unknown_dated_snapshots_resolve_to_their_family() -> None:
    for model, family in (
        ("qwen3.7-max-2026-12-01", "qwen3.7-max"),
        ("qwen3.8-max-1105", "qwen3.8-max"),
        ("qwen3.8-max-0902", "qwen3.8-max"),
        ("qwen3.6-plus-2026-09-30", "qwen3.6-plus"),
    ):
        p = resolve_profile(model)
        assert p.known and p.family == family and p.model == model
    assert resolve_profile("qwen3.7-max-2026-12-01").batch_max_input_tokens == 262144
    assert not resolve_profile("qwen9-max-2030-01-01").known


def test_2026_rows_thinking_modalities_and_batch() -> None:
    for model in ("qwen3.5-plus", "qwen3.5-flash", "qwen3.6-plus", "qwen3.6-flash", "qwen3.7-plus", "qwen3.8-max"):
        p = resolve_profile(model)
        assert p.thinking == "hybrid_on" and {"image", "video"} <= p.input_modalities, model
        assert ChatQwen(model=model, api_key="k").profile["image_inputs"] is True
    q38 = resolve_profile("qwen3.8-max")
    assert q38.reasoning_effort_default == "xhigh" and q38.reasoning_effort_off == "none"
    assert {"low", "medium", "xhigh", "none"} <= set(q38.reasoning_effort)
    assert resolve_profile("qwen3.7-plus").tool_choice_thinking == ("auto", "none")
    assert (
        resolve_profile("qwen3.5-plus").batch
        and resolve_profile("qwen3.5-plus", region="ap-southeast-1").batch is False
    )
    assert resolve_profile("qwen-plus", region="ap-southeast-1").batch is True
    assert resolve_profile("qwen3-coder-plus").batch is False and resolve_profile("qwen3.8-max").batch is None


def test_region_dependent_facts() -> None:
    assert resolve_profile("qwen-plus").json_schema is True  # default region: Beijing
    assert resolve_profile("qwen-plus", region="cn-beijing").json_schema is True
    assert resolve_profile("qwen-plus", region="ap-southeast-1").json_schema is False
    assert resolve_profile("qwen-plus-2025-07-28", region="ap-southeast-1").json_schema is False
    assert resolve_profile("qwen-plus", region="ap-southeast-1").region == "ap-southeast-1"


def test_register_model_globally() -> None:
    try:
        p = register_model("acme-qwen-ft", family="qwen3.6-plus", json_schema={"ap-southeast-1": True, "*": False})
        assert p.known and p.family == "qwen3.6-plus" and p.thinking == "hybrid_on" and not p.json_schema
        assert resolve_profile("acme-qwen-ft", region="ap-southeast-1").json_schema is True
        assert "acme-qwen-ft" in known_models()
        register_model("qwen-max", input_modalities=["text", "image"])  # a packaged row keeps its other facts
        assert resolve_profile("qwen-max").input_modalities == {"text", "image"}
        assert resolve_profile("qwen-max").context_window == 32768
        with pytest.raises(QwenValidationError, match="unknown keys"):
            register_model("x", jsn_schema=True)
        with pytest.raises(QwenValidationError, match="unknown family"):
            register_model("y", family="no-such-family")
        assert not resolve_profile("y").known
    finally:
        assert unregister_model("acme-qwen-ft") and unregister_model("qwen-max")
    assert not resolve_profile("acme-qwen-ft").known and resolve_profile("qwen-max").input_modalities == {"text"}


def test_instance_overrides_may_be_region_keyed() -> None:
    override = {"json_schema": {"ap-southeast-1": True, "*": False}}
    sg = ChatQwen(model="qwen-max", api_key="k", region="singapore", qwen_profile=override)
    assert sg.qwen_capabilities.region == "ap-southeast-1" and sg.profile["structured_output"] is True
    assert ChatQwen(model="qwen-max", api_key="k", qwen_profile=override).profile["structured_output"] is False


def test_the_table_is_read_on_first_lookup_not_on_import() -> None:
    import subprocess
    import sys

    code = (
        "import langchain_qwen, langchain_qwen._profiles as p; from langchain_qwen import ChatQwen; "
        "assert p._table.cache_info().currsize == 0; "
        "ChatQwen(model='qwen3.5-plus', api_key='k').profile; assert p._table.cache_info().currsize == 1"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=".")

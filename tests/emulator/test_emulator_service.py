"""The emulator's own 2026 service facts: thinking defaults, multimodal flagships, forced tools, snapshots."""

from __future__ import annotations

import ast
import pathlib
from typing import Any

import httpx2
import pytest

from langchain_qwen.testing._service import FAMILIES, SNAPSHOTS, service_model
from tests.emulator._wire import post, sse

HELLO = [{"role": "user", "content": "hello"}]
IMG = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
VIDEO = {"type": "video_url", "video_url": {"url": "https://example.com/clip.mp4"}}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]
FORCED_IN_THINKING = (
    "<400> InternalError.Algo.InvalidParameter: The tool_choice parameter does not support being set to "
    "required or object in thinking mode"
)
OLD_TOOL_CHOICE = 'tool_choice is one of the strings that should be ["none", "auto"]'


def message(resp: httpx2.Response) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    return resp.json()["choices"][0]["message"]


def refused(resp: httpx2.Response, text: str) -> None:
    assert resp.status_code == 400, resp.text
    err = resp.json()["error"]
    assert (err["message"], err["type"], err["code"]) == (text, "invalid_request_error", "invalid_parameter_error")


@pytest.mark.parametrize(
    "model",
    ["qwen3.5-plus", "qwen3.5-flash", "qwen3.6-plus", "qwen3.6-flash", "qwen3.7-max", "qwen3.7-plus", "qwen3.8-max"],
)
def test_2026_hybrids_think_by_default_without_streaming(http: httpx2.Client, model: str) -> None:
    thought = message(post(http, model=model, messages=HELLO))
    assert thought["reasoning_content"].startswith("The user asked: hello")
    plain = message(post(http, model=model, messages=HELLO, enable_thinking=False))
    assert "reasoning_content" not in plain and plain["content"] == "Emulated reply: hello"


@pytest.mark.parametrize("model", ["qwen-plus", "qwen-flash", "qwen-turbo", "qwen3-vl-plus"])
def test_older_hybrids_do_not_think_by_default(http: httpx2.Client, model: str) -> None:
    assert "reasoning_content" not in message(post(http, model=model, messages=HELLO))


def test_qwen38_effort_controls_thinking(http: httpx2.Client) -> None:
    assert "reasoning_content" in message(post(http, model="qwen3.8-max", messages=HELLO))  # default xhigh
    assert "reasoning_content" not in message(post(http, model="qwen3.8-max", messages=HELLO, reasoning_effort="none"))
    low = message(post(http, model="qwen3.8-flash", messages=HELLO, reasoning_effort="low"))
    assert low["reasoning_content"]


@pytest.mark.parametrize(
    "model", ["qwen3.5-plus", "qwen3.5-flash", "qwen3.6-plus", "qwen3.6-flash", "qwen3.7-plus", "qwen3.8-max"]
)
def test_native_multimodal_flagships_take_images_and_video(http: httpx2.Client, model: str) -> None:
    content = [IMG, VIDEO, {"type": "text", "text": "what is this?"}]
    answer = message(post(http, model=model, messages=[{"role": "user", "content": content}], enable_thinking=False))
    assert answer["content"].endswith("(saw: image, video)")


def test_text_only_flagship_refuses_images(http: httpx2.Client) -> None:
    resp = post(http, model="qwen3.7-max", messages=[{"role": "user", "content": [IMG, {"type": "text", "text": "x"}]}])
    assert resp.status_code == 400


@pytest.mark.parametrize("model", ["qwen3.6-plus", "qwen3.7-plus", "qwen3.5-plus", "qwen3.8-max"])
@pytest.mark.parametrize("choice", ["required", {"type": "function", "function": {"name": "get_weather"}}])
def test_forcing_a_tool_while_thinking_is_refused_on_2026_hybrids(http: httpx2.Client, model: str, choice: Any) -> None:
    ask = [{"role": "user", "content": "weather in Paris?"}]
    refused(post(http, model=model, messages=ask, tools=TOOLS, tool_choice=choice), FORCED_IN_THINKING)
    off = {"reasoning_effort": "none"} if model.startswith("qwen3.8") else {"enable_thinking": False}
    answer = message(post(http, model=model, messages=ask, tools=TOOLS, tool_choice=choice, **off))
    assert answer["tool_calls"][0]["function"]["name"] == "get_weather"  # [uncertain] A8: accepted with thinking off


@pytest.mark.parametrize("thinking", [False, True])
def test_older_models_answer_required_as_an_unknown_string(http: httpx2.Client, thinking: bool) -> None:
    resp = post(
        http,
        model="qwen-plus",
        messages=HELLO,
        tools=TOOLS,
        tool_choice="required",
        enable_thinking=thinking,
        stream=thinking,
    )
    refused(resp, OLD_TOOL_CHOICE)


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("qwen3.7-max-2026-06-08", "qwen3.7-max"),
        ("qwen3.8-max-0902", "qwen3.8-max"),
        ("qwen3.6-plus-2026-04-02", "qwen3.6-plus"),
        ("qwen3.7-max-preview", "qwen3.7-max"),
    ],
)
def test_unknown_dated_snapshots_resolve_to_their_family(http: httpx2.Client, model: str, family: str) -> None:
    answer = message(post(http, model=model, messages=HELLO))
    assert answer["reasoning_content"]
    assert service_model(model).family == family


def test_json_schema_is_beijing_qwen_plus_only(http: httpx2.Client) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "s", "schema": {"type": "object"}}}
    assert message(post(http, model="qwen-plus", messages=HELLO, response_format=fmt))["content"] == "{}"
    resp = post(http, model="qwen3.5-plus", messages=HELLO, response_format=fmt, enable_thinking=False)
    assert resp.status_code == 400


def test_every_row_names_its_sources() -> None:
    assert all(row["src"].startswith("[") for row in FAMILIES.values())
    assert all(family in FAMILIES for family, _ in SNAPSHOTS.values())


def test_the_emulator_does_not_read_the_client_profile_table() -> None:
    root = pathlib.Path(__file__).parents[2] / "langchain_qwen" / "testing"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert "_profiles" not in (node.module or ""), f"{path.name} imports the client's profile table"


def test_2026_thinking_stream_puts_role_on_the_first_reasoning_piece(http: httpx2.Client) -> None:
    # `stream-qwen3.5-flash-thinking-tool-call-2026-04` vs `stream-qwen-plus-thinking-usage-2025-11`
    new = sse(post(http, model="qwen3.5-flash", messages=HELLO, stream=True).text)
    first = new[0]["choices"][0]["delta"]
    assert first["role"] == "assistant" and first["content"] is None and first["reasoning_content"] == "The"
    old = sse(post(http, model="qwen-plus", messages=HELLO, stream=True, enable_thinking=True).text)
    assert old[0]["choices"][0]["delta"] == {"content": None, "role": "assistant", "reasoning_content": ""}


def test_agent_search_strategies_follow_the_service_table(http: httpx2.Client) -> None:
    search = {"enable_search": True, "search_options": {"search_strategy": "agent"}}
    assert post(http, model="qwen3.5-plus", messages=HELLO, enable_thinking=False, **search).status_code == 200
    assert post(http, model="qwen-plus", messages=HELLO, **search).status_code == 400


def test_exchange_repr_hides_headers() -> None:
    from langchain_qwen.testing._routes import Exchange

    ex = Exchange("POST", "/x", {}, {"authorization": "Bearer sk-secret"}, b"", None, False, "rid", None, None)  # type: ignore[arg-type]
    assert "sk-secret" not in repr(ex)


@pytest.mark.parametrize(
    ("model", "thinks"),
    [
        ("glm-5.2", True),
        ("deepseek-v4-pro", True),
        ("kimi-k2.6", False),
        ("qwen3.5-27b", True),
        ("qwen3.6-35b-a3b", True),
        ("MiniMax-M2.5", True),
    ],
)
def test_2026_rows_beyond_the_flagships_are_served(http: httpx2.Client, model: str, thinks: bool) -> None:
    answer = message(post(http, model=model, messages=HELLO))
    assert ("reasoning_content" in answer) is thinks and answer["content"] == "Emulated reply: hello"


def test_effort_max_models_do_not_turn_thinking_off_with_none(http: httpx2.Client) -> None:
    assert message(post(http, model="deepseek-v4-pro", messages=HELLO, reasoning_effort="max"))["reasoning_content"]
    assert post(http, model="deepseek-v4-pro", messages=HELLO, reasoning_effort="none").status_code == 400

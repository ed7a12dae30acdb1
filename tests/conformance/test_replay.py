"""Real DashScope responses replayed verbatim on loopback, through the public API, checking what a user sees.

Each capture under `captures/` is a response found in public sources (issue threads, run logs, docs,
other projects' fixtures), stored with its source, date and how faithful it is. The server of
`_replay.py` sends it back byte for byte; these tests drive `ChatQwen` (invoke / ainvoke / stream /
astream, streaming invoke, tools, the stream-only qwq path) and `QwenEmbeddings` against it.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from langchain_core.messages import HumanMessage

from langchain_qwen import (
    ChatQwen,
    QwenAuthenticationError,
    QwenBadRequestError,
    QwenContentInspectionError,
    QwenEmbeddings,
    QwenError,
    QwenNotFoundError,
    QwenPermissionDeniedError,
    QwenRateLimitError,
)
from tests.conformance._replay import CAPTURES, Capture, ReplayServer, all_captures, load, network_chunks

KEY = "sk-conformance"


def chat(replay: ReplayServer, model: str = "qwen-plus", **kwargs: Any) -> ChatQwen:
    return ChatQwen(model=model, api_key=KEY, base_url=replay.base_url, max_retries=0, **kwargs)


def merged(chunks: list[Any]) -> Any:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def run(llm: Any, mode: str, prompt: Any = "hi") -> Any:
    """The final message a user gets in `mode` (streams are merged the way LangChain users merge them)."""
    if mode == "invoke":
        return llm.invoke(prompt)
    if mode == "ainvoke":
        return asyncio.run(llm.ainvoke(prompt))
    if mode == "stream":
        return merged(list(llm.stream(prompt)))
    if mode == "astream":

        async def collect() -> list[Any]:
            return [c async for c in llm.astream(prompt)]

        return merged(asyncio.run(collect()))
    raise AssertionError(mode)


def received_before_error(llm: Any, mode: str) -> tuple[str, BaseException]:
    """(text the user already received, the error) for a stream that fails."""
    got: list[str] = []

    async def consume() -> None:
        async for chunk in llm.astream("hi"):
            got.append(chunk.content)

    try:
        if mode == "stream":
            for chunk in llm.stream("hi"):
                got.append(chunk.content)
        else:
            asyncio.run(consume())
    except Exception as exc:
        return "".join(got), exc
    raise AssertionError("the stream did not fail")


# -- the corpus itself ----------------------------------------------------------------------------

PROVENANCE = {"real-traffic", "relayed-real-traffic", "doc-example", "third-party-fixture"}


def test_corpus_records_are_complete_and_sourced() -> None:
    captures = all_captures()
    with_body = [c for c in captures if c.body is not None]
    assert len(with_body) >= 20
    assert sum(c.record["provenance"] in {"real-traffic", "relayed-real-traffic"} for c in with_body) >= 15
    for cap in captures:
        rec = cap.record
        assert rec["provenance"] in PROVENANCE, cap.name
        assert rec["date"][:4] in {"2024", "2025", "2026"}, cap.name
        assert rec["fidelity"] and rec["request"]["summary"], cap.name
        src = rec["source"]
        assert src.get("url") or src.get("code_index_id"), cap.name
        assert (CAPTURES / f"{cap.name}.json").exists()


@pytest.mark.parametrize("name", [c.name for c in all_captures() if c.body is not None])
def test_replay_sends_the_capture_byte_for_byte(replay: ReplayServer, raw_http: httpx2.Client, name: str) -> None:
    cap = replay.load(name)
    assert cap.body is not None
    if cap.is_sse and cap.status < 400:
        assert b"".join(network_chunks(cap.body.encode())) == cap.body.encode()
    with raw_http.stream("POST", replay.base_url + "/chat/completions", json={}) as resp:
        raw = resp.read()  # decoded (gzip undone) by the client, as the SDK sees it
    assert resp.status_code == cap.status
    assert raw == cap.body.encode()
    for key, value in cap.headers or []:
        if key.lower() not in {"transfer-encoding", "content-length"}:
            assert resp.headers[key] == value


def test_gzip_capture_really_arrives_gzipped(replay: ReplayServer, raw_http: httpx2.Client) -> None:
    cap = replay.load("error-400-invalid-parameter-prefixed-gzip-2025-08")
    with raw_http.stream("POST", replay.base_url + "/chat/completions", json={}) as resp:
        wire = b"".join(resp.iter_raw())
    assert resp.headers["content-encoding"] == "gzip"
    assert cap.body is not None and gzip.decompress(wire) == cap.body.encode()


# -- successful chat ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What a user sees in the final message."""

    text: str
    usage: dict[str, Any] | None
    finish: str
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    model: str = "qwen-plus"
    tools: list[dict[str, Any]] = field(default_factory=list)
    llm: dict[str, Any] = field(default_factory=dict)
    request_id: str | None = None


def _tool(name: str, **props: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": {k: {"type": v} for k, v in props.items()}, "required": list(props)}
    return {"type": "function", "function": {"name": name, "description": f"{name} tool", "parameters": schema}}


def _call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def _usage(i: int, o: int, **details: Any) -> dict[str, Any]:
    return {"input_tokens": i, "output_tokens": o, "total_tokens": i + o, **details}


JSON_CHATS = {
    "chat-qwen-plus-doc-2024-07": Expect(
        "我是通义千问，由阿里云开发的人工智能助手。我被设计用来回答各种问题、提供信息和与用户进行对话。有什么我可以帮助你的吗？",
        _usage(22, 37),
        "stop",
    ),
    "chat-qwen-plus-curl-2025-11": Expect(
        "我是通义千问（Qwen），由阿里巴巴云研发的超大规模语言模型。我能够回答问题、创作文字，如写故事、公文、邮件、剧本等，"
        "还能进行逻辑推理、编程，甚至表达观点和玩游戏。我支持多种语言，包括但不限于中文、英文、德语、法语、西班牙语等。\n\n"
        "如果你有任何问题或需要帮助，欢迎随时告诉我！",
        _usage(22, 84),
        "stop",
    ),
    "chat-qwen-plus-curl-2026-02": Expect(
        "你好！我是通义千问（Qwen），阿里巴巴集团旗下的超大规模语言模型。我可以回答问题、创作文字，比如写故事、写公文、"
        "写邮件、写剧本、逻辑推理、编程等等，还能表达观点，玩游戏等。如果你有任何问题或需要帮助，欢迎随时告诉我！😊",
        _usage(11, 65),
        "stop",
    ),
    "chat-qwen-plus-with-headers-2025-12": Expect(
        "Hello! ٩(◕‿◕｡)۶ How can I assist you today?",
        _usage(10, 20),
        "stop",
        request_id="120e5847-3394-923c-a494-8eb9f81cb36e",
    ),
    "chat-qwen-flash-tool-call-2025-11": Expect(
        "",
        _usage(261, 28),
        "tool_calls",
        model="qwen-flash",
        tools=[_tool("mysql_select_tool", id="string", tableName="string")],
        tool_calls=[_call("mysql_select_tool", {"id": "123", "tableName": "users"}, "call_7babcd9e20224af09f5d03")],
    ),
    "chat-qwen3-coder-plus-text-and-tool-call-2025-08": Expect(
        "I'll help you navigate to Wikipedia using Chromium browser and check its accessibility. Let me do this step "
        "by step.\n\nFirst, I'll navigate to the Wikipedia website:\n\n",
        _usage(4684, 72, input_token_details={"cache_read": 4352}),
        "tool_calls",
        model="qwen3-coder-plus",
        tools=[_tool("playwright_navigate", url="string", browserType="string")],
        tool_calls=[
            _call(
                "playwright_navigate",
                {"url": "https://www.wikipedia.org", "browserType": "chromium"},
                "call_88205bf056b54f95b817e2ee",
            )
        ],
    ),
}

STREAM_CHATS = {
    "stream-qwen-plus-doc-singapore": Expect(
        "I am a large language model from Alibaba Cloud. My name is Qwen.", None, "stop"
    ),
    "stream-qwen-plus-thinking-usage-2025-11": Expect(
        "你好！我是通义千问，是阿里巴巴集团旗下的通，随时告诉我！😊",
        _usage(22, 382, output_token_details={"reasoning": 210}),
        "stop",
        reasoning="好的，用户问“你是谁？”，我需要先确定用户，最后邀请互动。",
        llm={"enable_thinking": True},
    ),
    "stream-qwen3.5-flash-thinking-tool-call-2026-04": Expect(
        "",
        None,
        "tool_calls",
        reasoning='用户想查询杭州2026年4月16日的天气。location，用户说的是"杭州"，所以我应该使用"杭州市"作为location参数。',
        model="qwen3.5-flash",
        tools=[_tool("get_current_weather", location="string")],
        tool_calls=[_call("get_current_weather", {"location": "杭州市"}, "call_b24c21aa4905423d813479e4")],
    ),
    "stream-qwen-plus-tool-call-null-arguments-2025-09": Expect(
        "",
        None,
        "tool_calls",
        tools=[_tool("execute_redis_command", command="string")],
        tool_calls=[_call("execute_redis_command", {"command": "KEYS *"}, "call_30fb8bdcce274fbfbb8bd4")],
    ),
}


def wire_identity(cap: Capture) -> tuple[str, str]:
    """(completion id, served model) as the capture states them (first JSON object of the body)."""
    assert cap.body is not None
    first = json.loads(cap.events()[0]) if cap.is_sse else json.loads(cap.body)
    return first["id"], first["model"]


def check_message(msg: Any, exp: Expect, cap: Capture | None = None) -> None:
    if cap is not None:
        assert (msg.id, msg.response_metadata["model_name"]) == wire_identity(cap)
    assert msg.content == exp.text
    assert msg.usage_metadata == exp.usage
    assert msg.response_metadata.get("finish_reason") == exp.finish
    assert [{k: tc[k] for k in ("name", "args", "id", "type")} for tc in msg.tool_calls] == exp.tool_calls
    assert msg.additional_kwargs.get("reasoning_content") == exp.reasoning
    reasoning_blocks = [b["reasoning"] for b in msg.content_blocks if b["type"] == "reasoning"]
    assert reasoning_blocks == ([exp.reasoning] if exp.reasoning else [])
    assert not getattr(msg, "invalid_tool_calls", [])


def _llm(replay: ReplayServer, exp: Expect, **kwargs: Any) -> Any:
    llm = chat(replay, exp.model, **exp.llm, **kwargs)
    return llm.bind_tools(exp.tools) if exp.tools else llm


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
@pytest.mark.parametrize("name", list(JSON_CHATS))
def test_json_chat_completion(replay: ReplayServer, name: str, mode: str) -> None:
    cap = replay.load(name)
    exp = JSON_CHATS[name]
    msg = run(_llm(replay, exp), mode)
    check_message(msg, exp, cap)
    sent = replay.log[-1]
    assert sent["path"] == "/compatible-mode/v1/chat/completions"
    assert sent["json"]["model"] == exp.model and not sent["json"].get("stream")
    if exp.tools:
        assert [t["function"]["name"] for t in sent["json"]["tools"]] == [t["function"]["name"] for t in exp.tools]
    if exp.request_id:
        assert msg.response_metadata["request_id"] == exp.request_id


@pytest.mark.parametrize("mode", ["stream", "astream", "invoke", "ainvoke"])
@pytest.mark.parametrize("name", list(STREAM_CHATS))
def test_stream_chat_completion(replay: ReplayServer, name: str, mode: str) -> None:
    cap = replay.load(name)
    exp = STREAM_CHATS[name]
    extra = {"streaming": True} if mode in ("invoke", "ainvoke") else {}
    msg = run(_llm(replay, exp, **extra), mode)
    check_message(msg, exp, cap)
    assert replay.log[-1]["json"]["stream"] is True


VIDEO = "https://susuanimqiniu.xxxxbox.cn/17291526226730.mp4"


@pytest.mark.parametrize(
    "block",
    [{"type": "video_url", "video_url": {"url": VIDEO}}, {"type": "video", "url": VIDEO}],
    ids=["openai", "standard"],
)
def test_video_question(replay: ReplayServer, block: dict[str, Any]) -> None:
    replay.load("chat-qwen-vl-max-video-2024-10")
    msg = chat(replay, "qwen-vl-max-latest").invoke(
        [HumanMessage(content=[block, {"type": "text", "text": "这些是什么"}])]
    )
    assert msg.content.startswith("这是一段关于数学教学的视频。")
    assert msg.usage_metadata == _usage(23925, 45)
    assert replay.log[-1]["json"]["messages"] == [
        {
            "role": "user",
            "content": [{"type": "video_url", "video_url": {"url": VIDEO}}, {"type": "text", "text": "这些是什么"}],
        }
    ]


def test_stream_only_model_invoke_reads_the_stream(replay: ReplayServer) -> None:
    replay.load("stream-qwen-plus-thinking-usage-2025-11")
    msg = chat(replay, "qwq-plus").invoke("hi")
    check_message(msg, STREAM_CHATS["stream-qwen-plus-thinking-usage-2025-11"])
    assert replay.log[-1]["json"]["stream"] is True


def test_stream_chunks_arrive_in_order_with_reasoning_first(replay: ReplayServer) -> None:
    replay.load("stream-qwen-plus-thinking-usage-2025-11")
    chunks = list(chat(replay, enable_thinking=True).stream("hi"))
    kinds = [
        ("r" if c.additional_kwargs.get("reasoning_content") else "t")
        for c in chunks
        if c.content or c.additional_kwargs
    ]
    assert kinds == sorted(kinds), "all reasoning chunks come before the answer"
    assert "".join(c.content for c in chunks) == STREAM_CHATS["stream-qwen-plus-thinking-usage-2025-11"].text
    assert chunks[-1].usage_metadata is not None or any(c.usage_metadata for c in chunks)


# -- errors ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Err:
    """The typed error a user catches."""

    cls: type[Exception]
    code: str
    shown: str
    retryable: bool = False
    request_id: str | None = None


HTTP_ERRORS = {
    "error-400-invalid-parameter-prefixed-gzip-2025-08": Err(
        QwenBadRequestError,
        "invalid_parameter_error",
        "Field required: parameters.translation_options",
        request_id="c99fa8f2-1154-9420-a8ce-57717ca32ee6",
    ),
    "error-400-tool-choice-thinking-2026-04": Err(
        QwenBadRequestError,
        "invalid_parameter_error",
        "The tool_choice parameter does not support being set to required or object in thinking mode",
        request_id="5bf78562-0341-9de2-8d10-5429ef761b7e",
    ),
    "error-400-data-inspection-prefixed-2026-09": Err(
        QwenContentInspectionError, "data_inspection_failed", "Input text data may contain inappropriate content."
    ),
    "error-400-data-inspection-stream-request-2025-12": Err(
        QwenContentInspectionError,
        "data_inspection_failed",
        "Input data may contain inappropriate content. For details, see: "
        "https://help.aliyun.com/zh/model-studio/error-code#inappropriate-content",
        request_id="c2b25c93-9684-4d7e-91df-793f0cdbef88",
    ),
    "error-400-datainspectionfailed-camelcase-go": Err(
        QwenContentInspectionError, "DataInspectionFailed", "Input data may contain inappropriate content."
    ),
    "error-401-invalid-api-key-beijing-2026-04": Err(
        QwenAuthenticationError,
        "invalid_api_key",
        "Incorrect API key provided. For details, see: https://help.aliyun.com/zh/model-studio/error-code#apikey-error",
        request_id="df074838-8a33-994b-b5d7-9792540d48d6",
    ),
    "error-401-invalid-api-key-us-2026": Err(
        QwenAuthenticationError,
        "invalid_api_key",
        "Incorrect API key provided. For details, see: "
        "https://www.alibabacloud.com/help/en/model-studio/error-code#apikey-error",
    ),
    "error-403-free-tier-only-2026-09": Err(
        QwenPermissionDeniedError,
        "AllocationQuota.FreeTierOnly",
        "The free quota has been exhausted. To continue accessing the model on a paid basis",
    ),
    "error-400-arrearage-2026": Err(
        QwenBadRequestError,
        "Arrearage",
        "Access denied, please make sure your account is in good standing. For details, see: "
        "https://help.aliyun.com/zh/model-studio/error-code#overdue-payment",
        request_id="8605e472-81b4-9cd7-b04d-878e89847c14",
    ),
    "error-429-rate-quota-2026-07": Err(
        QwenRateLimitError, "Throttling.RateQuota", "Requests rate limit exceeded, please try again later.", True
    ),
}


def check_error(exc: BaseException, exp: Err, status: int) -> None:
    assert type(exc) is exp.cls, exc
    assert isinstance(exc, QwenError)
    assert exc.code == exp.code  # type: ignore[attr-defined]
    assert getattr(exc, "status_code", None) == status
    message = str(exc)
    assert message.startswith(f"Error code: {status} - {exp.shown}")
    assert "InternalError.Algo" not in message, "the <400> InternalError.Algo.<Code>: prefix is not shown"
    assert exc.is_retryable is exp.retryable  # type: ignore[attr-defined]
    if exp.request_id:
        assert exc.request_id == exp.request_id  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
@pytest.mark.parametrize("name", list(HTTP_ERRORS))
def test_http_error_body(replay: ReplayServer, name: str, mode: str) -> None:
    cap = replay.load(name)
    with pytest.raises(HTTP_ERRORS[name].cls) as info:
        run(chat(replay), mode)
    check_error(info.value, HTTP_ERRORS[name], cap.status)
    assert len(replay.log) == 1, "never retried with max_retries=0"


def test_error_body_keeps_the_raw_message(replay: ReplayServer) -> None:
    replay.load("error-400-tool-choice-thinking-2026-04")
    with pytest.raises(QwenBadRequestError) as info:
        chat(replay, "qwen3.5-plus").invoke("hi")
    assert info.value.body == {  # type: ignore[attr-defined]
        "message": "<400> InternalError.Algo.InvalidParameter: The tool_choice parameter does not support being set "
        "to required or object in thinking mode",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_parameter_error",
    }


def test_auth_error_names_the_host_it_went_to(replay: ReplayServer) -> None:
    replay.load("error-401-invalid-api-key-us-2026")
    with pytest.raises(QwenAuthenticationError) as info:
        chat(replay).invoke("hi")
    assert replay.base_url in str(info.value)
    assert "region" in str(info.value)


def test_empty_404_outside_compatible_mode_names_the_path(replay: ReplayServer) -> None:
    replay.load("error-404-path-without-compatible-mode-2024-12")
    native = replay.base_url.replace("/compatible-mode/v1", "/api/v1")
    with pytest.raises(QwenNotFoundError) as info:
        ChatQwen(model="qwen-plus", api_key=KEY, base_url=native, max_retries=0).invoke("hi")
    assert str(info.value).startswith("Error code: 404 - DashScope returned HTTP 404")
    assert "/compatible-mode/v1" in str(info.value) and native in str(info.value)
    assert info.value.code is None
    assert replay.log[-1]["path"] == "/api/v1/chat/completions"


def test_rate_limit_is_retried_and_moderation_is_not(replay: ReplayServer) -> None:
    replay.load("error-429-rate-quota-2026-07")
    with pytest.raises(QwenRateLimitError):
        ChatQwen(model="qwen-plus", api_key=KEY, base_url=replay.base_url, max_retries=1).invoke("hi")
    assert len(replay.log) == 2
    replay.load("error-400-data-inspection-prefixed-2026-09")
    with pytest.raises(QwenContentInspectionError):
        ChatQwen(model="qwen-plus", api_key=KEY, base_url=replay.base_url, max_retries=2).invoke("hi")
    assert len(replay.log) == 1


# -- moderation of a streaming request: HTTP 400 whose body is `data: {"error": ...}` --------------

SSE_400 = {
    "stream-400-sse-body-data-inspection-2026-09": "Input text data may contain inappropriate content.",
    "stream-400-sse-body-image-inspection-2026": "Input image data may contain inappropriate content.",
}


def _sse_400_call(replay: ReplayServer, mode: str) -> None:
    if mode == "qwq-plus":  # stream-only model: invoke streams internally
        chat(replay, "qwq-plus").invoke("hi")
    elif mode in ("invoke", "ainvoke"):
        run(chat(replay, streaming=True), mode)
    else:
        run(chat(replay), mode)


@pytest.mark.parametrize("mode", ["stream", "astream", "invoke", "ainvoke", "qwq-plus"])
@pytest.mark.parametrize("name", list(SSE_400))
def test_stream_request_refused_with_sse_body(replay: ReplayServer, name: str, mode: str) -> None:
    replay.load(name)
    with pytest.raises(QwenContentInspectionError) as info:
        _sse_400_call(replay, mode)
    check_error(info.value, Err(QwenContentInspectionError, "data_inspection_failed", SSE_400[name]), 400)
    assert "data:" not in str(info.value)
    body = info.value.body  # type: ignore[attr-defined]
    assert body["code"] == "data_inspection_failed" and body["message"] == SSE_400[name]
    assert replay.log[-1]["json"]["stream"] is True


# -- in-band error frames on an HTTP 200 stream --------------------------------------------------

MID_STREAM = {
    "stream-midstream-moderation-qwen3.7-plus-go": ("Partial", "Output data may contain inappropriate content."),
    "stream-midstream-moderation-after-content-newapi": (
        "Hi",
        "Output data may contain inappropriate content. For details, see: "
        "https://help.aliyun.com/zh/model-studio/error-code#inappropriate-content",
    ),
    "stream-midstream-moderation-before-content-newapi": (
        "",
        "Output data may contain inappropriate content. For details, see: "
        "https://help.aliyun.com/zh/model-studio/error-code#inappropriate-content",
    ),
}


@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("name", list(MID_STREAM))
def test_mid_stream_error_after_partial_text(replay: ReplayServer, name: str, mode: str) -> None:
    replay.load(name)
    partial, shown = MID_STREAM[name]
    got, exc = received_before_error(chat(replay), mode)
    assert got == partial
    kept = getattr(exc, "partial", None)
    assert (kept.content if kept is not None else "") == partial, "err.partial holds what was streamed"
    check_error(exc, Err(QwenContentInspectionError, "data_inspection_failed", shown), 400)


def _partial_of(replay: ReplayServer, mode: str) -> Any:
    with pytest.raises(QwenContentInspectionError) as info:
        if mode == "qwq-plus":
            chat(replay, "qwq-plus").invoke("hi")
        else:
            run(chat(replay, streaming=True), mode)
    return info.value


@pytest.mark.parametrize("mode", ["qwq-plus", "invoke", "ainvoke"])
@pytest.mark.parametrize("name", [n for n, (p, _) in MID_STREAM.items() if p])
def test_mid_stream_error_keeps_partial_on_the_error(replay: ReplayServer, name: str, mode: str) -> None:
    replay.load(name)
    exc = _partial_of(replay, mode)
    assert exc.code == "data_inspection_failed"  # type: ignore[attr-defined]
    partial = getattr(exc, "partial", None)
    assert partial is not None, "text received before the error is kept on err.partial"
    assert partial.content == MID_STREAM[name][0]


# -- embeddings ----------------------------------------------------------------------------------

VECTOR = [0.0026341788470745087, -0.03762197867035866, -0.047639328986406326, -0.03625597432255745]


@pytest.mark.parametrize("mode", ["embed_query", "aembed_query", "embed_documents"])
def test_embeddings(replay: ReplayServer, mode: str) -> None:
    replay.load("embeddings-text-embedding-v4-2026")
    emb = QwenEmbeddings(model="text-embedding-v4", api_key=KEY, base_url=replay.base_url, max_retries=0)
    text = "我想知道迪士尼的退票政策"
    if mode == "embed_query":
        assert emb.embed_query(text) == VECTOR
    elif mode == "aembed_query":
        assert asyncio.run(emb.aembed_query(text)) == VECTOR
    else:
        assert emb.embed_documents([text]) == [VECTOR]
    sent = replay.log[-1]
    assert sent["path"] == "/compatible-mode/v1/embeddings"
    assert sent["json"]["model"] == "text-embedding-v4"
    assert text in json.dumps(sent["json"]["input"], ensure_ascii=False)


def test_capture_loader_reads_every_file() -> None:
    names = {p.stem for p in CAPTURES.glob("*.json")}
    assert {c.name for c in all_captures()} == names
    assert load("embeddings-text-embedding-v4-2026").record["elided"]

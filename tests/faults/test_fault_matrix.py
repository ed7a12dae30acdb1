"""Fault matrix: each scripted fault through invoke / stream / ainvoke / astream (and embeddings), over real HTTP.

Every failure must be a typed `QwenError` with the server's own text, keep the partial answer, carry no
API key (request headers redacted, pickling included) and end within the call's deadline.
"""

from __future__ import annotations

import asyncio
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk

from langchain_qwen import ChatQwen, QwenEmbeddings
from langchain_qwen._errors import (
    REDACTED,
    QwenAPIStatusError,
    QwenAuthenticationError,
    QwenContentInspectionError,
    QwenError,
    QwenRateLimitError,
    QwenServerError,
    QwenStreamInterruptedError,
    QwenTimeoutError,
)
from tests.faults._server import (
    CLOSE,
    HANG,
    FaultServer,
    Script,
    Sleep,
    body_response,
    chunk,
    completion,
    embeddings,
    frame,
    http_head,
    json_response,
    sse_head,
    stream_ok,
)

KEY = "sk-fault-SECRET-0123456789"
MODES = ("invoke", "stream", "ainvoke", "astream")


@dataclass
class Outcome:
    text: str
    chunks: list[Any]
    error: BaseException | None
    seconds: float


def drive(llm: Any, mode: str) -> Outcome:
    """Call `llm` in `mode`; returns what a user would hold: the text (or chunks so far) and the error."""
    chunks: list[Any] = []
    start = time.monotonic()

    async def astream() -> str:
        async for c in llm.astream("hi"):
            chunks.append(c)
        return "".join(c.text for c in chunks)

    try:
        if mode == "invoke":
            text = llm.invoke("hi").text
        elif mode == "ainvoke":
            text = asyncio.run(llm.ainvoke("hi")).text
        elif mode == "stream":
            for c in llm.stream("hi"):
                chunks.append(c)
            text = "".join(c.text for c in chunks)
        else:
            text = asyncio.run(astream())
    except Exception as exc:
        return Outcome("".join(c.text for c in chunks), chunks, exc, time.monotonic() - start)
    return Outcome(text, chunks, None, time.monotonic() - start)


def check_typed(err: BaseException | None, cls: type, *texts: str) -> Any:
    """`err` is `cls` (and a QwenError), names the server's text, and carries no key, even pickled."""
    assert isinstance(err, cls) and isinstance(err, QwenError), repr(err)
    for text in texts:
        assert text in str(err), (text, str(err))
    request = getattr(err, "request", None)
    if request is not None and "authorization" in request.headers:
        assert request.headers["authorization"] == REDACTED
    blob = pickle.dumps(err)
    assert KEY.encode() not in blob
    back = pickle.loads(blob)
    assert type(back) is type(err) and str(back) == str(err)
    return err


def partial_text(err: Any, outcome: Outcome, mode: str) -> str:
    """What the user keeps: the streamed chunks, or on invoke the error's aggregated `partial`."""
    if mode in ("stream", "astream"):
        return outcome.text
    partial = getattr(err, "partial", None)
    return partial.text if partial is not None else ""


def chat(server: FaultServer, model: str = "qwq-plus", **kw: Any) -> ChatQwen:
    return ChatQwen(model=model, api_key=KEY, base_url=server.url, **kw)


# --- stream faults (qwq-plus is stream-only, so invoke/ainvoke stream internally) ----------------------

HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center>nginx</center></body>\r\n</html>\r\n"
)
MODERATION = {
    "error": {
        "message": "Output data may contain inappropriate content.",
        "type": "data_inspection_failed",
        "param": None,
        "code": "data_inspection_failed",
    }
}


def _started(*tail: Any) -> Script:
    return [sse_head(), frame(chunk("Hello ")), frame(chunk("wor")), *tail]


STREAM_FAULTS: dict[str, tuple[Script, type, str]] = {
    "malformed_json_frame": (
        _started(b'data: {"choices": [{"delta": {"content": "x"\n\n', CLOSE),
        QwenStreamInterruptedError,
        "undecodable event-stream data",
    ),
    "html_502_mid_stream": (_started(HTML_502, CLOSE), QwenStreamInterruptedError, "502 Bad Gateway"),
    "in_band_error_frame": (_started(frame(MODERATION), CLOSE), QwenContentInspectionError, "inappropriate content"),
    "disconnect_mid_stream": (_started(CLOSE), QwenStreamInterruptedError, "connection closed"),
    "raw_json_error_line": (
        _started(b'{"error": {"message": "gateway says no", "code": "InternalError"}}\n\n', CLOSE),
        QwenServerError,
        "gateway says no",
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", sorted(STREAM_FAULTS))
def test_stream_faults_are_typed_and_keep_the_partial(server: FaultServer, fault: str, mode: str) -> None:
    script, cls, text = STREAM_FAULTS[fault]
    server.script(script)
    out = drive(chat(server), mode)
    err = check_typed(out.error, cls, text)
    assert partial_text(err, out, mode) == "Hello wor"
    assert len(server.requests) == 1  # output had started: never retried


@pytest.mark.parametrize("mode", MODES)
def test_deadline_ends_a_stream_that_only_pings(server: FaultServer, mode: str) -> None:
    pings = [step for _ in range(40) for step in (Sleep(0.1), b": ping\n\n")]
    server.script(_started(*pings, CLOSE))
    out = drive(chat(server, timeout=2, total_timeout=0.8), mode)
    err = check_typed(out.error, QwenTimeoutError, "total_timeout=0.8 s")
    assert partial_text(err, out, mode) == "Hello wor"
    assert 0.7 < out.seconds < 3.0  # the pings alone would run 4 s


@pytest.mark.parametrize("mode", MODES)
def test_deadline_ends_a_silent_server(server: FaultServer, mode: str) -> None:
    # Stream modes: event-stream headers, then nothing. invoke/ainvoke (qwen-plus, not streamed): a JSON
    # head announcing a body that never comes. Three attempts of `timeout` would be 3 x 30 s.
    silent = (
        [sse_head(), HANG]
        if "stream" in mode
        else [http_head(200, {"Content-Type": "application/json"}, length=99), HANG]
    )
    server.script(silent, silent, silent)
    out = drive(chat(server, model="qwen-plus", timeout=30, total_timeout=0.6), mode)
    check_typed(out.error, QwenTimeoutError, "total_timeout=0.6 s")
    assert out.seconds < 3.0


# --- whole-body faults ----------------------------------------------------------------------------------

BODY_FAULTS: dict[str, tuple[Script, type, str]] = {
    "http200_html_body": (
        body_response(200, b"<html><body>Service temporarily unavailable</body></html>", "text/html"),
        QwenAPIStatusError,
        "Service temporarily unavailable",
    ),
    "http200_plain_text_body": (
        body_response(200, b"upstream connect error", "text/plain"),
        QwenAPIStatusError,
        "upstream connect error",
    ),
    "http200_json_error_body": (
        json_response(200, {"error": {"message": "An internal error has occured", "code": "InternalError"}}),
        QwenServerError,
        "An internal error has occured",
    ),
    "http400_json_error": (
        json_response(400, {"error": {"message": "<400> InternalError.Algo.InvalidParameter: bad top_p"}}),
        QwenError,
        "bad top_p",
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", sorted(BODY_FAULTS))
def test_body_faults_keep_the_server_text(server: FaultServer, fault: str, mode: str) -> None:
    script, cls, text = BODY_FAULTS[fault]
    server.script(script)
    out = drive(chat(server, model="qwen-plus"), mode)
    check_typed(out.error, cls, text)
    assert len(server.requests) == 1


def test_401_hint_names_region_and_plan(server: FaultServer) -> None:
    server.script(json_response(401, {"error": {"message": "Incorrect API key provided.", "code": "invalid_api_key"}}))
    out = drive(
        ChatQwen(model="qwen-plus", api_key=KEY, base_url=server.url, region="ap-southeast-1", plan="payg"), "invoke"
    )
    check_typed(out.error, QwenAuthenticationError, "Incorrect API key", "ap-southeast-1", "pay-as-you-go", "plan")


# --- retries, Retry-After and the deadline --------------------------------------------------------------

THROTTLED = {"error": {"message": "Requests rate limit exceeded", "code": "limit_requests", "type": "limit_requests"}}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("after", ["120", "http-date"])
def test_retry_after_above_the_cap_raises_with_the_wait(server: FaultServer, mode: str, after: str) -> None:
    value = formatdate(time.time() + 3600, usegmt=True) if after == "http-date" else after
    server.script(json_response(429, THROTTLED, {"Retry-After": value}))
    out = drive(chat(server, model="qwen-plus", max_retries=3), mode)
    err = check_typed(out.error, QwenRateLimitError, "Requests rate limit exceeded", "retry after")
    assert err.retry_after > 60 and len(server.requests) == 1 and out.seconds < 5


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_within_the_cap_is_honoured(server: FaultServer, mode: str) -> None:
    ok = stream_ok("fine") if "stream" in mode else json_response(200, completion("fine"))
    server.script(json_response(429, THROTTLED, {"retry-after-ms": "300"}), ok)
    out = drive(chat(server, model="qwen-plus"), mode)
    assert out.error is None and out.text == "fine"
    assert len(server.requests) == 2 and server.requests[1].at - server.requests[0].at >= 0.29


def test_retry_after_http_date_is_honoured(server: FaultServer) -> None:
    server.script(json_response(429, THROTTLED, {"Retry-After": formatdate(time.time() + 2, usegmt=True)}))
    server.script(json_response(200, completion("later")))
    out = drive(chat(server, model="qwen-plus"), "invoke")
    assert out.error is None and out.text == "later"
    assert server.requests[1].at - server.requests[0].at >= 0.9


@pytest.mark.parametrize("mode", MODES)
def test_5xx_is_retried_then_answers(server: FaultServer, mode: str) -> None:
    ok = stream_ok("after ", "retry") if "stream" in mode else json_response(200, completion("after retry"))
    server.script(json_response(503, {"error": {"message": "busy"}}, {"Retry-After": "0"}), ok)
    out = drive(chat(server, model="qwen-plus"), mode)
    assert out.error is None and out.text == "after retry" and len(server.requests) == 2


@pytest.mark.parametrize("mode", MODES)
def test_no_retry_wait_outlasts_the_deadline(server: FaultServer, mode: str) -> None:
    server.script(json_response(503, {"error": {"message": "busy"}}, {"Retry-After": "5"}))
    out = drive(chat(server, model="qwen-plus", max_retries=5, total_timeout=2), mode)
    check_typed(out.error, QwenServerError, "busy", "total_timeout=2 s")
    assert len(server.requests) == 1 and out.seconds < 2


@pytest.mark.parametrize("mode", MODES)
def test_crlf_and_one_byte_writes_are_a_normal_stream(server: FaultServer, mode: str) -> None:
    body = b"".join(frame(chunk(t)).replace(b"\n", b"\r\n") for t in ("Hel", "lo")) + b"data: [DONE]\r\n\r\n"
    server.script([sse_head(), *(body[i : i + 1] for i in range(len(body))), CLOSE])
    out = drive(chat(server), mode)
    assert out.error is None and out.text == "Hello"


# --- embeddings -------------------------------------------------------------------------------------------

EMBED_FAULTS: dict[str, tuple[Callable[[], Script], type, str]] = {
    "http200_html_body": (
        lambda: body_response(200, b"<html>Bad Gateway</html>", "text/html"),
        QwenAPIStatusError,
        "Bad Gateway",
    ),
    "http200_json_error_body": (
        lambda: json_response(
            200, {"error": {"message": "Throttling.RateQuota: slow down", "code": "Throttling.RateQuota"}}
        ),
        QwenRateLimitError,
        "slow down",
    ),
    "retry_after_above_cap": (
        lambda: json_response(429, THROTTLED, {"Retry-After": "600"}),
        QwenRateLimitError,
        "retry after 600 s",
    ),
    "silent_after_headers": (
        lambda: [http_head(200, {"Content-Type": "application/json"}, length=50), HANG],
        QwenTimeoutError,
        "total_timeout=0.6 s",
    ),
}


@pytest.mark.parametrize("sync", [True, False], ids=["embed_documents", "aembed_documents"])
@pytest.mark.parametrize("fault", sorted(EMBED_FAULTS))
def test_embedding_faults(server: FaultServer, fault: str, sync: bool) -> None:
    make, cls, text = EMBED_FAULTS[fault]
    server.script(make(), make(), make())
    emb = QwenEmbeddings(api_key=KEY, base_url=server.url, total_timeout=0.6, max_retries=2)
    with pytest.raises(Exception) as info:
        emb.embed_documents(["a", "b"]) if sync else asyncio.run(emb.aembed_documents(["a", "b"]))
    check_typed(info.value, cls, text)


def test_embeddings_answer_in_order(server: FaultServer) -> None:
    server.script(json_response(200, embeddings(2)))
    assert QwenEmbeddings(api_key=KEY, base_url=server.url).embed_documents(["a", "b"]) == [[0.0, 0.2], [0.1, 0.2]]


def test_stream_chunks_before_the_fault_are_delivered_in_order(server: FaultServer) -> None:
    server.script(STREAM_FAULTS["html_502_mid_stream"][0])
    out = drive(chat(server), "stream")
    assert [c.text for c in out.chunks if c.text] == ["Hello ", "wor"]
    assert all(isinstance(c, AIMessageChunk) for c in out.chunks)


@pytest.mark.parametrize("sync", [True, False], ids=["retrieve", "aretrieve"])
def test_deadline_bounds_files_api_calls_too(server: FaultServer, sync: bool) -> None:
    from langchain_qwen.files import QwenFiles

    silent = [http_head(200, {"Content-Type": "application/json"}, length=80), HANG]
    server.script(silent, silent, silent)
    files = QwenFiles(api_key=KEY, base_url=server.url, timeout=30, total_timeout=0.6)
    start = time.monotonic()
    with pytest.raises(Exception) as info:
        files.retrieve("file-fe-1") if sync else asyncio.run(files.aretrieve("file-fe-1"))
    check_typed(info.value, QwenTimeoutError)
    assert time.monotonic() - start < 10.0  # bounded by total_timeout=0.6, not by timeout=30

"""The HTTP path end to end, sync and async: keep-alive reuse, stale and cancelled connections, body framings, TLS,
the headers and bytes the SDK would send, and a user's legacy `httpx` client; all through ChatQwen over loopback."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import ssl
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import httpx2
import openai
import pytest
import trustme

from langchain_qwen import ChatQwen
from langchain_qwen._client import _ssl_context
from langchain_qwen._errors import (
    QwenAPIStatusError,
    QwenConnectionError,
    QwenError,
    QwenStreamInterruptedError,
    QwenTimeoutError,
)
from langchain_qwen._transport import LeanAsyncTransport
from tests.faults._server import (
    CLOSE,
    FaultServer,
    Sleep,
    chunk,
    chunked_stream,
    completion,
    frame,
    http_head,
    json_response,
    sse_head,
)

KEY = "sk-transport-0123456789"


def model(server: FaultServer, **kwargs: Any) -> ChatQwen:
    return ChatQwen(model="qwen-plus", api_key=KEY, base_url=server.url, max_retries=0, **kwargs)


def ok(text: str) -> list[Any]:
    return json_response(200, completion(text))


MODES = ("sync", "async")


def answers(llm: ChatQwen, n: int, mode: str) -> list[str]:
    """`n` sequential calls on one model (one event loop for the async ones)."""
    if mode == "sync":
        return [str(llm.invoke(f"q{i}").content) for i in range(n)]

    async def main() -> list[str]:
        return [str((await llm.ainvoke(f"q{i}")).content) for i in range(n)]

    return asyncio.run(main())


@pytest.mark.parametrize("mode", MODES)
def test_keep_alive_reuses_one_connection(server: FaultServer, mode: str) -> None:
    server.script(ok("a"), ok("b"), ok("c"))
    assert answers(model(server), 3, mode) == ["a", "b", "c"]
    assert len({r.peer for r in server.requests}) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_connection_the_server_closed_while_idle_is_not_reused(server: FaultServer, mode: str) -> None:
    # Connection: close on the first answer; the second call must open a new connection.
    head = http_head(200, {"Content-Type": "application/json"}, length=None, close=True)
    body = json.dumps(completion("a")).encode()
    server.script([head + body, CLOSE], ok("b"))
    assert answers(model(server), 2, mode) == ["a", "b"]
    assert len({r.peer for r in server.requests}) == 2


@pytest.mark.parametrize("mode", MODES)
def test_stale_keep_alive_connection_is_retried_once_on_a_fresh_one(server: FaultServer, mode: str) -> None:
    # The server reads the second request on the kept-alive connection and closes it without a byte
    # (a keep-alive timeout racing the request): the transport sends it once more on a new connection.
    server.script(ok("a"), [CLOSE], ok("b"))
    assert answers(model(server), 2, mode) == ["a", "b"]
    peers = [r.peer for r in server.requests]
    assert len(peers) == 3 and peers[0] == peers[1] != peers[2]


@pytest.mark.parametrize("mode", MODES)
def test_a_fresh_connection_closed_without_an_answer_is_a_connection_error(server: FaultServer, mode: str) -> None:
    server.script([CLOSE])
    with pytest.raises(QwenConnectionError):  # its own client (sync clients are cached per settings)
        answers(model(server, default_headers={"x-case": f"fresh-{mode}"}), 1, mode)
    assert len(server.requests) == 1  # no transport-level resend on a new connection


def slow_or_echo(delay: float) -> Any:
    """Answers the prompt "slow" after `delay` seconds with "late", any other prompt at once with "next"."""

    def handler(request: Any) -> list[Any]:
        slow = request.body["messages"][-1]["content"] == "slow"
        return [Sleep(delay), *ok("late")] if slow else ok("next")

    return handler


def test_a_cancelled_call_never_leaves_its_answer_for_the_next_one(server: FaultServer) -> None:
    server.handler = slow_or_echo(0.5)

    async def main() -> str:
        llm = model(server)
        task = asyncio.ensure_future(llm.ainvoke("slow"))
        while not server.requests:  # cancelled while the server holds the answer
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return str((await llm.ainvoke("q")).content)

    assert asyncio.run(main()) == "next"


def test_a_deadline_that_ends_a_blocked_read_never_leaves_its_answer_for_the_next_call(server: FaultServer) -> None:
    server.handler = slow_or_echo(0.6)
    llm = model(server, total_timeout=0.2)
    with pytest.raises(QwenTimeoutError):
        llm.invoke("slow")
    assert llm.invoke("q").content == "next"


@pytest.mark.parametrize("mode", MODES)
def test_a_body_cut_short_is_typed_and_the_connection_is_dropped(server: FaultServer, mode: str) -> None:
    body = json.dumps(completion("whole")).encode()
    head = http_head(200, {"Content-Type": "application/json"}, length=len(body))
    server.script([head + body[:10], CLOSE], ok("after"))
    llm = model(server)
    with pytest.raises(QwenError) as info:
        answers(llm, 1, mode)
    assert isinstance(info.value, QwenConnectionError)
    assert answers(llm, 1, mode) == ["after"]


@pytest.mark.parametrize("mode", MODES)
def test_read_timeout_is_typed(server: FaultServer, mode: str) -> None:
    server.script([Sleep(2.0), *ok("late")])
    with pytest.raises(QwenTimeoutError):
        answers(model(server, timeout=0.3), 1, mode)


def _framed(kind: str, text: str) -> list[Any]:
    raw = json.dumps(completion(text)).encode()
    if kind == "chunked":
        head = http_head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        return [
            head,
            b"%x\r\n%s\r\n" % (5, raw[:5]),
            b"%x;ext=1\r\n%s\r\n" % (len(raw) - 5, raw[5:]),
            b"0\r\nX-T: 1\r\n\r\n",
        ]
    if kind == "close-delimited":
        return [http_head(200, {"Content-Type": "application/json"}, close=True), raw, CLOSE]
    if kind == "interim 100":
        return [b"HTTP/1.1 100 Continue\r\n\r\n", *ok(text)]
    if kind == "http/1.0":  # no keep-alive unless the server says so: read, then a new connection
        head = http_head(200, {"Content-Type": "application/json"}, length=len(raw)).replace(b"HTTP/1.1", b"HTTP/1.0")
        return [head + raw]
    return ok(text)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", ["content-length", "chunked", "close-delimited", "interim 100", "http/1.0"])
def test_body_framings(server: FaultServer, kind: str, mode: str) -> None:
    server.script(_framed(kind, f"via {kind}"), ok("again"))
    assert answers(model(server, default_headers={"x-case": f"{kind}-{mode}"}), 2, mode) == [f"via {kind}", "again"]
    reused = server.requests[0].peer == server.requests[1].peer
    assert reused == (kind in ("content-length", "chunked", "interim 100"))


@pytest.mark.parametrize("mode", MODES)
def test_streams_chunked_and_close_delimited(server: FaultServer, mode: str) -> None:
    frames = [frame(chunk("Hel")), frame(chunk("lo", finish="stop")), frame(chunk(usage=True)), frame(b"[DONE]")]
    server.script(chunked_stream(frames), chunked_stream(frames), [sse_head(), *frames, CLOSE], ok("after"))
    llm = model(server, default_headers={"x-case": f"streams-{mode}"})  # its own connections

    async def main() -> list[str]:
        texts = []
        for _ in range(3):
            texts.append("".join([str(piece.content) async for piece in llm.astream("q")]))
        return [*texts, str((await llm.ainvoke("q")).content)]

    if mode == "sync":
        texts = ["".join(str(piece.content) for piece in llm.stream("q")) for _ in range(3)]
        texts.append(str(llm.invoke("q").content))
    else:
        texts = asyncio.run(main())
    assert texts == ["Hello", "Hello", "Hello", "after"]
    # A chunked stream ends with its terminator: the connection serves the next call; a close-delimited one
    # cannot be reused.
    peers = [r.peer for r in server.requests]
    assert peers[0] == peers[1] == peers[2] != peers[3]


@pytest.mark.parametrize("mode", MODES)
def test_concurrent_calls_each_get_their_own_answer(server: FaultServer, mode: str) -> None:
    server.handler = lambda request: ok(f"echo {request.body['messages'][-1]['content']}")
    prompts = [f"p{i}" for i in range(40)]
    llm, config = model(server), {"max_concurrency": 8}
    sync = mode == "sync"  # a thread pool sharing one blocking transport
    results = llm.batch(prompts, config=config) if sync else asyncio.run(llm.abatch(prompts, config=config))  # type: ignore[arg-type]
    assert [m.content for m in results] == [f"echo {p}" for p in prompts]
    assert len({r.peer for r in server.requests}) <= 8


def test_headers_and_body_are_the_sdks(server: FaultServer) -> None:
    server.script(ok("sdk"), ok("qwen"))
    message = {"role": "user", "content": "héllo"}

    async def main() -> None:
        sdk = openai.AsyncOpenAI(api_key=KEY, base_url=server.url, max_retries=0)
        await sdk.chat.completions.create(model="qwen-plus", messages=[message], extra_body={"enable_thinking": False})  # type: ignore[list-item]
        await model(server).ainvoke([message])

    asyncio.run(main())
    raw, ours = server.requests
    assert set(ours.headers) - {"x-stainless-async"} == set(raw.headers) - {"x-stainless-async"}
    for name in ("authorization", "user-agent", "content-type", "accept", "x-stainless-package-version"):
        assert ours.headers[name] == raw.headers[name]
    assert ours.body["messages"] == raw.body["messages"]


def test_a_users_legacy_httpx_clients_take_the_sdk_path(server: FaultServer) -> None:
    server.script(ok("sync"), ok("async"))
    with httpx.Client() as sync_client:
        llm = model(server, http_client=sync_client, http_async_client=httpx.AsyncClient())
        assert llm.invoke("q").content == "sync"
        assert asyncio.run(llm.ainvoke("q")).content == "async"


@pytest.fixture(scope="module")
def tls_server() -> Iterator[FaultServer]:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ctx)
    ca.configure_trust(_ssl_context())  # the clients' shared context trusts this test CA (and the system's)
    with FaultServer(ssl_context=server_ctx) as srv:
        yield srv


@pytest.mark.parametrize("mode", MODES)
def test_tls(tls_server: FaultServer, mode: str) -> None:
    tls_server.reset()
    tls_server.script(ok("secure"), ok("again"))
    assert answers(model(tls_server), 2, mode) == ["secure", "again"]
    assert len({r.peer for r in tls_server.requests}) == 1


def test_tls_refuses_an_untrusted_certificate() -> None:
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("localhost").configure_cert(server_ctx)  # a CA nobody trusts
    with FaultServer(ssl_context=server_ctx) as srv:
        srv.script(ok("never"), ok("never"))
        for mode in MODES:
            with pytest.raises(QwenConnectionError):
                answers(model(srv), 1, mode)


@pytest.mark.parametrize("mode", MODES)
def test_environment_proxies_are_honoured(server: FaultServer, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The fault server stands in for a forward proxy: it receives the absolute URL in the request line.
    proxy = server.url.split("/compatible-mode")[0]
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    server.script(ok("via proxy"))
    base_url = f"http://dashscope.proxied.invalid/compatible-mode/v1/{mode}"
    llm = ChatQwen(model="qwen-plus", api_key=KEY, base_url=base_url, max_retries=0)
    assert answers(llm, 1, mode) == ["via proxy"]
    assert server.requests[0].path == f"{base_url}/chat/completions"


def test_an_early_answer_to_a_body_still_being_sent_is_read() -> None:
    # The server answers 413 after the head and closes without reading the 8 MB body: the failed write
    # is followed by reading the answer, so the caller gets the typed status error, not a connection error.
    body = json.dumps({"error": {"message": "Request body too large", "code": "RequestEntityTooLarge"}}).encode()
    answer = http_head(413, {"Content-Type": "application/json"}, length=len(body), close=True) + body
    port: list[int] = []
    stop = threading.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        writer.close()

    async def main() -> None:
        srv = await asyncio.start_server(handle, "127.0.0.1", 0)
        port.append(srv.sockets[0].getsockname()[1])
        while not stop.is_set():
            await asyncio.sleep(0.02)
        srv.close()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    while not port:
        time.sleep(0.01)
    try:
        llm = ChatQwen(model="qwen-plus", api_key=KEY, base_url=f"http://127.0.0.1:{port[0]}/v1", max_retries=0)
        with pytest.raises(QwenAPIStatusError) as info:
            llm.invoke("x" * 8_000_000)
        assert info.value.status_code == 413 and "too large" in str(info.value)
    finally:
        stop.set()
        thread.join(5)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_never_shares_its_parents_connections(server: FaultServer) -> None:
    # Celery prefork, gunicorn --preload: a child inherits the parent's idle sockets; using one from both
    # processes would interleave two conversations on one connection.
    server.handler = lambda request: ok(f"echo {request.body['messages'][-1]['content']}")
    llm = model(server, default_headers={"x-case": "fork"})
    assert llm.invoke("parent-1").content == "echo parent-1"
    ctx = multiprocessing.get_context("fork")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads running (the fault server's)
        child = ctx.Process(target=_child_call, args=(llm,))
        child.start()
    child.join(20)
    assert child.exitcode == 0
    assert llm.invoke("parent-2").content == "echo parent-2"
    peers = {r.body["messages"][-1]["content"]: r.peer for r in server.requests}
    assert peers["parent-1"] == peers["parent-2"] != peers["child"]


def _child_call(llm: ChatQwen) -> None:
    os._exit(0 if llm.invoke("child").content == "echo child" else 1)


@pytest.mark.parametrize("mode", MODES)
def test_per_call_headers_and_timeout_make_their_own_request_shape(server: FaultServer, mode: str) -> None:
    def handler(request: Any) -> list[Any]:
        if request.headers.get("x-stainless-read-timeout") == "0.2":
            return [Sleep(1.0), *ok("late")]
        return ok("tagged" if "x-dashscope-datainspection" in request.headers else "plain")

    server.handler = handler
    llm = model(server, default_headers={"x-case": f"shapes-{mode}"})
    tagged = llm.bind(extra_headers={"X-DashScope-DataInspection": "disable"})
    quick = llm.bind(timeout=0.2)

    async def run_async() -> list[str]:
        out = [str((await llm.ainvoke("q")).content), str((await tagged.ainvoke("q")).content)]
        with pytest.raises(QwenTimeoutError):
            await quick.ainvoke("q")
        return [*out, str((await llm.ainvoke("q")).content)]

    if mode == "sync":
        texts = [str(llm.invoke("q").content), str(tagged.invoke("q").content)]
        with pytest.raises(QwenTimeoutError):
            quick.invoke("q")
        texts.append(str(llm.invoke("q").content))
    else:
        texts = asyncio.run(run_async())
    assert texts == ["plain", "tagged", "plain"]
    first, second, slow, last = server.requests
    assert "x-dashscope-datainspection" not in first.headers and "x-dashscope-datainspection" not in last.headers
    assert second.headers["x-dashscope-datainspection"] == "disable"
    assert slow.headers["x-stainless-read-timeout"] == "0.2"
    assert first.headers["x-stainless-read-timeout"] == last.headers["x-stainless-read-timeout"] == "600"
    assert first.headers["x-case"] == second.headers["x-case"] == f"shapes-{mode}"


@pytest.mark.parametrize("mode", MODES)
def test_a_chunked_stream_cut_mid_chunk_keeps_the_partial_and_httpcores_wording(server: FaultServer, mode: str) -> None:
    head = http_head(200, {"Content-Type": "text/event-stream", "Transfer-Encoding": "chunked"})
    first = frame(chunk("Hel"))
    server.script([head, b"%x\r\n%s\r\n" % (len(first), first), b"40\r\ndata: {", CLOSE])
    llm = model(server)

    async def consume() -> None:
        async for _ in llm.astream("q"):
            pass

    with pytest.raises(QwenStreamInterruptedError) as info:
        if mode == "sync":
            for _ in llm.stream("q"):
                pass
        else:
            asyncio.run(consume())
    assert "incomplete chunked read" in str(info.value)
    assert info.value.partial is not None and "Hel" in str(info.value.partial.content)


def test_open_connections_are_capped_and_a_full_pool_times_out(server: FaultServer) -> None:
    # The cap itself (1,000 by default, as the SDK's limits) with a small value: never more connections open.
    server.handler = lambda request: [Sleep(0.05), *ok("x")]

    async def main() -> tuple[int, list[Any]]:
        transport = LeanAsyncTransport(_ssl_context(), max_connections=2)
        async with httpx2.AsyncClient(transport=transport, timeout=5) as client:
            await asyncio.gather(*(client.post(f"{server.url}/chat/completions", json={}) for _ in range(6)))
            peers = len({r.peer for r in server.requests})
            tight = httpx2.Timeout(5, pool=0.02)
            calls = (client.post(f"{server.url}/x", json={}, timeout=tight) for _ in range(3))
            outcomes = await asyncio.gather(*calls, return_exceptions=True)
            return peers, outcomes

    peers, outcomes = asyncio.run(main())
    assert peers == 2
    assert [type(o).__name__ for o in outcomes].count("PoolTimeout") == 1
    assert sum(isinstance(o, httpx2.Response) and o.status_code == 200 for o in outcomes) == 2

"""The unit-test guard really blocks the network (a unit test that reaches a server fails loudly)."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketBlockedError

from langchain_qwen import ChatQwen

pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")


def _chain(exc: BaseException | None) -> list[BaseException]:
    out = []
    while exc is not None and len(out) < 20:
        out.append(exc)
        exc = exc.__cause__ or exc.__context__
    return out


def test_sockets_are_disabled_in_unit_tests() -> None:
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def test_a_call_cannot_reach_even_loopback() -> None:
    llm = ChatQwen(
        model="qwen-plus", api_key="sk-unit", base_url="http://127.0.0.1:9/compatible-mode/v1", max_retries=0
    )
    with pytest.raises(Exception) as info:
        llm.invoke("hi")
    assert any(isinstance(e, SocketBlockedError) for e in _chain(info.value))

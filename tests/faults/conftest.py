"""The scripted fault server (one per session, cleared per test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults._server import FaultServer


@pytest.fixture(scope="session")
def _fault_server() -> Iterator[FaultServer]:
    with FaultServer() as server:
        yield server


@pytest.fixture
def server(_fault_server: FaultServer) -> Iterator[FaultServer]:
    _fault_server.reset()
    yield _fault_server
    _fault_server.reset()

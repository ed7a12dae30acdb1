"""Shared fixtures: a loopback DashScope emulator (cleared per test) and sync/async call helpers."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from langchain_qwen._settings import ENV_VARS
from langchain_qwen.testing import DashScopeEmulator


def pytest_configure(config: pytest.Config) -> None:
    """Cache bytecode as a default Python does, even under PYTHONDONTWRITEBYTECODE (set on this machine).

    That variable also stops pytest from caching its assertion-rewritten test modules, so every run re-rewrote
    ~390 modules (about 2 s of CPU). `__pycache__/` is git-ignored.
    """
    sys.dont_write_bytecode = False


@pytest.fixture(scope="session")
def _emulator_server() -> Iterator[DashScopeEmulator]:
    with DashScopeEmulator(api_key="sk-emulator") as emu:
        yield emu


@pytest.fixture
def emulator(_emulator_server: DashScopeEmulator) -> Iterator[DashScopeEmulator]:
    """The session emulator with an empty request log and no pending faults."""
    _emulator_server.clear()
    yield _emulator_server
    _emulator_server.clear()


@pytest.fixture(autouse=True)
def _no_ambient_credentials(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a developer's real keys or base URLs (cassette tests keep the key, to re-record)."""
    cassette = request.node.get_closest_marker("vcr") is not None
    for name in (*ENV_VARS, "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        if not (cassette and name == "DASHSCOPE_API_KEY"):
            monkeypatch.delenv(name, raising=False)

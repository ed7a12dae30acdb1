"""Unit tests run with sockets disabled: anything that tries the network fails instead of passing by luck."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_socket import disable_socket, enable_socket


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    disable_socket(allow_unix_socket=True)
    yield
    enable_socket()


MYPY_CHECK = pytest.StashKey["subprocess.Popen[str]"]()


@pytest.fixture
def early_mypy_check(request: pytest.FixtureRequest) -> subprocess.Popen[str] | None:
    """The user-code type check started after collection (None when it was not started)."""
    return request.config.stash.get(MYPY_CHECK, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start the slow `mypy --strict` user-code check early, in its own process, when it is selected."""
    if not any(item.name == "test_mypy_strict_accepts_user_code" for item in items):
        return
    from tests.unit_tests.test_public_api import start_user_code_check

    workdir = Path(tempfile.mkdtemp(prefix="qwen-mypy-"))
    proc = start_user_code_check(workdir)
    config.stash[MYPY_CHECK] = proc
    config.add_cleanup(lambda: shutil.rmtree(workdir, ignore_errors=True))
    config.add_cleanup(proc.kill)

"""Fixtures shared by the emulator's protocol tests: a module-scoped emulator, raw HTTP and SDK clients."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import openai
import pytest

from langchain_qwen.testing import DashScopeEmulator


@pytest.fixture(scope="module")
def emu() -> Iterator[DashScopeEmulator]:
    with DashScopeEmulator(api_key="sk-emulator") as server:
        yield server


@pytest.fixture(autouse=True)
def _clean(emu: DashScopeEmulator) -> None:
    emu.clear()


@pytest.fixture(scope="module")
def http(emu: DashScopeEmulator) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.api_key}"}) as client:
        yield client


@pytest.fixture(scope="module")
def oai(emu: DashScopeEmulator) -> openai.OpenAI:
    return openai.OpenAI(base_url=emu.base_url, api_key=emu.api_key, max_retries=0)

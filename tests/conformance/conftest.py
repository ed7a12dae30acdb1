"""Fixtures of the conformance suite: one loopback replay server per module."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from tests.conformance._replay import ReplayServer


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


@pytest.fixture(scope="module")
def raw_http() -> Iterator[httpx2.Client]:
    """A plain HTTP client (one per module: building its TLS context is slow)."""
    with httpx2.Client() as client:
        yield client

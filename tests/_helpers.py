"""Sync/async call helpers shared by the emulator-backed tests."""

from __future__ import annotations

import asyncio
from typing import Any


def invoke(llm: Any, sync: bool, *args: Any, **kwargs: Any) -> Any:
    return llm.invoke(*args, **kwargs) if sync else asyncio.run(llm.ainvoke(*args, **kwargs))


def stream(llm: Any, sync: bool, *args: Any, **kwargs: Any) -> list[Any]:
    if sync:
        return list(llm.stream(*args, **kwargs))

    async def collect() -> list[Any]:
        return [c async for c in llm.astream(*args, **kwargs)]

    return asyncio.run(collect())


def merge(chunks: list[Any]) -> Any:
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    return full

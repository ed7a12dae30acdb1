"""Every ```python block of README.md runs as written, on its own, against the emulator (key and URL from the env)."""

from __future__ import annotations

import base64
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from langchain.chat_models import base as lc_base

from langchain_qwen import _errors, _profiles
from langchain_qwen.testing import DashScopeEmulator

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)
_ID_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")

# The local files the README's examples name (tiny but real: a 1x1 PNG, a JPEG header, a text PDF).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
FILES = {
    "cat.png": PNG,
    **{f"f{i}.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes([i]) * 64 + b"\xff\xd9" for i in range(1, 5)},
    "report.pdf": b"%PDF-1.4\n% Quarterly report: revenue grew 12 percent.\n%%EOF\n",
    "notes.md": b"# Notes\n\nThe launch moved to May.\n",
}


def _block_id(source: str) -> str:
    first = next(line for line in source.splitlines() if line.strip() and not line.startswith(("#", "from", "import")))
    return "-".join(_ID_WORDS.findall(first)[:3])


@pytest.fixture
def readme_env(emulator: DashScopeEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DashScopeEmulator:
    """What a reader has after `export DASHSCOPE_API_KEY=...`: here the emulator, in a folder with the named files."""
    monkeypatch.setenv("DASHSCOPE_API_KEY", emulator.api_key)
    monkeypatch.setenv("DASHSCOPE_BASE_URL", emulator.base_url)
    monkeypatch.setattr(_errors, "INITIAL_RETRY_DELAY", 0.01)
    work = tmp_path / "work"
    work.mkdir()
    for name, data in FILES.items():
        (work / name).write_bytes(data)
    monkeypatch.chdir(work)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    # Process-wide registrations a block may make (init_chat_model providers, model profiles) end with the test.
    monkeypatch.setattr(lc_base, "_BUILTIN_PROVIDERS", dict(lc_base._BUILTIN_PROVIDERS))
    monkeypatch.setattr(_profiles, "_REGISTERED", dict(_profiles._REGISTERED))
    _profiles._resolve.cache_clear()
    return emulator


def test_readme_has_python_blocks() -> None:
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize("source", BLOCKS, ids=[f"{i:02d}-{_block_id(b)}" for i, b in enumerate(BLOCKS)])
def test_readme_block_runs(source: str, readme_env: DashScopeEmulator, tmp_path: Path) -> None:
    namespace: dict[str, Any] = {"__name__": "__readme__"}
    try:
        exec(compile(source, "README.md", "exec"), namespace)
    finally:
        _profiles._resolve.cache_clear()
        lc_base._get_chat_model_creator.cache_clear()
    assert list((tmp_path / "temp").iterdir()) == []  # nothing left in the temp dir


def test_stream_example_prints_the_pieces_without_separators(
    readme_env: DashScopeEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    quick_start = next(b for b in BLOCKS if 'ChatQwen(model="qwq-plus").stream' in b)
    exec(compile(quick_start, "README.md", "exec"), {"__name__": "__readme__"})
    printed = capsys.readouterr().out
    assert "Emulated reply: Explain RLHF briefly" in printed  # the answer's pieces, joined without spaces

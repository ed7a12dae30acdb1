"""The size limits hold: no client function over 50 lines or above radon grade C; no emulator function over 60 lines."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "limits.py"


def test_size_limits() -> None:
    spec = importlib.util.spec_from_file_location("limits", SCRIPT)
    assert spec is not None and spec.loader is not None
    limits = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(limits)
    assert limits.offenders() == []

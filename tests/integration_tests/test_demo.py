"""The README's demo command runs offline against the built-in emulator and says so."""

import pytest

from langchain_qwen import demo


def test_demo_uses_emulator_without_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main(["What is 2+2?"]) == 0
    out = capsys.readouterr().out
    assert "using the built-in DashScope emulator" in out
    assert "[reasoning] The user asked: What is 2+2?" in out and "[answer] Emulated reply: What is 2+2?" in out
    assert "'reasoning':" in out

"""Execute the example notebooks against the built-in emulator and store their outputs.

    python notebooks/build.py              # re-execute every notebook and store its outputs
    python notebooks/build.py 01 08        # only the notebooks whose names start with these prefixes
    python notebooks/build.py --check      # re-execute and compare with the stored outputs (exit 1 if stale)

Cells run in an in-process IPython shell (the interpreter a Jupyter kernel wraps: same top-level `await`,
same display formatters), one fresh shell and namespace per notebook, with no DashScope key in the
environment, so every notebook uses the emulator. The test suite (`tests/notebook_tests`) runs the same
executor and compares outputs after normalising what differs between runs (ports, ids, timings, temp
paths). Warnings are stored as `Category: message` lines, and progress bars as their final state.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import re
import sys
import tempfile
import types
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from langchain_qwen._settings import ENV_VARS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV_TO_DROP = (*ENV_VARS, "OPENAI_API_KEY", "OPENAI_BASE_URL")
EMULATOR_LINE = "Using the built-in DashScope emulator at http://127.0.0.1:"


class NotebookError(RuntimeError):
    """A notebook cell raised, or the notebook left files in the temp dir."""


# --- capturing outputs ---------------------------------------------------------------------------


class _Events:
    """Everything a cell printed or displayed, in order."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def stream(self, name: str, text: str) -> None:
        if self.items and isinstance(self.items[-1], list) and self.items[-1][0] == name:
            self.items[-1][1] += text
        else:
            self.items.append([name, text])

    def output(self, output: Any) -> None:
        self.items.append(output)

    def outputs(self) -> list[Any]:
        out = []
        for item in self.items:
            if isinstance(item, list):
                out.append(nbformat.v4.new_output("stream", name=item[0], text=_final_frames(item[1])))
            else:
                out.append(item)
        return out


class _Stream:
    """sys.stdout / sys.stderr while a cell runs."""

    encoding = "utf-8"

    def __init__(self, events: _Events, name: str) -> None:
        self.events, self.name = events, name

    def write(self, text: str) -> int:
        if text:
            self.events.stream(self.name, text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class _ResultHook(DisplayHook):
    """The cell's last expression becomes an `execute_result` (as in Jupyter), not an `Out[n]:` print."""

    events: _Events | None = None

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict: dict[str, Any], md_dict: dict[str, Any] | None = None) -> None:
        assert self.events is not None
        self.events.output(
            nbformat.v4.new_output(
                "execute_result", data=format_dict, metadata=md_dict or {}, execution_count=self.prompt_count
            )
        )


class _Publisher(DisplayPublisher):
    """`display(...)` calls become `display_data` outputs."""

    events: _Events | None = None

    def publish(self, data: Any, metadata: Any = None, source: Any = None, **kwargs: Any) -> None:
        assert self.events is not None
        self.events.output(nbformat.v4.new_output("display_data", data=data, metadata=metadata or {}))


def _final_frames(text: str) -> str:
    """Progress bars redraw with `\\r`: keep what a notebook finally shows on each line."""
    return "\n".join(line.rsplit("\r", 1)[-1] if "\r" in line.rstrip("\r") else line for line in text.split("\n"))


# --- running a notebook --------------------------------------------------------------------------


@contextlib.contextmanager
def _environment(tmp: Path) -> Iterator[None]:
    """No DashScope settings, a private temp dir and working directory, warnings printed as a kernel would."""
    saved_env = {name: os.environ.pop(name) for name in ENV_TO_DROP if name in os.environ}
    saved_cwd, saved_tempdir = os.getcwd(), tempfile.tempdir
    os.chdir(tmp)
    tempfile.tempdir = str(tmp)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")  # each warning once per place, as in a fresh kernel ...
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.simplefilter("ignore", category)  # ... minus what Python hides by default
            warnings.showwarning = _show_warning
            yield
    finally:
        tempfile.tempdir = saved_tempdir
        os.chdir(saved_cwd)
        os.environ.update(saved_env)


def _show_warning(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    sys.stderr.write(f"{category.__name__}: {message}\n")


def _shell() -> InteractiveShell:
    config = Config()
    config.HistoryManager.enabled = False
    module = types.ModuleType("__notebook__")
    return InteractiveShell(
        config=config, user_module=module, displayhook_class=_ResultHook, display_pub_class=_Publisher
    )


def _run_cell(shell: InteractiveShell, source: str, count: int) -> list[Any]:
    events = _Events()
    shell.displayhook.events = events
    shell.display_pub.events = events
    shell.execution_count = count
    with contextlib.redirect_stdout(_Stream(events, "stdout")), contextlib.redirect_stderr(_Stream(events, "stderr")):
        result = shell.run_cell(source, store_history=False, silent=False)
    if not result.success:
        error = result.error_in_exec or result.error_before_exec
        raise NotebookError(f"cell {count} failed: {error!r}\n{source}") from error
    return events.outputs()


def _stop_emulators(namespace: dict[str, Any]) -> None:
    for value in list(namespace.values()):
        if type(value).__name__ == "DashScopeEmulator" and getattr(value, "running", False):
            value.stop()


def execute(path: Path) -> nbformat.NotebookNode:
    """Run every code cell of the notebook at `path` and return it with fresh outputs.

    Raises:
        NotebookError: A cell raised, or the notebook left files or folders in the temp dir.
    """
    nb = nbformat.read(path, as_version=4)
    shell = _shell()
    with tempfile.TemporaryDirectory(prefix="qwen-notebook-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            with _environment(tmp):
                count = 0
                for cell in nb.cells:
                    if cell.cell_type == "code":
                        count += 1
                        cell.outputs = _run_cell(shell, cell.source, count)
                        cell.execution_count = count
        finally:
            _stop_emulators(shell.user_ns)
            shell.cleanup()
        left = sorted(p.name for p in tmp.iterdir())
        if left:
            raise NotebookError(f"{path.name} left temporary files behind: {left}")
    return nb


# --- comparing ------------------------------------------------------------------------------------

_NORMALISE = [
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"\[\d+:\d+(<[^\]]*)?\]"), "[TIME]"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "UUID"),
    (
        re.compile(r"\b(chatcmpl|batch|file|call|req|cmpl)[-_](?=[A-Za-z_-]*\d)[A-Za-z0-9_-]+"),
        r"\1-ID",
    ),  # ids have digits
    (re.compile(r"\b(qwen-[a-z]+)-[A-Za-z0-9_]{8}\b"), r"\1-TMP"),
    (re.compile(r"\b0x[0-9a-f]{6,}\b"), "0xADDR"),
    (re.compile(r"\b1[6-9]\d{8}\b"), "TIMESTAMP"),
]


def normalise(text: str) -> str:
    for pattern, replacement in _NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def outputs_text(nb: nbformat.NotebookNode) -> list[str]:
    """One normalised text per code cell: its outputs in order (streams, text/plain and other data)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        parts = []
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(f"[{output.name}]\n{output.text}")
            elif output.output_type in ("execute_result", "display_data"):
                data = output.get("data", {})
                parts.append("[" + output.output_type + "]\n" + json.dumps(data, sort_keys=True, ensure_ascii=False))
            else:
                parts.append(f"[{output.output_type}]")
        cells.append(normalise("\n".join(parts)))
    return cells


def differences(stored: nbformat.NotebookNode, fresh: nbformat.NotebookNode) -> str:
    """A unified diff of the normalised outputs ('' when they agree)."""
    old, new = outputs_text(stored), outputs_text(fresh)
    if old == new:
        return ""
    lines = []
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else ""
        b = new[i] if i < len(new) else ""
        if a != b:
            diff = difflib.unified_diff(a.splitlines(), b.splitlines(), "stored", "fresh", lineterm="", n=1)
            lines += [f"code cell {i + 1}:", *diff]
    return "\n".join(lines)


def notebooks(prefixes: list[str] | None = None) -> list[Path]:
    paths = sorted(HERE.glob("*.ipynb"))
    return [p for p in paths if not prefixes or any(p.name.startswith(x) for x in prefixes)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="only notebooks whose names start with these")
    parser.add_argument("--check", action="store_true", help="compare with the stored outputs; write nothing")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # this checkout's package, not another installed copy
    stale = 0
    for path in notebooks(args.prefixes):
        fresh = execute(path)
        if args.check:
            diff = differences(nbformat.read(path, as_version=4), fresh)
            stale += bool(diff)
            print(f"{path.name}: {'stale' if diff else 'current'}")
            if diff:
                print(diff)
        else:
            nbformat.write(fresh, path)
            print(f"{path.name}: stored")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())

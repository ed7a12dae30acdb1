"""The example notebooks run offline (built-in emulator, no key) and their stored outputs are current.

Each notebook is re-executed in-process by `notebooks/build.py` (an IPython shell, as in a kernel, without a
kernel's start-up cost), must leave nothing in the temp dir, and must print what its stored outputs show
once run-specific values (ports, ids, timings, temp names) are normalised.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("IPython")

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOK_DIR / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _builder()


def test_notebooks_exist() -> None:
    assert len(NOTEBOOKS) >= 8, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs_offline_and_stored_outputs_are_current(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-must-not-be-used")  # the builder drops it: the emulator answers
    fresh = build.execute(path)  # raises NotebookError on a failing cell or leftover temp files
    first = fresh.cells[[c.cell_type for c in fresh.cells].index("code")]
    assert build.EMULATOR_LINE in "".join(o.get("text", "") for o in first.outputs)
    diff = build.differences(nbformat.read(path, as_version=4), fresh)
    assert not diff, f"{path.name}: stored outputs are stale; run `python notebooks/build.py {path.name[:2]}`\n{diff}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_stored_executed_without_scaffolding(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]
    shown = [cell for cell in code if cell.outputs]
    assert len(shown) >= len(code) // 2, f"{path.name}: most cells should show a result"
    for cell in code:
        tree = ast.parse("\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%")))
        asserts = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
        assert not asserts, f"{path.name}: test scaffolding in a notebook cell:\n{cell.source}"


def test_normalising_keeps_real_differences() -> None:
    a = "Using ... http://127.0.0.1:40517/v1\nBatch: 100%|##| 3/3 [00:01<00:00, 2.1req/s]\nid chatcmpl-abc123"
    b = "Using ... http://127.0.0.1:51234/v1\nBatch: 100%|##| 3/3 [00:00<00:00, 9.9req/s]\nid chatcmpl-zz9"
    assert build.normalise(a) == build.normalise(b)
    assert build.normalise(a) != build.normalise(a.replace("3/3", "2/3"))
    assert build.normalise("code batch_cancelled") != build.normalise("code batch_expired")  # words are not ids

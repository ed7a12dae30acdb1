"""Progress bars (tqdm) for parsing waits, batch polling and embedding jobs; batch temp files, `done` and repr (emulator)."""

from __future__ import annotations

import sys
import tempfile
import types
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from langchain_qwen import ChatQwen, QwenEmbeddings, _errors, _polling
from langchain_qwen.batch import BatchJob, QwenBatch, embed_batch, run_batch
from langchain_qwen.files import QwenFiles
from langchain_qwen.testing import DashScopeEmulator


@pytest.fixture
def emu() -> Iterator[DashScopeEmulator]:
    with DashScopeEmulator(api_key="sk-emulator", batch_seconds=0, parse_seconds=0) as server:  # done on first read
        yield server


@pytest.fixture(autouse=True)
def _quiet_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(_errors, "INITIAL_RETRY_DELAY", 0.01)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the package's temp folders land here


def _llm(emu: DashScopeEmulator) -> ChatQwen:
    return ChatQwen(model="qwen-plus", api_key=emu.api_key, base_url=emu.base_url)


def _temp_folders(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.glob("qwen-batch-*"))


def _fake_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)


def _fake_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    shell = types.SimpleNamespace(config={"IPKernelApp": {}})
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))


# --- when progress is drawn -------------------------------------------------------------------------


def test_auto_progress_is_on_in_terminals_and_notebooks_off_in_ci_and_pipes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    monkeypatch.setitem(sys.modules, "IPython", None)
    assert _polling.progress_enabled(None) is False  # non-interactive run
    assert _polling.progress_enabled(True) is True
    _fake_terminal(monkeypatch)
    assert _polling.progress_enabled(None) is True
    assert _polling.progress_enabled(False) is False
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    _fake_notebook(monkeypatch)
    assert _polling.progress_enabled(None) is True
    for value in ("true", "1", "yes"):
        monkeypatch.setenv("CI", value)
        assert _polling.progress_enabled(None) is False
        assert _polling.progress_enabled(True) is True  # asked for explicitly
    monkeypatch.setenv("CI", "false")
    assert _polling.progress_enabled(None) is True


def test_notebook_without_ipywidgets_draws_tqdm_text_bar_without_warnings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_notebook(monkeypatch)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # not installed
    monkeypatch.setattr(_polling, "AUTO_DELAY", 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bar = _polling.Progress(None, 4, label="Parsing documents", unit="file")
        bar.update(1)
        bar.update(0)
        bar.close()
    err = capsys.readouterr().err
    assert "Parsing documents:  75%" in err and "3/4" in err and "Parsing documents: 100%" in err and "4/4" in err


def test_parsing_wait_shows_progress(emu: DashScopeEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    files = QwenFiles(api_key=emu.api_key, base_url=emu.base_url)
    done = files.upload_many([b"# one", b"# two"], filenames=["a.md", "b.md"], progress=True)
    assert [f.status for f in done] == ["processed", "processed"]
    err = capsys.readouterr().err
    assert "Parsing documents:" in err and "2/2" in err and "file" in err


def test_progress_false_silences_even_a_terminal(
    emu: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_terminal(monkeypatch)
    monkeypatch.setattr(_polling, "AUTO_DELAY", 0.0)
    QwenFiles(api_key=emu.api_key, base_url=emu.base_url).upload(b"# doc", filename="a.md", progress=False)
    run_batch(_llm(emu), ["x"], progress=False)
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("CI", "true")  # auto mode in CI: silent too
    run_batch(_llm(emu), ["x"])
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("CI")
    run_batch(_llm(emu), ["x"])  # auto mode on a terminal draws the bar
    assert "Batch requests: 100%" in capsys.readouterr().err


def test_batch_polling_shows_request_counts(emu: DashScopeEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    job = QwenBatch(_llm(emu)).submit([f"q{i}" for i in range(5)])
    job.wait(progress=True)
    err = capsys.readouterr().err
    assert "Batch requests: 100%" in err and "5/5" in err and "req" in err
    job.close()


def test_large_embedding_jobs_show_progress(emu: DashScopeEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    emb = QwenEmbeddings(api_key=emu.api_key, base_url=emu.base_url, dimensions=64, progress=True)
    assert len(emb.embed_documents([f"text {i}" for i in range(25)])) == 25  # 3 requests of at most 10
    err = capsys.readouterr().err
    assert "Embedding: 100%" in err and "25/25" in err and "text" in err
    emb.embed_documents(["one request only"])
    assert capsys.readouterr().err == ""  # a single request draws nothing

    async def run() -> int:
        return len(await emb.aembed_documents([f"text {i}" for i in range(12)]))

    import asyncio

    assert asyncio.run(run()) == 12
    assert "12/12" in capsys.readouterr().err


# --- batch files -------------------------------------------------------------------------------------


def test_run_batch_leaves_no_temp_folder(emu: DashScopeEmulator, tmp_path: Path) -> None:
    assert [m.text for m in run_batch(_llm(emu), ["a", "b"])] == ["Emulated reply: a", "Emulated reply: b"]
    emb = QwenEmbeddings(api_key=emu.api_key, base_url=emu.base_url, dimensions=64)
    assert len(embed_batch(emb, ["x", "y", "z"])) == 3
    assert _temp_folders(tmp_path) == []


def test_temp_folder_lifecycle_inputs_removed_after_upload_outputs_after_reading(
    emu: DashScopeEmulator, tmp_path: Path
) -> None:
    job = QwenBatch(_llm(emu)).submit(["a", "b"])
    assert job.owns_workdir and job.workdir is not None and job.workdir.parent == tmp_path
    assert job.workdir.name.startswith("qwen-batch-") and list(job.workdir.iterdir()) == []  # input uploaded, gone
    results = job.wait().iter_results()
    first = next(results)
    assert first[0] == 0 and len(list(job.workdir.glob("*.jsonl"))) == 1  # the downloaded output, read lazily
    results.close()  # stopping early still cleans up
    assert _temp_folders(tmp_path) == []
    assert [m.text for m in job.results()] == ["Emulated reply: a", "Emulated reply: b"]  # re-downloads
    assert _temp_folders(tmp_path) == []


def test_close_and_context_exit_remove_the_temp_folder(emu: DashScopeEmulator, tmp_path: Path) -> None:
    with QwenBatch(_llm(emu)).submit(["a"]) as job:
        assert _temp_folders(tmp_path) != []
    assert _temp_folders(tmp_path) == [] and job.workdir is None
    resumed = BatchJob.resume(_llm(emu), job.batch_ids)
    resumed.wait()
    resumed._fetch()  # downloads into a temp folder of its own
    assert len(_temp_folders(tmp_path)) == 1
    resumed.close()
    assert _temp_folders(tmp_path) == []


def test_failed_encoding_or_upload_leaves_no_temp_folder(emu: DashScopeEmulator, tmp_path: Path) -> None:
    def inputs() -> Iterator[str]:
        yield "fine"
        raise RuntimeError("input source broke")

    with pytest.raises(RuntimeError, match="input source broke"):
        QwenBatch(_llm(emu)).submit(inputs())
    emu.inject(path="/files", status=400, code="InvalidParameter", message="Invalid file.")
    with pytest.raises(_errors.QwenBadRequestError):
        QwenBatch(_llm(emu)).submit(["a"])
    assert _temp_folders(tmp_path) == []


def test_a_named_workdir_is_kept(emu: DashScopeEmulator, tmp_path: Path) -> None:
    workdir = tmp_path / "my-batch"
    job = QwenBatch(_llm(emu), workdir=workdir).submit(["a"])
    assert [m.text for m in job.wait().results()] == ["Emulated reply: a"]
    job.close()
    names = sorted(p.name for p in workdir.iterdir())
    assert "input-0000.jsonl" in names and len(names) == 2  # input and downloaded output
    assert not job.owns_workdir and _temp_folders(tmp_path) == []


# --- done and repr -----------------------------------------------------------------------------------


def test_done_agrees_with_statuses_on_a_resumed_job(emu: DashScopeEmulator) -> None:
    llm = _llm(emu)
    with QwenBatch(llm, max_lines=2).submit(["a", "b", "c"]) as job:
        job.wait()
        finished = BatchJob.resume(llm, job.batch_ids)
        assert [s.value for s in finished.statuses()] == ["completed", "completed"]
        assert finished.done is True
        assert BatchJob.resume(llm, job.batch_ids).done is True  # `done` alone reads the statuses too


def test_done_on_a_resumed_running_then_cancelled_job(tmp_path: Path) -> None:
    with DashScopeEmulator(api_key="sk-emulator", batch_seconds=60) as slow:
        llm = _llm(slow)
        job = QwenBatch(llm, workdir=tmp_path / "w").submit(["a", "b"])
        running = BatchJob.resume(llm, job.batch_ids)
        assert running.done is False and running.statuses()[0].value in ("validating", "in_progress")
        job.cancel()
        job.wait()
        cancelled = BatchJob.resume(llm, job.batch_ids)
        assert cancelled.done is True and [s.value for s in cancelled.statuses()] == ["cancelled"]


def test_repr_is_short_and_keeps_the_key_out(emu: DashScopeEmulator) -> None:
    llm = _llm(emu)
    with QwenBatch(llm, max_lines=1).submit(["a", "b", "c"]) as job:
        text = repr(job)
        ids = job.batch_ids
        assert text == f"BatchJob([{ids[0]}, {ids[1]}, +1 more], requests=3, status=not fetched)"
        job.wait()
        assert repr(job).endswith("requests=3, status=3 completed)")
        assert len(repr(job)) < 150 and "sk-emulator" not in repr(job) and "ChatQwen" not in repr(job)

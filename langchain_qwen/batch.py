"""DashScope Batch API (half price, for jobs far larger than one machine should send live): submit, poll, decode.

```python
from langchain_qwen import ChatQwen
from langchain_qwen.batch import QwenBatch, run_batch

llm = ChatQwen(model="qwen-plus")
job = QwenBatch(llm).submit(["Translate 'cat' to French", [HumanMessage("Name a prime")]], temperature=0)
job.wait(progress=True)                 # polls with backoff; job.cancel() stops it
for item in job.results():              # input order: AIMessage (with usage) or BatchError, never dropped
    ...
job = BatchJob.resume(llm, job.batch_ids)   # pick an existing job up again later
```

Every line is encoded by the same request builder as `invoke` (same per-call options) and decoded by
the same parser; the JSONL is streamed to disk and split within DashScope's limits (50,000 lines, 500 MB,
one model per file); uploads use `purpose="batch"`; outputs are downloaded to disk and joined on
`custom_id`, so memory stays flat for large jobs (`iter_results()` streams them in input order).
Embedding jobs work the same way (`QwenEmbeddingBatch`, `embed_batch`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from langchain_qwen._batch import (
    CHAT_ENDPOINT,
    EMBEDDINGS_ENDPOINT,
    MAX_BYTES,
    MAX_LINES,
    BatchError,
    BatchStatus,
    PartFile,
    batch_line_body,
    encode_line,
    iter_jsonl,
    line_error,
    read_line_at,
    write_parts,
)
from langchain_qwen._client import ClientConfig, acall, call
from langchain_qwen._errors import QwenFileTooLargeError, QwenValidationError, local_error
from langchain_qwen._parse import chat_result
from langchain_qwen._polling import Progress, poll_delays


def _messages(llm: Any, item: Any) -> list[Any]:
    from langchain_core.messages import BaseMessage

    if isinstance(item, BaseMessage):
        item = [item]  # one message is a one-message conversation
    messages: list[Any] = llm._convert_input(item).to_messages()
    try:
        from langchain_core.language_models._utils import _normalize_messages

        return list(_normalize_messages(messages))
    except ImportError:  # pragma: no cover
        return messages


def _check_part(cfg: ClientConfig, part: PartFile) -> None:
    if part.bytes > MAX_BYTES:
        raise local_error(QwenFileTooLargeError, f"{part.path.name} is over the 500 MB batch file limit.", cfg.base_url)


def _batch_dict(obj: Any) -> dict[str, Any]:
    return dict(obj.model_dump() if hasattr(obj, "model_dump") else obj)


def _retrieve(client: Any, batch_id: str) -> Any:
    return client.batches.retrieve(batch_id)


def _cancel(client: Any, batch_id: str) -> Any:
    return client.batches.cancel(batch_id)


def _download(client: Any, file_id: str, dest: Path) -> Path:
    with client.files.with_streaming_response.content(file_id) as response, dest.open("wb") as fh:
        for chunk in response.iter_bytes():
            fh.write(chunk)
    return dest


@dataclass
class _Submitter:
    """Shared encode/submit steps of chat and embedding batches."""

    owner: Any
    endpoint: str
    completion_window: str = "24h"
    workdir: Path | None = None
    max_lines: int = MAX_LINES
    max_bytes: int = MAX_BYTES
    name: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if self.workdir is not None:
            if not isinstance(self.workdir, (str, os.PathLike)):
                raise QwenValidationError(
                    f"workdir={self.workdir!r} is not a directory path; allowed: a str or pathlib.Path, or None "
                    f"for a temporary directory."
                )
            self.workdir = Path(self.workdir)
        for name in ("max_lines", "max_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise QwenValidationError(f"{name}={value!r} is not allowed; allowed: an int >= 1.")

    def _new_dir(self) -> Path:
        """This job's folder: the user's `workdir` (kept), else a fresh `qwen-batch-*` temp folder (removed later)."""
        if self.workdir is None:
            return Path(tempfile.mkdtemp(prefix="qwen-batch-"))
        workdir = Path(self.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        return workdir

    def _write(self, lines: Iterator[tuple[str, bytes]]) -> list[PartFile]:
        """Stream the JSONL input files into a new job folder; a temp folder is removed if encoding fails."""
        folder = self._new_dir()
        try:
            parts = write_parts(lines, folder, max_lines=self.max_lines, max_bytes=self.max_bytes)
        except BaseException:
            self._discard(folder, [])
            raise
        if not parts:
            self._discard(folder, [])
        return parts

    def _discard(self, folder: Path | None, parts: list[PartFile]) -> None:
        """Remove input files the package created (the whole temp folder, or just `parts` once uploaded)."""
        if self.workdir is not None or folder is None:
            return
        if parts:
            for part in parts:
                part.path.unlink(missing_ok=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)

    def _job(self, ids: list[str], parts: list[PartFile], total: int) -> BatchJob:
        folder = parts[0].path.parent if parts else None
        self._discard(folder, parts)  # uploaded: a temp folder keeps nothing until results are downloaded
        owned = self.workdir is None
        return BatchJob(self.owner, ids, self.endpoint, total=total, workdir=folder, owns_workdir=owned)

    def _metadata(self) -> dict[str, str] | None:
        meta = {}
        if self.name:
            meta["ds_name"] = self.name[:100]
        if self.description:
            meta["ds_description"] = self.description[:200]
        return meta or None

    def _create_kwargs(self, file_id: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "input_file_id": file_id,
            "endpoint": self.endpoint,
            "completion_window": self.completion_window,
        }
        if self._metadata():
            kwargs["metadata"] = self._metadata()
        return kwargs

    def _upload_and_create(self, client: Any, part: PartFile) -> str:
        with part.path.open("rb") as fh:  # streamed from disk, not read into memory
            file_id = client.files.create(file=(part.path.name, fh), purpose="batch").id
        return str(client.batches.create(**self._create_kwargs(file_id)).id)

    async def _aupload_and_create(self, client: Any, part: PartFile) -> str:
        with part.path.open("rb") as fh:
            file_id = (await client.files.create(file=(part.path.name, fh), purpose="batch")).id
        return str((await client.batches.create(**self._create_kwargs(file_id))).id)

    def submit_parts(self, parts: list[PartFile], total: int) -> BatchJob:
        """Upload each input file (`purpose="batch"`) and create its batch; package-made input files are then removed."""
        cfg = self.owner._client_config()
        try:
            for part in parts:
                _check_part(cfg, part)
            ids = [call(cfg, partial(self._upload_and_create, part=p)) for p in parts]
        except BaseException:
            self._discard(parts[0].path.parent if parts else None, [])
            raise
        return self._job(ids, parts, total)

    async def asubmit_parts(self, parts: list[PartFile], total: int) -> BatchJob:
        """Async twin of `submit_parts`."""
        cfg = self.owner._client_config()
        try:
            for part in parts:
                _check_part(cfg, part)
            ids = [await acall(cfg, partial(self._aupload_and_create, part=p)) for p in parts]
        except BaseException:
            self._discard(parts[0].path.parent if parts else None, [])
            raise
        return self._job(ids, parts, total)


class QwenBatch(_Submitter):
    """Chat requests as DashScope batch jobs; options are the same as `ChatQwen.invoke`'s."""

    def __init__(self, llm: Any, **settings: Any) -> None:
        super().__init__(owner=llm, endpoint=CHAT_ENDPOINT, **settings)

    def _lines(self, inputs: Iterable[Any], kwargs: dict[str, Any], counter: list[int]) -> Iterator[tuple[str, bytes]]:
        for index, item in enumerate(inputs):
            body = self._body(index, item, kwargs)
            try:
                line = encode_line(str(index), self.endpoint, body)
            except (TypeError, ValueError) as err:
                raise QwenValidationError(
                    f"batch input {index}: the request body is not JSON-serialisable ({err}); check the values "
                    f"passed in extra_body / model_kwargs / per-call options."
                ) from None
            counter[0] = index + 1
            yield body["model"], line

    def _body(self, index: int, item: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The batch body for input `index`; a bad input raises `QwenValidationError` naming its index."""
        if isinstance(item, (bytes, bytearray, memoryview)):
            raise QwenValidationError(
                f"batch input {index} is bytes; allowed: a str, a message, a list of messages or a prompt value "
                f"(decode the bytes first)."
            )
        try:
            request, _ = self.owner._prepare(_messages(self.owner, item), None, dict(kwargs), stream=False)
        except QwenValidationError as err:
            raise QwenValidationError(f"batch input {index}: {err}") from err
        except (NotImplementedError, TypeError, ValueError) as err:
            raise QwenValidationError(f"batch input {index} cannot be used as chat input: {err}") from err
        return batch_line_body(self.owner, request, index)

    def encode(self, inputs: Iterable[Any], **kwargs: Any) -> tuple[list[PartFile], int]:
        """Write the JSONL input files (inputs may be a generator); returns (files, number of requests)."""
        if kwargs.get("stream"):
            raise QwenValidationError("A batch cannot stream; drop stream=True.")
        counter = [0]
        parts = self._write(self._lines(inputs, kwargs, counter))
        return parts, counter[0]

    def submit(self, inputs: Iterable[Any], **kwargs: Any) -> BatchJob:
        """Encode, upload (`purpose="batch"`) and create one batch per input file."""
        parts, total = self.encode(inputs, **kwargs)
        return self.submit_parts(parts, total)

    async def asubmit(self, inputs: Iterable[Any], **kwargs: Any) -> BatchJob:
        """Async twin of `submit`."""
        parts, total = self.encode(inputs, **kwargs)
        return await self.asubmit_parts(parts, total)


class QwenEmbeddingBatch(_Submitter):
    """Embedding requests as DashScope batch jobs: texts grouped `effective_batch_size` per line."""

    def __init__(self, embeddings: Any, **settings: Any) -> None:
        super().__init__(owner=embeddings, endpoint=EMBEDDINGS_ENDPOINT, **settings)

    def encode(self, texts: Sequence[str]) -> tuple[list[PartFile], int]:
        emb = self.owner
        bodies = emb._bodies(texts)  # the same validated groups as a direct embed_documents call
        lines = ((emb.model, encode_line(str(group), self.endpoint, body)) for group, body in enumerate(bodies))
        return self._write(lines), len(bodies)

    def submit(self, texts: Sequence[str]) -> BatchJob:
        parts, total = self.encode(texts)
        return self.submit_parts(parts, total)


@dataclass(repr=False)
class BatchJob:
    """One submitted job (one DashScope batch per input file): status, waiting, cancelling, results.

    Result files are downloaded into `workdir`. Without one, the job uses a `qwen-batch-*` folder in the
    system temp dir (`tempfile.gettempdir()`) and removes it once the results have been read, or on
    `close()` / leaving a `with job:` block; a folder you named is kept.
    """

    owner: Any
    batch_ids: list[str]
    endpoint: str = CHAT_ENDPOINT
    total: int | None = None
    workdir: Path | None = None
    owns_workdir: bool = False
    """Whether `workdir` is a temp folder this job created (and removes)."""
    _batches: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __repr__(self) -> str:
        ids = self.batch_ids
        shown = ", ".join(ids[:2]) + (f", +{len(ids) - 2} more" if len(ids) > 2 else "")
        known = [b["status"] for b in (self._batches.get(i) for i in ids) if b]
        counts = {status: known.count(status) for status in dict.fromkeys(known)}
        status = ", ".join(f"{n} {s}" for s, n in counts.items()) if known else "not fetched"
        return f"BatchJob([{shown}], requests={self.total}, status={status})"

    def __enter__(self) -> BatchJob:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temp folder this job created for its files (a `workdir` you named is kept)."""
        if self.owns_workdir and self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def _results_dir(self) -> Path:
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="qwen-batch-"))
            self.owns_workdir = True
        self.workdir.mkdir(parents=True, exist_ok=True)
        return self.workdir

    @classmethod
    def resume(
        cls, owner: Any, batch_ids: Sequence[str], *, endpoint: str | None = None, workdir: Path | None = None
    ) -> BatchJob:
        """Pick up existing batches by id (e.g. after a restart); their status is read on first use."""
        from langchain_qwen.chat_models import ChatQwen

        kind = endpoint or (CHAT_ENDPOINT if isinstance(owner, ChatQwen) else EMBEDDINGS_ENDPOINT)
        return cls(owner, list(batch_ids), kind, workdir=None if workdir is None else Path(workdir))

    def _cfg(self) -> ClientConfig:
        cfg: ClientConfig = self.owner._client_config()
        return cfg

    # status --------------------------------------------------------------------------------------

    def refresh(self) -> list[dict[str, Any]]:
        """Current batch objects."""
        cfg = self._cfg()
        for bid in self.batch_ids:
            self._batches[bid] = _batch_dict(call(cfg, partial(_retrieve, batch_id=bid)))
        return [self._batches[b] for b in self.batch_ids]

    async def arefresh(self) -> list[dict[str, Any]]:
        """Async twin of `refresh`."""
        cfg = self._cfg()
        for bid in self.batch_ids:
            self._batches[bid] = _batch_dict(await acall(cfg, partial(_retrieve, batch_id=bid)))
        return [self._batches[b] for b in self.batch_ids]

    def statuses(self) -> list[BatchStatus]:
        """The status of each batch as last read (read now for batches never read, e.g. after `resume`)."""
        if any(bid not in self._batches for bid in self.batch_ids):
            self.refresh()
        return [BatchStatus(self._batches[bid]["status"]) for bid in self.batch_ids]

    @property
    def done(self) -> bool:
        """Whether every batch is completed, failed, expired or cancelled (per `statuses()`)."""
        return all(s.terminal for s in self.statuses())

    def _counts(self) -> tuple[int, int]:
        done = total = 0
        for b in self._batches.values():
            counts = b.get("request_counts") or {}
            total += counts.get("total") or 0
            done += (counts.get("completed") or 0) + (counts.get("failed") or 0)
        return done, max(total, self.total or 0)

    def _wait_steps(self, timeout: float | None, progress: bool | None, max_interval: float) -> Iterator[float]:
        """The polling protocol: after each refresh by the driver, yields the delay before the next one."""
        bar = Progress(progress, max(self.total or 0, 1), label="Batch requests", unit="req")
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            for delay in poll_delays(maximum=max_interval):
                done, total = self._counts()
                bar.update(total - done, total=max(total, 1))
                if self.done:
                    return
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"Batches {self.batch_ids} not finished after {timeout} s; resume later.")
                yield delay
        finally:
            bar.close()

    def wait(
        self, *, timeout: float | None = None, progress: bool | None = None, max_interval: float = 30.0
    ) -> BatchJob:
        """Poll with backoff until every batch is completed, failed, expired or cancelled."""
        self.refresh()
        for delay in self._wait_steps(timeout, progress, max_interval):
            time.sleep(delay)
            self.refresh()
        return self

    async def await_done(
        self, *, timeout: float | None = None, progress: bool | None = None, max_interval: float = 30.0
    ) -> BatchJob:
        """Async twin of `wait`."""
        await self.arefresh()
        for delay in self._wait_steps(timeout, progress, max_interval):
            await asyncio.sleep(delay)
            await self.arefresh()
        return self

    def cancel(self) -> list[dict[str, Any]]:
        """Ask DashScope to cancel every batch not yet finished (requests already done are billed)."""
        cfg = self._cfg()
        out = []
        for bid in self.batch_ids:
            current = self._batches.get(bid)
            if current and BatchStatus(current["status"]).terminal:
                out.append(current)
                continue
            self._batches[bid] = _batch_dict(call(cfg, partial(_cancel, batch_id=bid)))
            out.append(self._batches[bid])
        return out

    # results -------------------------------------------------------------------------------------

    def _fetch(self) -> tuple[dict[int, tuple[Path, int, bool]], list[tuple[dict[str, Any], Path | None]]]:
        """Download output/error files; index custom_id -> (file, offset, is_error)."""
        if not self.done:
            self.refresh()
        if not self.done:
            raise QwenValidationError("The batch job has not finished; call wait() first (or cancel()).")
        cfg = self._cfg()
        folder = self._results_dir()
        index: dict[int, tuple[Path, int, bool]] = {}
        failed: list[tuple[dict[str, Any], Path | None]] = []
        for bid in self.batch_ids:
            batch = self._batches[bid]
            for key, is_error in (("output_file_id", False), ("error_file_id", True)):
                file_id = batch.get(key)
                if not file_id:
                    continue
                path = call(cfg, partial(_download, file_id=file_id, dest=folder / f"{file_id}.jsonl"))
                for offset, line in iter_jsonl(path):
                    index[int(line["custom_id"])] = (path, offset, is_error)
            if batch["status"] in ("failed", "expired") or (
                batch["status"] == "cancelled" and not batch.get("error_file_id")
            ):
                source = call(
                    cfg,
                    partial(_download, file_id=batch["input_file_id"], dest=folder / f"{batch['input_file_id']}.jsonl"),
                )
                failed.append((batch, source))
        return index, failed

    def iter_results(self) -> Iterator[tuple[int, Any]]:
        """(input index, AIMessage / embedding vectors / BatchError) in input order, reading one line at a time.

        A temp folder the job created is removed when the iteration ends (or is closed early).
        """
        try:
            yield from self._iter_results()
        finally:
            self.close()

    def _iter_results(self) -> Iterator[tuple[int, Any]]:
        index, failed = self._fetch()
        missing: dict[int, BatchError] = {}
        for batch, source in failed:
            errors = {e.get("line"): e for e in ((batch.get("errors") or {}).get("data") or [])}
            for line_no, (_, line) in enumerate(iter_jsonl(source), start=1) if source else ():
                cid = int(line["custom_id"])
                if cid not in index:
                    err: dict[str, Any] = errors.get(line_no) or next(iter(errors.values()), {}) or {}
                    missing[cid] = BatchError(
                        cid,
                        str(cid),
                        err.get("code") or batch["status"],
                        err.get("message") or f"The batch {batch['status']}.",
                    )
        total = max([*index, *missing, -1]) + 1
        total = max(total, self.total or 0)
        for i in range(total):
            if i in index:
                path, offset, is_error = index[i]
                yield i, self._decode(i, read_line_at(path, offset), is_error)
            else:
                yield i, missing.get(i) or BatchError(i, str(i), "missing", "No result was returned for this request.")

    def _decode(self, index: int, line: dict[str, Any], is_error: bool) -> Any:
        response = line.get("response") or {}
        if is_error or line.get("error") or response.get("status_code") not in (200, None):
            return line_error(index, line)
        body = response.get("body") or {}
        if self.endpoint == EMBEDDINGS_ENDPOINT:
            return [d["embedding"] for d in sorted(body.get("data") or [], key=lambda d: d.get("index", 0))]
        from langchain_qwen._client import HttpMeta

        return chat_result(body, HttpMeta(request_id=response.get("request_id"))).generations[0].message

    def results(self) -> list[Any]:
        """All results in input order (AIMessage or BatchError for chat jobs)."""
        return [item for _, item in self.iter_results()]

    async def aresults(self) -> list[Any]:
        """Async entry point: waits for the job, then decodes (downloads run in a worker thread)."""
        await self.await_done()
        return await asyncio.to_thread(self.results)


def run_batch(
    llm: Any, inputs: Iterable[Any], *, progress: bool | None = None, timeout: float | None = None, **kwargs: Any
) -> list[Any]:
    """Submit, wait and decode: results in input order (AIMessage or BatchError)."""
    return QwenBatch(llm).submit(inputs, **kwargs).wait(timeout=timeout, progress=progress).results()


def embed_batch(
    embeddings: Any, texts: Sequence[str], *, progress: bool | None = None, timeout: float | None = None
) -> list[Any]:
    """Embed texts through the Batch API: one vector (or BatchError) per text, in order."""
    job = QwenEmbeddingBatch(embeddings).submit(texts).wait(timeout=timeout, progress=progress)
    out: list[Any] = []
    size = embeddings.effective_batch_size
    for group, item in job.iter_results():  # one line per group of `size` texts
        count = min(size, len(texts) - group * size)
        out.extend([item] * count if isinstance(item, BatchError) else item)
    return out


__all__ = [
    "BatchError",
    "BatchJob",
    "BatchStatus",
    "QwenBatch",
    "QwenEmbeddingBatch",
    "embed_batch",
    "run_batch",
]

"""Long-context documents for qwen-long: Files API uploads (`file-extract`), parse waiting, `fileid://` messages.

```python
from langchain_qwen import ChatQwen
from langchain_qwen.files import QwenFiles, long_context_messages

llm = ChatQwen(model="qwen-long")                      # Beijing only
files = QwenFiles.from_chat_model(llm)
with files.uploaded(["report.pdf", "notes.md"]) as docs:   # waits until parsed; deletes afterwards
    answer = llm.invoke(long_context_messages("Summarise both documents.", docs))
```

Messages follow DashScope's rules (F7.4): a role-play system message first, then the documents as
`fileid://` system messages (one comma-joined message, or one per document; at most 100 ids), then
the conversation. Documents can be added later in a conversation (`add_documents`), passed as plain
text or as JSON strings, or built from LangChain `Document`s for RAG pipelines.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import os
import time
from collections.abc import AsyncIterator, Generator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, Literal

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from langchain_qwen._batch import MAX_BYTES
from langchain_qwen._client import ClientConfig, acall, call
from langchain_qwen._errors import (
    QwenFileNotReadyError,
    QwenFileParseError,
    QwenFileTooLargeError,
    QwenUnsupportedFileError,
    QwenValidationError,
    local_error,
)
from langchain_qwen._polling import Progress, poll_delays
from langchain_qwen._settings import SETTINGS_FIELDS, DashScopeSettings

Source = str | os.PathLike[str] | bytes | IO[bytes]
"""A document to upload: a path, raw bytes, or a binary file object."""

DOCUMENT_LIMIT = 150 * 1024 * 1024
IMAGE_LIMIT = 20 * 1024 * 1024
DOCUMENT_TYPES = frozenset({"txt", "docx", "pdf", "xlsx", "epub", "mobi", "md", "csv", "json"})
IMAGE_TYPES = frozenset({"bmp", "png", "jpg", "jpeg", "gif"})
MAX_DOCUMENTS = 100
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."


@dataclass(frozen=True)
class QwenFile:
    """A file as the Files API describes it."""

    id: str
    filename: str = ""
    bytes: int = 0
    purpose: str = ""
    status: str = ""
    status_details: Any = None
    created_at: int = 0

    @classmethod
    def from_wire(cls, obj: Any) -> QwenFile:
        data = obj.model_dump() if hasattr(obj, "model_dump") else dict(obj)
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if data.get(k) is not None})

    @property
    def processed(self) -> bool:
        return self.status == "processed"

    @property
    def failed(self) -> bool:
        return self.status in ("error", "failed")

    @property
    def reference(self) -> str:
        """`fileid://<id>`, the form chat messages use."""
        return f"fileid://{self.id}"


# --- pure steps ------------------------------------------------------------------------------


def read_source(source: Source, filename: str | None = None) -> tuple[str, bytes]:
    """(filename, bytes) for a path, bytes or file object (no network)."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        return filename or path.name, path.read_bytes()
    if isinstance(source, (bytes, bytearray)):
        return filename or "document.txt", bytes(source)
    data = source.read()
    name = filename or Path(getattr(source, "name", "") or "document.txt").name
    return name, data if isinstance(data, bytes) else str(data).encode()


def check_upload(filename: str, data: bytes, url: str, purpose: str = "file-extract") -> None:
    """Refuse, before any network call, what DashScope would refuse: format, emptiness, size (F7.2)."""
    ext = Path(filename).suffix.lower().lstrip(".")
    allowed = DOCUMENT_TYPES | IMAGE_TYPES if purpose == "file-extract" else frozenset({"jsonl"})
    if ext not in allowed:
        raise local_error(
            QwenUnsupportedFileError,
            f"{filename}: .{ext or '?'} files are not accepted for purpose {purpose!r}; use one of {sorted(allowed)}.",
            url,
        )
    if not data:
        raise local_error(QwenUnsupportedFileError, f"{filename} is empty (DashScope: 'content blank').", url)
    limit = IMAGE_LIMIT if ext in IMAGE_TYPES else DOCUMENT_LIMIT if purpose == "file-extract" else MAX_BYTES
    if len(data) > limit:
        raise local_error(
            QwenFileTooLargeError,
            f"{filename} is {len(data) / 2**20:.1f} MB; DashScope accepts at most {limit // 2**20} MB for this type.",
            url,
            code="BadRequest.TooLarge",
        )


def _settle(files: dict[str, QwenFile], url: str) -> list[str]:
    """Ids still parsing; raises for any that failed."""
    for f in files.values():
        if f.failed:
            detail = f.status_details or "no details"
            raise local_error(
                QwenFileParseError,
                f"DashScope could not parse {f.filename} ({f.id}): {detail}",
                url,
                code="file_parse_failed",
            )
    return [fid for fid, f in files.items() if not f.processed]


WaitSteps = Generator[tuple[list[str], float], dict[str, QwenFile], list[QwenFile]]


def wait_steps(files: Sequence[QwenFile | str], *, timeout: float, url: str, progress: bool | None = None) -> WaitSteps:
    """The polling protocol as pure steps: yields (ids to re-read, seconds to wait first), receives the re-read
    files, returns the processed files; raises on a parse failure or when `timeout` runs out."""
    state = {f.id if isinstance(f, QwenFile) else f: f if isinstance(f, QwenFile) else QwenFile(id=f) for f in files}
    bar = Progress(progress, len(state), label="Parsing documents", unit="file")
    deadline = time.monotonic() + timeout
    try:
        for delay in poll_delays():
            pending = _settle(state, url)
            bar.update(len(pending))
            if not pending:
                return list(state.values())
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise local_error(
                    QwenFileNotReadyError,
                    f"Documents {pending} were still being parsed after {timeout:.0f} s; wait longer "
                    f"(wait_until_processed(timeout=...)) before using them.",
                    url,
                    code="file_parsing_in_progress",
                )
            state.update((yield pending, min(delay, remaining)))
    finally:
        bar.close()
    raise AssertionError("unreachable")  # pragma: no cover


# --- the client ------------------------------------------------------------------------------


def _create_file(client: Any, file: Any, purpose: str) -> Any:
    return client.files.create(file=file, purpose=purpose)


class QwenFiles(DashScopeSettings):
    """DashScope Files API for long-context documents; sync and async methods share every step but I/O."""

    @classmethod
    def from_chat_model(cls, llm: Any) -> QwenFiles:
        """Files client with the same key, base URL, region and transport settings as a `ChatQwen`."""
        return cls(**{name: getattr(llm, name) for name in SETTINGS_FIELDS})

    def __repr__(self) -> str:
        return f"QwenFiles(base_url={self.config.base_url!r})"

    @property
    def config(self) -> ClientConfig:
        return self._client_config()

    def _url(self) -> str:
        return self.config.base_url.rstrip("/") + "/files"

    def _prepare(self, source: Source, filename: str | None, purpose: str) -> tuple[str, bytes]:
        name, data = read_source(source, filename)
        check_upload(name, data, self._url(), purpose)
        return name, data

    # sync ------------------------------------------------------------------------------------

    def upload(
        self,
        source: Source,
        *,
        filename: str | None = None,
        purpose: Literal["file-extract", "batch"] = "file-extract",
        wait: bool = True,
        timeout: float = 600.0,
        progress: bool | None = None,
    ) -> QwenFile:
        """Upload one document; by default wait until DashScope has parsed it."""
        return self.upload_many(
            [source], filenames=[filename], purpose=purpose, wait=wait, timeout=timeout, progress=progress
        )[0]

    def upload_many(
        self,
        sources: Sequence[Source],
        *,
        filenames: Sequence[str | None] | None = None,
        purpose: Literal["file-extract", "batch"] = "file-extract",
        wait: bool = True,
        timeout: float = 600.0,
        progress: bool | None = None,
    ) -> builtins.list[QwenFile]:
        """Upload several documents (all checked locally first), then wait for all of them."""
        names = list(filenames or [None] * len(sources))
        prepared = [self._prepare(src, name, purpose) for src, name in zip(sources, names, strict=False)]
        uploaded = [
            QwenFile.from_wire(call(self.config, partial(_create_file, file=f, purpose=purpose))) for f in prepared
        ]
        if wait and purpose == "file-extract":
            return self.wait_until_processed(uploaded, timeout=timeout, progress=progress)
        return uploaded

    def wait_until_processed(
        self, files: Sequence[QwenFile | str], *, timeout: float = 600.0, progress: bool | None = None
    ) -> builtins.list[QwenFile]:
        """Poll with backoff until every file is `processed`; raises on parse failure or timeout."""
        steps = wait_steps(files, timeout=timeout, url=self._url(), progress=progress)
        try:
            pending, pause = next(steps)
            while True:
                time.sleep(pause)
                pending, pause = steps.send({fid: self.retrieve(fid) for fid in pending})
        except StopIteration as done:
            finished: builtins.list[QwenFile] = done.value
            return finished

    def retrieve(self, file_id: str) -> QwenFile:
        return QwenFile.from_wire(call(self.config, lambda c: c.files.retrieve(file_id)))

    def list(self, *, purpose: str | None = None, limit: int | None = None) -> builtins.list[QwenFile]:
        """Every stored file (pages followed), newest first; optionally only one purpose."""
        kwargs: dict[str, Any] = {"purpose": purpose} if purpose else {}
        page = call(self.config, lambda c: c.files.list(**kwargs))
        out = []
        for item in page:  # the SDK page iterator follows `after` cursors
            out.append(QwenFile.from_wire(item))
            if limit is not None and len(out) >= limit:
                break
        return out

    def delete(self, file_id: str) -> bool:
        return bool(call(self.config, lambda c: c.files.delete(file_id)).deleted)

    def content(self, file_id: str) -> bytes:
        content: bytes = call(self.config, lambda c: c.files.content(file_id)).content
        return content

    @contextmanager
    def uploaded(
        self, sources: Sequence[Source], *, delete: bool = True, **kwargs: Any
    ) -> Iterator[builtins.list[QwenFile]]:
        """Upload (and wait for) documents; delete them on exit when `delete` is true."""
        files = self.upload_many(sources, **kwargs)
        try:
            yield files
        finally:
            if delete:
                for f in files:
                    self.delete(f.id)

    # async ---------------------------------------------------------------------------------------

    async def aupload(
        self,
        source: Source,
        *,
        filename: str | None = None,
        purpose: Literal["file-extract", "batch"] = "file-extract",
        wait: bool = True,
        timeout: float = 600.0,
        progress: bool | None = None,
    ) -> QwenFile:
        """Async twin of `upload`."""
        return (
            await self.aupload_many(
                [source], filenames=[filename], purpose=purpose, wait=wait, timeout=timeout, progress=progress
            )
        )[0]

    async def aupload_many(
        self,
        sources: Sequence[Source],
        *,
        filenames: Sequence[str | None] | None = None,
        purpose: Literal["file-extract", "batch"] = "file-extract",
        wait: bool = True,
        timeout: float = 600.0,
        progress: bool | None = None,
    ) -> builtins.list[QwenFile]:
        """Async twin of `upload_many` (uploads run concurrently)."""
        names = list(filenames or [None] * len(sources))
        prepared = [self._prepare(src, name, purpose) for src, name in zip(sources, names, strict=False)]
        results = await asyncio.gather(
            *(acall(self.config, partial(_create_file, file=f, purpose=purpose)) for f in prepared)
        )
        uploaded = [QwenFile.from_wire(r) for r in results]
        if wait and purpose == "file-extract":
            return await self.await_processed(uploaded, timeout=timeout, progress=progress)
        return uploaded

    async def await_processed(
        self, files: Sequence[QwenFile | str], *, timeout: float = 600.0, progress: bool | None = None
    ) -> builtins.list[QwenFile]:
        """Async twin of `wait_until_processed`."""
        steps = wait_steps(files, timeout=timeout, url=self._url(), progress=progress)
        try:
            pending, pause = next(steps)
            while True:
                await asyncio.sleep(pause)
                fresh = await asyncio.gather(*(self.aretrieve(fid) for fid in pending))
                pending, pause = steps.send(dict(zip(pending, fresh, strict=False)))
        except StopIteration as done:
            finished: builtins.list[QwenFile] = done.value
            return finished

    async def aretrieve(self, file_id: str) -> QwenFile:
        return QwenFile.from_wire(await acall(self.config, lambda c: c.files.retrieve(file_id)))

    async def alist(self, *, purpose: str | None = None, limit: int | None = None) -> builtins.list[QwenFile]:
        kwargs: dict[str, Any] = {"purpose": purpose} if purpose else {}
        page = await acall(self.config, lambda c: c.files.list(**kwargs))
        out = []
        async for item in page:
            out.append(QwenFile.from_wire(item))
            if limit is not None and len(out) >= limit:
                break
        return out

    async def adelete(self, file_id: str) -> bool:
        return bool((await acall(self.config, lambda c: c.files.delete(file_id))).deleted)

    async def acontent(self, file_id: str) -> bytes:
        content: bytes = (await acall(self.config, lambda c: c.files.content(file_id))).content
        return content

    @asynccontextmanager
    async def auploaded(
        self, sources: Sequence[Source], *, delete: bool = True, **kwargs: Any
    ) -> AsyncIterator[builtins.list[QwenFile]]:
        """Async twin of `uploaded`."""
        files = await self.aupload_many(sources, **kwargs)
        try:
            yield files
        finally:
            if delete:
                await asyncio.gather(*(self.adelete(f.id) for f in files))


# --- messages -----------------------------------------------------------------------------------

FileLike = QwenFile | str


def _ids(files: Iterable[FileLike]) -> list[str]:
    ids = [f.id if isinstance(f, QwenFile) else f.removeprefix("fileid://") for f in files]
    if len(ids) > MAX_DOCUMENTS:
        raise QwenValidationError(f"DashScope accepts at most {MAX_DOCUMENTS} documents per request; got {len(ids)}.")
    return ids


def document_messages(files: Iterable[FileLike], *, separate: bool = False) -> list[SystemMessage]:
    """`fileid://` system messages: one comma-joined message (default) or one per document."""
    ids = _ids(files)
    if not ids:
        return []
    if separate:
        return [SystemMessage(f"fileid://{i}") for i in ids]
    return [SystemMessage(",".join(f"fileid://{i}" for i in ids))]


def long_context_messages(
    question: str,
    files: Iterable[FileLike],
    *,
    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT,
    history: Sequence[BaseMessage] = (),
    separate: bool = False,
) -> list[BaseMessage]:
    """Role-play system message first, then the documents, then `history` and the question."""
    lead: list[BaseMessage] = [SystemMessage(system_prompt)] if system_prompt else []
    return [*lead, *document_messages(files, separate=separate), *history, HumanMessage(question)]


def add_documents(
    messages: Sequence[BaseMessage], files: Iterable[FileLike], *, separate: bool = False
) -> list[BaseMessage]:
    """Append documents to an ongoing conversation (add the next HumanMessage after them)."""
    return [*messages, *document_messages(files, separate=separate)]


def text_document_messages(texts: Iterable[str]) -> list[SystemMessage]:
    """Plain-text documents, one system message each (for texts well under the 1M-token request limit)."""
    return [SystemMessage(t) for t in texts]


def json_document_message(
    content: str, *, title: str | None = None, filename: str | None = None, file_type: str | None = None
) -> SystemMessage:
    """A structured document as a JSON string (fields `content`, `title`, `filename`, `file_type`)."""
    doc = {"content": content, "title": title, "filename": filename, "file_type": file_type}
    return SystemMessage(json.dumps({k: v for k, v in doc.items() if v is not None}, ensure_ascii=False))


def documents_to_messages(documents: Iterable[Any], *, mode: Literal["text", "json"] = "json") -> list[SystemMessage]:
    """LangChain `Document`s (e.g. a retriever's output) as qwen-long document messages."""
    out = []
    for doc in documents:
        meta = getattr(doc, "metadata", {}) or {}
        if mode == "text":
            out.append(SystemMessage(doc.page_content))
            continue
        source = str(meta.get("source") or meta.get("filename") or "")
        name = Path(source).name if source else None
        file_type = meta.get("file_type") or (Path(source).suffix.lstrip(".") if source else None) or None
        out.append(json_document_message(doc.page_content, title=meta.get("title"), filename=name, file_type=file_type))
    return out


def document_prompt(
    question: str,
    documents: Iterable[Any],
    *,
    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT,
    mode: Literal["text", "json"] = "json",
) -> list[BaseMessage]:
    """Messages for a RAG step: role-play prompt, retrieved documents, question."""
    lead: list[BaseMessage] = [SystemMessage(system_prompt)] if system_prompt else []
    return [*lead, *documents_to_messages(documents, mode=mode), HumanMessage(question)]


__all__ = [
    "DOCUMENT_LIMIT",
    "IMAGE_LIMIT",
    "QwenFile",
    "QwenFiles",
    "Source",
    "add_documents",
    "check_upload",
    "document_messages",
    "document_prompt",
    "documents_to_messages",
    "json_document_message",
    "long_context_messages",
    "read_source",
    "text_document_messages",
    "wait_steps",
]

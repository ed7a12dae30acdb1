"""Emulated DashScope Files API (F7.2-F7.5): multipart upload, parsing status, storage limits and `fileid://`.

Behaviour (general rules; nothing looks at a particular file name or content except the documented marker):

* Upload: ``POST /files`` (``multipart/form-data``, fields ``file`` with a filename and ``purpose``).
  ``purpose`` must be ``file-extract`` (ids ``file-fe-<24 hex>``) or ``batch`` (ids ``file-batch-<24 hex>``);
  anything else is the captured 400 ``'purpose' must be 'file-extract'`` (``param: "purpose"``).
* Checks, in order: size (images ``bmp/png/jpg/jpeg/gif`` over ``image_size_limit``, ``batch`` files over
  ``batch_size_limit``, other files over ``file_size_limit``: 400 ``BadRequest.TooLarge`` "Payload Too
  Large."); extension (``DOCUMENT_EXTENSIONS`` / ``IMAGE_EXTENSIONS`` for ``file-extract``, ``jsonl`` for
  ``batch``: "File [id:<id>] format is not supported."); empty or whitespace-only content ("File [id:<id>]
  content blank."); storage (``max_files`` files: "Upload file number exceed limit."; ``max_storage_bytes``
  in total: "Upload file capacity exceed limit."). Rejected uploads are not stored.
* Parsing: a ``file-extract`` file is ``"parsing"`` until ``parse_seconds`` after its upload, then
  ``"processed"`` (``parse_seconds == 0``: processed at once). Its parsed text is its bytes decoded as
  UTF-8 with replacement characters (every document format alike, canned); an image's is
  ``"[image: <filename>]"``. A file whose text starts with ``PARSE_FAIL_MARKER`` ends in ``"error"`` with
  ``status_details`` "File parsing failed.". ``batch`` files are ``"processed"`` at once.
* ``GET /files``: newest first, filtered by ``purpose``, starting after the file ``after`` (an unknown
  ``after`` gives an empty page), at most ``limit`` (default 20) items, ``has_more`` when more remain.
  ``GET /files/{id}``, ``DELETE /files/{id}`` and ``GET /files/{id}/content`` (raw bytes) answer 404
  "File not found." for an unknown or deleted id.
* Files API errors are ``{"error": {...}}`` without ``id`` / ``request_id`` (F13.5).
* Chat (``expand_file_refs``, models with ``profile.file_context``): a system message whose string content
  is ``fileid://<id>`` entries joined by commas (no spaces) references those documents. More than
  ``MAX_FILE_REFS`` ids in the request: "Too many files provided."; an id not stored, deleted or not a
  ``file-extract`` file: "Invalid file [id:<id>]."; still parsing: "File parsing in progress, please try
  again later."; parse error: "File [id:<id>] format is not supported." (all 400). Each such message is
  replaced by its documents' parsed texts joined with ``"\\n"`` (that is what is billed), and the file
  names are returned in reference order (duplicates kept).

Wordings not in the protocol are marked ``[invented]`` where they are defined.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from types import MappingProxyType
from typing import Any

from ._errors import ChatError

MB = 1024 * 1024
GB = 1024 * MB
FILE_SIZE_LIMIT = 150 * MB
IMAGE_SIZE_LIMIT = 20 * MB
BATCH_SIZE_LIMIT = 500 * MB
"""Batch input files (F13.6 `BadRequest.TooLarge` row)."""
MAX_FILES = 10_000
MAX_STORAGE_BYTES = 100 * GB
MAX_FILE_REFS = 100
DEFAULT_LIST_LIMIT = 20

PURPOSES = ("file-extract", "batch")
DOCUMENT_EXTENSIONS = frozenset({"txt", "docx", "pdf", "xlsx", "epub", "mobi", "md", "csv", "json"})
IMAGE_EXTENSIONS = frozenset({"bmp", "png", "jpg", "jpeg", "gif"})
BATCH_EXTENSIONS = frozenset({"jsonl"})
_ID_PREFIX = {"file-extract": "file-fe-", "batch": "file-batch-"}

PARSE_FAIL_MARKER = "%FAIL-PARSE%"
"""[invented] A file-extract upload whose text starts with this ends in status "error" (test hook)."""
STATUS_PARSING = "parsing"
"""[invented] status name while a file is being parsed (only "processed" was captured)."""

MSG_PURPOSE = "'purpose' must be 'file-extract'"
MSG_TOO_LARGE = "Payload Too Large."
MSG_FORMAT = "File [id:{id}] format is not supported."
MSG_BLANK = "File [id:{id}] content blank."
MSG_FILE_NUMBER = "Upload file number exceed limit."
MSG_FILE_CAPACITY = "Upload file capacity exceed limit."
MSG_NOT_FOUND = "File not found."
"""[invented] 404 for an unknown id in compatible mode (the native API says "File not found." with 400)."""
MSG_PARSE_FAILED = "File parsing failed."
"""[invented] `status_details` of a file whose parsing failed."""
MSG_BAD_UPLOAD = "Required body invalid, please check the request body format."
"""[invented use] of the captured chat wording for a non-multipart body or a missing `file` field."""
MSG_LIMIT = "'limit' must be a positive integer"
"""[invented] wording for a bad `limit` query parameter."""
MSG_TOO_MANY_REFS = "Too many files provided."
MSG_INVALID_REF = "Invalid file [id:{id}]."
MSG_PARSING = "File parsing in progress, please try again later."

_FILEID_MESSAGE = re.compile(r"fileid://[^,\s]+(?:,fileid://[^,\s]+)*")


class FileError(Exception):
    """An upload or Files API request the emulated endpoint refuses (`{"error": {...}}` body)."""

    def __init__(
        self, message: str, *, status: int = 400, code: str | None = "invalid_parameter_error", param: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.param = param
        self.type = "invalid_request_error"

    def body(self) -> dict[str, Any]:
        """The error body as the Files API sends it."""
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


@dataclass(frozen=True)
class StoredFile:
    """One stored file.

    Attributes:
        id: `file-fe-…` or `file-batch-…`.
        filename: The upload's file name.
        purpose: `file-extract` or `batch`.
        data: The raw bytes (served by `GET /files/{id}/content`).
        text: The parsed text (what a `fileid://` reference puts in the prompt).
        created_at: Upload time, Unix seconds.
        ready_at: `time.monotonic()` value from which parsing is over.
        parse_failed: Parsing ends in status "error".
        seq: Upload order (newest first in listings).
    """

    id: str
    filename: str
    purpose: str
    data: bytes
    text: str
    created_at: int
    ready_at: float
    parse_failed: bool
    seq: int

    @property
    def status(self) -> str:
        """`parsing` until `ready_at`, then `processed` or `error`."""
        if time.monotonic() < self.ready_at:
            return STATUS_PARSING
        return "error" if self.parse_failed else "processed"

    def to_object(self) -> dict[str, Any]:
        """The wire file object (F7.2)."""
        status = self.status
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.data),
            "filename": self.filename,
            "purpose": self.purpose,
            "status": status,
            "status_details": MSG_PARSE_FAILED if status == "error" else None,
            "created_at": self.created_at,
        }


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


class FileStore:
    """Thread-safe storage of uploaded files with DashScope's limits (module docstring)."""

    def __init__(
        self,
        *,
        file_size_limit: int = FILE_SIZE_LIMIT,
        image_size_limit: int = IMAGE_SIZE_LIMIT,
        batch_size_limit: int = BATCH_SIZE_LIMIT,
        max_files: int = MAX_FILES,
        max_storage_bytes: int = MAX_STORAGE_BYTES,
        parse_seconds: float = 0.0,
    ) -> None:
        self.file_size_limit = file_size_limit
        self.image_size_limit = image_size_limit
        self.batch_size_limit = batch_size_limit
        self.max_files = max_files
        self.max_storage_bytes = max_storage_bytes
        self.parse_seconds = parse_seconds
        self._files: dict[str, StoredFile] = {}
        self._lock = threading.Lock()
        self._seq = 0
        self.view: Mapping[str, StoredFile] = MappingProxyType(self._files)
        """Live read-only mapping id -> `StoredFile`."""

    def add(
        self,
        data: bytes,
        filename: str,
        purpose: str = "file-extract",
        *,
        check: bool = True,
        parse_seconds: float | None = None,
        file_id: str | None = None,
    ) -> StoredFile:
        """Store a file as an upload would (raises `FileError` like the endpoint when `check`).

        Args:
            data: File content.
            filename: File name (its extension decides the format checks).
            purpose: `file-extract` or `batch` (any string when `check` is false).
            check: Apply the purpose, size, format, blank and storage checks.
            parse_seconds: Parsing time of this file (default: the store's `parse_seconds`).
            file_id: Use this id instead of a new `<purpose prefix><24 hex>` one (e.g. batch result files).
        """
        if check and purpose not in PURPOSES:
            raise FileError(MSG_PURPOSE, code=None, param="purpose")
        file_id = file_id or _ID_PREFIX.get(purpose, "file-fe-") + uuid.uuid4().hex[:24]
        ext = _extension(filename)
        if check:
            if purpose == "batch":
                limit, allowed = self.batch_size_limit, BATCH_EXTENSIONS
            else:
                limit = self.image_size_limit if ext in IMAGE_EXTENSIONS else self.file_size_limit
                allowed = DOCUMENT_EXTENSIONS | IMAGE_EXTENSIONS
            if len(data) > limit:
                raise FileError(MSG_TOO_LARGE, code="BadRequest.TooLarge")
            # Codes of the format / blank / storage refusals are [invented] (not captured).
            if ext not in allowed:
                raise FileError(MSG_FORMAT.format(id=file_id))
            if not data.strip():
                raise FileError(MSG_BLANK.format(id=file_id))
        text = f"[image: {filename}]" if ext in IMAGE_EXTENSIONS else data.decode("utf-8", "replace")
        extract = purpose == "file-extract"
        delay = (self.parse_seconds if parse_seconds is None else parse_seconds) if extract else 0.0
        with self._lock:
            if check:
                if len(self._files) >= self.max_files:
                    raise FileError(MSG_FILE_NUMBER)
                if sum(len(f.data) for f in self._files.values()) + len(data) > self.max_storage_bytes:
                    raise FileError(MSG_FILE_CAPACITY)
            self._seq += 1
            stored = StoredFile(
                id=file_id,
                filename=filename,
                purpose=purpose,
                data=data,
                text=text,
                created_at=int(time.time()),
                ready_at=time.monotonic() + max(0.0, delay),
                parse_failed=extract and text.lstrip("\ufeff").startswith(PARSE_FAIL_MARKER),
                seq=self._seq,
            )
            self._files[file_id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The stored file, or None."""
        return self._files.get(file_id)

    def delete(self, file_id: str) -> bool:
        """Remove a file; False when it was not stored."""
        with self._lock:
            return self._files.pop(file_id, None) is not None

    def clear(self) -> None:
        """Forget every file."""
        with self._lock:
            self._files.clear()

    def page(
        self, purpose: str | None = None, after: str | None = None, limit: int = DEFAULT_LIST_LIMIT
    ) -> tuple[list[StoredFile], bool]:
        """One listing page, newest first: (files, has_more)."""
        with self._lock:
            files = sorted(self._files.values(), key=lambda f: f.seq, reverse=True)
        if purpose:
            files = [f for f in files if f.purpose == purpose]
        if after:
            index = next((i for i, f in enumerate(files) if f.id == after), None)
            files = [] if index is None else files[index + 1 :]
        return files[:limit], len(files) > limit


# -- HTTP ----------------------------------------------------------------------------------------


@dataclass
class FilesResponse:
    """What the HTTP layer sends: a JSON object, or raw bytes."""

    status: int
    body: Any
    content_type: str = "application/json"


def parse_multipart(body: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """Fields of a `multipart/form-data` body: name -> (filename or None, bytes); the first of a name wins."""
    header = EmailMessage()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str) or not boundary:
        raise FileError(MSG_BAD_UPLOAD)
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    fields: dict[str, tuple[str | None, bytes]] = {}
    parser = email.parser.HeaderParser(policy=email.policy.HTTP)
    for segment in (b"\r\n" + body).split(delimiter)[1:]:
        if segment.startswith(b"--"):
            break
        head, sep, data = segment.partition(b"\r\n\r\n")
        if not sep:
            continue
        headers = parser.parsestr(head.split(b"\r\n", 1)[-1].decode("utf-8", "replace") + "\r\n")
        name = headers.get_param("name", header="content-disposition")
        if isinstance(name, str) and name not in fields:
            fields[name] = (headers.get_filename(), data)
    return fields


def _not_found() -> FilesResponse:
    return FilesResponse(404, FileError(MSG_NOT_FOUND, status=404, code="not_found").body())


def _method_not_allowed() -> FilesResponse:
    # [invented] body for a wrong method on a known path.
    return FilesResponse(405, FileError("Method Not Allowed.", status=405, code="method_not_allowed").body())


def handle_files_request(
    store: FileStore, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], raw: bytes
) -> FilesResponse:
    """Answer a request whose path is `/files` or `/files/...` (path relative to `/compatible-mode/v1`)."""
    try:
        parts = path.strip("/").split("/")
        if parts == ["files"] and method == "POST":
            fields = parse_multipart(raw, headers.get("content-type", ""))
            purpose = fields.get("purpose", (None, b""))[1].decode("utf-8", "replace").strip()
            if purpose not in PURPOSES:
                raise FileError(MSG_PURPOSE, code=None, param="purpose")
            if "file" not in fields:
                raise FileError(MSG_BAD_UPLOAD)
            filename, data = fields["file"]
            return FilesResponse(200, store.add(data, filename or "", purpose).to_object())
        if parts == ["files"] and method == "GET":
            raw_limit = query.get("limit")
            try:
                limit = DEFAULT_LIST_LIMIT if raw_limit is None else int(raw_limit)
            except ValueError:
                limit = 0
            if limit < 1:
                raise FileError(MSG_LIMIT, param="limit")
            files, more = store.page(query.get("purpose") or None, query.get("after") or None, limit)
            return FilesResponse(200, {"object": "list", "data": [f.to_object() for f in files], "has_more": more})
        if parts == ["files"]:
            return _method_not_allowed()
        if len(parts) in (2, 3) and parts[0] == "files" and (len(parts) == 2 or parts[2] == "content"):
            stored = store.get(parts[1])
            if len(parts) == 2 and method == "GET":
                return FilesResponse(200, stored.to_object()) if stored else _not_found()
            if len(parts) == 2 and method == "DELETE":
                if not store.delete(parts[1]):
                    return _not_found()
                return FilesResponse(200, {"id": parts[1], "object": "file", "deleted": True})
            if len(parts) == 3 and method == "GET":
                return FilesResponse(200, stored.data, "application/octet-stream") if stored else _not_found()
            return _method_not_allowed()
        return _not_found()
    except FileError as err:
        return FilesResponse(err.status, err.body())


# -- chat references -----------------------------------------------------------------------------


def file_ref_ids(message: Mapping[str, Any]) -> list[str] | None:
    """The ids a system message references with `fileid://`, or None when it is not such a message."""
    content = message.get("content")
    if message.get("role") != "system" or not isinstance(content, str) or not _FILEID_MESSAGE.fullmatch(content):
        return None
    return [entry[len("fileid://") :] for entry in content.split(",")]


def expand_file_refs(
    messages: Sequence[Mapping[str, Any]], store: FileStore | None
) -> tuple[list[Mapping[str, Any]], list[str]]:
    """Validate `fileid://` references; return the messages with documents inlined and the file names.

    Raises:
        ChatError: 400 for too many ids, an unknown id, a file still parsing or one that failed to parse.
    """
    found = [(i, file_ref_ids(m)) for i, m in enumerate(messages)]
    refs = [(i, ids) for i, ids in found if ids is not None]
    if not refs:
        return list(messages), []
    if sum(len(ids) for _, ids in refs) > MAX_FILE_REFS:
        raise ChatError(MSG_TOO_MANY_REFS)
    out = list(messages)
    names: list[str] = []
    for i, ids in refs:
        texts = []
        for file_id in ids:
            stored = store.get(file_id) if store is not None else None
            if stored is None or stored.purpose != "file-extract":
                raise ChatError(MSG_INVALID_REF.format(id=file_id))
            status = stored.status
            if status == STATUS_PARSING:
                raise ChatError(MSG_PARSING)
            if status == "error":
                raise ChatError(MSG_FORMAT.format(id=file_id))
            texts.append(stored.text)
            names.append(stored.filename)
        out[i] = {**messages[i], "content": "\n".join(texts)}
    return out, names


__all__ = [
    "FileError",
    "FileStore",
    "FilesResponse",
    "StoredFile",
    "expand_file_refs",
    "file_ref_ids",
    "handle_files_request",
    "parse_multipart",
]

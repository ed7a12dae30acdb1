"""Typed DashScope errors (SDK + LangChain dual inheritance), mapped in one place, and the retry policy.

Error tree (each class is also the matching `openai` SDK error, so code catching either works):

    QwenError                        base of every error this package raises (Exception)
    ├── QwenAuthenticationError      401  (region-mismatch hint)      openai.AuthenticationError + ModelAuthenticationError
    ├── QwenPermissionDeniedError    403                              openai.PermissionDeniedError + ModelPermissionDeniedError
    ├── QwenBadRequestError          400                              openai.BadRequestError + ModelInvalidRequestError
    │   ├── QwenContentInspectionError   data_inspection_failed (never retried, also mid-stream)
    │   ├── QwenFileError                documents (Files API / fileid://)
    │   │   ├── QwenFileTooLargeError        over the size or page limit
    │   │   ├── QwenUnsupportedFileError     format not parsable, or empty
    │   │   ├── QwenFileParseError           parsing failed (status error)
    │   │   ├── QwenFileNotReadyError        still parsing (retryable)
    │   │   ├── QwenStorageLimitError        account file storage full
    │   │   └── QwenInvalidFileError         unknown/deleted/foreign id, too many ids
    │   └── QwenContextOverflowError     input longer than the model accepts (+ ContextOverflowError)
    ├── QwenNotFoundError            404                              openai.NotFoundError + ModelNotFoundError
    ├── QwenRateLimitError           429  (throttling and insufficient_quota: retryable; billing codes: not)
    ├── QwenServerError              5xx                              openai.InternalServerError + ModelAPIError
    ├── QwenAPIStatusError           any other status / in-stream error payload
    ├── QwenConnectionError          transport failure                openai.APIConnectionError + ModelConnectionError
    │   └── QwenStreamInterruptedError   stream ended before `data: [DONE]` (carries the partial message)
    ├── QwenTimeoutError             timeout                          openai.APITimeoutError + ModelTimeoutError
    └── QwenValidationError          rejected locally before any network call (ValueError + ModelInvalidRequestError)
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import openai

_E = TypeVar("_E", bound=BaseException)
_S = TypeVar("_S", bound=openai.APIStatusError)

try:  # langchain-core >= 1.7
    from langchain_core.exceptions import (
        ContextOverflowError,
        ModelAPIError,
        ModelAuthenticationError,
        ModelConnectionError,
        ModelError,
        ModelInvalidRequestError,
        ModelNotFoundError,
        ModelPermissionDeniedError,
        ModelRateLimitError,
        ModelTimeoutError,
    )
except ImportError:  # pragma: no cover - older langchain-core: local stand-ins with the same names
    from langchain_core.exceptions import LangChainException

    class ModelError(LangChainException):  # type: ignore[no-redef]
        is_retryable = False

    class ModelAuthenticationError(ModelError): ...  # type: ignore[no-redef]

    class ModelPermissionDeniedError(ModelError): ...  # type: ignore[no-redef]

    class ModelInvalidRequestError(ModelError): ...  # type: ignore[no-redef]

    class ModelNotFoundError(ModelError): ...  # type: ignore[no-redef]

    class ModelRateLimitError(ModelError):  # type: ignore[no-redef]
        is_retryable = True

    class ModelAPIError(ModelError):  # type: ignore[no-redef]
        is_retryable = True

    class ModelConnectionError(ModelError):  # type: ignore[no-redef]
        is_retryable = True

    class ModelTimeoutError(ModelError):  # type: ignore[no-redef]
        is_retryable = True

    class ContextOverflowError(ModelError): ...  # type: ignore[no-redef]


class QwenError(Exception):
    """Base of every error this package raises: `except QwenError:` catches them all.

    Status errors also subclass the matching `openai` SDK error and LangChain `Model*Error`, so code
    catching either keeps working. Every class accepts the keyword `partial`.
    """

    code: str | None = None
    """DashScope error code (from `error.code`, else `error.type`), e.g. `data_inspection_failed`."""
    partial: Any = None
    """What had arrived before the failure (an `AIMessage` or chunk) when a stream broke; else None."""

    def __init__(self, *args: Any, partial: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partial = partial

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable (Celery, multiprocessing) without calling __init__, and never with the key.
        redact(self)
        return (_rebuild, (type(self), getattr(self, "args", ()), dict(self.__dict__)))


def _rebuild(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


REDACTED = "Bearer <redacted>"


def redact(exc: object) -> object:
    """Mask the API key in the Authorization header of the request an error carries (and its response's)."""
    for owner in (exc, getattr(exc, "response", None)):
        try:
            request = getattr(owner, "request", None)
        except RuntimeError:  # httpx response without a request
            continue
        headers = getattr(request, "headers", None)
        if headers is not None and "authorization" in headers:
            headers["authorization"] = REDACTED
    return exc


class QwenAuthenticationError(QwenError, openai.AuthenticationError, ModelAuthenticationError):
    """401: the key is wrong, or belongs to another region than the base URL."""


class QwenPermissionDeniedError(QwenError, openai.PermissionDeniedError, ModelPermissionDeniedError):
    """403: the account may not use this model (not activated, free tier only, workspace rights)."""


class QwenBadRequestError(QwenError, openai.BadRequestError, ModelInvalidRequestError):
    """400: DashScope rejected the request; fix it rather than retry."""


class QwenContentInspectionError(QwenBadRequestError):
    """Content moderation (`data_inspection_failed`) on input or output; retrying the same text fails again."""


class QwenContextOverflowError(QwenBadRequestError, ContextOverflowError):
    """400: the prompt is longer than the model's input limit."""


class QwenFileError(QwenBadRequestError):
    """A problem with an uploaded document (Files API / `fileid://`), reported by DashScope or caught locally."""


class QwenFileTooLargeError(QwenFileError):
    """Over DashScope's limit: 150 MB per document, 20 MB per image, 500 MB per batch file."""


class QwenUnsupportedFileError(QwenFileError):
    """A format DashScope cannot parse, or an empty file."""


class QwenFileParseError(QwenFileError):
    """DashScope failed to parse the document (status `error`)."""


class QwenFileNotReadyError(QwenFileError):
    """The document is still being parsed ("File parsing in progress"); retried with backoff."""

    is_retryable = True


class QwenStorageLimitError(QwenFileError):
    """The account's file storage is full (10,000 files / 100 GB): delete files to free space."""


class QwenInvalidFileError(QwenFileError):
    """An unknown, deleted or foreign file id, or too many ids in one request."""


class QwenNotFoundError(QwenError, openai.NotFoundError, ModelNotFoundError):
    """404: unknown model, model not served in this region, or wrong path."""


class QwenRateLimitError(QwenError, openai.RateLimitError, ModelRateLimitError):
    """429: throttling (RPM/TPM/burst, including `insufficient_quota`, which is a rate limit here)."""


class QwenServerError(QwenError, openai.InternalServerError, ModelAPIError):
    """5xx: a server-side failure; retried with backoff."""


class QwenAPIStatusError(QwenError, openai.APIStatusError, ModelAPIError):
    """Any other HTTP status, or an `{"error": ...}` payload received inside a stream."""


class QwenConnectionError(QwenError, openai.APIConnectionError, ModelConnectionError):
    """The server could not be reached or the connection broke."""


class QwenStreamInterruptedError(QwenConnectionError):
    """The event stream ended before `data: [DONE]`; `partial` holds what had arrived."""


class QwenTimeoutError(QwenError, openai.APITimeoutError, ModelTimeoutError):
    """The request timed out."""


class QwenValidationError(QwenError, ValueError, ModelInvalidRequestError):
    """A request DashScope would reject, caught locally before any network call."""

    is_retryable = False


# --- mapping ---------------------------------------------------------------------------------

_BILLING_CODES = frozenset(
    {"CommodityNotPurchased", "PrepaidBillOverdue", "PostpaidBillOverdue", "Arrearage", "AllocationQuota.FreeTierOnly"}
)
_MODERATION_KEY = "datainspectionfailed"
"""`data_inspection_failed`, `DataInspectionFailed` and `InternalError.Algo.DataInspectionFailed`, compared by key."""
_ALGO_PREFIX = re.compile(r"^<(\d{3})>\s*InternalError\.Algo\.([A-Za-z0-9_.]+):\s*")
"""The `<400> InternalError.Algo.<Code>: ` prefix DashScope puts in front of many 2026 error messages."""
_OVERFLOW_MARKERS = ("Range of input length should be", "Total message token length exceed", "context_length_exceeded")
_STATUS_CLASSES: dict[int, type[openai.APIStatusError]] = {
    400: QwenBadRequestError,
    401: QwenAuthenticationError,
    403: QwenPermissionDeniedError,
    404: QwenNotFoundError,
    429: QwenRateLimitError,
}


@dataclass(frozen=True)
class ErrorContext:
    """Where the request went, for messages such as the region hint on 401."""

    base_url: str = ""
    region: str | None = None
    model: str = ""
    plan: str | None = None


def code_key(code: str | None) -> str:
    """A code compared case- and separator-insensitively: `DataInspectionFailed` == `data_inspection_failed`."""
    return (code or "").replace("_", "").replace("-", "").lower()


def _is_moderation(code: str | None) -> bool:
    return code_key(code).rsplit(".", 1)[-1] == _MODERATION_KEY


_BILLING_KEYS = frozenset(code_key(c) for c in _BILLING_CODES)


def _is_billing(code: str | None) -> bool:
    return code_key(code) in _BILLING_KEYS


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def decode_error_body(body: object) -> object:
    """The JSON error object of a body the SDK could not parse, else `body` unchanged.

    A streaming request DashScope refuses (moderation) comes back as a non-2xx response whose body is
    an event-stream line, `data: {"error": {...}}`; the SDK then hands over the raw text.
    """
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str):
        return body
    parsed = _json_or_none(body)
    if isinstance(parsed, Mapping):
        return parsed
    for line in body.splitlines():
        if line.startswith("data:"):
            parsed = _json_or_none(line[len("data:") :].strip())
            if isinstance(parsed, Mapping) and parsed.get("error") is not None:
                return parsed
    return body


def split_message(message: str) -> tuple[str | None, str]:
    """(code named by a `<400> InternalError.Algo.<Code>: ` prefix, message without that prefix)."""
    match = _ALGO_PREFIX.match(message)
    if not match:
        return None, message
    return match.group(2), message[match.end() :]


def error_fields(body: object) -> tuple[str | None, str | None, str]:
    """(code, type, message) from a DashScope error body (`{"error": {...}}`, the inner object or its raw text)."""
    body = decode_error_body(body)
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        body = body["error"]
    if not isinstance(body, Mapping):
        return None, None, str(body) if body is not None else ""
    code = body.get("code")
    typ = body.get("type")
    return (
        (str(code) if code is not None else None),
        (str(typ) if typ is not None else None),
        str(body.get("message") or ""),
    )


def _dashscope_code(body: object) -> str | None:
    code, typ, message = error_fields(body)
    # DashScope puts its code in either field (`{"type": "Arrearage", "code": "Arrearage"}`,
    # `{"type": "data_inspection_failed", "code": null}`); prefer the specific one.
    generic_type = typ in ("invalid_request_error", "server_error")
    if typ and not generic_type and (not code or code in ("invalid_parameter_error", "invalid_value")):
        return typ
    return code or typ or split_message(message)[0]


_FILE_MESSAGES: tuple[tuple[str, type[QwenFileError]], ...] = (
    ("Payload Too Large", QwenFileTooLargeError),
    ("format is not supported", QwenUnsupportedFileError),
    ("content blank", QwenUnsupportedFileError),
    ("File parsing in progress", QwenFileNotReadyError),
    ("Upload file capacity exceed limit", QwenStorageLimitError),
    ("Upload file number exceed limit", QwenStorageLimitError),
    ("Invalid file [id:", QwenInvalidFileError),
    ("cannot be found", QwenInvalidFileError),
    ("Too many files provided", QwenInvalidFileError),
    ("exceeds page limits", QwenFileTooLargeError),
)


def _status_class(status: int, code: str | None, message: str) -> type[openai.APIStatusError]:
    if _is_moderation(code) or _is_moderation(split_message(message)[0]):
        return QwenContentInspectionError
    if status == 400:
        if code == "BadRequest.TooLarge":
            return QwenFileTooLargeError
        for marker, cls in _FILE_MESSAGES:
            if marker in message:
                return cls
    if status == 400 and any(m in message for m in _OVERFLOW_MARKERS):
        return QwenContextOverflowError
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    if status >= 500:
        return QwenServerError
    return QwenAPIStatusError


PLAN_NAMES = {"payg": "pay-as-you-go", "coding": "Coding Plan", "token": "Token Plan"}
"""Display names of the billing plans (here, not in `_hosts`, which imports this module and re-exports them)."""


def _region_hint(ctx: ErrorContext) -> str:
    facts = [f"region {ctx.region}"] if ctx.region else []
    facts += [f"plan {PLAN_NAMES.get(ctx.plan, ctx.plan)}"] if ctx.plan else []
    where = f"{ctx.base_url}" + (f" ({', '.join(facts)})" if facts else "")
    return (
        f" DashScope API keys are region-scoped AND plan-scoped: a Beijing key is rejected in Singapore, "
        f"and a pay-as-you-go key on a Coding Plan / Token Plan host (or a plan key, e.g. sk-sp-..., on a "
        f"pay-as-you-go host) is rejected too. This request went to {where}; check that DASHSCOPE_API_KEY "
        f"belongs to that region and plan, or pass region=/plan=/base_url= to match the key."
    )


def _path_hint(ctx: ErrorContext) -> str:
    if not ctx.base_url or "/compatible-mode/" in ctx.base_url:
        return ""
    return (
        f" The base URL {ctx.base_url} is not an OpenAI-compatible DashScope path: DashScope answers an empty "
        f"404 outside /compatible-mode/v1 (e.g. https://dashscope.aliyuncs.com/compatible-mode/v1)."
    )


def _finish(exc: _E, code: str | None) -> _E:
    redact(exc)
    retryable = bool(getattr(exc, "is_retryable", False)) and not (_is_billing(code) or _is_moderation(code))
    vars(exc).update(code=code, is_retryable=retryable)
    return exc


def _envelope(response: Any, body: object) -> object:
    """The whole `{"error": ..., "request_id": ...}` body when the SDK kept only the inner error object."""
    if isinstance(body, Mapping) and "error" in body:
        return body
    try:
        full = decode_error_body(response.text)
    except (AttributeError, RuntimeError, ValueError):  # e.g. a streamed response not read: keep what we have
        return body
    return full if isinstance(full, Mapping) and isinstance(full.get("error"), Mapping) else body


def status_error(response: Any, body: object, ctx: ErrorContext, *, status: int | None = None) -> openai.APIStatusError:
    """A typed error for an HTTP error response (or an in-stream payload, with `status` guessed from the code).

    The message shown drops DashScope's `<400> InternalError.Algo.<Code>: ` prefix; `err.body` keeps the
    error object exactly as received (raw message included), also when it arrived as `data: {...}` text.
    """
    body = _envelope(response, decode_error_body(body))
    code = _dashscope_code(body)
    _, _, message = error_fields(body)
    status = status if status is not None else response.status_code
    cls = _status_class(status, code, message)
    text = split_message(message)[1] or f"DashScope returned HTTP {status}"
    if cls in (QwenAuthenticationError, QwenPermissionDeniedError):
        text += _region_hint(ctx)
    elif cls is QwenNotFoundError and not message:
        text += _path_hint(ctx)
    err_body = body.get("error") if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping) else body
    exc = cls(f"Error code: {status} - {text}", response=response, body=err_body)
    exc.status_code = status
    if isinstance(body, Mapping) and body.get("request_id"):
        exc.request_id = body["request_id"]
    return _finish(exc, code)


_IN_STREAM_STATUS = {
    "invalidparametererror": 400,
    "invalidparameter": 400,
    "limitrequests": 429,
    "limitburstrate": 429,
    "insufficientquota": 429,
}
"""HTTP status implied by the code of an in-stream error payload, keyed by `code_key`."""


def stream_payload_error(response: Any, payload: Mapping[str, Any], ctx: ErrorContext) -> openai.APIStatusError:
    """A typed error for an `{"error": {...}}` frame received inside an HTTP 200 event stream."""
    key = code_key(_dashscope_code(payload))
    status = _IN_STREAM_STATUS.get(key, 400 if _is_moderation(key) else 500)
    if key.startswith("throttling"):
        status = 429
    return status_error(response, payload, ctx, status=status)


def map_api_error(err: Exception, ctx: ErrorContext) -> Exception:
    """Turn an `openai` SDK error (or a transport error) into this package's typed error."""
    if isinstance(err, QwenError):
        return redact(err)  # type: ignore[return-value]
    if isinstance(err, openai.APIStatusError):
        return status_error(err.response, err.body if err.body is not None else {}, ctx)
    if isinstance(err, openai.APITimeoutError):
        return _finish(QwenTimeoutError(request=err.request), None)
    if isinstance(err, openai.APIConnectionError):
        return _finish(QwenConnectionError(message=err.message, request=err.request), None)
    return err


def local_error(cls: type[_S], message: str, url: str, code: str = "local_validation") -> _S:
    """One of the HTTP-status error classes for a rejection known before sending (no request was made)."""
    import httpx2

    request = httpx2.Request("POST", url)
    body = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    exc = cls(message, response=httpx2.Response(400, request=request, json={"error": body}), body=body)
    return _finish(exc, code)


def interrupted(request: Any, partial: Any, detail: str) -> QwenStreamInterruptedError:
    """The error for a stream that ended (or broke) before `[DONE]`."""
    exc = QwenStreamInterruptedError(
        message=f"The DashScope event stream ended before [DONE] ({detail}); the answer is incomplete.",
        request=request,
        partial=partial,
    )
    return _finish(exc, None)


# --- retries -----------------------------------------------------------------------------------

INITIAL_RETRY_DELAY = 0.5
"""Seconds before the first retry; doubles each attempt (with up to 25 % jitter)."""
MAX_RETRY_DELAY = 8.0


def retry_delay(err: Exception, attempt: int) -> float | None:
    """Seconds to wait before retrying after `err` (attempt 0 = first retry), or None if not retryable.

    Only errors raised before the first response byte reach here, so a retry never duplicates
    streamed output. 429 throttling (including `insufficient_quota`), 5xx, timeouts and
    connection errors are retried; moderation, billing and other 4xx errors are not. A `Retry-After` the
    server sent replaces this backoff (`_client.retry_after`, up to `RETRY_AFTER_CAP`).
    """
    if not getattr(err, "is_retryable", False) or isinstance(err, QwenStreamInterruptedError):
        return None
    return min(INITIAL_RETRY_DELAY * (2.0**attempt), MAX_RETRY_DELAY) * (1 - 0.25 * random.random())


__all__ = [
    "ErrorContext",
    "ModelError",
    "QwenAPIStatusError",
    "QwenAuthenticationError",
    "QwenBadRequestError",
    "QwenConnectionError",
    "QwenContentInspectionError",
    "QwenContextOverflowError",
    "QwenError",
    "QwenFileError",
    "QwenFileNotReadyError",
    "QwenFileParseError",
    "QwenFileTooLargeError",
    "QwenInvalidFileError",
    "QwenNotFoundError",
    "QwenPermissionDeniedError",
    "QwenRateLimitError",
    "QwenServerError",
    "QwenStorageLimitError",
    "QwenStreamInterruptedError",
    "QwenTimeoutError",
    "QwenUnsupportedFileError",
    "QwenValidationError",
    "interrupted",
    "local_error",
    "map_api_error",
    "redact",
    "retry_delay",
    "status_error",
    "stream_payload_error",
]

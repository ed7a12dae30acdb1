"""One POST through an SDK client's own httpx2 client: the SDK's URL, headers, body bytes and errors, built once per shape.

The SDK's per-request pipeline (options models copied per attempt, headers merged anew, the response
wrapped and cast) costs about as much CPU as the HTTP exchange itself. For the package's POSTs only
the outcome matters, so the SDK builds each request *shape* (client, path, headers, timeout) once;
every call then copies those headers, adds its JSON body (the SDK's own encoder, so the bytes are the
ones the SDK would send) and goes to the SDK's httpx2 client. Errors leave as the SDK raises them:
`APITimeoutError`, `APIConnectionError` and the status errors of `_make_status_error_from_response`.
Clients that are not httpx2 (a legacy `httpx` client given by the user) take the SDK's own path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx2
import openai
from openai._httpx2 import request_exceptions, timeout_exceptions
from openai._models import FinalRequestOptions
from openai._utils._json import openapi_dumps

_SHAPES_KEY = "_langchain_qwen_shapes"
_SHAPES_MAX = 64


@dataclass(frozen=True, slots=True)
class Shape:
    """What the SDK would send for one (path, headers, timeout), less the body and the per-attempt headers."""

    url: httpx2.URL
    headers: httpx2.Headers
    timeout: dict[str, float | None]


def fast_path(client: Any) -> bool:
    """Whether `client`'s HTTP client is httpx2 (whose `Request` this module builds)."""
    return isinstance(client._client, (httpx2.Client, httpx2.AsyncClient))


def shape(client: Any, path: str, headers: Mapping[str, str] | None, timeout: float | None) -> Shape:
    """The cached shape of a POST to `path` with these per-call headers and timeout (the SDK builds it once)."""
    shapes: dict[Any, Shape] = client.__dict__.setdefault(_SHAPES_KEY, {})
    key = (path, tuple(headers.items()) if headers else (), timeout)
    found = shapes.get(key)
    if found is None:
        options: dict[str, Any] = {"method": "post", "url": path, "json_data": None}
        if headers:
            options["headers"] = dict(headers)
        if timeout is not None:
            options["timeout"] = timeout
        built = client._build_request(FinalRequestOptions.construct(**options), retries_taken=0)
        kept = [(k, v) for k, v in built.headers.raw if k.lower() not in (b"host", b"content-length")]
        found = Shape(built.url, httpx2.Headers(kept), built.extensions["timeout"])
        if len(shapes) >= _SHAPES_MAX:
            shapes.clear()  # many distinct per-call headers/timeouts: start over (atomic under threads)
        shapes[key] = found
    return found


def build(sh: Shape, body: Mapping[str, Any], attempt: int, timeout: httpx2.Timeout | None) -> httpx2.Request:
    """The request of one attempt: the shape's headers, the body as the SDK encodes it, the attempt's timeout."""
    extensions = {"timeout": timeout.as_dict() if timeout is not None else sh.timeout}
    request = httpx2.Request("POST", sh.url, headers=sh.headers, content=openapi_dumps(body), extensions=extensions)
    if attempt:
        request.headers["x-stainless-retry-count"] = str(attempt)
    if timeout is not None and timeout.read is not None:
        request.headers["x-stainless-read-timeout"] = str(timeout.read)
    return request


def transport_error(request: httpx2.Request, err: Exception) -> openai.APIError:
    """The SDK's error for a failed exchange (timeout or connection), as its own `request` loop raises it."""
    if isinstance(err, timeout_exceptions()):
        return openai.APITimeoutError(request=request)
    return openai.APIConnectionError(request=request)


def send(client: Any, request: httpx2.Request, *, stream: bool) -> httpx2.Response:
    """Send through the SDK client's httpx2 client; errors as the SDK raises them."""
    try:
        response: httpx2.Response = client._client.send(request, stream=stream)
    except request_exceptions() as err:
        raise transport_error(request, err) from err
    if response.status_code >= 400:
        response.read()
        raise client._make_status_error_from_response(response) from None
    return response


async def asend(client: Any, request: httpx2.Request, *, stream: bool) -> httpx2.Response:
    """Async twin of `send`."""
    try:
        response: httpx2.Response = await client._client.send(request, stream=stream)
    except request_exceptions() as err:
        raise transport_error(request, err) from err
    if response.status_code >= 400:
        await response.aread()
        raise client._make_status_error_from_response(response) from None
    return response


__all__ = ["Shape", "asend", "build", "fast_path", "send", "shape"]

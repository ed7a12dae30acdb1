"""Regions and base URLs, cached `openai` SDK clients, and the one transport call (with retries)."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from threading import Lock
from typing import Any, TypeVar

import httpx2
import openai

from langchain_qwen._errors import ErrorContext, QwenValidationError, map_api_error, retry_delay

# T.1: the compatible-mode hosts per region.
REGION_URLS: dict[str, str] = {
    "cn-beijing": "https://dashscope.aliyuncs.com/compatible-mode/v1",
    "ap-southeast-1": "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
    "us-east-1": "https://dashscope-us.aliyuncs.com/compatible-mode/v1",
}
WORKSPACE_REGIONS = frozenset({"cn-beijing", "ap-southeast-1", "us-east-1", "eu-central-1", "ap-northeast-1"})
"""Regions with workspace hosts `https://{WorkspaceId}.{region}.maas.aliyuncs.com/compatible-mode/v1`."""
REGION_ALIASES: dict[str, str] = {
    "beijing": "cn-beijing",
    "cn": "cn-beijing",
    "china": "cn-beijing",
    "singapore": "ap-southeast-1",
    "intl": "ap-southeast-1",
    "international": "ap-southeast-1",
    "us": "us-east-1",
    "virginia": "us-east-1",
    "frankfurt": "eu-central-1",
    "germany": "eu-central-1",
    "eu": "eu-central-1",
    "tokyo": "ap-northeast-1",
    "japan": "ap-northeast-1",
}
DEFAULT_REGION = "cn-beijing"
T = TypeVar("T")


def normalize_region(region: str | None) -> str:
    """Canonical region id (`cn-beijing`, `ap-southeast-1`, ...) for a region name or alias."""
    if not region:
        return DEFAULT_REGION
    key = region.strip().lower()
    key = REGION_ALIASES.get(key, key)
    if key not in WORKSPACE_REGIONS:
        known = sorted({*WORKSPACE_REGIONS, *REGION_ALIASES})
        raise QwenValidationError(f"Unknown DashScope region {region!r}; use one of {known}.")
    return key


def region_base_url(region: str | None, workspace_id: str | None = None) -> str:
    """The compatible-mode base URL for a region (and optional workspace)."""
    reg = normalize_region(region)
    if workspace_id:
        return f"https://{workspace_id}.{reg}.maas.aliyuncs.com/compatible-mode/v1"
    if reg not in REGION_URLS:
        raise QwenValidationError(
            f"Region {reg} is served only from workspace hosts: pass workspace_id=... (your Model Studio "
            f"workspace) or base_url=."
        )
    return REGION_URLS[reg]


@dataclass(frozen=True)
class ClientConfig:
    """Everything that identifies one SDK client; equal configs share one client."""

    base_url: str
    api_key: str
    timeout: float | None = None
    default_headers: tuple[tuple[str, str], ...] = ()
    region: str | None = None
    max_retries: int = 2
    http_client: Any = field(default=None, compare=False, hash=False)
    http_async_client: Any = field(default=None, compare=False, hash=False)

    @property
    def context(self) -> ErrorContext:
        return ErrorContext(base_url=self.base_url, region=self.region)


def make_config(
    *,
    api_key: Any,
    base_url: str | None,
    region: str | None,
    workspace_id: str | None = None,
    timeout: float | None = None,
    max_retries: int = 2,
    default_headers: Mapping[str, str] | None = None,
    http_client: Any = None,
    http_async_client: Any = None,
) -> ClientConfig:
    """A `ClientConfig` from user settings: key required (DashScope's only), base URL else region host."""
    secret = api_key.get_secret_value() if hasattr(api_key, "get_secret_value") else api_key
    if not secret:
        raise QwenValidationError(
            "No DashScope API key: set DASHSCOPE_API_KEY or pass api_key=. (Keys of other providers, "
            "such as OPENAI_API_KEY, are never used.)"
        )
    reg = normalize_region(region) if region or not base_url else None
    return ClientConfig(
        base_url=base_url or region_base_url(reg, workspace_id),
        api_key=secret,
        timeout=timeout,
        default_headers=tuple(sorted((default_headers or {}).items())),
        region=reg,
        max_retries=max_retries,
        http_client=http_client,
        http_async_client=http_async_client,
    )


_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_LOCK = Lock()
_CACHE_SIZE = 64


def _sanitize(client: Any, cfg: ClientConfig) -> Any:
    # The SDK reads OPENAI_ORG_ID / OPENAI_PROJECT_ID / OPENAI_ADMIN_KEY / OPENAI_CUSTOM_HEADERS from the
    # environment; none of another provider's credentials or headers may reach DashScope.
    client.organization = None
    client.project = None
    client.admin_api_key = None
    client.webhook_secret = None
    client._custom_headers = dict(cfg.default_headers)
    return client


def _build(cfg: ClientConfig, is_async: bool) -> Any:
    cls = openai.AsyncOpenAI if is_async else openai.OpenAI
    http_client = cfg.http_async_client if is_async else cfg.http_client
    kwargs: dict[str, Any] = {
        "api_key": cfg.api_key,
        "base_url": cfg.base_url,
        "max_retries": 0,  # retries are ours (retry_delay): moderation and billing errors are never retried
        "default_headers": dict(cfg.default_headers),
    }
    if cfg.timeout is not None:
        kwargs["timeout"] = cfg.timeout
    if http_client is not None:
        kwargs["http_client"] = http_client
    return _sanitize(cls(**kwargs), cfg)


def get_client(cfg: ClientConfig, *, is_async: bool = False) -> Any:
    """A cached `OpenAI`/`AsyncOpenAI` for `cfg` (async clients are per event loop)."""
    loop_id = 0
    if is_async:
        try:
            loop_id = id(asyncio.get_running_loop())
        except RuntimeError:
            loop_id = 0
    key = (cfg, is_async, loop_id, id(cfg.http_client), id(cfg.http_async_client))
    with _CACHE_LOCK:
        client = _CACHE.get(key)
        if client is not None:
            _CACHE.move_to_end(key)
            return client
    client = _build(cfg, is_async)
    with _CACHE_LOCK:
        _CACHE[key] = client
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return client


@dataclass(frozen=True)
class HttpMeta:
    """Response headers worth keeping on the message."""

    request_id: str | None = None
    partial_response: bool = False
    account_balance: str | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> HttpMeta:
        return cls(
            request_id=headers.get("x-request-id") or headers.get("x-dashscope-request-id"),
            partial_response=(headers.get("x-dashscope-partialresponse") or "").lower() == "true",
            account_balance=headers.get("x-account-balance"),
        )


def _options(headers: Mapping[str, str] | None, timeout: float | None) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if headers:
        opts["headers"] = dict(headers)
    if timeout is not None:
        opts["timeout"] = timeout
    return opts


def call(cfg: ClientConfig, fn: Callable[[Any], T]) -> T:
    """Run `fn(client)`; retry retryable errors raised before the first response byte, with backoff.

    Every error leaves as this package's typed error, raised from the SDK error.
    """
    client = get_client(cfg)
    for attempt in range(cfg.max_retries + 1):
        try:
            return fn(client)
        except openai.APIError as err:
            mapped = map_api_error(err, cfg.context)
            delay = retry_delay(mapped, attempt) if attempt < cfg.max_retries else None
            if delay is None:
                raise mapped from err
        time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def acall(cfg: ClientConfig, fn: Callable[[Any], Awaitable[T]]) -> T:
    """Async twin of `call`."""
    client = get_client(cfg, is_async=True)
    for attempt in range(cfg.max_retries + 1):
        try:
            return await fn(client)
        except openai.APIError as err:
            mapped = map_api_error(err, cfg.context)
            delay = retry_delay(mapped, attempt) if attempt < cfg.max_retries else None
            if delay is None:
                raise mapped from err
        await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def post(
    cfg: ClientConfig,
    path: str,
    body: Mapping[str, Any],
    *,
    stream: bool,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> httpx2.Response:
    """POST `body` to `path`; returns the raw response (body unread when streaming)."""
    opts = _options(headers, timeout)
    return call(cfg, lambda c: c.post(path, cast_to=httpx2.Response, body=body, stream=stream, options=opts))


async def apost(
    cfg: ClientConfig,
    path: str,
    body: Mapping[str, Any],
    *,
    stream: bool,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> httpx2.Response:
    """Async twin of `post`."""
    opts = _options(headers, timeout)
    return await acall(cfg, lambda c: c.post(path, cast_to=httpx2.Response, body=body, stream=stream, options=opts))


__all__ = [
    "DEFAULT_REGION",
    "REGION_URLS",
    "ClientConfig",
    "HttpMeta",
    "acall",
    "apost",
    "call",
    "get_client",
    "make_config",
    "normalize_region",
    "post",
    "region_base_url",
]

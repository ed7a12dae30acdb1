"""Connection settings shared by ChatQwen, QwenEmbeddings and QwenFIM (key, base URL, region, transport)."""

from __future__ import annotations

from typing import Any

from langchain_core.utils import from_env, secret_from_env
from pydantic import AliasChoices, BaseModel, Field, SecretStr

from langchain_qwen._client import ClientConfig, make_config


class DashScopeSettings(BaseModel):
    """Where and how to reach DashScope; `_client_config()` turns it into a cached-client key."""

    api_key: SecretStr | None = Field(default_factory=secret_from_env("DASHSCOPE_API_KEY", default=None))
    """DashScope API key; defaults to `DASHSCOPE_API_KEY` (never another provider's key)."""
    base_url: str | None = Field(
        default_factory=from_env(["DASHSCOPE_BASE_URL", "DASHSCOPE_API_BASE"], default=None),
        validation_alias=AliasChoices("base_url", "api_base"),
    )
    """OpenAI-compatible base URL; defaults to `DASHSCOPE_BASE_URL`, else derived from `region`."""
    region: str | None = Field(default_factory=from_env("DASHSCOPE_REGION", default=None))
    """DashScope region (used when no base URL is set); Beijing by default."""
    workspace_id: str | None = Field(default_factory=from_env("DASHSCOPE_WORKSPACE_ID", default=None))
    """Model Studio workspace id, for the workspace-dedicated hosts."""
    timeout: float | None = Field(default=None, validation_alias=AliasChoices("timeout", "request_timeout"))
    """Request timeout in seconds."""
    max_retries: int = 2
    """Retries (with backoff) for 429, 5xx, timeouts and connection errors before the first response byte."""
    default_headers: dict[str, str] | None = None
    """Extra headers on every request (e.g. `X-DashScope-DataInspection`)."""
    http_client: Any | None = Field(default=None, exclude=True)
    """Optional `httpx2.Client` for the sync SDK client (proxies, custom transports)."""
    http_async_client: Any | None = Field(default=None, exclude=True)
    """Optional `httpx2.AsyncClient` for the async SDK client."""

    def _client_config(self) -> ClientConfig:
        return make_config(
            api_key=self.api_key,
            base_url=self.base_url,
            region=self.region,
            workspace_id=self.workspace_id,
            timeout=self.timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
            http_client=self.http_client,
            http_async_client=self.http_async_client,
        )


SETTINGS_FIELDS = frozenset(DashScopeSettings.model_fields)

__all__ = ["SETTINGS_FIELDS", "DashScopeSettings"]

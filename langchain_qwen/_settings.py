"""Connection settings shared by ChatQwen, QwenEmbeddings, QwenFIM and QwenFiles (key, host, transport, deadline)."""

from __future__ import annotations

from typing import Any

from langchain_core.utils import from_env, secret_from_env
from pydantic import AliasChoices, BaseModel, Field, PrivateAttr, SecretStr, ValidationError, model_validator

from langchain_qwen._client import ClientConfig, check_connection, make_config
from langchain_qwen._errors import QwenValidationError


class _ConfigCache:
    """The last `ClientConfig` of one model instance and the settings it was made from.

    Invisible to the model's identity: every cache equals every other (so `==` between models is unchanged),
    and a copy or pickle of the model starts empty (a `model_copy(update=...)` rebuilds from its own settings).
    """

    __slots__ = ("config", "key")

    def __init__(self, key: tuple[Any, ...] | None = None, config: ClientConfig | None = None) -> None:
        self.key, self.config = key, config

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ConfigCache)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[_ConfigCache], tuple[()]]:
        return (_ConfigCache, ())


ENV_VARS = (
    "DASHSCOPE_API_KEY",
    "DASHSCOPE_BASE_URL",
    "DASHSCOPE_API_BASE",
    "DASHSCOPE_REGION",
    "DASHSCOPE_PLAN",
    "DASHSCOPE_WORKSPACE_ID",
)
"""Every environment variable `DashScopeSettings` reads (tests and the notebook builder clear them)."""


class DashScopeSettings(BaseModel):
    """Where and how to reach DashScope; `_client_config()` turns it into a cached-client key.

    The host is `base_url` when given, else decided by `region` and `plan` together (plus
    `workspace_id` or `trial` for pay-as-you-go). Every setting is checked when the model is built:
    a bad one raises `QwenValidationError` naming the parameter, the value and what is allowed.
    """

    api_key: SecretStr | None = Field(default_factory=secret_from_env("DASHSCOPE_API_KEY", default=None))
    """DashScope API key; defaults to `DASHSCOPE_API_KEY` (never another provider's key)."""
    base_url: str | None = Field(
        default_factory=from_env(["DASHSCOPE_BASE_URL", "DASHSCOPE_API_BASE"], default=None),
        validation_alias=AliasChoices("base_url", "api_base"),
    )
    """OpenAI-compatible base URL; defaults to `DASHSCOPE_BASE_URL`, else derived from `region` and `plan`."""
    region: str | None = Field(default_factory=from_env("DASHSCOPE_REGION", default=None))
    """DashScope region (used when no base URL is set): cn-beijing (default), ap-southeast-1, us-east-1,
    cn-hongkong, and with `workspace_id` also eu-central-1 / ap-northeast-1."""
    plan: str | None = Field(default_factory=from_env("DASHSCOPE_PLAN", default=None))
    """Billing plan of the key: "payg" (pay-as-you-go, default), "coding" (Coding Plan) or "token" (Token Plan).
    Plan keys work only on their plan's hosts."""
    workspace_id: str | None = Field(default_factory=from_env("DASHSCOPE_WORKSPACE_ID", default=None))
    """Model Studio workspace id, for the workspace-dedicated hosts `{WorkspaceId}.{region}.maas.aliyuncs.com`."""
    trial: bool = False
    """Use the region's trial host `trial.{region}.maas.aliyuncs.com` (lower rate limits)."""
    timeout: float | None = Field(default=None, validation_alias=AliasChoices("timeout", "request_timeout"))
    """Seconds per attempt for connecting and for each read (not the whole call: see `total_timeout`)."""
    total_timeout: float | None = Field(default=None, validation_alias=AliasChoices("total_timeout", "deadline"))
    """Seconds for the whole call: all attempts, the waits between them and reading a streamed answer.
    When it runs out the call raises `QwenTimeoutError` (a stream's error carries `partial`). None: no limit."""
    max_retries: int = 2
    """Retries (with backoff) for 429, 5xx, timeouts and connection errors before the first response byte."""
    default_headers: dict[str, str] | None = None
    """Extra headers on every request (e.g. `X-DashScope-DataInspection`)."""
    http_client: Any | None = Field(default=None, exclude=True)
    """Optional `httpx2.Client` for the sync SDK client (proxies, custom transports)."""
    http_async_client: Any | None = Field(default=None, exclude=True)
    """Optional `httpx2.AsyncClient` for the async SDK client."""
    _config_cache: _ConfigCache = PrivateAttr(default_factory=_ConfigCache)

    def __init__(self, *args: Any, **data: Any) -> None:
        """Build; a refused setting raises `QwenValidationError` itself, not pydantic's wrapper around it."""
        try:
            super().__init__(*args, **data)
        except ValidationError as err:
            for detail in err.errors():
                cause = (detail.get("ctx") or {}).get("error")
                if isinstance(cause, QwenValidationError):
                    raise cause from None
            raise

    @model_validator(mode="after")
    def _check_connection(self) -> Any:
        check_connection(
            base_url=self.base_url,
            region=self.region,
            plan=self.plan,
            workspace_id=self.workspace_id,
            trial=self.trial,
            timeout=self.timeout,
            total_timeout=self.total_timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
        )
        return self

    def _client_config(self) -> ClientConfig:
        """The client config of the current settings, made once per distinct settings (cheap per request)."""
        headers = self.default_headers
        key = (
            self.api_key,
            self.base_url,
            self.region,
            self.workspace_id,
            self.timeout,
            self.max_retries,
            None if headers is None else tuple(headers.items()),
            self.http_client,
            self.http_async_client,
            self.plan,
            self.trial,
            self.total_timeout,
        )
        cache = self._config_cache
        if cache.config is not None and cache.key == key:
            return cache.config
        config = self._make_config()
        self._config_cache = _ConfigCache(key, config)
        return config

    def _make_config(self) -> ClientConfig:
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
            plan=self.plan,
            trial=self.trial,
            total_timeout=self.total_timeout,
        )


SETTINGS_FIELDS = frozenset(DashScopeSettings.model_fields)

__all__ = ["ENV_VARS", "SETTINGS_FIELDS", "DashScopeSettings"]

"""ChatQwen: the LangChain chat model for Qwen on DashScope (OpenAI-compatible mode)."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, cast

import httpx2
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput, ModelProfile
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.utils import _build_model_kwargs
from pydantic import BaseModel, ConfigDict, Field, model_validator

from langchain_qwen import _responses_chat
from langchain_qwen._chat_settings import QwenChatSettings, settings_of
from langchain_qwen._client import ClientConfig, HttpMeta, apost, post, response_json
from langchain_qwen._errors import QwenBadRequestError
from langchain_qwen._parse import chat_result
from langchain_qwen._payload import ChatRequest, build_chat_request
from langchain_qwen._profiles import QwenProfile, profile_region, resolve_profile
from langchain_qwen._rules import required_fallback
from langchain_qwen._settings import DashScopeSettings
from langchain_qwen._stream import StreamState, aiter_chunks, iter_chunks
from langchain_qwen._version import __version__
from langchain_qwen.media import inline_local_media

_CHAT_PATH = "/chat/completions"


class ChatQwen(BaseChatModel, DashScopeSettings, QwenChatSettings):
    """Qwen chat models on Alibaba Cloud DashScope / Model Studio (OpenAI-compatible mode).

    Built directly on the `openai` SDK. Reasoning (`reasoning_content`) is kept and shown as a
    reasoning content block; thinking is controlled per model or per call; stream-only models
    and modes are streamed internally by `invoke`; DashScope errors arrive as typed exceptions.

    Setup:
        ```bash
        pip install langchain-qwen
        export DASHSCOPE_API_KEY="sk-..."   # region-scoped: Beijing keys work only in Beijing
        ```

    Key init args — client:
        model: DashScope model id, e.g. `"qwen-plus"`, `"qwq-plus"`, `"qwen3-32b"`.
        api_key: DashScope key (`SecretStr`); default from `DASHSCOPE_API_KEY`. No other provider's
            key is ever used.
        base_url: Any OpenAI-compatible base URL (DashScope host, workspace host or a reseller);
            default from `DASHSCOPE_BASE_URL` (or `DASHSCOPE_API_BASE`), else from `region`.
        region: `"cn-beijing"` (default), `"ap-southeast-1"` (Singapore), `"us-east-1"`, ... and
            with `workspace_id` also `"eu-central-1"` / `"ap-northeast-1"`.
        timeout, max_retries, default_headers: transport settings (retries back off on 429/5xx).

    Key init args — completion:
        temperature, top_p, top_k, seed, presence_penalty, repetition_penalty, stop, max_tokens,
        max_completion_tokens, n, logprobs, enable_search, search_options: sampling/controls.
        enable_thinking, thinking_budget, preserve_thinking, reasoning_effort: thinking control,
            sent only to models that accept them; also accepted per call.
        extra_body / model_kwargs: extra top-level JSON keys.

    Invoke:
        ```python
        from langchain_qwen import ChatQwen

        llm = ChatQwen(model="qwen-plus")
        msg = llm.invoke("Why is the sky blue?", enable_thinking=True)
        msg.content_blocks[0]  # {"type": "reasoning", "reasoning": "..."}
        msg.usage_metadata  # {"input_tokens": ..., "output_token_details": {"reasoning": ...}}
        ```

    Stream:
        ```python
        for chunk in llm.stream("Tell me a joke"):
            print(chunk.additional_kwargs.get("reasoning_content", ""), chunk.text, end="")
        ```

    Response metadata:
        `model_name`, `finish_reason`, `model_provider` ("qwen"), `id`, `request_id`, and when present
        `partial_response` (the 300 s cut-off header) and `account_balance` (reseller header).
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    model_name: str = Field(default="qwen-plus", alias="model")
    """DashScope model id."""
    streaming: bool = False
    """Stream by default (core routes `invoke` through `_stream`)."""

    allow_local_files: bool = False
    """Read `file://` URLs and bare local paths found in message content (default: refuse them; the explicit
    helpers `langchain_qwen.media.image_block(path)` etc. always read local files). Client-side: never sent."""

    @model_validator(mode="before")
    @classmethod
    def _collect_model_kwargs(cls, values: Any) -> Any:
        if isinstance(values, dict):
            return _build_model_kwargs(values, cls.model_fields.keys() | {"model", "stop_sequences", "api_base"})
        return values

    @model_validator(mode="after")
    def _set_qwen_version(self) -> ChatQwen:
        self._add_version("langchain-qwen", __version__)
        return self

    # --- LangChain plumbing -----------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "qwen-chat"

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_qwen", "chat_models"]

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "DASHSCOPE_API_KEY"}

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, **self._default_params}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = self._default_params | kwargs
        ls = LangSmithParams(
            ls_provider="qwen",
            ls_model_name=params.get("model") or self.model_name,
            ls_model_type="chat",
        )
        if params.get("temperature") is not None:
            ls["ls_temperature"] = params["temperature"]
        if params.get("max_tokens") is not None:
            ls["ls_max_tokens"] = params["max_tokens"]
        stop = stop or params.get("stop")
        if stop:
            ls["ls_stop"] = [stop] if isinstance(stop, str) else list(stop)
        return ls

    def _resolve_model_profile(self) -> ModelProfile | None:
        return cast(ModelProfile, self.qwen_capabilities.to_langchain())

    @property
    def qwen_capabilities(self) -> QwenProfile:
        """This model's DashScope capability profile in its region (table entry plus `qwen_profile` overrides)."""
        region = profile_region(self.region, self.base_url)
        return resolve_profile(self.model_name, self.qwen_profile, region=region)

    # --- request building -------------------------------------------------------------------

    @property
    def _default_params(self) -> dict[str, Any]:
        return {"model": self.model_name, **settings_of(self)}

    def _call_params(self, stop: list[str] | None, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The model's settings with this call's options on top (`model_kwargs` / `extra_body` merged)."""
        params = self._default_params
        if stop is not None:
            params["stop"] = stop
        for key, value in kwargs.items():
            if key in ("model_kwargs", "extra_body") and params.get(key):
                params[key] = {**params[key], **(value or {})}
            else:
                params[key] = value
        return params

    def _prepare(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any], *, stream: bool
    ) -> tuple[ChatRequest, ClientConfig]:
        # file:// URLs and bare paths in content are read only when the model opted in (allow_local_files)
        messages = inline_local_media(messages, allow=self.allow_local_files)
        kwargs.pop("stream", None)
        params = self._call_params(stop, kwargs)
        region = profile_region(self.region, self.base_url)
        request = build_chat_request(messages, params, want_stream=stream, region=region)
        cfg = self._client_config()
        regions = request.profile.regions
        if cfg.region and regions and cfg.region not in regions:
            warnings.warn(
                f"{request.profile.model} is served only in {sorted(regions)}, but this ChatQwen is configured "
                f"for {cfg.region}; DashScope will answer 'model not found'. Use region='cn-beijing' (with a "
                f"Beijing API key) for this model.",
                stacklevel=5,
            )
        return request, cfg

    # --- generation ---------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if _responses_chat.wants_responses(self, kwargs):
            return _responses_chat.generate(self, messages, stop, run_manager, kwargs)
        req, cfg = self._prepare(messages, stop, kwargs, stream=False)
        response = _send(cfg, req, stream=req.stream)
        meta = HttpMeta.from_headers(response.headers)
        if not req.stream:
            return chat_result(response_json(response, cfg.context), meta)
        state = StreamState(meta, cumulative=req.profile.cumulative_stream, aggregate=True, audio=req.audio)
        for chunk in iter_chunks(response, state, cfg.context):
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
        return state.result()

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if _responses_chat.wants_responses(self, kwargs):
            return await _responses_chat.agenerate(self, messages, stop, run_manager, kwargs)
        req, cfg = self._prepare(messages, stop, kwargs, stream=False)
        response = await _asend(cfg, req, stream=req.stream)
        meta = HttpMeta.from_headers(response.headers)
        if not req.stream:
            return chat_result(response_json(response, cfg.context), meta)
        state = StreamState(meta, cumulative=req.profile.cumulative_stream, aggregate=True, audio=req.audio)
        async for chunk in aiter_chunks(response, state, cfg.context):
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
        return state.result()

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if _responses_chat.wants_responses(self, kwargs):
            yield from _responses_chat.stream(self, messages, stop, run_manager, kwargs)
            return
        req, cfg = self._prepare(messages, stop, kwargs, stream=True)
        response = _send(cfg, req, stream=True)
        state = StreamState(
            HttpMeta.from_headers(response.headers), cumulative=req.profile.cumulative_stream, audio=req.audio
        )
        for chunk in iter_chunks(response, state, cfg.context):
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        if _responses_chat.wants_responses(self, kwargs):
            async for chunk in _responses_chat.astream(self, messages, stop, run_manager, kwargs):
                yield chunk
            return
        req, cfg = self._prepare(messages, stop, kwargs, stream=True)
        response = await _asend(cfg, req, stream=True)
        state = StreamState(
            HttpMeta.from_headers(response.headers), cumulative=req.profile.cumulative_stream, audio=req.audio
        )
        async for chunk in aiter_chunks(response, state, cfg.context):
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    # --- tools and structured output ----------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (LangChain tools, pydantic models, functions, TypedDicts or OpenAI dicts).

        Args:
            tools: The tools the model may call.
            tool_choice: "auto", "none", a tool name, a `{"type": "function", ...}` dict, or LangChain's
                "any" / "required" / True. DashScope has no "required": one bound tool is forced by name,
                several raise `QwenValidationError`. Forcing switches thinking off for that call on hybrid
                models and is refused on always-thinking ones (see `langchain_qwen._tools`).
            strict: Passed through in each function definition.
            parallel_tool_calls: Passed through; when not given, DashScope's default `false` (one call per
                turn) is sent explicitly.
            **kwargs: Other request options bound with the tools.
        """
        from langchain_qwen._tools import convert_tools, normalize_tool_choice

        if _responses_chat.wants_responses(self, {"tools": tools}):
            bound = _responses_chat.bind_tools_kwargs(self.model_name, tools, tool_choice, strict, parallel_tool_calls)
            return super().bind(**bound, **kwargs)
        formatted = convert_tools(tools, strict=strict)
        choice = normalize_tool_choice(tool_choice, formatted)
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal["function_calling", "json_mode", "json_schema"] = "function_calling",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Structured output by forced function calling (default), JSON mode, or native json_schema.

        See `langchain_qwen._structured` for how each method maps to DashScope and its thinking rules;
        `json_schema` falls back to function calling on models without native support.
        """
        from langchain_qwen._structured import structured_runnable

        return structured_runnable(self, schema, method=method, include_raw=include_raw, strict=strict, **kwargs)

    # --- Responses API: stored responses ------------------------------------------------------------

    def get_response(self, response_id: str) -> AIMessage:
        """A stored Responses API answer (`GET /responses/{id}`; stored by default for 7 days) as an `AIMessage`."""
        return _responses_chat.retrieve(self, response_id)

    async def aget_response(self, response_id: str) -> AIMessage:
        """Async `get_response`."""
        return await _responses_chat.aretrieve(self, response_id)

    # --- token counting -------------------------------------------------------------------------

    def get_token_ids(self, text: str) -> list[int]:
        """Qwen BPE token ids of `text` (the vocabulary follows the model family)."""
        if self.custom_get_token_ids is not None:
            return self.custom_get_token_ids(text)
        import unicodedata

        from langchain_qwen._tokens import encoding

        ids: list[int] = encoding(self.qwen_capabilities.tokenizer).encode_ordinary(unicodedata.normalize("NFC", text))
        return ids

    def get_num_tokens(self, text: str) -> int:
        """Exact number of Qwen tokens in `text`."""
        if self.custom_get_token_ids is not None:
            return len(self.custom_get_token_ids(text))
        from langchain_qwen._tokens import count_text

        return count_text(text, self.qwen_capabilities.tokenizer)

    def get_num_tokens_from_messages(self, messages: list[BaseMessage], tools: Sequence[Any] | None = None) -> int:
        """Prompt tokens of `messages` (and `tools`) as DashScope counts them: Qwen BPE over the ChatML template.

        Exact for text input (it reproduces DashScope's reported `prompt_tokens`); image, audio
        and video parts are not counted.
        """
        from langchain_core.messages import convert_to_messages
        from langchain_core.utils.function_calling import convert_to_openai_tool

        from langchain_qwen._tokens import count_messages

        req = build_chat_request(
            convert_to_messages(messages),
            self._default_params,
            want_stream=False,
            check_input=False,
            region=profile_region(self.region, self.base_url),
        )
        wire_tools = [convert_to_openai_tool(t) for t in tools] if tools else None
        return count_messages(req.body["messages"], wire_tools, req.profile.tokenizer)


def _fallback_body(req: ChatRequest, err: QwenBadRequestError) -> dict[str, Any] | None:
    """The body to send once more after `err` (a refused `tool_choice: "required"`, A8), warning once; else None."""
    fallback = required_fallback(req.profile, req.body, err)
    if fallback is None:
        return None
    body, warning = fallback
    warnings.warn(warning, stacklevel=6)
    return body


def _send(cfg: ClientConfig, req: ChatRequest, *, stream: bool) -> httpx2.Response:
    """POST the chat request (sent again once with "auto" + instruction if the server refuses "required")."""
    try:
        return post(cfg, _CHAT_PATH, req.body, stream=stream, headers=req.headers, timeout=req.timeout)
    except QwenBadRequestError as err:
        if (body := _fallback_body(req, err)) is None:
            raise
    return post(cfg, _CHAT_PATH, body, stream=stream, headers=req.headers, timeout=req.timeout)


async def _asend(cfg: ClientConfig, req: ChatRequest, *, stream: bool) -> httpx2.Response:
    """Async twin of `_send`."""
    try:
        return await apost(cfg, _CHAT_PATH, req.body, stream=stream, headers=req.headers, timeout=req.timeout)
    except QwenBadRequestError as err:
        if (body := _fallback_body(req, err)) is None:
            raise
    return await apost(cfg, _CHAT_PATH, body, stream=stream, headers=req.headers, timeout=req.timeout)


def _register_serializable() -> None:
    """List ChatQwen in core's serializable mapping, where partner chat models are listed.

    `load(..., allowed_objects="all")` ("trusted partner integrations") admits only classes in that
    mapping; without this entry a dumped ChatQwen could not be loaded back.
    """
    import importlib

    _load = importlib.import_module("langchain_core.load.load")
    mapping = importlib.import_module("langchain_core.load.mapping")

    path = ("langchain_qwen", "chat_models", "ChatQwen")
    for table in (getattr(mapping, "SERIALIZABLE_MAPPING", None), getattr(_load, "ALL_SERIALIZABLE_MAPPINGS", None)):
        if isinstance(table, dict):
            table.setdefault(path, path)
    cache = getattr(_load, "_default_class_paths_cache", {})
    if "all" in cache:
        cache["all"].add(path)


_register_serializable()


def _precompute_signatures() -> None:
    """LangChain core reads `_generate`'s / `_agenerate`'s signature on every call (is there a `run_manager`?);
    a stored `__signature__` makes that lookup about 3x cheaper (~10 us a call)."""
    for name in ("_generate", "_agenerate"):
        fn = getattr(ChatQwen, name)
        fn.__signature__ = inspect.signature(fn)


_precompute_signatures()

__all__ = ["ChatQwen"]

"""ChatQwen over DashScope's Responses API: the request from a model's settings, and invoke/stream/retrieve."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx2
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_qwen._client import ClientConfig, HttpMeta, acall, apost, call, post, response_json
from langchain_qwen._errors import QwenValidationError
from langchain_qwen._responses import (
    RESPONSES_PATH,
    SESSION_CACHE_HEADER,
    UNSUPPORTED_SETTINGS,
    ResponsesStream,
    check_builtins,
    check_settings,
    input_items,
    is_builtin,
    merged_message,
    previous_response,
    reasoning_fields,
    replay,
    wire_tool_choice,
    wire_tools,
)
from langchain_qwen._stream import aiter_chunks, iter_chunks

if TYPE_CHECKING:
    from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun

    from langchain_qwen.chat_models import ChatQwen

_CONSUMED = frozenset(
    {
        "model",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "enable_thinking",
        "reasoning_effort",
        "store",
        "use_responses_api",
        "use_previous_response_id",
        "session_cache",
        "allow_local_files",
        "extra_body",
        "model_kwargs",
        "extra_headers",
        "timeout",
        # chat-only steering with nothing to send here
        "reasoning_in_history",
        "qwen_profile",
        "stream",
        "stream_usage",
        "stream_options",
    }
)
_SENT = ("temperature", "top_p", "instructions")
_SKIP = _CONSUMED | frozenset(_SENT) | frozenset(UNSUPPORTED_SETTINGS)
"""Keys not copied verbatim: consumed above, sent above, or refused (when set) by `check_settings`."""


@dataclass(frozen=True)
class ResponsesRequest:
    """One `/responses` call: JSON body, extra headers, timeout, and the client config."""

    body: dict[str, Any]
    headers: dict[str, str]
    timeout: float | None
    cfg: ClientConfig


def wants_responses(llm: ChatQwen, kwargs: Mapping[str, Any]) -> bool:
    """Whether this call goes to `/responses`: `use_responses_api=True`, or a built-in tool is bound.

    Raises:
        QwenValidationError: A built-in tool is bound while `use_responses_api=False`.
    """
    builtin = any(is_builtin(t) for t in kwargs.get("tools") or ())
    use = kwargs.get("use_responses_api", llm.use_responses_api)
    if use is False and builtin:
        raise QwenValidationError(
            "Built-in tools (web_search, web_extractor, code_interpreter, ...) exist only on DashScope's Responses "
            "API, but use_responses_api=False; leave it unset (or True)."
        )
    return bool(use) or builtin


def _thinking(params: Mapping[str, Any]) -> bool | None:
    if params.get("enable_thinking") is False or params.get("reasoning_effort") == "none":
        return False
    return params.get("enable_thinking")


def _conversation(params: Mapping[str, Any], messages: Sequence[BaseMessage], store: Any) -> dict[str, Any]:
    if not params.get("use_previous_response_id"):
        return {"input": input_items(messages)}
    if store is False:
        raise QwenValidationError(
            "use_previous_response_id=True needs stored responses, but store=False: DashScope keeps no response to "
            "chain to ('false: 不储存，对话内容不能被 previous_response_id 使用'). Drop one of the two settings."
        )
    previous_id, rest = previous_response(messages)
    body: dict[str, Any] = {"input": input_items(rest)}
    if previous_id:
        body["previous_response_id"] = previous_id
    return body


def _tool_fields(params: Mapping[str, Any], model: str) -> tuple[dict[str, Any], bool]:
    tools = wire_tools(params.get("tools") or [])
    if not tools:
        return {}, False
    out: dict[str, Any] = {"tools": tools}
    force_thinking = check_builtins(tools, model, _thinking(params))
    choice = wire_tool_choice(params.get("tool_choice"), tools)
    if choice is not None:
        out["tool_choice"] = choice
    if params.get("parallel_tool_calls") is not None:
        out["parallel_tool_calls"] = params["parallel_tool_calls"]
    return out, force_thinking


def build_request(
    llm: ChatQwen, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: Mapping[str, Any], *, stream: bool
) -> ResponsesRequest:
    """The `/responses` request for `messages` under the model's settings and this call's options.

    Raises:
        QwenValidationError: A setting the Responses API does not take, a content block it cannot read, or a
            broken built-in tool / tool_choice / thinking rule (before any network call).
    """
    from langchain_qwen.media import inline_local_media

    params = llm._call_params(stop, kwargs)
    check_settings(params)
    model = str(params["model"])
    store = params.get("store")
    messages = inline_local_media(messages, allow=llm.allow_local_files)  # file:// read only when opted in
    body: dict[str, Any] = {"model": model, **_conversation(params, messages, store)}
    tools, force_thinking = _tool_fields(params, model)
    body.update(tools)
    body.update({k: params[k] for k in _SENT if params.get(k) is not None})
    body.update(reasoning_fields(params.get("reasoning_effort"), params.get("enable_thinking"), force_thinking))
    if store is not None:
        body["store"] = store
    if stream:
        body["stream"] = True
    body.update({k: v for k, v in params.items() if v is not None and k not in _SKIP})
    body.update(params.get("model_kwargs") or {})
    body.update(params.get("extra_body") or {})
    headers = dict(params.get("extra_headers") or {})
    if params.get("session_cache"):
        headers[SESSION_CACHE_HEADER] = "enable"
    return ResponsesRequest(body, headers, params.get("timeout"), llm._client_config())


def result_from_response(obj: Mapping[str, Any], meta: HttpMeta, req_cfg: ClientConfig, http: Any = None) -> ChatResult:
    """A `ChatResult` from a complete response object, assembled exactly as its stream would have been."""
    state = ResponsesStream(meta, req_cfg.context, http)
    chunks = [chunk for event in replay(obj) for chunk in state.feed(event)]
    return ChatResult(generations=[ChatGeneration(message=merged_message(chunks))])


def generate(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: CallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    """`invoke` over `/responses` (non-stream)."""
    req = build_request(llm, messages, stop, kwargs, stream=False)
    response = post(req.cfg, RESPONSES_PATH, req.body, stream=False, headers=req.headers, timeout=req.timeout)
    return result_from_response(
        response_json(response, req.cfg.context), HttpMeta.from_headers(response.headers), req.cfg, response
    )


async def agenerate(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    """Async `generate`."""
    req = build_request(llm, messages, stop, kwargs, stream=False)
    response = await apost(req.cfg, RESPONSES_PATH, req.body, stream=False, headers=req.headers, timeout=req.timeout)
    return result_from_response(
        response_json(response, req.cfg.context), HttpMeta.from_headers(response.headers), req.cfg, response
    )


def stream(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: CallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> Iterator[ChatGenerationChunk]:
    """`stream` over `/responses`: one chunk per text / reasoning / argument delta, tool items when done."""
    req = build_request(llm, messages, stop, kwargs, stream=True)
    response = post(req.cfg, RESPONSES_PATH, req.body, stream=True, headers=req.headers, timeout=req.timeout)
    state = ResponsesStream(HttpMeta.from_headers(response.headers), req.cfg.context, response)
    for chunk in iter_chunks(response, state, req.cfg.context):
        if run_manager:
            run_manager.on_llm_new_token(chunk.text, chunk=chunk)
        yield chunk


async def astream(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> AsyncIterator[ChatGenerationChunk]:
    """Async `stream`."""
    req = build_request(llm, messages, stop, kwargs, stream=True)
    response = await apost(req.cfg, RESPONSES_PATH, req.body, stream=True, headers=req.headers, timeout=req.timeout)
    state = ResponsesStream(HttpMeta.from_headers(response.headers), req.cfg.context, response)
    async for chunk in aiter_chunks(response, state, req.cfg.context):
        if run_manager:
            await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
        yield chunk


def _response_path(response_id: Any) -> str:
    if not isinstance(response_id, str) or not response_id or "/" in response_id or "?" in response_id:
        raise QwenValidationError(f"response_id must be a response id such as 'resp_…' or a UUID, got {response_id!r}.")
    return f"{RESPONSES_PATH}/{response_id}"


def retrieve(llm: ChatQwen, response_id: str) -> AIMessage:
    """`GET /responses/{id}`: a stored response (created with `store` on, kept 7 days) as an `AIMessage`."""
    path, cfg = _response_path(response_id), llm._client_config()
    response = call(cfg, lambda c: c.get(path, cast_to=httpx2.Response))
    result = result_from_response(
        response_json(response, cfg.context), HttpMeta.from_headers(response.headers), cfg, response
    )
    return result.generations[0].message  # type: ignore[return-value]


async def aretrieve(llm: ChatQwen, response_id: str) -> AIMessage:
    """Async `retrieve`."""
    path, cfg = _response_path(response_id), llm._client_config()
    response = await acall(cfg, lambda c: c.get(path, cast_to=httpx2.Response))
    result = result_from_response(
        response_json(response, cfg.context), HttpMeta.from_headers(response.headers), cfg, response
    )
    return result.generations[0].message  # type: ignore[return-value]


def bind_tools_kwargs(
    model: str, tools: Sequence[Any], tool_choice: Any, strict: bool | None, parallel_tool_calls: bool | None
) -> dict[str, Any]:
    """What `bind_tools` binds for the Responses API: built-ins as given, other tools as flat functions.

    Raises:
        QwenValidationError: `web_extractor` without `web_search`, or a `tool_choice` the API does not take.
    """
    from langchain_qwen._tools import convert_tools

    wire: list[dict[str, Any]] = []
    for tool in tools:
        wire.extend([dict(tool)] if is_builtin(tool) else wire_tools(convert_tools([tool], strict=strict)))
    choice = None if tool_choice is False else tool_choice
    out, _ = _tool_fields({"tools": wire, "tool_choice": choice, "parallel_tool_calls": parallel_tool_calls}, model)
    return out or {"tools": wire}


__all__ = [
    "ResponsesRequest",
    "agenerate",
    "aretrieve",
    "astream",
    "bind_tools_kwargs",
    "build_request",
    "generate",
    "result_from_response",
    "retrieve",
    "stream",
    "wants_responses",
]

"""Responses API conversion: LangChain messages and tools to a `/responses` body, and events to LangChain chunks.

Shapes follow DashScope's Responses reference (addendum §3; the zh API reference with its event samples):
output items `message`, `reasoning` (`summary[].text`), `function_call`, and the built-in tool items
`web_search_call` (`action.query`, `action.sources`), `web_extractor_call` (`goal`, `urls`, `output`),
`code_interpreter_call` (`code`, `outputs`, `container_id`) and other `*_call` items (`name`, `arguments`,
`output`). Messages come out in LangChain's v1 content-block format (`response_metadata["output_version"] ==
"v1"`): `text` (with `annotations` as citations), `reasoning`, `tool_call`, `server_tool_call` and
`server_tool_result` (sources and outputs kept). A non-stream response object is replayed as the events a
stream would have carried, so `invoke` and `stream` share one assembly (`ResponsesStream`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    message_chunk_to_message,
)
from langchain_core.messages.ai import add_ai_message_chunks
from langchain_core.outputs import ChatGenerationChunk

from langchain_qwen._client import HttpMeta
from langchain_qwen._convert import _check_data_uri, _data_url
from langchain_qwen._errors import ErrorContext, QwenValidationError, stream_payload_error
from langchain_qwen._parse import http_metadata

RESPONSES_PATH = "/responses"
BUILTIN_TOOLS = frozenset(
    {"web_search", "web_extractor", "code_interpreter", "web_search_image", "image_search", "file_search", "mcp"}
)
"""Built-in tool types of DashScope's Responses API (zh API reference, `tools`)."""
THINKING_TOOLS: dict[str, frozenset[str]] = {
    "web_extractor": frozenset({"qwen3-max", "qwen3-max-2026-01-23"}),
    "code_interpreter": frozenset({"qwen3-max", "qwen3-max-2026-01-23"}),
}
"""Built-in tools that need thinking on these models ("需要同时开启思考模式"; WEBEXT-2603, CI-2026)."""
EFFORTS_OFF = "none"
SESSION_CACHE_HEADER = "x-dashscope-session-cache"
UNSUPPORTED_SETTINGS: dict[str, str] = {
    "top_k": "",
    "seed": "",
    "presence_penalty": "",
    "frequency_penalty": "",
    "repetition_penalty": "",
    "stop": "",
    "max_tokens": "",
    "max_completion_tokens": "",
    "n": "",
    "logprobs": "",
    "top_logprobs": "",
    "response_format": "",
    "preserve_thinking": "",
    "modalities": "",
    "audio": "",
    "vl_high_resolution_images": "",
    "translation_options": "",
    "enable_search": "; bind the built-in tool instead: bind_tools([{'type': 'web_search'}])",
    "search_options": "; bind the built-in tools instead: bind_tools([{'type': 'web_search'}, {'type': 'web_extractor'}])",
    "auto_cache": "; the Responses API caches by session instead: session_cache=True",
    "thinking_budget": "; it takes reasoning_effort ('none', 'minimal', 'low', 'medium', 'high') instead",
}
"""Settings DashScope's Responses API does not process ("only the parameters listed are processed; others are
silently ignored"; `thinking_budget` is rejected there, §1.1): refused locally rather than dropped silently."""


# --- request: messages -------------------------------------------------------------------------


def _user_part(part: Any) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": "input_text", "text": part}
    kind = part.get("type")
    if kind in ("text", "input_text"):
        return {"type": "input_text", "text": part.get("text", "")}
    if kind == "input_image":
        return dict(part)
    if kind == "image_url":
        url = part["image_url"]["url"] if isinstance(part["image_url"], Mapping) else part["image_url"]
        return {"type": "input_image", "image_url": _check_data_uri(url)}
    if kind == "image" and (part.get("url") or part.get("base64") or part.get("data")):
        return {"type": "input_image", "image_url": _data_url(part, "image/png")}
    raise QwenValidationError(
        f"A {kind!r} content block cannot be sent to DashScope's Responses API, which takes text and images only "
        f"(video and audio go through Chat Completions: use ChatQwen without use_responses_api)."
    )


def _user_content(content: Any) -> Any:
    return content if isinstance(content, str) else [_user_part(p) for p in content]


def _assistant_items(msg: AIMessage) -> list[dict[str, Any]]:
    """Text and function calls of an earlier answer (reasoning and server-side tool items are not replayed)."""
    items: list[dict[str, Any]] = []
    if msg.text:
        items.append({"role": "assistant", "content": msg.text})
    for call in msg.tool_calls:
        items.append(
            {
                "type": "function_call",
                "call_id": call["id"],
                "name": call["name"],
                "arguments": json.dumps(call["args"], ensure_ascii=False),
            }
        )
    return items


def _tool_output(msg: ToolMessage) -> str:
    if isinstance(msg.content, str):
        return msg.content
    return msg.text or json.dumps(msg.content, ensure_ascii=False)


def input_items(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """LangChain messages as Responses `input` items (system/user/assistant messages, function calls and outputs).

    Raises:
        QwenValidationError: A message type or content block the Responses API does not take.
    """
    items: list[dict[str, Any]] = []
    for msg in messages:
        if isinstance(msg, SystemMessage):
            items.append({"role": "system", "content": msg.text})
        elif isinstance(msg, HumanMessage):
            items.append({"role": "user", "content": _user_content(msg.content)})
        elif isinstance(msg, AIMessage):
            items.extend(_assistant_items(msg))
        elif isinstance(msg, ToolMessage):
            items.append({"type": "function_call_output", "call_id": msg.tool_call_id, "output": _tool_output(msg)})
        elif isinstance(msg, ChatMessage) and msg.role in ("user", "system", "developer", "assistant"):
            items.append({"role": msg.role, "content": msg.text})
        else:
            raise QwenValidationError(f"A {type(msg).__name__} cannot be sent to DashScope's Responses API.")
    return items


def previous_response(messages: Sequence[BaseMessage]) -> tuple[str | None, list[BaseMessage]]:
    """(id of the last stored Responses answer, the messages after it); (None, all) when there is none."""
    for i in range(len(messages) - 1, -1, -1):
        msg = messages[i]
        meta = msg.response_metadata if isinstance(msg, AIMessage) else {}
        if meta.get("object") == "response" and meta.get("id") and meta.get("store") is not False:
            return str(meta["id"]), list(messages[i + 1 :])
    return None, list(messages)


# --- request: tools, tool choice, reasoning -------------------------------------------------------


def is_builtin(tool: Any) -> bool:
    """Whether `tool` is a built-in tool dict such as `{"type": "web_search"}`."""
    return isinstance(tool, Mapping) and tool.get("type") in BUILTIN_TOOLS


def wire_tools(tools: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Responses `tools`: Chat-format functions flattened (`{"type": "function", "name", ...}`), built-ins as given."""
    out = []
    for tool in tools:
        if tool.get("type") == "function" and isinstance(tool.get("function"), Mapping):
            out.append({"type": "function", **tool["function"]})
        else:
            out.append(dict(tool))
    return out


def check_builtins(tools: Sequence[Mapping[str, Any]], model: str, thinking: bool | None) -> bool:
    """Apply DashScope's built-in tool rules; True when thinking must be switched on for them.

    Raises:
        QwenValidationError: `web_extractor` without `web_search`, or a tool that needs thinking on this
            model while thinking is explicitly off.
    """
    kinds = {t.get("type") for t in tools}
    if "web_extractor" in kinds and "web_search" not in kinds:
        raise QwenValidationError(
            "The built-in tool web_extractor works only together with web_search on DashScope ('当前必须配合"
            "web_search工具一起使用'): bind_tools([{'type': 'web_search'}, {'type': 'web_extractor'}])."
        )
    needs = sorted(k for k, models in THINKING_TOOLS.items() if k in kinds and model in models)
    if needs and thinking is False:
        raise QwenValidationError(
            f"On {model} the built-in tools {needs} need thinking on (DashScope); drop enable_thinking=False / "
            f"reasoning_effort='none', or use another model."
        )
    return bool(needs)


def _tool_name(tool: Mapping[str, Any]) -> str:
    return str(tool.get("name") or (tool.get("function") or {}).get("name") or tool.get("type"))


def wire_tool_choice(choice: Any, tools: Sequence[Mapping[str, Any]]) -> Any:
    """Responses `tool_choice`: "auto" / "none", "required" (one tool only), or `allowed_tools` naming one function."""
    if choice is None or choice in ("auto", "none"):
        return choice
    if isinstance(choice, Mapping) and choice.get("type") == "allowed_tools":
        return dict(choice)
    if choice in ("required", "any") or choice is True:
        if len(tools) != 1:
            raise QwenValidationError(
                f"DashScope's Responses API accepts tool_choice='required' only with exactly one tool, and "
                f"{len(tools)} are bound ({[_tool_name(t) for t in tools]}). Name one function to force it, or "
                f"use 'auto'."
            )
        return "required"
    name = choice if isinstance(choice, str) else _tool_name(choice)
    if name not in {_tool_name(t) for t in tools}:
        raise QwenValidationError(
            f"tool_choice={choice!r} names no bound tool; bound: {[_tool_name(t) for t in tools]}."
        )
    return {"type": "allowed_tools", "mode": "required", "tools": [{"type": "function", "name": name}]}


def reasoning_fields(effort: str | None, thinking: bool | None, force_on: bool) -> dict[str, Any]:
    """`reasoning.effort` (and the older `enable_thinking`) from `reasoning_effort` / `enable_thinking`.

    `reasoning.effort` takes precedence on DashScope; `enable_thinking` is still sent with it, as DashScope's
    built-in tool examples do (addendum §3.3).
    """
    if effort is not None and thinking is False and effort != EFFORTS_OFF:
        raise QwenValidationError(
            f"enable_thinking=False contradicts reasoning_effort={effort!r}; set one of them (reasoning_effort='none' "
            f"switches thinking off)."
        )
    if effort is None and thinking is None and not force_on:
        return {}
    if effort is None:
        effort = "medium" if (thinking or force_on) else EFFORTS_OFF
    return {"reasoning": {"effort": effort}, "enable_thinking": effort != EFFORTS_OFF}


def check_settings(params: Mapping[str, Any]) -> None:
    """Refuse settings the Responses API would ignore silently (or rejects), naming each."""
    for name, hint in UNSUPPORTED_SETTINGS.items():
        if params.get(name) not in (None, False, [], ""):
            raise QwenValidationError(
                f"{name}={params[name]!r} is not a parameter of DashScope's Responses API (it processes only its "
                f"documented parameters and ignores the rest){hint}. Remove it, or use Chat Completions "
                f"(use_responses_api=False without built-in tools)."
            )


# --- response: events to chunks ------------------------------------------------------------------

_V1 = {"output_version": "v1", "model_provider": "qwen"}


def citation(annotation: Mapping[str, Any]) -> dict[str, Any]:
    """A Responses annotation as a LangChain v1 citation (url citations) or non-standard annotation."""
    if annotation.get("type") == "url_citation" and annotation.get("url"):
        out: dict[str, Any] = {"type": "citation", "url": annotation["url"]}
        for key in ("title", "start_index", "end_index"):
            if key in annotation:
                out[key] = annotation[key]
        return out
    return {"type": "non_standard_annotation", "value": dict(annotation)}


def _args(raw: Any) -> dict[str, Any]:
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return {"arguments": raw}
    return value if isinstance(value, dict) else {"arguments": value}


def _web_search(item: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    action = dict(item.get("action") or {})
    sources = action.pop("sources", None)
    return action, {"sources": sources or []}


def _web_extractor(item: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    urls = list(item.get("urls") or [])
    args = {"goal": item.get("goal"), "urls": urls}
    return args, {"content": item.get("output"), "sources": [{"type": "url", "url": u} for u in urls]}


def _code_interpreter(item: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    return {"code": item.get("code")}, item.get("outputs") or []


def _generic_call(item: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    output = item.get("output")
    if isinstance(output, str):
        with contextlib.suppress(ValueError):
            output = json.loads(output)
    extra = {"queries": item["queries"]} if "queries" in item else {}
    return {**_args(item.get("arguments")), **extra}, output if output is not None else item.get("results")


_SERVER_TOOLS: dict[str, tuple[str, Callable[[Mapping[str, Any]], tuple[dict[str, Any], Any]]]] = {
    "web_search_call": ("web_search", _web_search),
    "web_extractor_call": ("web_extractor", _web_extractor),
    "code_interpreter_call": ("code_interpreter", _code_interpreter),
}
_SERVER_EXTRAS = ("container_id", "server_label")


def server_tool_blocks(item: Mapping[str, Any], output_index: int) -> list[dict[str, Any]]:
    """A built-in tool item as a `server_tool_call` block and its `server_tool_result` block."""
    kind = str(item.get("type"))
    name, convert = _SERVER_TOOLS.get(kind, (str(item.get("name") or kind.removesuffix("_call")), _generic_call))
    args, output = convert(item)
    call: dict[str, Any] = {
        "type": "server_tool_call",
        "id": item.get("id") or f"{kind}_{output_index}",
        "name": name,
        "args": args,
        "index": f"lc_stc_{output_index}",
    }
    extras = {k: item[k] for k in _SERVER_EXTRAS if k in item}
    if extras:
        call["extras"] = extras
    status = item.get("status")
    result: dict[str, Any] = {
        "type": "server_tool_result",
        "tool_call_id": call["id"],
        "status": "error" if status in ("failed", "incomplete") else "success",
        "output": output,
        "index": f"lc_str_{output_index}",
    }
    if status and status != "completed":
        result["extras"] = {"status": status}
    return [call, result]


def usage_metadata(usage: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """LangChain usage from Responses `usage` (cached and session-cache creation tokens, reasoning tokens)."""
    if not usage:
        return None
    inp, out = int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)
    result: dict[str, Any] = {
        "input_tokens": inp,
        "output_tokens": out,
        "total_tokens": int(usage.get("total_tokens") or inp + out),
    }
    cached = (usage.get("input_tokens_details") or {}).get("cached_tokens")
    session = usage.get("prompt_tokens_details") or {}
    details: dict[str, int] = {}
    if cached or session.get("cached_tokens"):
        details["cache_read"] = int(cached or session.get("cached_tokens") or 0)
    if session.get("cache_creation_input_tokens"):
        details["cache_creation"] = int(session["cache_creation_input_tokens"])
    if details:
        result["input_token_details"] = details
    reasoning = (usage.get("output_tokens_details") or {}).get("reasoning_tokens")
    if reasoning:
        result["output_token_details"] = {"reasoning": int(reasoning)}
    return result


class ResponsesStream:
    """Turns Responses events into LangChain chunks; drives both `stream` and (replayed) `invoke`.

    Implements the `Assembler` protocol of `langchain_qwen._stream` (`done`, `feed`, `flush`, `partial`):
    `response.completed` ends the stream, `response.failed` / `error` events raise the typed error with the
    partial message attached.
    """

    def __init__(self, meta: HttpMeta, ctx: ErrorContext, http_response: Any = None) -> None:
        self.meta = meta
        self.ctx = ctx
        self.http_response = http_response
        self.done = False
        self.response_id: str | None = None
        self._streamed: set[str] = set()
        self._finished: set[str] = set()
        """Ids (or `#<output_index>`) of output items already turned into blocks."""
        self._chunks: list[ChatGenerationChunk] = []
        self._calls = 0
        self._handlers: dict[str, Callable[[Mapping[str, Any]], list[ChatGenerationChunk]]] = {
            "response.created": self._on_created,
            "response.in_progress": self._on_created,
            "response.output_item.added": self._on_item_added,
            "response.output_text.delta": self._on_text_delta,
            "response.output_text.annotation.added": self._on_annotation,
            "response.reasoning_summary_text.delta": self._on_reasoning_delta,
            "response.reasoning_text.delta": self._on_reasoning_delta,
            "response.function_call_arguments.delta": self._on_arguments_delta,
            "response.output_item.done": self._on_item_done,
            "response.completed": self._on_completed,
            "response.incomplete": self._on_completed,
            "response.failed": self._on_failed,
            "error": self._on_failed,
        }

    # -- Assembler protocol --------------------------------------------------------------------

    def feed(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        """Chunks for one event (events the client does not need yield none)."""
        handler = self._handlers.get(str(obj.get("type")))
        chunks = handler(obj) if handler is not None else []
        self._chunks.extend(chunks)
        return chunks

    def flush(self) -> list[ChatGenerationChunk]:
        return []

    def partial(self) -> AIMessage | None:
        """The message received so far (attached to errors raised mid-stream)."""
        if not self._chunks:
            return None
        return merged_message(self._chunks)

    # -- helpers ---------------------------------------------------------------------------------

    def _chunk(self, content: list[dict[str, Any]] | None = None, **fields: Any) -> ChatGenerationChunk:
        message = AIMessageChunk(content=content or [], id=self.response_id, response_metadata=dict(_V1), **fields)
        return ChatGenerationChunk(message=message)

    def _first(self, key: str) -> bool:
        """True the first time `key` is seen (marks a part as streamed)."""
        if key in self._streamed:
            return False
        self._streamed.add(key)
        return True

    # -- events ------------------------------------------------------------------------------------

    def _on_created(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        self.response_id = (obj.get("response") or {}).get("id") or self.response_id
        return []

    def _on_item_added(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        item, index = obj.get("item") or {}, int(obj.get("output_index") or 0)
        if item.get("type") != "function_call" or not self._first(f"call:{index}"):
            return []
        return [self._call_chunk(index, item.get("call_id"), item.get("name"), item.get("arguments") or "", item)]

    def _call_chunk(
        self, index: int, call_id: Any, name: Any, args: str, item: Mapping[str, Any]
    ) -> ChatGenerationChunk:
        block: dict[str, Any] = {"type": "tool_call_chunk", "id": call_id, "name": name, "args": args}
        block["index"] = f"lc_tc_{index}"
        if item.get("id"):
            block["extras"] = {"item_id": item["id"]}
        self._calls += 1 if call_id else 0
        tcc = {"type": "tool_call_chunk", "id": call_id, "name": name, "args": args, "index": index}
        return self._chunk([block], tool_call_chunks=[tcc])

    def _mark(self, obj: Mapping[str, Any], *keys: str) -> None:
        """Remember what a delta streamed, by position and (when the event names it) by item id."""
        self._streamed.update(keys)
        if obj.get("item_id"):
            self._streamed.add(f"item:{obj['item_id']}")

    def _on_text_delta(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        key = f"lc_txt_{obj.get('output_index') or 0}_{obj.get('content_index') or 0}"
        self._mark(obj, key)
        return [self._chunk([{"type": "text", "text": obj.get("delta") or "", "index": key}])]

    def _on_annotation(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        key = f"lc_txt_{obj.get('output_index') or 0}_{obj.get('content_index') or 0}"
        self._streamed.add(f"ann:{key}")
        block = {"type": "text", "text": "", "annotations": [citation(obj.get("annotation") or {})], "index": key}
        return [self._chunk([block])]

    def _on_reasoning_delta(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        index = obj.get("summary_index", obj.get("content_index")) or 0
        key = f"lc_rs_{obj.get('output_index') or 0}_{index}"
        self._mark(obj, f"rs:{obj.get('output_index') or 0}")
        delta = obj.get("delta") or ""
        block = {"type": "reasoning", "reasoning": delta, "index": key}
        return [self._chunk([block], additional_kwargs={"reasoning_content": delta})]

    def _on_arguments_delta(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        index = int(obj.get("output_index") or 0)
        self._mark(obj, f"args:{index}", f"call:{index}")
        return [self._call_chunk(index, None, None, obj.get("delta") or "", {})]

    def _on_item_done(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        item, index = obj.get("item") or {}, int(obj.get("output_index") or 0)
        self._finished.add(str(item.get("id") or f"#{index}"))
        kind = item.get("type")
        if kind == "message":
            return self._message_done(item, index)
        if kind == "reasoning":
            return self._reasoning_done(item, index)
        if kind == "function_call":
            return self._call_done(item, index)
        if isinstance(kind, str) and kind.endswith("_call"):
            return [self._chunk(server_tool_blocks(item, index))]
        return []

    def _message_done(self, item: Mapping[str, Any], index: int) -> list[ChatGenerationChunk]:
        blocks = []
        for part_index, part in enumerate(item.get("content") or []):
            key = f"lc_txt_{index}_{part_index}"
            streamed = key in self._streamed or f"item:{item.get('id')}" in self._streamed
            text = "" if streamed else str(part.get("text") or "")
            annotations = [] if f"ann:{key}" in self._streamed else part.get("annotations") or []
            if not text and not annotations:
                continue
            block: dict[str, Any] = {"type": "text", "text": text, "index": key}
            if annotations:
                block["annotations"] = [citation(a) for a in annotations]
            blocks.append(block)
        return [self._chunk(blocks)] if blocks else []

    def _reasoning_done(self, item: Mapping[str, Any], index: int) -> list[ChatGenerationChunk]:
        if f"rs:{index}" in self._streamed or f"item:{item.get('id')}" in self._streamed:  # already streamed
            return []
        chunks = []
        for part_index, part in enumerate(item.get("summary") or item.get("content") or []):
            if not part.get("text"):
                continue
            block = {"type": "reasoning", "reasoning": part["text"], "index": f"lc_rs_{index}_{part_index}"}
            chunks.append(self._chunk([block], additional_kwargs={"reasoning_content": part["text"]}))
        return chunks

    def _call_done(self, item: Mapping[str, Any], index: int) -> list[ChatGenerationChunk]:
        if f"args:{index}" in self._streamed or f"item:{item.get('id')}" in self._streamed:
            return []
        if f"call:{index}" in self._streamed:  # announced without arguments: send them whole now
            return [self._call_chunk(index, None, None, item.get("arguments") or "", {})]
        self._streamed.add(f"call:{index}")
        return [self._call_chunk(index, item.get("call_id"), item.get("name"), item.get("arguments") or "", item)]

    def _on_completed(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        response = obj.get("response") or {}
        missed = [  # items the stream never finished (no output_item.done): nothing is lost
            chunk
            for index, item in enumerate(response.get("output") or [])
            if str(item.get("id") or f"#{index}") not in self._finished
            for chunk in self._on_item_done({"output_index": index, "item": item})
        ]
        return missed + self._final_chunk(obj, response)

    def _final_chunk(self, obj: Mapping[str, Any], response: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        self.done = True
        self.response_id = response.get("id") or self.response_id
        usage = response.get("usage") or {}
        status = response.get("status") or ("incomplete" if obj.get("type") == "response.incomplete" else "completed")
        meta: dict[str, Any] = {
            **_V1,
            "id": self.response_id,
            "object": "response",
            "model_name": response.get("model"),
            "status": status,
            "finish_reason": "tool_calls" if self._calls else ("length" if status == "incomplete" else "stop"),
        }
        for key in ("created_at", "store", "previous_response_id"):
            if response.get(key) is not None:
                meta[key] = response[key]
        if usage.get("x_tools"):
            meta["x_tools"] = usage["x_tools"]
        meta.update(http_metadata(self.meta))
        message = AIMessageChunk(
            content=[],
            id=self.response_id,
            response_metadata=meta,
            usage_metadata=usage_metadata(usage),
            chunk_position="last",
        )
        return [ChatGenerationChunk(message=message)]

    def _on_failed(self, obj: Mapping[str, Any]) -> list[ChatGenerationChunk]:
        error = (obj.get("response") or {}).get("error") or obj.get("error") or obj
        payload = {
            "error": {
                "message": error.get("message") or "The response failed.",
                "type": error.get("type") or "response_failed",
                "code": error.get("code"),
                "param": error.get("param"),
            }
        }
        exc = stream_payload_error(self.http_response, payload, self.ctx)
        exc.partial = self.partial()  # type: ignore[attr-defined]
        raise exc


def replay(response: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The events a stream would have carried for a complete (non-stream) response object."""
    yield {"type": "response.created", "response": response}
    for index, item in enumerate(response.get("output") or []):
        yield {"type": "response.output_item.done", "output_index": index, "item": item}
    status = response.get("status")
    kind = {"failed": "response.failed", "incomplete": "response.incomplete"}.get(str(status), "response.completed")
    yield {"type": kind, "response": response}


def merged_message(chunks: Sequence[ChatGenerationChunk]) -> AIMessage:
    """The `AIMessage` of these stream chunks merged (tool calls parsed, v1 blocks kept)."""
    merged = add_ai_message_chunks(*(cast(AIMessageChunk, chunk.message) for chunk in chunks))
    return cast(AIMessage, message_chunk_to_message(merged))


__all__ = [
    "BUILTIN_TOOLS",
    "RESPONSES_PATH",
    "SESSION_CACHE_HEADER",
    "UNSUPPORTED_SETTINGS",
    "ResponsesStream",
    "check_builtins",
    "check_settings",
    "citation",
    "input_items",
    "is_builtin",
    "merged_message",
    "previous_response",
    "reasoning_fields",
    "replay",
    "server_tool_blocks",
    "usage_metadata",
    "wire_tool_choice",
    "wire_tools",
]

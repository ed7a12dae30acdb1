"""`/responses` of the DashScope emulator (addendum §3): create (JSON or SSE), retrieve, built-in tools, failures.

Shapes follow DashScope's Responses reference (addendum §3.5 and the zh API reference's samples): the response
object (`id` a UUID, `object: "response"`, `status`, `model`, `output`, `usage` with `input_tokens_details`,
`output_tokens_details`, `x_details` and, with built-in tools, `x_tools`), output items with `msg_<uuid>` ids,
and the stream event family `response.created` → `response.in_progress` → per item `response.output_item.added`
… `response.output_item.done` → `response.completed`, each event with `sequence_number`.

How answers are made (general rules only; no prompt or tool name is special-cased):

* The input (a string, or message / `function_call` / `function_call_output` / `reasoning` items) is read as
  chat messages after the stored context of `previous_response_id` (404 when unknown or not stored,
  wording **[invented]**); `instructions` becomes a leading system message. ``q`` is the last user text.
* Thinking: `reasoning.effort` (`none` off; `minimal`/`low`/`medium`/`high` on; other values 400 **[invented]**
  wording), else `enable_thinking`, else the model's default. With thinking, a `reasoning` item comes first, its
  `summary` text ``"The user asked: " + q + " I should reply by restating it."``, streamed as
  `response.reasoning_summary_text.delta` events (one per token) and `.done`.
* Built-in tools (when the last input is not a function result and `tool_choice` is not `"none"`):
  `web_search` → a `web_search_call` item (`action: {"type": "search", "query": q, "sources": [3 urls]}`,
  urls ``https://www.example.com/search/<n>/<words of q joined by ->`` **[invented]**); plus `web_extractor` →
  a `web_extractor_call` (`goal` q, `urls` [first source], `output` a summary text in the reference's sample
  wording) whose output counts as input tokens; `code_interpreter` → a `code_interpreter_call` only when q
  contains an arithmetic expression (digits joined by + - * /), `code` ``print(<expr>)`` and `outputs`
  ``[{"type": "logs", "logs": <value>}]`` (rule **[invented]**). `usage.x_tools` counts each tool used.
  The text answer then ends with `` (sources: <urls>)``; `annotations` stay `[]` (as in every captured sample).
* Function tools: decided and filled as in chat (`_tools.decide_tool_calls`, flat Responses tool definitions
  read as Chat ones; an `allowed_tools` choice naming one function forces it); a `function_call` item
  (`call_id` ``call_<24 hex>``, `status: "completed"`) per call, streamed as `output_item.added` (empty
  `arguments`), `response.function_call_arguments.delta` fragments and `.done` (OpenAI's event names;
  **[uncertain]** on DashScope), then `output_item.done`. Otherwise a `message` item with the chat answer.
* Rules enforced (400, wording **[invented]** unless quoted by the reference): `web_extractor` without
  `web_search`; `web_extractor` / `code_interpreter` on qwen3-max(-2026-01-23) without thinking; `tool_choice:
  "required"` with more than one tool; a `function_call_output` not right after its `function_call`; a model
  outside the Responses model list → 404 `model_not_found`. Unlisted parameters are ignored (as documented).
* Usage: `input_tokens` = ChatML count of the context and tools (`_tokens.count_messages`) plus extractor
  output; `output_tokens` = reasoning + answer + call tokens. With header `x-dashscope-session-cache: enable`
  and ≥ 1,024 input tokens, `prompt_tokens_details` reports a cache creation on the first turn and the previous
  turn's input as `cached_tokens` on a chained turn **[invented accounting]**.
* `store` (default true) keeps the response for `GET /responses/{id}` and `previous_response_id`.
* A stream cut by a fault's `stream_error_after` ends with `response.failed` (`response.status: "failed"`,
  `response.error: {code, message}`) instead of `response.completed` (LANGALPHA-396).
"""

from __future__ import annotations

import ast
import json
import operator
import re
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._tokens import count_messages, count_text, encoding, text_of
from ._errors import ChatError
from ._sampling import token_pieces
from ._service import service_model
from ._tools import answer_text, decide_tool_calls, fragments

RESPONSES_MODELS = frozenset(
    [
        "qwen3-max",
        "qwen3-max-2026-01-23",
        "qwen3.7-max",
        "qwen3.7-max-2026-05-20",
        "qwen3.7-max-2026-06-08",
        "qwen3.7-max-preview",
        "qwen3.7-max-2026-05-17",
        "qwen3.7-plus",
        "qwen3.7-plus-2026-05-26",
        "qwen3.6-plus",
        "qwen3.6-plus-2026-04-02",
        "qwen3.5-plus",
        "qwen3.5-plus-2026-04-20",
        "qwen3.5-plus-2026-02-15",
        "qwen3.6-flash",
        "qwen3.6-flash-2026-04-16",
        "qwen3.5-flash",
        "qwen3.5-flash-2026-02-23",
        "qwen3.6-35b-a3b",
        "qwen3.5-397b-a17b",
        "qwen3.5-122b-a10b",
        "qwen3.5-27b",
        "qwen3.5-35b-a3b",
        "qwen-plus",
        "qwen-flash",
        "qwen3-coder-plus",
        "qwen3-coder-flash",
        "qwen3-coder-next",
    ]
)
"""Models of the Responses API (zh reference, China mainland list; addendum §3.2 for the qwen3.7 ids)."""
THINKING_TOOL_MODELS = frozenset({"qwen3-max", "qwen3-max-2026-01-23"})
EFFORTS = ("none", "minimal", "low", "medium", "high")
SESSION_CACHE_MIN = 1024
MSG_EXTRACTOR = "The web_extractor tool must be used together with the web_search tool."  # [invented]
MSG_TOOL_THINKING = "The {tool} tool requires thinking mode to be enabled for model {model}."  # [invented]
MSG_REQUIRED = "tool_choice 'required' is only available when exactly one tool is provided."  # [invented]
MSG_ORPHAN_OUTPUT = (
    "function_call_output must immediately follow the function_call with call_id {call_id}."  # [invented]
)
MSG_EFFORT = "Invalid value for reasoning.effort: '{effort}'. Supported values are: none, minimal, low, medium, high."
MSG_NOT_FOUND = "Response with id '{id}' not found."  # [invented]
_ARITH = re.compile(r"\d+(?:\.\d+)?(?:\s*[-+*/]\s*\d+(?:\.\d+)?)+")
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass
class StoredResponse:
    """A stored response and the chat-form context it ended (for `previous_response_id`)."""

    response: dict[str, Any]
    context: list[dict[str, Any]]
    input_tokens: int
    session_cache: bool


class ResponseStore:
    """Stored responses by id (thread-safe)."""

    def __init__(self) -> None:
        self._items: dict[str, StoredResponse] = {}
        self._lock = threading.Lock()

    def put(self, item: StoredResponse) -> None:
        with self._lock:
            self._items[item.response["id"]] = item

    def get(self, response_id: str) -> StoredResponse | None:
        with self._lock:
            return self._items.get(response_id)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class ResponsePlan:
    """A validated request and its answer."""

    response: dict[str, Any]
    stream: bool
    store: StoredResponse | None = None
    items_tokens: dict[str, list[str]] = field(default_factory=dict)
    """Per item id: the text pieces a stream sends (reasoning / answer tokens, argument fragments)."""


# -- input ------------------------------------------------------------------------------------------


def _content_text(content: Any) -> Any:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise ChatError("The content field must be a string or an array.", param="input")  # [invented]
    parts: list[dict[str, Any]] = []
    for part in content:
        kind = part.get("type") if isinstance(part, Mapping) else None
        if kind in ("input_text", "output_text", "text"):
            parts.append({"type": "text", "text": str(part.get("text", ""))})
        elif kind == "input_image":
            parts.append({"type": "image_url", "image_url": {"url": part.get("image_url")}})
        else:
            raise ChatError(f"Unsupported content type: {kind}.", param="input")  # [invented]
    return parts


def _item_message(item: Mapping[str, Any], messages: list[dict[str, Any]]) -> None:
    kind = item.get("type", "message")
    if kind == "message" or "role" in item:
        role = "system" if item.get("role") == "developer" else item.get("role")
        if role not in ("user", "assistant", "system"):
            raise ChatError(f"Invalid role: {role}.", param="input")  # [invented]
        messages.append({"role": role, "content": _content_text(item.get("content", ""))})
    elif kind == "function_call":
        call = {
            "id": item.get("call_id"),
            "type": "function",
            "function": {"name": item.get("name"), "arguments": item.get("arguments") or "{}"},
        }
        if messages and messages[-1].get("role") == "assistant" and messages[-1].get("tool_calls"):
            messages[-1]["tool_calls"].append(call)
        else:
            messages.append({"role": "assistant", "content": "", "tool_calls": [call]})
    elif kind == "function_call_output":
        earlier = [m for m in reversed(messages) if m.get("role") != "tool"][:1]  # outputs follow their calls
        ids = [c["id"] for m in earlier for c in m.get("tool_calls") or ()]
        if item.get("call_id") not in ids:
            raise ChatError(MSG_ORPHAN_OUTPUT.format(call_id=item.get("call_id")), param="input")
        messages.append({"role": "tool", "tool_call_id": item["call_id"], "content": str(item.get("output", ""))})
    elif kind != "reasoning":
        raise ChatError(f"Unsupported input item type: {kind}.", param="input")  # [invented]


def input_messages(body: Mapping[str, Any], prior: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """The request's `input` as chat messages after `prior` (the stored context of `previous_response_id`)."""
    raw = body.get("input")
    messages: list[dict[str, Any]] = [dict(m) for m in prior]
    if isinstance(raw, str) and raw:
        return [*messages, {"role": "user", "content": raw}]
    if not isinstance(raw, list) or not raw:
        raise ChatError("input must be a non-empty string or array.", param="input")  # [invented]
    for item in raw:
        if not isinstance(item, Mapping):
            raise ChatError("Each input item must be an object.", param="input")  # [invented]
        _item_message(item, messages)
    return messages


# -- validation ---------------------------------------------------------------------------------------


def _thinking(body: Mapping[str, Any], model: str) -> bool:
    reasoning = body.get("reasoning")
    effort = reasoning.get("effort") if isinstance(reasoning, Mapping) else None
    if effort is not None:
        if effort not in EFFORTS:
            raise ChatError(MSG_EFFORT.format(effort=effort), param="reasoning.effort")
        return bool(effort != "none")
    if body.get("enable_thinking") is not None:
        return bool(body["enable_thinking"])
    return bool(service_model(model).thinking_default)


def _check_tools(body: Mapping[str, Any], model: str, thinking: bool) -> list[dict[str, Any]]:
    tools = body.get("tools") or []
    if not isinstance(tools, list) or not all(isinstance(t, Mapping) for t in tools):
        raise ChatError("tools must be an array of objects.", param="tools")  # [invented]
    kinds = {t.get("type") for t in tools}
    if "web_extractor" in kinds and "web_search" not in kinds:
        raise ChatError(MSG_EXTRACTOR, param="tools")
    for tool in ("web_extractor", "code_interpreter"):
        if tool in kinds and model in THINKING_TOOL_MODELS and not thinking:
            raise ChatError(MSG_TOOL_THINKING.format(tool=tool, model=model), param="tools")
    for tool in tools:
        if tool.get("type") == "function" and not isinstance(tool.get("name"), str):
            raise ChatError("A function tool needs a name.", param="tools")  # [invented]
    if body.get("tool_choice") == "required" and len(tools) != 1:
        raise ChatError(MSG_REQUIRED, param="tool_choice")
    return [dict(t) for t in tools]


def _chat_tool_choice(choice: Any) -> Any:
    if isinstance(choice, Mapping) and choice.get("type") == "allowed_tools":
        names = [t.get("name") for t in choice.get("tools") or () if t.get("type") == "function"]
        if choice.get("mode") == "required" and len(names) == 1:
            return {"type": "function", "function": {"name": names[0]}}
        return "auto"
    return choice


# -- built-in tools -------------------------------------------------------------------------------------


def _item_id() -> str:
    return f"msg_{uuid.uuid4()}"


def _sources(q: str) -> list[dict[str, str]]:
    slug = "-".join(re.findall(r"\w+", q.lower())[:6]) or "query"
    return [{"type": "url", "url": f"https://www.example.com/search/{n}/{slug}"} for n in (1, 2, 3)]


def _evaluate(expr: str) -> str:
    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return float(_OPS[type(node.op)](walk(node.left), walk(node.right)))
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        raise ValueError(expr)

    try:
        value = walk(ast.parse(expr, mode="eval").body)
    except (ValueError, ZeroDivisionError, SyntaxError):
        return "error"
    return str(int(value)) if value.is_integer() else str(value)


def builtin_items(kinds: set[str], q: str) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """(output items, `x_tools`, extra input tokens) of the built-in tools used for `q`."""
    items: list[dict[str, Any]] = []
    x_tools: dict[str, Any] = {}
    extra = 0
    sources = _sources(q)
    if "web_search" in kinds:
        action = {"type": "search", "query": q, "sources": sources}
        items.append({"id": _item_id(), "type": "web_search_call", "status": "completed", "action": action})
        x_tools["web_search"] = {"count": 1}
    if "web_extractor" in kinds:
        url = sources[0]["url"]
        output = (
            f"The useful information in {url} for user goal {q} as follows: \n\nEvidence in page: \n## {q}\n\n"
            f"Summary: \nThe page discusses: {q}"
        )
        items.append(
            {
                "id": _item_id(),
                "type": "web_extractor_call",
                "status": "completed",
                "goal": q,
                "urls": [url],
                "output": output,
            }
        )
        x_tools["web_extractor"] = {"count": 1}
        extra += count_text(output)
    match = _ARITH.search(q) if "code_interpreter" in kinds else None
    if match:
        code = f"print({match.group(0)})"
        outputs = [{"type": "logs", "logs": _evaluate(match.group(0))}]
        items.append(
            {
                "id": _item_id(),
                "type": "code_interpreter_call",
                "status": "completed",
                "code": code,
                "outputs": outputs,
                "container_id": f"cntr_{uuid.uuid4().hex[:16]}",
            }
        )
        x_tools["code_interpreter"] = {"count": 1}
    return items, x_tools, extra


# -- planning -----------------------------------------------------------------------------------------


def _last_user_text(messages: Sequence[Mapping[str, Any]]) -> str:
    for msg in reversed(messages):
        if msg.get("role") == "user":
            return text_of(msg.get("content"))
    return ""


def _context(body: Mapping[str, Any], store: ResponseStore) -> tuple[list[dict[str, Any]], StoredResponse | None]:
    """The conversation so far (without `instructions`, which never carry over to a chained turn)."""
    previous_id = body.get("previous_response_id")
    if previous_id is None:
        return input_messages(body), None
    previous = store.get(str(previous_id))
    if previous is None:
        raise ChatError(MSG_NOT_FOUND.format(id=previous_id), status=404, code="not_found")
    return input_messages(body, previous.context), previous


def _answer(model: str, body: Mapping[str, Any], messages: list[dict[str, Any]], thinking: bool) -> tuple[Any, ...]:
    """(output items, x_tools, extra input tokens, stream pieces per item id, output tokens)."""
    enc, q = encoding(service_model(model).tokenizer), _last_user_text(messages)
    tools = body.get("tools") or []
    items, pieces, out_tokens = [], {}, 0
    if thinking:
        text = f"The user asked: {q} I should reply by restating it."
        item = {"id": _item_id(), "type": "reasoning", "summary": [{"type": "summary_text", "text": text}]}
        items.append(item)
        pieces[item["id"]] = token_pieces(enc, enc.encode_ordinary(text))
        out_tokens += len(pieces[item["id"]])
    after_tool = bool(messages) and messages[-1].get("role") == "tool"
    use_builtins = not after_tool and body.get("tool_choice") != "none"
    kinds = {str(t.get("type")) for t in tools} if use_builtins else set()
    builtin, x_tools, extra = builtin_items(kinds, q)
    items += builtin
    chat_tools = [{"type": "function", "function": t} for t in tools if t.get("type") == "function"]
    chat_body = {**body, "tools": chat_tools, "tool_choice": _chat_tool_choice(body.get("tool_choice"))}
    for call in decide_tool_calls(chat_body, messages, q) if chat_tools else []:
        item = {
            "id": _item_id(),
            "type": "function_call",
            "status": "completed",
            "call_id": call.id,
            "name": call.name,
            "arguments": call.arguments,
        }
        items.append(item)
        pieces[item["id"]] = fragments(call.arguments)
        out_tokens += count_text(call.name + call.arguments)
    if not any(i["type"] == "function_call" for i in items):
        text = answer_text(chat_body, messages, q, json_mode=False, prefix=False)
        search = next((i for i in builtin if i["type"] == "web_search_call"), None)
        if search is not None:
            text += " (sources: " + ", ".join(s["url"] for s in search["action"]["sources"]) + ")"
        content = [{"type": "output_text", "text": text, "annotations": []}]
        item = {"id": _item_id(), "type": "message", "role": "assistant", "status": "completed", "content": content}
        items.append(item)
        pieces[item["id"]] = token_pieces(enc, enc.encode_ordinary(text))
        out_tokens += len(pieces[item["id"]])
    return items, x_tools, extra, pieces, out_tokens


def _usage(input_tokens: int, output_tokens: int, reasoning: int, x_tools: dict[str, Any]) -> dict[str, Any]:
    total = input_tokens + output_tokens
    usage: dict[str, Any] = {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": total,
        "x_details": [
            {
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "total_tokens": total,
                "x_billing_type": "response_api",
            }
        ],
    }
    if x_tools:
        usage["x_tools"] = x_tools
    return usage


def _session_details(usage: dict[str, Any], previous: StoredResponse | None, enabled: bool) -> None:
    if not enabled or usage["input_tokens"] < SESSION_CACHE_MIN:
        return
    cached = previous.input_tokens if previous is not None and previous.session_cache else 0
    created = usage["input_tokens"] - cached
    usage["input_tokens_details"] = {"cached_tokens": cached}
    usage["prompt_tokens_details"] = {
        "cached_tokens": cached,
        "cache_creation_input_tokens": created,
        "cache_creation": {"ephemeral_5m_input_tokens": created},
        "cache_type": "ephemeral",
    }


def plan_response(
    body: Any, request_id: str, region: str, store: ResponseStore, headers: Mapping[str, str]
) -> ResponsePlan:
    """Validate a create request and build its response (rules in the module docstring).

    Raises:
        ChatError: 400 / 404 with the compatible-mode error body.
    """
    if not isinstance(body, Mapping):
        raise ChatError("Required body invalid, please check the request body format.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise ChatError("you must provide a model parameter.", code="invalid_value")
    if model not in RESPONSES_MODELS:
        raise ChatError(
            f"The model `{model}` does not exist or you do not have access to it.", status=404, code="model_not_found"
        )
    thinking = _thinking(body, model)
    tools = _check_tools(body, model, thinking)
    history, previous = _context(body, store)
    system = [{"role": "system", "content": body["instructions"]}] if isinstance(body.get("instructions"), str) else []
    messages = [*system, *history]
    items, x_tools, extra, pieces, out_tokens = _answer(model, {**body, "tools": tools}, messages, thinking)
    chat_tools = [{"type": "function", "function": t} for t in tools if t.get("type") == "function"]
    input_tokens = count_messages(messages, chat_tools or None, service_model(model).tokenizer) + extra
    reasoning = sum(len(pieces[i["id"]]) for i in items if i["type"] == "reasoning")
    usage = _usage(input_tokens, out_tokens, reasoning, x_tools)
    session = headers.get("x-dashscope-session-cache", "").lower() == "enable"
    _session_details(usage, previous, session)
    response = {
        "id": request_id,
        "object": "response",
        "status": "completed",
        "model": model,
        "output": items,
        "created_at": int(time.time()),
        "parallel_tool_calls": bool(body.get("parallel_tool_calls", False)),
        "tool_choice": body.get("tool_choice") or "auto",
        "tools": tools,
        "usage": usage,
        "error": None,
        "store": body.get("store", True) is not False,
    }
    stored = StoredResponse(response, [*history, *_chat_form(items)], input_tokens, session)
    return ResponsePlan(response, bool(body.get("stream")), stored if response["store"] else None, pieces)


def _chat_form(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The answer as chat messages (stored context for the next turn)."""
    calls = [
        {"id": i["call_id"], "type": "function", "function": {"name": i["name"], "arguments": i["arguments"]}}
        for i in items
        if i["type"] == "function_call"
    ]
    texts = [p["text"] for i in items if i["type"] == "message" for p in i["content"]]
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts)}
    if calls:
        message["tool_calls"] = calls
    return [message]


# -- stream rendering ---------------------------------------------------------------------------------


class _Events:
    """Collects SSE events with increasing `sequence_number`s."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def add(self, kind: str, **fields: Any) -> None:
        payload = {"type": kind, "sequence_number": len(self.events), **fields}
        self.events.append(f"event: {kind}\ndata: {_dumps(payload)}\n\n")


def _skeleton(item: Mapping[str, Any]) -> dict[str, Any]:
    kind = item["type"]
    if kind == "message":
        return {**item, "status": "in_progress", "content": []}
    if kind == "reasoning":
        return {**item, "summary": []}
    if kind == "function_call":
        return {**item, "status": "in_progress", "arguments": ""}
    if kind == "web_search_call":
        return {**item, "status": "in_progress", "action": {k: v for k, v in item["action"].items() if k != "sources"}}
    return {k: v for k, v in {**item, "status": "in_progress"}.items() if k not in ("output", "outputs")}


def _item_events(ev: _Events, index: int, item: Mapping[str, Any], pieces: Sequence[str]) -> None:
    ids = {"output_index": index, "item_id": item["id"]}
    kind = item["type"]
    ev.add("response.output_item.added", item=_skeleton(item), output_index=index)
    if kind == "message":
        part: dict[str, Any] = {"type": "output_text", "text": "", "annotations": [], "logprobs": None}
        ev.add("response.content_part.added", content_index=0, part=part, **ids)
        for piece in pieces:
            ev.add("response.output_text.delta", content_index=0, delta=piece, logprobs=[], **ids)
        text = item["content"][0]["text"]
        ev.add("response.output_text.done", content_index=0, text=text, logprobs=[], **ids)
        ev.add("response.content_part.done", content_index=0, part={**part, "text": text}, **ids)
    elif kind == "reasoning":
        for piece in pieces:
            ev.add("response.reasoning_summary_text.delta", summary_index=0, delta=piece, **ids)
        ev.add("response.reasoning_summary_text.done", summary_index=0, text=item["summary"][0]["text"], **ids)
    elif kind == "function_call":
        for piece in pieces:
            ev.add("response.function_call_arguments.delta", delta=piece, **ids)
        ev.add("response.function_call_arguments.done", arguments=item["arguments"], **ids)
    elif kind in ("web_search_call", "code_interpreter_call"):
        phase = "searching" if kind == "web_search_call" else "interpreting"
        for step in ("in_progress", phase, "completed"):
            ev.add(f"response.{kind}.{step}", **ids)
    ev.add("response.output_item.done", item=dict(item), output_index=index)


def render_events(plan: ResponsePlan) -> list[str]:
    """Every SSE event of a streamed response, in DashScope's order (module docstring)."""
    response = plan.response
    head = {k: v for k, v in response.items() if k not in ("output", "usage")}
    ev = _Events()
    ev.add("response.created", response={**head, "status": "queued", "output": []})
    ev.add("response.in_progress", response={**head, "status": "in_progress", "output": []})
    for index, item in enumerate(response["output"]):
        _item_events(ev, index, item, plan.items_tokens.get(item["id"], []))
    ev.add("response.completed", response=response)
    return ev.events


def failed_event(plan: ResponsePlan, sequence: int, code: str | None, message: str) -> str:
    """The `response.failed` event that ends a stream the provider killed (LANGALPHA-396)."""
    head = {k: v for k, v in plan.response.items() if k not in ("output", "usage")}
    error = {"code": code or "internal_error", "message": message}
    payload = {
        "type": "response.failed",
        "sequence_number": sequence,
        "response": {**head, "status": "failed", "error": error},
    }
    return f"event: response.failed\ndata: {_dumps(payload)}\n\n"


def retrieve(store: ResponseStore, response_id: str) -> dict[str, Any]:
    """`GET /responses/{id}`: the stored response object.

    Raises:
        ChatError: 404 when no stored response has this id.
    """
    stored = store.get(response_id)
    if stored is None:
        raise ChatError(MSG_NOT_FOUND.format(id=response_id), status=404, code="not_found")
    return stored.response


__all__ = [
    "RESPONSES_MODELS",
    "ResponsePlan",
    "ResponseStore",
    "StoredResponse",
    "builtin_items",
    "failed_event",
    "input_messages",
    "plan_response",
    "render_events",
    "retrieve",
]

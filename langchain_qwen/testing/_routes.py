"""The emulator's route table: which URL path is served by which handler, and the request/reply types.

Adding an endpoint is one `Route(...)` entry in `ROUTES`; its handler takes an `Exchange` (the parsed
request) and returns a `Reply` (JSON object, raw bytes or SSE events), or raises `ChatError` for the
standard compatible-mode error body. Paths outside every route answer 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._batches import handle_batches_request
from ._chat import MSG_BODY_INVALID, ChatError, prepare_chat, render_completion, render_stream_events
from ._completions import prepare_completion, render_completion_events, render_text_completion
from ._embeddings import handle_embeddings
from ._files import handle_files_request
from ._rerank import handle_rerank
from ._responses import failed_event, plan_response, render_events, retrieve

if TYPE_CHECKING:
    from .emulator import DashScopeEmulator, Fault

COMPAT = "/compatible-mode/v1"
"""Prefix of the OpenAI-compatible API (chat, completions, embeddings, files, batches)."""
COMPAT_API = "/compatible-api/v1"
"""Prefix of the OpenAI-style rerank API (addendum §4)."""


@dataclass
class Exchange:
    """One request as a handler sees it.

    Attributes:
        method: HTTP method.
        path: Path below the route's prefix (e.g. `/chat/completions`, `/files/file-abc`).
        query: Query parameters (last value wins).
        headers: Request headers with lower-cased names.
        raw: Body bytes as received.
        body: The parsed JSON body (None when empty, multipart or not JSON).
        bad_json: The body was not valid JSON.
        request_id: The request id (also the `x-request-id` header).
        fault: The scripted fault applied to this request, if any.
        emulator: The emulator serving the request (its stores and settings).
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str] = field(repr=False)  # carries the Authorization header
    raw: bytes = field(repr=False)
    body: Any = field(repr=False)
    bad_json: bool
    request_id: str
    fault: Fault | None
    emulator: DashScopeEmulator = field(repr=False)


@dataclass
class Reply:
    """What a handler answers: a JSON object, raw bytes, or SSE events (a stream)."""

    status: int = 200
    body: Any = None
    """A JSON-serialisable object, or bytes sent as they are."""
    content_type: str = "application/json"
    events: list[str] | None = None
    """Stream reply: every `data:` event except the final `[DONE]`."""
    headers: dict[str, str] = field(default_factory=dict)
    done: bool = True
    """Stream reply: end with `data: [DONE]` (chat); the Responses API ends with its `response.completed` event."""
    stream_error: Callable[[Any, int], str] | None = None
    """Stream reply: the event a `stream_error_after` fault ends it with, from (fault, events sent); None: the chat
    `data: {"error": ...}` frame."""


Handler = Callable[[Exchange], Reply]


@dataclass(frozen=True)
class Route:
    """One served path.

    Attributes:
        prefix: API prefix (`COMPAT` or `COMPAT_API`).
        path: Path below the prefix.
        handler: Serves the request.
        subtree: Also serve `path/...` (e.g. `/files/{id}`).
        json_post: POST only with a JSON body: other methods get 405, a malformed body 400.
        bare_errors: Error bodies carry only `error` (Files/Batch API, F13.5).
    """

    prefix: str
    path: str
    handler: Handler
    subtree: bool = False
    json_post: bool = False
    bare_errors: bool = False

    def match(self, url_path: str) -> str | None:
        """The path below the prefix when this route serves `url_path`, else None."""
        full = self.prefix + self.path
        if url_path == full or (self.subtree and url_path.startswith(full + "/")):
            return url_path[len(self.prefix) :]
        return None


# -- handlers ---------------------------------------------------------------------------------


def chat(ex: Exchange) -> Reply:
    """`POST /chat/completions` (`_chat`)."""
    emu = ex.emulator
    partial = bool(ex.fault and ex.fault.partial_response)
    plan = prepare_chat(
        ex.body, emu.region, ex.request_id, partial=partial, files=emu._files, cache=emu._cache, account=emu.api_key
    )
    if plan.cache is not None:
        # Store new cache prefixes before answering: a client that sends the next request as soon as
        # it has read this answer must find them (F9.2: creation is billed on this request).
        emu._cache.commit(plan.cache)
    if plan.stream:
        plan.arg_piece_tokens = emu.tool_arg_piece_tokens
        return Reply(events=render_stream_events(plan))
    headers = {"x-dashscope-partialresponse": "true"} if partial else {}
    return Reply(body=render_completion(plan), headers=headers)


def completions(ex: Exchange) -> Reply:
    """`POST /completions` (FIM, `_completions`)."""
    plan = prepare_completion(ex.body, ex.emulator.region)
    if plan.stream:
        return Reply(events=render_completion_events(plan))
    return Reply(body=render_text_completion(plan))


def embeddings(ex: Exchange) -> Reply:
    """`POST /embeddings` (`_embeddings`)."""
    return Reply(body=handle_embeddings(ex.body, ex.request_id))


def files(ex: Exchange) -> Reply:
    """The Files API (`_files`)."""
    reply = handle_files_request(ex.emulator._files, ex.method, ex.path, ex.query, ex.headers, ex.raw)
    if isinstance(reply.body, bytes):
        return Reply(reply.status, reply.body, reply.content_type)
    return Reply(reply.status, reply.body)


def batches(ex: Exchange) -> Reply:
    """The Batch API (`_batches`)."""
    status, body = handle_batches_request(ex.emulator._batches, ex.method, ex.path, ex.query, ex.body, ex.bad_json)
    return Reply(status, body)


def reranks(ex: Exchange) -> Reply:
    """`POST /compatible-api/v1/reranks` (`_rerank`)."""
    return Reply(body=handle_rerank(ex.body, ex.request_id, ex.emulator.region))


def responses(ex: Exchange) -> Reply:
    """`POST /responses` (JSON or SSE) and `GET /responses/{id}` (`_responses`)."""
    store = ex.emulator._responses
    if ex.path != "/responses":
        if ex.method != "GET":
            return _method_not_allowed()
        return Reply(body=retrieve(store, ex.path[len("/responses/") :]))
    if ex.method != "POST":
        return _method_not_allowed()
    if ex.bad_json:
        raise ChatError(MSG_BODY_INVALID)
    plan = plan_response(ex.body, ex.request_id, ex.emulator.region, store, ex.headers)
    if plan.store is not None:
        store.put(plan.store)
    if not plan.stream:
        return Reply(body=plan.response)

    def failed(fault: Any, sent: int) -> str:
        message = fault.message if fault.message is not None else "The response was interrupted."  # [invented]
        return failed_event(plan, sent, fault.code, message)

    return Reply(events=render_events(plan), done=False, stream_error=failed)


def _method_not_allowed() -> Reply:
    # [invented] body for a wrong method on a known path (as the emulator answers elsewhere).
    error = {
        "message": "Method Not Allowed.",
        "type": "invalid_request_error",
        "param": None,
        "code": "method_not_allowed",
    }
    return Reply(status=405, body={"error": error})


ROUTES: list[Route] = [
    Route(COMPAT, "/chat/completions", chat, json_post=True),
    Route(COMPAT, "/completions", completions, json_post=True),
    Route(COMPAT, "/embeddings", embeddings, json_post=True),
    Route(COMPAT, "/files", files, subtree=True, bare_errors=True),
    Route(COMPAT, "/batches", batches, subtree=True, bare_errors=True),
    Route(COMPAT_API, "/reranks", reranks, json_post=True),
    Route(COMPAT, "/responses", responses, subtree=True),
]
"""Every served path. Other modules (rerank, responses) append their routes here."""


def find_route(url_path: str) -> tuple[Route, str] | None:
    """The route serving `url_path` and the path below its prefix, or None (404)."""
    for route in ROUTES:
        sub = route.match(url_path)
        if sub is not None:
            return route, sub
    return None


__all__ = ["COMPAT", "COMPAT_API", "ROUTES", "Exchange", "Handler", "Reply", "Route", "find_route"]

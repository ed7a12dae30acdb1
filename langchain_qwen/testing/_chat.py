"""Chat-completions behaviour of the DashScope emulator: validation, canned answers and wire shapes.

How answers are made (general rules only; no prompt is ever special-cased):

* ``q`` is the text of the last user message (string content, or the joined text parts of list content;
  empty when a partial-mode request has no user message).
* The answer is ``"Emulated reply: " + q``; after tool results it also quotes them; in JSON mode
  (``response_format`` ``json_object`` / ``json_schema``) it is a JSON object built from the schema
  given (or ``{"reply": q}``); in partial mode only the continuation ``" …continued: " + q``. Tool calls
  are decided and their arguments built from ``q`` as described in ``_tools``. Choice ``i > 0`` of an
  ``n > 1`` request appends `` (choice i)`` to ``q``.
* Tool calls (F3.2/F3.3): ``content: ""``, ``finish_reason: "tool_calls"``. Streamed as captured
  (tests/conformance/captures): a start frame per call (``id``, ``type``, ``function.name``; without thinking
  it also carries the first arguments fragment, ``content: null`` and, for the first call, ``role``; while
  thinking its ``arguments`` is ``""``), argument frames with ``id: ""`` and no ``name`` key (arguments cut in
  up to 3 fragments), one bare frame (choice without ``finish_reason``/``logprobs``) whose ``arguments`` is
  null (``""`` while thinking) for the last call [inferred for parallel calls], then the finish in its own
  frame (``delta: {}``; ``{"content": "", "reasoning_content": null}`` while thinking). Their completion tokens are
  the tokens of each name plus its arguments JSON; ``stop`` and ``max_tokens`` do not cut them, and the
  non-stream ``partial_response`` fault keeps them whole (only ``finish_reason`` becomes null).
* Partial mode (F5): a final ``{"role": "assistant", "partial": true}`` message needs a model with
  ``profile.partial_mode`` and thinking off (400 otherwise, ``[invented]`` wording); such a request needs
  no user message. ``partial`` on an earlier message is ignored.
* Documents (F7.4, models with ``profile.file_context``): ``fileid://`` system messages are validated and
  billed as their documents' parsed text (``_files``); the text answer then ends with
  `` (documents: <file names in reference order, ", "-joined>)``.
* Qwen-MT (F6, ``profile.translation``): one user message only; with ``translation_options`` the answer is
  the canned translation of ``_translate`` and the options count as prompt tokens.
* When thinking is on, the reasoning is ``"The user asked: " + q + " I should reply by restating it."``,
  cut to ``thinking_budget`` tokens when one is given.
* Texts are split into tokens with the model's Qwen vocabulary (``profile.tokenizer``). A stream sends one
  token per chunk, except that the bytes of tokens that split a UTF-8 character are grouped so that every
  piece is valid text.
* ``stop`` cuts the answer before the first occurrence of a stop string (or token-id sequence);
  ``max_tokens`` caps the answer tokens and ``max_completion_tokens`` reasoning plus answer
  (``finish_reason: "length"``).
* Media parts (F10, ``_media``) are validated and billed with canned token counts; the text answer then
  ends with `` (saw: <kinds>)``. Omni audio output (``modalities``/``audio``) adds ``delta.audio`` chunks
  with a real PCM tone (``_media``). Web search (``_search``) adds `` (searched the web)``. Suffixes are
  not added to JSON-mode, partial-mode or translation answers.
* Usage: ``prompt_tokens`` is the exact ChatML count of ``messages`` + ``tools`` (``_tokens.count_messages``)
  plus media and search tokens, ``completion_tokens`` the reasoning, answer and audio tokens of every
  choice. ``prompt_tokens_details`` is ``{"cached_tokens": 0}``, except: ``null`` for Qwen-MT; the
  explicit-cache object of ``_cache`` when a ``cache_control`` prefix reaches 1024 tokens; with media
  parts or on audio-output (Omni) models ``text_tokens`` plus ``image_tokens``/``video_tokens``/
  ``audio_tokens`` for the modalities present (and ``cached_tokens: 0`` except on Omni models, whose
  capture has only ``text_tokens``). ``completion_tokens_details`` is absent, ``{"reasoning_tokens"}`` when
  thinking, plus ``audio_tokens``/``text_tokens`` when audio is generated.

Every per-model decision reads the service's own facts (``_service.service_model``), never the client's
table. Error strings are the ones captured in ``dashscope-protocol.md`` (F1.4, F4, F13.1, F13.6) and its 2026
addendum; the few the references do not give are marked ``[invented]`` where they are raised.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._tokens import count_messages, encoding, text_of
from ._cache import CacheStore, CacheUsage, plan_cache
from ._errors import ChatError, error_body
from ._files import FileStore, expand_file_refs
from ._media import AudioOutput, MediaSummary, audio_deltas, check_audio_output, check_content_parts, interleave_audio
from ._sampling import check_sampling, cut_at_stop, cut_at_token_stop, is_int, parse_stop, token_pieces
from ._search import SEARCH_PROMPT_TOKENS, SEARCH_SUFFIX, check_search
from ._service import ServiceModel, service_model
from ._tools import ToolCall, answer_text, decide_tool_calls, forced_tool_name, fragments, is_prefix_request
from ._translate import Translation, check_mt_messages, check_translation

ALLOWED_ROLES = ("system", "assistant", "user", "tool", "function")
BEIJING = "cn-beijing"
DONE_EVENT = "data: [DONE]\n\n"

MSG_BODY_INVALID = "Required body invalid, please check the request body format."
MSG_NO_MODEL = "you must provide a model parameter."
MSG_MESSAGES_EMPTY = "[] is too short - 'messages'"
MSG_NO_USER = "The input messages do not contain elements with the role of user."
MSG_TOOL_ORDER = 'messages with role "tool" must be a response to a preceeding message with "tool_calls"'
MSG_CONTENT_STRING = "input content must be a string."
MSG_CONTENT_REQUIRED = "The content field is a required field."
MSG_STREAM_ONLY = "This model only support stream mode, please enable the stream parameter to access the model. "
MSG_THINKING_STREAM = "parameter.enable_thinking must be set to false for non-streaming calls"
MSG_THINKING_TRUE_ONLY = "The value of the enable_thinking parameter is restricted to True."
MSG_TOOLS_EMPTY = "[] is too short - 'tools'"
MSG_TOOL_SEARCH = "Tool names are not allowed to be [search]"
MSG_TOOL_CHOICE = 'tool_choice is one of the strings that should be ["none", "auto"]'
MSG_TOOL_CHOICE_THINKING = "The tool_choice parameter does not support being set to required or object in thinking mode"
MSG_TOOL_CHOICE_THINKING_2026 = "<400> InternalError.Algo.InvalidParameter: " + MSG_TOOL_CHOICE_THINKING
"""Qwen3.5+ hybrids forcing a tool while thinking (qwen3.6-plus, qwen3.7-plus captures, [ISS-OMP886])."""
MSG_JSON_THINKING = "Json mode response is not supported when enable_thinking is true"
MSG_JSON_WORD = "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."
MSG_RESPONSE_FORMAT = (
    "Unknown format of response_format, response_format should be a dict, includes 'type' and an optional "
    "key 'json_schema'."
)
MSG_EFFORT_AND_BUDGET = "reasoning_effort and thinking_budget cannot be set at the same time."
"""[invented] The protocol says the two are mutually exclusive on qwen3.8 but gives no wording."""
MSG_N_TOOLS = "Range of n should be [1, 1] when tools are present"
"""[invented] The protocol says n must be 1 with tools (F3.1) but gives no wording."""
MSG_PARTIAL_THINKING = "Partial mode is not supported in thinking mode."
"""[invented] F5.3: thinking mode never supports partial mode; the refusal was not captured."""


@dataclass
class ChoicePlan:
    """One generated choice: its reasoning and answer split into stream pieces."""

    index: int
    reasoning_pieces: list[str]
    answer_pieces: list[str]
    finish_reason: str | None
    reasoning_tokens: int
    answer_tokens: int
    tool_calls: list[ToolCall] = field(default_factory=list)
    audio: list[str] = field(default_factory=list)
    """`delta.audio` JSON objects of the spoken answer (Omni audio output)."""
    audio_tokens: int = 0

    @property
    def reasoning(self) -> str:
        return "".join(self.reasoning_pieces)

    @property
    def answer(self) -> str:
        return "".join(self.answer_pieces)


@dataclass
class ChatPlan:
    """A validated request and everything needed to render its answer."""

    request_id: str
    chat_id: str
    created: int
    model: str
    profile: ServiceModel
    stream: bool
    include_usage: bool
    thinking: bool
    prompt_tokens: int
    prompt_details: dict[str, Any] | None = None
    audio: AudioOutput | None = None
    cache: CacheUsage | None = None
    """Explicit-cache outcome; its new prefixes are stored before the response is sent."""
    arg_piece_tokens: int | None = None
    """Stream tool arguments in pieces of this many tokens (None: up to 3 fragments, as in the captures)."""
    choices: list[ChoicePlan] = field(default_factory=list)

    @property
    def wire_usage(self) -> dict[str, Any]:
        """`usage` as sent: `completion_tokens_details` only when it has content (captures)."""
        usage = self.usage
        if usage["completion_tokens_details"] is None:
            del usage["completion_tokens_details"]
        return usage

    @property
    def usage(self) -> dict[str, Any]:
        """The usage object (same in the non-stream envelope and the final stream chunk)."""
        reasoning = sum(c.reasoning_tokens for c in self.choices)
        text = sum(c.answer_tokens for c in self.choices)
        audio = sum(c.audio_tokens for c in self.choices)
        completion = reasoning + text + audio
        details: dict[str, Any] | None = {"reasoning_tokens": reasoning} if self.thinking else None
        if self.audio is not None:
            details = {**(details or {}), "audio_tokens": audio, "text_tokens": text}
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
            "prompt_tokens_details": self.prompt_details,
            "completion_tokens_details": details,
        }


def stream_error_event(message: str, type_: str, code: str | None) -> str:
    """An in-stream error event: `data: {"error": {...}}` (F2.2 quirks)."""
    payload = {"error": {"message": message, "type": type_, "param": None, "code": code}}
    return "data: " + _dumps(payload) + "\n\n"


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""Compact JSON with raw UTF-8 (as DashScope sends it); one shared encoder keeps per-chunk cost low."""


# -- validation ------------------------------------------------------------------------------


def _check_messages(messages: Any, profile: ServiceModel) -> None:
    if not isinstance(messages, list) or not messages:
        # Schema-style messages ("... - 'field'") carry code invalid_value like the seed one (F13.1) [inferred].
        raise ChatError(MSG_MESSAGES_EMPTY, code="invalid_value")
    array_ok = not profile.known or profile.input_modalities != frozenset({"text"}) or profile.explicit_cache
    has_user = False
    for i, msg in enumerate(messages):
        if not isinstance(msg, Mapping):
            raise ChatError(MSG_BODY_INVALID)
        role = msg.get("role")
        if role not in ALLOWED_ROLES:
            allowed = "['system', 'assistant', 'user', 'tool', 'function']"
            raise ChatError(f"{role} is not one of {allowed} - 'messages.[{i}].role'", code="invalid_value")
        has_user = has_user or role == "user"
        content = msg.get("content")
        if role == "tool":
            j = i - 1
            while j >= 0 and isinstance(messages[j], Mapping) and messages[j].get("role") == "tool":
                j -= 1
            prev = messages[j] if j >= 0 else None
            if not isinstance(prev, Mapping) or prev.get("role") != "assistant" or not prev.get("tool_calls"):
                raise ChatError(MSG_TOOL_ORDER)
            if not isinstance(content, str) and not (isinstance(content, list) and profile.explicit_cache):
                raise ChatError(MSG_CONTENT_STRING)
        if role in ("system", "user") and content is None:
            raise ChatError(MSG_CONTENT_REQUIRED)
        if isinstance(content, list) and not array_ok:
            raise ChatError(MSG_CONTENT_STRING)
    if not has_user and not is_prefix_request(messages):
        raise ChatError(MSG_NO_USER)


def _resolve_thinking(body: Mapping[str, Any], profile: ServiceModel, model: str) -> tuple[bool, int | None]:
    """Validate the thinking parameters; return (thinking on, reasoning token budget)."""
    enable = body.get("enable_thinking")
    if enable is not None:
        if profile.thinking == "none":
            raise ChatError(f"The model {model} does not support enable_thinking.")
        if profile.thinking == "always" and not enable:
            raise ChatError(MSG_THINKING_TRUE_ONLY)
        thinking = bool(enable)
    else:
        thinking = bool(profile.thinking_default)

    budget = body.get("thinking_budget")
    effort = body.get("reasoning_effort")
    if effort is not None:
        if profile.known and not profile.reasoning_effort:
            # [invented] wording: the protocol only says other models do not accept the parameter.
            raise ChatError(f"The model {model} does not support reasoning_effort.")
        if profile.reasoning_effort and effort not in profile.reasoning_effort:
            # [invented] wording: the protocol says "other values -> error" without the message.
            allowed = ", ".join(profile.reasoning_effort)
            raise ChatError(f"Invalid value for reasoning_effort: '{effort}'. Supported values are: {allowed}.")
        if budget is not None and profile.effort_excludes_budget:
            raise ChatError(MSG_EFFORT_AND_BUDGET)
        if effort == "none":
            thinking = False

    if budget is not None:
        limit = profile.max_thinking_budget
        valid = is_int(budget) and budget > 0
        if not (valid and (budget <= limit if limit is not None else not profile.known)):
            # Models without budget support quote a maximum of 0 [invented: the protocol only gives "xxx"].
            raise ChatError(
                f"The thinking_budget parameter must be a positive integer and not greater than {limit or 0}"
            )
    return thinking, budget if thinking else None


def _check_tools(body: Mapping[str, Any], profile: ServiceModel, thinking: bool) -> None:
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list) or not tools:
            raise ChatError(MSG_TOOLS_EMPTY, code="invalid_value")
        for tool in tools:
            fn = tool.get("function") if isinstance(tool, Mapping) else None
            if isinstance(fn, Mapping) and fn.get("name") == "search":
                raise ChatError(MSG_TOOL_SEARCH)
    choice = body.get("tool_choice")
    if choice is None:
        return
    forced = choice == "required" or isinstance(choice, Mapping)
    if thinking and forced and profile.forced_tool_error == "thinking_mode":
        raise ChatError(MSG_TOOL_CHOICE_THINKING_2026)
    allowed = profile.tool_choice_thinking if thinking else profile.tool_choice
    if isinstance(choice, str):
        if choice in allowed and choice != "function":
            return
        raise ChatError(MSG_TOOL_CHOICE)  # "required" on older models too [ISS-PYDAI1265]
    if isinstance(choice, Mapping) and "function" in allowed:
        try:
            forced_tool_name(choice, tools if isinstance(tools, list) else None)
        except ValueError as err:
            raise ChatError(str(err)) from None
        return
    # [invented] for older models: F1.6 says a forced function is refused while thinking, wording not captured.
    raise ChatError(MSG_TOOL_CHOICE_THINKING if thinking else MSG_TOOL_CHOICE)


def _check_response_format(
    body: Mapping[str, Any], profile: ServiceModel, model: str, thinking: bool, region: str
) -> bool:
    """Validate `response_format`; return True when the answer must be a JSON object."""
    fmt = body.get("response_format")
    if fmt is None:
        return False
    kind = fmt.get("type") if isinstance(fmt, Mapping) else None
    if kind not in ("text", "json_object", "json_schema"):
        raise ChatError(MSG_RESPONSE_FORMAT)
    if kind == "text":
        return False
    if thinking:
        raise ChatError(MSG_JSON_THINKING)
    if kind == "json_object":
        if profile.known and not profile.json_object:
            # [invented] wording: the protocol lists supporting models but no refusal message.
            raise ChatError(f"The model {model} does not support response_format of type 'json_object'.")
        words = (text_of(m.get("content")) for m in body["messages"] if m.get("role") in ("system", "user"))
        if not any("json" in w.lower() for w in words):
            raise ChatError(MSG_JSON_WORD)
    elif not profile.json_schema or region != BEIJING:
        # [invented] wording: json_schema is Beijing-only and per-model (F4.2), refusal not captured.
        raise ChatError(f"The model {model} does not support response_format of type 'json_schema'.")
    return True


# -- generation ------------------------------------------------------------------------------


def _prompt_details(
    profile: ServiceModel, prompt_tokens: int, media: dict[str, int], cache: CacheUsage | None
) -> dict[str, Any] | None:
    """`usage.prompt_tokens_details` (rules in the module docstring)."""
    if profile.translation:
        return None  # Qwen-MT captures show `prompt_tokens_details: null` (F6.3).
    if cache is not None:
        return cache.details(prompt_tokens)
    omni = "audio" in profile.output_modalities
    if not media and not omni:
        return {"cached_tokens": 0}
    details: dict[str, Any] = {"text_tokens": prompt_tokens - sum(media.values())}
    details.update((f"{modality}_tokens", n) for modality, n in media.items())
    if not omni:
        details["cached_tokens"] = 0
    return details


@dataclass
class ChatRequest:
    """A `/chat/completions` body while the validation rules run; each rule records what it decided."""

    body: Mapping[str, Any]
    region: str
    model: str = ""
    profile: ServiceModel = field(default_factory=ServiceModel)
    messages: list[Any] = field(default_factory=list)
    stream: bool = False
    thinking: bool = False
    budget: int | None = None
    media: MediaSummary | None = None
    translation: Translation | None = None
    audio: AudioOutput | None = None
    json_mode: bool = False
    search: bool = False
    prefix: bool = False
    stop_strings: list[str] = field(default_factory=list)
    stop_ids: list[list[int]] = field(default_factory=list)
    tools: list[Any] | None = None


ChatRule = Callable[[ChatRequest], None]
"""A validation rule: raises `ChatError` to refuse, or records a decision on the request."""


def _rule_model(req: ChatRequest) -> None:
    model = req.body.get("model")
    if not model or not isinstance(model, str):
        raise ChatError(MSG_NO_MODEL, code="invalid_value")
    profile = service_model(model)
    if not profile.known or (profile.regions is not None and req.region not in profile.regions):
        raise ChatError(
            f"The model `{model}` does not exist or you do not have access to it.", status=404, code="model_not_found"
        )
    req.model, req.profile = model, profile


def _rule_messages(req: ChatRequest) -> None:
    messages: Any = req.body.get("messages")
    if req.profile.translation:
        check_mt_messages(messages)
    _check_messages(messages, req.profile)
    req.messages = messages


def _rule_media(req: ChatRequest) -> None:
    req.media = check_content_parts(req.messages, req.profile, req.model)


def _rule_translation(req: ChatRequest) -> None:
    if req.profile.translation:
        req.translation = check_translation(req.body, req.profile)


def _rule_thinking(req: ChatRequest) -> None:
    req.stream = bool(req.body.get("stream"))
    req.thinking, req.budget = _resolve_thinking(req.body, req.profile, req.model)


def _rule_audio(req: ChatRequest) -> None:
    req.audio = check_audio_output(req.body, req.profile, req.model, thinking=req.thinking, stream=req.stream)


def _rule_stream_only(req: ChatRequest) -> None:
    if req.profile.stream_only and not req.stream:
        raise ChatError(MSG_STREAM_ONLY)
    if req.thinking and req.profile.thinking_stream_only and not req.stream:
        raise ChatError(MSG_THINKING_STREAM)


def _rule_sampling(req: ChatRequest) -> None:
    check_sampling(req.body, req.profile, req.model)
    req.stop_strings, req.stop_ids = parse_stop(req.body.get("stop"))


def _rule_tools(req: ChatRequest) -> None:
    _check_tools(req.body, req.profile, req.thinking)
    req.tools = req.body.get("tools") or None
    if req.tools and (req.body.get("n") or 1) > 1:
        raise ChatError(MSG_N_TOOLS)


def _rule_response_format(req: ChatRequest) -> None:
    req.json_mode = _check_response_format(req.body, req.profile, req.model, req.thinking, req.region)


def _rule_search(req: ChatRequest) -> None:
    req.search = check_search(req.body, req.profile, req.model)


def _rule_partial_mode(req: ChatRequest) -> None:
    req.prefix = is_prefix_request(req.messages)
    if req.prefix:
        if not req.profile.partial_mode:
            # [invented] wording: F5.3 lists the supporting models but no refusal was captured.
            raise ChatError(f"Partial mode is not supported by model {req.model}.")
        if req.thinking:
            raise ChatError(MSG_PARTIAL_THINKING)


CHAT_RULES: tuple[ChatRule, ...] = (
    _rule_model,
    _rule_messages,
    _rule_media,
    _rule_translation,
    _rule_thinking,
    _rule_audio,
    _rule_stream_only,
    _rule_sampling,
    _rule_tools,
    _rule_response_format,
    _rule_search,
    _rule_partial_mode,
)
"""The `/chat/completions` validation rules, in the order DashScope's refusals were observed to take."""


def validate_chat(body: Any, region: str) -> ChatRequest:
    """Run `CHAT_RULES` over a request body.

    Raises:
        ChatError: The first rule that refuses the request.
    """
    if not isinstance(body, Mapping):
        raise ChatError(MSG_BODY_INVALID)
    req = ChatRequest(body, region)
    for rule in CHAT_RULES:
        rule(req)
    return req


def _count_prompt(req: ChatRequest, files: FileStore | None, *, batch: bool = False) -> tuple[int, list[str]]:
    """(prompt tokens, document names) of a validated request; 400 past the model's input limit."""
    profile = req.profile
    billed, documents = expand_file_refs(req.messages, files) if profile.file_context else (req.messages, [])
    prompt_tokens = count_messages(billed, req.tools, profile.tokenizer)
    if req.translation is not None:
        prompt_tokens += req.translation.extra_prompt_tokens
    assert req.media is not None
    prompt_tokens += req.media.total + (SEARCH_PROMPT_TOKENS if req.search else 0)
    input_limit = profile.max_input_tokens or profile.context_window
    if batch and profile.batch_max_input_tokens:
        input_limit = min(input_limit or profile.batch_max_input_tokens, profile.batch_max_input_tokens)
    if input_limit and prompt_tokens > input_limit:
        raise ChatError(f"Range of input length should be [1, {input_limit}]")
    return prompt_tokens, documents


def prepare_chat(
    body: Any,
    region: str,
    request_id: str,
    *,
    partial: bool = False,
    files: FileStore | None = None,
    cache: CacheStore | None = None,
    account: str = "",
    batch: bool = False,
) -> ChatPlan:
    """Validate a `/chat/completions` body and compute the canned answer.

    Args:
        body: The parsed JSON request body.
        region: The emulated region (models whose profile excludes it are "not found").
        request_id: The request id; the completion id is `chatcmpl-<request_id>`.
        partial: Emulate the 300 s non-stream cut-off (F2.5): half the answer tokens, `finish_reason` null.
        files: The uploaded files that `fileid://` references resolve against (models with `file_context`).
        cache: The explicit context cache (models with `explicit_cache`); None disables it.
        account: The caller's API key (cache entries are per model and key).
        batch: The request is a Batch API line (per-request input caps of `_service`, A10).

    Returns:
        The plan to render as a `chat.completion` or as SSE chunks.

    Raises:
        ChatError: The request is refused (status, code and message as DashScope sends them).
    """
    req = validate_chat(body, region)
    prompt_tokens, documents = _count_prompt(req, files, batch=batch)
    options = req.body.get("stream_options")
    plan = ChatPlan(
        request_id=request_id,
        chat_id=f"chatcmpl-{request_id}",
        created=int(time.time()),
        model=req.model,
        profile=req.profile,
        stream=req.stream,
        include_usage=req.stream and isinstance(options, Mapping) and options.get("include_usage") is True,
        thinking=req.thinking,
        prompt_tokens=prompt_tokens,
        audio=req.audio,
        cache=plan_cache(req.messages, req.tools, req.profile, cache, account) if cache is not None else None,
    )
    assert req.media is not None
    plan.prompt_details = _prompt_details(req.profile, prompt_tokens, req.media.tokens, plan.cache)
    _plan_choices(plan, req, documents, partial=partial)
    return plan


def _reasoning(req: ChatRequest, q: str) -> list[int]:
    """Reasoning tokens of the answer (empty when not thinking), cut to `thinking_budget`."""
    if not req.thinking:
        return []
    tokens: list[int] = encoding(req.profile.tokenizer).encode_ordinary(
        f"The user asked: {q} I should reply by restating it."
    )
    return tokens[: req.budget] if req.budget else tokens


def _plan_choices(plan: ChatPlan, req: ChatRequest, documents: list[str], *, partial: bool) -> None:
    """Add the tool-call choice, or one text choice per `n`, to `plan`."""
    q = next((text_of(m.get("content")) for m in reversed(req.messages) if m.get("role") == "user"), "")
    reasoning = _reasoning(req, q)
    calls = [] if req.prefix else decide_tool_calls(req.body, req.messages, q)
    if calls:
        plan.choices.append(_tool_choice(req, calls, reasoning, partial=partial))
        return
    media = req.media
    suffix = (f" (saw: {', '.join(media.kinds)})" if media and media.kinds else "") + (
        SEARCH_SUFFIX if req.search else ""
    )
    if req.json_mode or req.prefix or req.translation is not None:
        suffix = ""
    for i in range(req.body.get("n") or 1):
        reply = q + (f" (choice {i})" if i else "")
        if req.translation is not None:
            answer = req.translation.translate(q)
        else:
            answer = answer_text(
                req.body, req.messages, reply, json_mode=req.json_mode, prefix=req.prefix, documents=documents
            )
            answer += suffix
        plan.choices.append(_text_choice(plan, req, i, answer, reasoning, partial=partial))


def _tool_choice(req: ChatRequest, calls: list[ToolCall], reasoning: list[int], *, partial: bool) -> ChoicePlan:
    enc = encoding(req.profile.tokenizer)
    max_completion = req.body.get("max_completion_tokens")
    if max_completion is not None and len(reasoning) > max_completion:
        reasoning = reasoning[:max_completion]
    count = sum(len(enc.encode_ordinary(c.name)) + len(enc.encode_ordinary(c.arguments)) for c in calls)
    return ChoicePlan(
        index=0,
        reasoning_pieces=token_pieces(enc, reasoning),
        answer_pieces=[],
        finish_reason=None if partial and not req.stream else "tool_calls",
        reasoning_tokens=len(reasoning),
        answer_tokens=count,
        tool_calls=calls,
    )


def _text_choice(
    plan: ChatPlan, req: ChatRequest, index: int, answer: str, reasoning: list[int], *, partial: bool
) -> ChoicePlan:
    """One text choice: the answer cut by `stop`, `max_tokens`, `max_completion_tokens` and the partial cut-off."""
    enc = encoding(req.profile.tokenizer)
    answer_tokens = cut_at_token_stop(enc.encode_ordinary(cut_at_stop(answer, req.stop_strings)), req.stop_ids)
    max_tokens = req.body.get("max_tokens")
    max_completion = req.body.get("max_completion_tokens")
    finish: str | None = "stop"
    if max_completion is not None:
        if len(reasoning) > max_completion:
            reasoning, finish = reasoning[:max_completion], "length"
        room = max_completion - len(reasoning)
        if len(answer_tokens) > room:
            answer_tokens, finish = answer_tokens[:room], "length"
    if max_tokens is not None and len(answer_tokens) > max_tokens:
        answer_tokens, finish = answer_tokens[:max_tokens], "length"
    if partial and not req.stream:
        answer_tokens, finish = answer_tokens[: len(answer_tokens) // 2], None
    spoken, audio_tokens = audio_deltas(len(answer_tokens), plan.created) if req.audio else ([], 0)
    return ChoicePlan(
        index=index,
        reasoning_pieces=token_pieces(enc, reasoning),
        answer_pieces=token_pieces(enc, answer_tokens),
        finish_reason=finish,
        reasoning_tokens=len(reasoning),
        answer_tokens=len(answer_tokens),
        audio=spoken,
        audio_tokens=audio_tokens,
    )


# -- rendering -------------------------------------------------------------------------------


def _message(plan: ChatPlan, choice: ChoicePlan) -> dict[str, Any]:
    """`choices[].message` as DashScope sends it: `role`, `content`, then only what the answer has."""
    message: dict[str, Any] = {"role": "assistant", "content": choice.answer}
    if plan.thinking:
        message["reasoning_content"] = choice.reasoning
    if plan.profile.translation:
        message["annotations"] = None  # Qwen-MT (F6.3 capture)
    if choice.tool_calls:
        message["tool_calls"] = [
            {"index": k, "id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for k, c in enumerate(choice.tool_calls)
        ]
    return message


def render_completion(plan: ChatPlan) -> dict[str, Any]:
    """The non-stream `chat.completion` envelope, keys in DashScope's order.

    Captures `chat-qwen-plus-curl-2025-11`, `chat-qwen-flash-tool-call-2025-11` (tests/conformance): no
    `service_tier`, no `refusal` / `audio` / `function_call` / `tool_calls: null` (OpenAI-SDK renderings
    in the docs add those), `usage.completion_tokens_details` only when it has content.
    """
    choices = [
        {"message": _message(plan, c), "finish_reason": c.finish_reason, "index": c.index, "logprobs": None}
        for c in plan.choices
    ]
    return {
        "choices": choices,
        "object": "chat.completion",
        "usage": plan.wire_usage,
        "created": plan.created,
        "system_fingerprint": None,
        "model": plan.model,
        "id": plan.chat_id,
    }


# Stream deltas as captured (tests/conformance/captures): `stream-qwen-plus-doc-singapore` (text),
# `stream-qwen-plus-thinking-usage-2025-11` (thinking), `stream-qwen-plus-tool-call-null-arguments-2025-09`
# (tools), `stream-qwen3.5-flash-thinking-tool-call-2026-04` (tools while thinking).
_PLAIN_FIRST = '{"content":"","role":"assistant"}'
_PLAIN_PIECE = ('{"content":', "}")
_PLAIN_FINISH = '{"content":""}'
_THINK_FIRST = '{"content":null,"role":"assistant","reasoning_content":""}'
_THINK_REASONING = ('{"content":null,"reasoning_content":', "}")
_THINK_ANSWER = ('{"content":', ',"reasoning_content":null}')
_THINK_FINISH = '{"content":"","reasoning_content":null}'
_TRANSCRIPT_PIECE = ('{"audio":{"transcript":', "}}")

Delta = tuple[str, "str | None", bool]
"""(delta JSON, finish_reason, bare): a bare frame's choice has only `delta` and `index` (captured)."""


def _argument_pieces(arguments: str, tokens: tuple[str, int] | None) -> list[str]:
    """Stream pieces of an arguments string: `fragments`, or groups of N tokens of the model's vocabulary."""
    if tokens is None:
        return fragments(arguments)
    vocab, size = tokens
    enc = encoding(vocab)
    pieces = token_pieces(enc, enc.encode_ordinary(arguments))
    return ["".join(pieces[i : i + size]) for i in range(0, len(pieces), size)] or [arguments]


def _call_deltas(choice: ChoicePlan, thinking: bool, plan_tokens: tuple[str, int] | None = None) -> list[Delta]:
    """Tool-call deltas: a start frame per call (id, name), argument frames (`id: ""`, no `name` key),
    then one bare frame whose `arguments` is `""` (thinking) or null, then the finish frame."""
    head = '{"content":null,"reasoning_content":null,"tool_calls":' if thinking else '{"content":null,"tool_calls":'
    out: list[Delta] = []
    for k, call in enumerate(choice.tool_calls):
        pieces = _argument_pieces(call.arguments, plan_tokens)
        if thinking:  # the start frame carries no arguments; all of them follow
            first, rest = "", pieces
        else:
            first, rest = pieces[0], pieces[1:]
        start = {"index": k, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": first}}
        role = ',"role":"assistant"' if k == 0 and not thinking else ""
        out.append((head + _dumps([start]) + role + "}", None, False))
        for piece in rest:
            part = {"index": k, "id": "", "type": "function", "function": {"arguments": piece}}
            out.append((head + _dumps([part]) + "}", None, False))
    last = len(choice.tool_calls) - 1
    empty = {"function": {"arguments": "" if thinking else None}, "index": last, "id": "", "type": "function"}
    out.append(('{"tool_calls":' + _dumps([empty]) + "}", None, True))
    out.append((_THINK_FINISH if thinking else "{}", choice.finish_reason, False))
    return out


def _thinking_deltas(choice: ChoicePlan, merged_first: bool, plan_tokens: tuple[str, int] | None) -> list[Delta]:
    head, tail = _THINK_REASONING
    pieces = choice.reasoning_pieces
    if merged_first and pieces:  # 2026: role rides on the first reasoning piece
        out: list[Delta] = [
            ('{"content":null,"reasoning_content":' + _dumps(pieces[0]) + ',"role":"assistant"}', None, False)
        ]
        pieces = pieces[1:]
    else:
        out = [(_THINK_FIRST, None, False)]
    out += [(head + _dumps(p) + tail, None, False) for p in pieces]
    if choice.tool_calls:
        return out + _call_deltas(choice, thinking=True, plan_tokens=plan_tokens)
    head, tail = _THINK_ANSWER
    texts = [head + _dumps(p) + tail for p in choice.answer_pieces]
    out += [(d, None, False) for d in interleave_audio(texts, choice.audio)]
    out.append((_THINK_FINISH, choice.finish_reason, False))
    return out


def _cumulative_deltas(choice: ChoicePlan) -> list[Delta]:
    """Non-incremental stream (qwen-mt-plus/turbo, F2.3): every chunk repeats the whole text so far."""
    head, tail = _PLAIN_PIECE
    out: list[Delta] = [(_PLAIN_FIRST, None, False)]
    text = ""
    for piece in choice.answer_pieces:
        text += piece
        out.append((head + _dumps(text) + tail, None, False))
    # The finish chunk repeats the text too [invented: F2.3 says "the last data chunk is the full result"].
    out.append((head + _dumps(text) + tail, choice.finish_reason, False))
    return out


def _choice_deltas(plan: ChatPlan, choice: ChoicePlan) -> list[Delta]:
    """Every chunk of one choice, first chunk to finish chunk(s)."""
    plan_tokens = None if plan.arg_piece_tokens is None else (plan.profile.tokenizer, max(1, plan.arg_piece_tokens))
    if plan.thinking:
        return _thinking_deltas(choice, plan.profile.merged_first_reasoning, plan_tokens)
    if choice.tool_calls:
        return _call_deltas(choice, thinking=False, plan_tokens=plan_tokens)
    if plan.profile.cumulative_stream:
        return _cumulative_deltas(choice)
    head, tail = _TRANSCRIPT_PIECE if plan.audio is not None and plan.audio.transcript else _PLAIN_PIECE
    texts = [head + _dumps(p) + tail for p in choice.answer_pieces]
    out: list[Delta] = [(_PLAIN_FIRST, None, False)]
    out += [(d, None, False) for d in interleave_audio(texts, choice.audio)]
    out.append((_PLAIN_FINISH, choice.finish_reason, False))
    if plan.profile.translation:
        out.append(out[-1])  # qwen-mt-flash/lite repeat the finish chunk (F2.2, F6.3 capture).
    return out


def render_stream_events(plan: ChatPlan) -> list[str]:
    """Every SSE `data:` event of the stream except the final `data: [DONE]` (F2.2).

    Frame keys in DashScope's order (`choices, object, usage, created, system_fingerprint, model, id`).
    Choices of an `n > 1` request are interleaved chunk by chunk; the usage chunk (`choices: []`) is
    last and only present when `stream_options.include_usage` is true.
    """
    common = (
        f',"object":"chat.completion.chunk","usage":null,"created":{plan.created},"system_fingerprint":null,'
        f'"model":{_dumps(plan.model)},"id":{_dumps(plan.chat_id)}}}\n\n'
    )
    per_choice = [_choice_deltas(plan, c) for c in plan.choices]
    longest = max((len(d) for d in per_choice), default=0)
    order = [(i, d[k]) for k in range(longest) for i, d in enumerate(per_choice) if k < len(d)]
    events: list[str] = []
    for index, (delta, finish, bare) in order:
        if bare:
            choice = f'{{"delta":{delta},"index":{index}}}'
        else:
            fr = "null" if finish is None else _dumps(finish)
            choice = f'{{"delta":{delta},"finish_reason":{fr},"index":{index},"logprobs":null}}'
        events.append('data: {"choices":[' + choice + "]" + common)
    if plan.include_usage:
        usage = common.replace('"usage":null', '"usage":' + _dumps(plan.wire_usage), 1)
        events.append('data: {"choices":[]' + usage)
    return events


__all__ = [
    "CHAT_RULES",
    "DONE_EVENT",
    "ChatError",
    "ChatPlan",
    "ChatRequest",
    "ChatRule",
    "ChoicePlan",
    "error_body",
    "prepare_chat",
    "render_completion",
    "render_stream_events",
    "stream_error_event",
    "validate_chat",
]

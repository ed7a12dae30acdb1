"""Legacy `/completions` of the DashScope emulator: coder fill-in-the-middle (F11) with canned completions.

Rules (general; nothing depends on a particular prompt):

* The model must be in the profile table and served in the emulator's region (else 404
  ``model_not_found``, as for chat) and have ``profile.fim`` (else 400 ``MSG_NO_FIM``, ``[invented]``).
* ``prompt`` is a non-empty string (or a one-string list), else 400 (``MSG_PROMPT``, ``[invented]``;
  empty → ``Range of input length should be [1, <context>]``). ``temperature``, ``top_p``, ``n``,
  ``max_tokens``, ``seed`` and ``stop`` are checked as for chat; ``suffix``, ``echo``, ``logprobs`` and
  ``best_of`` are ignored (undocumented).
* ``<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>`` completes to
  ``"# emulated middle: " + last line of P.rstrip()[:40] + "\\n"``; ``<|fim_prefix|>P<|fim_suffix|>``
  (prefix only) to ``"# emulated continuation\\n"``; any other prompt to
  ``"Emulated completion: " + prompt[-40:]``.
* ``stop`` cuts before the first stop string, ``max_tokens`` caps the tokens (``finish_reason
  "length"``). ``prompt_tokens`` counts each FIM marker as one token and the rest as ordinary text.
* Non-stream: a ``text_completion`` object with id ``cmpl-<32 hex>``. Stream: one ``text_completion``
  chunk per token, a chunk with ``text: ""`` and the ``finish_reason``, a usage chunk with
  ``choices: []`` when ``stream_options.include_usage`` is true, then ``[DONE]``.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._tokens import count_text, encoding
from ._errors import ChatError
from ._sampling import check_sampling, cut_at_stop, cut_at_token_stop, parse_stop, token_pieces
from ._service import FIM_REGIONS, ServiceModel, service_model

FIM_PREFIX = "<|fim_prefix|>"
FIM_SUFFIX = "<|fim_suffix|>"
FIM_MIDDLE = "<|fim_middle|>"
_FIM_TOKEN = re.compile(r"<\|fim_(?:prefix|suffix|middle)\|>")

MSG_NO_MODEL = "you must provide a model parameter."
MSG_NO_FIM = "The model {model} does not support the completions endpoint; use chat partial mode."
"""[invented] F11: only FIM coder models serve /completions; the refusal was not captured."""
MSG_PROMPT = "The prompt field is a required field."
"""[invented] modelled on the documented "The content field is a required field."."""
_FALLBACK_CONTEXT = 131072

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass
class CompletionPlan:
    """A validated `/completions` request and its canned completion."""

    id: str
    created: int
    model: str
    stream: bool
    include_usage: bool
    prompt_tokens: int
    pieces: list[str] = field(default_factory=list)
    completion_tokens: int = 0
    finish_reason: str = "stop"

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


def completion_text(prompt: str) -> str:
    """The canned completion of `prompt` (rules in the module docstring)."""
    if prompt.startswith(FIM_PREFIX) and FIM_SUFFIX in prompt:
        prefix, _, rest = prompt[len(FIM_PREFIX) :].partition(FIM_SUFFIX)
        if FIM_MIDDLE in rest:
            lines = prefix.rstrip().splitlines()
            return "# emulated middle: " + (lines[-1][:40] if lines else "") + "\n"
        return "# emulated continuation\n"
    return "Emulated completion: " + prompt[-40:]


def count_prompt(prompt: str, vocab: Any = "qwen") -> int:
    """Prompt tokens: every FIM marker is one special token, the rest ordinary text."""
    markers = len(_FIM_TOKEN.findall(prompt))
    return markers + sum(count_text(piece, vocab) for piece in _FIM_TOKEN.split(prompt))


@dataclass
class CompletionRequest:
    """A `/completions` body while `COMPLETION_RULES` run; each rule records what it decided."""

    body: Mapping[str, Any]
    region: str
    model: str = ""
    facts: ServiceModel = field(default_factory=ServiceModel)
    prompt: str = ""
    prompt_tokens: int = 0
    stop_strings: list[str] = field(default_factory=list)
    stop_ids: list[list[int]] = field(default_factory=list)


def _rule_model(req: CompletionRequest) -> None:
    model = req.body.get("model")
    if not model or not isinstance(model, str):
        raise ChatError(MSG_NO_MODEL, code="invalid_value")
    facts = service_model(model)
    if (
        not facts.known
        or req.region not in FIM_REGIONS
        or (facts.regions is not None and req.region not in facts.regions)
    ):
        raise ChatError(
            f"The model `{model}` does not exist or you do not have access to it.", status=404, code="model_not_found"
        )
    if not facts.fim:
        raise ChatError(MSG_NO_FIM.format(model=model))
    req.model, req.facts = model, facts


def _rule_prompt(req: CompletionRequest) -> None:
    prompt = req.body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1:
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise ChatError(MSG_PROMPT)
    req.prompt = prompt


def _rule_sampling(req: CompletionRequest) -> None:
    check_sampling(req.body, req.facts, req.model)
    req.stop_strings, req.stop_ids = parse_stop(req.body.get("stop"))


def _rule_input_length(req: CompletionRequest) -> None:
    req.prompt_tokens = count_prompt(req.prompt, req.facts.tokenizer)
    limit = req.facts.max_input_tokens or req.facts.context_window or _FALLBACK_CONTEXT
    if not req.prompt or req.prompt_tokens > limit:
        raise ChatError(f"Range of input length should be [1, {limit}]")


COMPLETION_RULES: tuple[Callable[[CompletionRequest], None], ...] = (
    _rule_model,
    _rule_prompt,
    _rule_sampling,
    _rule_input_length,
)
"""The `/completions` validation rules, in order."""


def prepare_completion(body: Any, region: str) -> CompletionPlan:
    """Validate a `/completions` body (`COMPLETION_RULES`) and compute the canned completion.

    Raises:
        ChatError: The request is refused (404 for unknown / other-region models, 400 otherwise).
    """
    if not isinstance(body, Mapping):
        raise ChatError("Required body invalid, please check the request body format.")
    req = CompletionRequest(body, region)
    for rule in COMPLETION_RULES:
        rule(req)
    stream = bool(body.get("stream"))
    options = body.get("stream_options")
    enc = encoding(req.facts.tokenizer)
    text = cut_at_stop(completion_text(req.prompt), req.stop_strings)
    tokens = cut_at_token_stop(enc.encode_ordinary(text), req.stop_ids)
    finish = "stop"
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and len(tokens) > max_tokens:
        tokens, finish = tokens[:max_tokens], "length"
    return CompletionPlan(
        id=f"cmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=req.model,
        stream=stream,
        include_usage=stream and isinstance(options, Mapping) and options.get("include_usage") is True,
        prompt_tokens=req.prompt_tokens,
        pieces=token_pieces(enc, tokens),
        completion_tokens=len(tokens),
        finish_reason=finish,
    )


def render_text_completion(plan: CompletionPlan) -> dict[str, Any]:
    """The non-stream `text_completion` object."""
    return {
        "id": plan.id,
        "object": "text_completion",
        "created": plan.created,
        "model": plan.model,
        "choices": [{"text": plan.text, "index": 0, "logprobs": None, "finish_reason": plan.finish_reason}],
        "usage": plan.usage,
    }


def render_completion_events(plan: CompletionPlan) -> list[str]:
    """Every SSE `data:` event of the stream except the final `data: [DONE]`."""
    head = f'data: {{"id":{_dumps(plan.id)},"object":"text_completion","created":{plan.created},'
    head += f'"model":{_dumps(plan.model)},"choices":'
    events = [
        head + '[{"text":' + _dumps(piece) + ',"index":0,"logprobs":null,"finish_reason":null}]}\n\n'
        for piece in plan.pieces
    ]
    events.append(
        head + f'[{{"text":"","index":0,"logprobs":null,"finish_reason":{_dumps(plan.finish_reason)}}}]}}\n\n'
    )
    if plan.include_usage:
        events.append(head + '[],"usage":' + _dumps(plan.usage) + "}\n\n")
    return events


__all__ = [
    "COMPLETION_RULES",
    "CompletionPlan",
    "CompletionRequest",
    "completion_text",
    "count_prompt",
    "prepare_completion",
    "render_completion_events",
    "render_text_completion",
]

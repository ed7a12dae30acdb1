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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._tokens import count_text, encoding
from ._errors import ChatError
from ._sampling import check_sampling, cut_at_stop, cut_at_token_stop, parse_stop, token_pieces
from ._service import FIM_REGIONS, service_model

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


def prepare_completion(body: Any, region: str) -> CompletionPlan:
    """Validate a `/completions` body and compute the canned completion.

    Raises:
        ChatError: The request is refused (404 for unknown / other-region models, 400 otherwise).
    """
    if not isinstance(body, Mapping):
        raise ChatError("Required body invalid, please check the request body format.")
    model = body.get("model")
    if not model or not isinstance(model, str):
        raise ChatError(MSG_NO_MODEL, code="invalid_value")
    profile = service_model(model)
    if (
        not profile.known
        or region not in FIM_REGIONS
        or (profile.regions is not None and region not in profile.regions)
    ):
        raise ChatError(
            f"The model `{model}` does not exist or you do not have access to it.", status=404, code="model_not_found"
        )
    if not profile.fim:
        raise ChatError(MSG_NO_FIM.format(model=model))
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1:
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise ChatError(MSG_PROMPT)
    check_sampling(body, profile, model)
    stop_strings, stop_ids = parse_stop(body.get("stop"))
    prompt_tokens = count_prompt(prompt, profile.tokenizer)
    limit = profile.max_input_tokens or profile.context_window or _FALLBACK_CONTEXT
    if not prompt or prompt_tokens > limit:
        raise ChatError(f"Range of input length should be [1, {limit}]")

    stream = bool(body.get("stream"))
    options = body.get("stream_options")
    enc = encoding(profile.tokenizer)
    tokens = cut_at_token_stop(enc.encode_ordinary(cut_at_stop(completion_text(prompt), stop_strings)), stop_ids)
    finish = "stop"
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and len(tokens) > max_tokens:
        tokens, finish = tokens[:max_tokens], "length"
    return CompletionPlan(
        id=f"cmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=model,
        stream=stream,
        include_usage=stream and isinstance(options, Mapping) and options.get("include_usage") is True,
        prompt_tokens=prompt_tokens,
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
    "CompletionPlan",
    "completion_text",
    "count_prompt",
    "prepare_completion",
    "render_completion_events",
    "render_text_completion",
]

"""Sampling-parameter checks and token helpers shared by the emulator's chat and completions endpoints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._errors import ChatError
from ._service import ServiceModel

SEED_MAX = 2**31 - 1
_FALLBACK_MAX_OUTPUT = 8192
"""[invented] Upper bound quoted in the max_tokens error for models whose profile has no output limit."""

MSG_TEMPERATURE = "Temperature should be in [0.0, 2.0)"
MSG_TEMPERATURE_TYPE = "'temperature' must be Float"
MSG_TOP_P = "Range of top_p should be (0.0, 1.0]"
MSG_N = "Range of n should be [1, 4]"
MSG_SEED_TYPE = "'seed' must be Integer"
MSG_STOP = (
    'The "stop" parameter must be of type "str", "list[str]", "list[int]", or "list[list[int]]", and all '
    "elements within the list must be of the same type."
)


def is_int(value: Any) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """An int or float that is not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_sampling(body: Mapping[str, Any], profile: ServiceModel, model: str) -> None:
    """Validate `temperature`, `top_p`, `n`, `max_tokens`, `max_completion_tokens` and `seed` (F13.1)."""
    temperature = body.get("temperature")
    if temperature is not None:
        if not is_number(temperature):
            raise ChatError(MSG_TEMPERATURE_TYPE)
        if not 0 <= temperature < 2:
            raise ChatError(MSG_TEMPERATURE)
    top_p = body.get("top_p")
    if top_p is not None and (not is_number(top_p) or not 0 < top_p <= 1):
        raise ChatError(MSG_TOP_P)
    n = body.get("n")
    if n is not None:
        if not is_int(n) or not 1 <= n <= 4:
            raise ChatError(MSG_N)
        if n > 1 and profile.known and not profile.n_choices:
            # [invented] wording: the protocol lists which models accept n > 1 but not the refusal.
            raise ChatError(f"The model {model} does not support n greater than 1.")
    limit = profile.max_output_tokens or _FALLBACK_MAX_OUTPUT
    max_tokens = body.get("max_tokens")
    if max_tokens is not None:
        too_big = profile.max_output_tokens is not None and is_int(max_tokens) and max_tokens > limit
        if not is_int(max_tokens) or max_tokens < 1 or too_big:
            raise ChatError(f"Range of max_tokens should be [1, {limit}]")
    mct = body.get("max_completion_tokens")
    if mct is not None and (not is_int(mct) or mct < 1):
        # [invented] wording, modelled on the max_tokens message.
        raise ChatError(f"Range of max_completion_tokens should be [1, {limit}]")
    seed = body.get("seed")
    if seed is not None:
        if not is_int(seed):
            raise ChatError(MSG_SEED_TYPE, code="invalid_value")
        if seed < 0:
            raise ChatError(f"{seed} is lesser than the minimum of 0 - 'seed'", code="invalid_value")
        if seed > SEED_MAX:
            # [invented] by symmetry with the documented minimum message.
            raise ChatError(f"{seed} is greater than the maximum of {SEED_MAX} - 'seed'", code="invalid_value")


def parse_stop(stop: Any) -> tuple[list[str], list[list[int]]]:
    """`stop` as (stop strings, token-id sequences); 400 for mixed or malformed values."""
    if stop is None:
        return [], []
    if isinstance(stop, str):
        return ([stop] if stop else []), []
    if isinstance(stop, list):
        if all(isinstance(s, str) for s in stop):
            return [s for s in stop if s], []
        if all(is_int(s) for s in stop):
            return [], [[s] for s in stop]
        if all(isinstance(s, list) and s and all(is_int(t) for t in s) for s in stop):
            return [], [list(s) for s in stop]
    raise ChatError(MSG_STOP)


def token_pieces(enc: Any, tokens: Sequence[int]) -> list[str]:
    """Token texts, grouping tokens until their bytes form valid UTF-8."""
    out: list[str] = []
    buf = b""
    for chunk in enc.decode_tokens_bytes(tokens):
        buf += chunk
        try:
            text = buf.decode("utf-8")
        except UnicodeDecodeError:
            continue
        out.append(text)
        buf = b""
    if buf:
        out.append(buf.decode("utf-8", "replace"))
    return out


def cut_at_stop(text: str, stop_strings: list[str]) -> str:
    """`text` cut before the first stop string."""
    cut = min((i for i in (text.find(s) for s in stop_strings) if i >= 0), default=-1)
    return text if cut < 0 else text[:cut]


def cut_at_token_stop(tokens: list[int], stop_ids: list[list[int]]) -> list[int]:
    """`tokens` cut before the first stop token-id sequence."""
    best = len(tokens)
    for seq in stop_ids:
        k = len(seq)
        for i in range(min(best, len(tokens) - k + 1)):
            if tokens[i : i + k] == seq:
                best = i
                break
    return tokens[:best]


__all__ = [
    "MSG_N",
    "MSG_SEED_TYPE",
    "MSG_STOP",
    "MSG_TEMPERATURE",
    "MSG_TEMPERATURE_TYPE",
    "MSG_TOP_P",
    "SEED_MAX",
    "check_sampling",
    "cut_at_stop",
    "cut_at_token_stop",
    "is_int",
    "is_number",
    "parse_stop",
    "token_pieces",
]

"""apply_rules decides thinking once per message list: same body, messages, warnings and errors as each rule alone."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import pytest

from langchain_qwen._errors import QwenValidationError
from langchain_qwen._profiles import resolve_profile
from langchain_qwen._rules import RULES, apply_rules

MODELS = ("qwen-plus", "qwq-plus", "qwen3-omni-flash", "qwen3.8-plus", "qwen-turbo", "my-own-model")
TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}
SETTINGS: tuple[Mapping[str, Any], ...] = (
    {},
    {"enable_thinking": True},
    {"enable_thinking": False, "thinking_budget": 100},
    {"thinking_budget": 100},
    {"enable_thinking": True, "tools": [TOOL], "tool_choice": "f"},
    {"enable_thinking": True, "response_format": {"type": "json_object"}},
    {"reasoning_effort": "none"},
    {"preserve_thinking": True, "reasoning_in_history": "auto"},
    {"modalities": ["text", "audio"], "audio": {"voice": "Cherry"}},
)
CHATS = (
    ({"role": "user", "content": "hi"},),
    ({"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hel", "partial": True}),
)


def _one_by_one(profile: Any, settings: Mapping[str, Any], messages: Any) -> Any:
    """The reference fold: every rule decides thinking itself."""
    body: dict[str, Any] = {}
    notes: list[str] = []
    current = tuple(messages)
    for rule in RULES.values():
        fragment = rule(profile, settings, current)
        for key in fragment.drop:
            body.pop(key, None)
        body.update(fragment.body)
        current = fragment.messages if fragment.messages is not None else current
        notes.extend(fragment.warnings)
    return body, current, notes


def _outcome(fold: Any, *args: Any) -> Any:
    try:
        return fold(*args)
    except QwenValidationError as err:
        return ("error", str(err))


@pytest.mark.parametrize("model", MODELS)
def test_apply_rules_equals_rules_deciding_thinking_alone(model: str) -> None:
    profile = resolve_profile(model, None)
    for settings, messages in itertools.product(SETTINGS, CHATS):
        expected = _outcome(_one_by_one, profile, settings, messages)
        assert _outcome(apply_rules, profile, settings, messages) == expected, (model, settings, messages)

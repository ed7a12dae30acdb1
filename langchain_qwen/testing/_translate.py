"""Emulated Qwen-MT (F6): single-user-message checks, `translation_options` validation and canned translations.

Behaviour for models with ``profile.translation`` (general rules only):

* ``messages`` must be exactly one ``user`` message. Any ``system`` / ``assistant`` / ``tool`` /
  ``function`` message is the documented quirk: HTTP **500** ``InternalError.Algo`` "Role must be in
  [user, assistant]" (code ``internal_error``); two or more user messages are 400 ``MSG_SINGLE_TURN``.
* Without ``translation_options`` (custom-prompt mode) the model answers like any chat model.
* With it: ``source_lang`` and ``target_lang`` are required (400 ``MSG_REQUIRED``); each must be one of the
  92 English names of F6.4 (``LANGUAGES``, exact strings) or, for the source only, ``"auto"``; models of the
  ``qwen-mt-lite`` family accept only ``LITE_LANGUAGES``. Anything else (codes like ``"zh"`` included: the
  client normalises them) is 400 "暂时不支持当前设置的语种！".
* The answer: every ``terms`` entry (``{"source", "target"}``, in order) replaces all occurrences of its
  ``source`` in the user text, then ``"[" + target_lang + "] "`` is put in front. ``tm_list`` and
  ``domains`` change nothing in the answer.
* Usage: the whole ``translation_options`` object is input — ``prompt_tokens`` gains
  ``count_text(json.dumps(translation_options, ensure_ascii=False))``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._tokens import count_text
from ._errors import ChatError
from ._service import ServiceModel

LANGUAGES = frozenset(
    {
        "English", "Chinese", "Traditional Chinese", "Russian", "Japanese", "Korean", "Spanish", "French",
        "Portuguese", "German", "Italian", "Thai", "Vietnamese", "Indonesian", "Malay", "Arabic", "Hindi",
        "Hebrew", "Burmese", "Tamil", "Urdu", "Bengali", "Polish", "Dutch", "Romanian", "Turkish", "Khmer",
        "Lao", "Cantonese", "Czech", "Greek", "Swedish", "Hungarian", "Danish", "Finnish", "Ukrainian",
        "Bulgarian", "Serbian", "Telugu", "Afrikaans", "Armenian", "Assamese", "Asturian", "Basque",
        "Belarusian", "Bosnian", "Catalan", "Cebuano", "Croatian", "Egyptian Arabic", "Estonian", "Galician",
        "Georgian", "Gujarati", "Icelandic", "Javanese", "Kannada", "Kazakh", "Latvian", "Lithuanian",
        "Luxembourgish", "Macedonian", "Maithili", "Maltese", "Marathi", "Mesopotamian Arabic",
        "Moroccan Arabic", "Najdi Arabic", "Nepali", "North Azerbaijani", "North Levantine Arabic",
        "Northern Uzbek", "Norwegian Bokmål", "Norwegian Nynorsk", "Occitan", "Odia", "Pangasinan", "Sicilian",
        "Sindhi", "Sinhala", "Slovak", "Slovenian", "South Levantine Arabic", "Swahili", "Tagalog",
        "Ta’izzi-Adeni Arabic", "Tosk Albanian", "Tunisian Arabic", "Venetian", "Waray", "Welsh",
        "Western Persian",
    }
)  # fmt: skip
"""The 92 English names of dashscope-protocol.md F6.4 (qwen-mt-plus / flash / turbo)."""

LITE_LANGUAGES = frozenset(
    {
        "English", "Chinese", "Traditional Chinese", "Japanese", "Korean", "French", "German", "Spanish",
        "Italian", "Portuguese", "Russian", "Arabic", "Thai", "Vietnamese", "Indonesian", "Malay", "Turkish",
        "Dutch", "Polish", "Hindi", "Bengali", "Urdu", "Hebrew", "Greek", "Czech", "Swedish", "Danish",
        "Finnish", "Hungarian", "Romanian", "Ukrainian",
    }
)  # fmt: skip
"""[invented] subset: qwen-mt-lite supports 31 languages but the real list was not captured (F6.4)."""

_FAMILY_LANGUAGES: dict[str, frozenset[str]] = {"qwen-mt-lite": LITE_LANGUAGES}
"""Language sets of model families narrower than `LANGUAGES` (keyed by `profile.family`)."""

MSG_ROLE = "Role must be in [user, assistant]"
MSG_SINGLE_TURN = "Qwen-MT only supports single-turn translation."
"""[invented] wording: the guide says only single-turn translation is supported; no error was captured."""
MSG_REQUIRED = "translation_options.{name} is required"
"""[invented] wording for a missing `source_lang` / `target_lang`."""
MSG_LANGUAGE = "暂时不支持当前设置的语种！"
MSG_OPTIONS_TYPE = "Required body invalid, please check the request body format."
"""[invented use] of the captured body-format wording for a `translation_options` that is not an object."""


@dataclass(frozen=True)
class Translation:
    """A validated `translation_options` request."""

    source_lang: str
    target_lang: str
    terms: tuple[tuple[str, str], ...]
    extra_prompt_tokens: int

    def translate(self, text: str) -> str:
        """The canned translation of `text` (module docstring)."""
        for source, target in self.terms:
            if source:
                text = text.replace(source, target)
        return f"[{self.target_lang}] {text}"


def check_mt_messages(messages: Any) -> None:
    """Enforce the single user message of Qwen-MT (malformed lists are left to the generic checks)."""
    if not isinstance(messages, list) or not all(isinstance(m, Mapping) for m in messages):
        return
    roles = [m.get("role") for m in messages]
    if any(r in ("system", "assistant", "tool", "function") for r in roles):
        raise ChatError(MSG_ROLE, status=500, code="internal_error", type="InternalError.Algo")
    if roles.count("user") > 1:
        raise ChatError(MSG_SINGLE_TURN)


def _terms(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        (t["source"], t["target"])
        for t in value
        if isinstance(t, Mapping) and isinstance(t.get("source"), str) and isinstance(t.get("target"), str)
    )


def check_translation(body: Mapping[str, Any], profile: ServiceModel) -> Translation | None:
    """Validate `translation_options`; None in custom-prompt mode (the field is absent or null)."""
    options = body.get("translation_options")
    if options is None:
        return None
    if not isinstance(options, Mapping):
        raise ChatError(MSG_OPTIONS_TYPE)
    for name in ("source_lang", "target_lang"):
        if options.get(name) in (None, ""):
            raise ChatError(MSG_REQUIRED.format(name=name))
    allowed = _FAMILY_LANGUAGES.get(profile.family, LANGUAGES)
    source, target = options["source_lang"], options["target_lang"]
    known = isinstance(source, str) and isinstance(target, str) and target in allowed
    if not known or (source != "auto" and source not in allowed):
        raise ChatError(MSG_LANGUAGE)
    extra = count_text(json.dumps(options, ensure_ascii=False), profile.tokenizer)
    return Translation(source, target, _terms(options.get("terms")), extra)


__all__ = [
    "LANGUAGES",
    "LITE_LANGUAGES",
    "Translation",
    "check_mt_messages",
    "check_translation",
]

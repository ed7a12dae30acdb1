"""Qwen-MT translation options: the 92 languages, `TranslationOptions` and its wire form (a leaf module)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from langchain_qwen._errors import QwenValidationError

# F6.4: the 92 languages of qwen-mt-plus / flash / turbo (English name -> code), as printed in the docs.
LANGUAGES: dict[str, str] = {
    "English": "en", "Chinese": "zh", "Traditional Chinese": "zh_tw", "Russian": "ru", "Japanese": "ja",
    "Korean": "ko", "Spanish": "es", "French": "fr", "Portuguese": "pt", "German": "de", "Italian": "it",
    "Thai": "th", "Vietnamese": "vi", "Indonesian": "id", "Malay": "ms", "Arabic": "ar", "Hindi": "hi",
    "Hebrew": "he", "Burmese": "my", "Tamil": "ta", "Urdu": "ur", "Bengali": "bn", "Polish": "pl", "Dutch": "nl",
    "Romanian": "ro", "Turkish": "tr", "Khmer": "km", "Lao": "lo", "Cantonese": "yue", "Czech": "cs",
    "Greek": "el", "Swedish": "sv", "Hungarian": "hu", "Danish": "da", "Finnish": "fi", "Ukrainian": "uk",
    "Bulgarian": "bg", "Serbian": "sr", "Telugu": "te", "Afrikaans": "af", "Armenian": "hy", "Assamese": "as",
    "Asturian": "ast", "Basque": "eu", "Belarusian": "be", "Bosnian": "bs", "Catalan": "ca", "Cebuano": "ceb",
    "Croatian": "hr", "Egyptian Arabic": "arz", "Estonian": "et", "Galician": "gl", "Georgian": "ka",
    "Gujarati": "gu", "Icelandic": "is", "Javanese": "jv", "Kannada": "kn", "Kazakh": "kk", "Latvian": "lv",
    "Lithuanian": "lt", "Luxembourgish": "lb", "Macedonian": "mk", "Maithili": "mai", "Maltese": "mt",
    "Marathi": "mr", "Mesopotamian Arabic": "acm", "Moroccan Arabic": "ary", "Najdi Arabic": "ars",
    "Nepali": "ne", "North Azerbaijani": "az", "North Levantine Arabic": "apc", "Northern Uzbek": "uz",
    "Norwegian Bokmål": "nb", "Norwegian Nynorsk": "nn", "Occitan": "oc", "Odia": "or", "Pangasinan": "pag",
    "Sicilian": "scn", "Sindhi": "sd", "Sinhala": "si", "Slovak": "sk", "Slovenian": "sl",
    "South Levantine Arabic": "ajp", "Swahili": "sw", "Tagalog": "tl", "Ta’izzi-Adeni Arabic": "acq",
    "Tosk Albanian": "sq", "Tunisian Arabic": "aeb", "Venetian": "vec", "Waray": "war", "Welsh": "cy",
    "Western Persian": "fa",
}  # fmt: skip

_ALIASES = {
    "simplified chinese": "Chinese",
    "chinese (simplified)": "Chinese",
    "mandarin": "Chinese",
    "zh-cn": "Chinese",
    "zh_cn": "Chinese",
    "zh-hans": "Chinese",
    "chinese (traditional)": "Traditional Chinese",
    "zh-tw": "Traditional Chinese",
    "zh-hant": "Traditional Chinese",
    "persian": "Western Persian",
    "farsi": "Western Persian",
    "albanian": "Tosk Albanian",
    "uzbek": "Northern Uzbek",
    "azerbaijani": "North Azerbaijani",
    "norwegian": "Norwegian Bokmål",
    "filipino": "Tagalog",
    "taizzi-adeni arabic": "Ta’izzi-Adeni Arabic",
    "ta'izzi-adeni arabic": "Ta’izzi-Adeni Arabic",
}
_LOOKUP: dict[str, str] = {
    **{name.lower(): name for name in LANGUAGES},
    **{code.lower(): name for name, code in LANGUAGES.items()},
    **_ALIASES,
}


def normalize_language(value: str, *, allow_auto: bool = False, field: str = "language") -> str:
    """The DashScope name for a language name, code or alias; raises with close matches otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise QwenValidationError(f"{field} must be a language name or code, got {value!r}.")
    key = value.strip().lower()
    if key == "auto":
        if allow_auto:
            return "auto"
        raise QwenValidationError(f"{field} cannot be 'auto'; name the language to translate into.")
    name = _LOOKUP.get(key) or _LOOKUP.get(key.replace("-", "_"))
    if name:
        return name
    close = difflib.get_close_matches(key, list(_LOOKUP), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(_LOOKUP[c]) for c in close)}?" if close else ""
    raise QwenValidationError(
        f"{field}={value!r} is not one of the 92 languages Qwen-MT supports.{hint} "
        f"Use an English name (e.g. 'Chinese', 'English') or a code (e.g. 'zh', 'en')."
    )


class TranslationPair(BaseModel):
    """A term (terminology intervention) or a translation-memory sentence pair."""

    model_config = ConfigDict(frozen=True)

    source: str
    target: str


def _pairs(value: Any) -> list[TranslationPair] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        if set(value) == {"source", "target"}:
            return [TranslationPair(**value)]
        return [TranslationPair(source=k, target=v) for k, v in value.items()]
    out = []
    for item in value:
        if isinstance(item, TranslationPair):
            out.append(item)
        elif isinstance(item, Mapping):
            out.append(TranslationPair(**item))
        elif isinstance(item, Sequence) and len(item) == 2:
            out.append(TranslationPair(source=item[0], target=item[1]))
        else:
            raise QwenValidationError(f"A term / translation-memory entry needs a source and a target: {item!r}")
    return out


def _reason(error: Any) -> str:
    field = ".".join(str(p) for p in error.get("loc", ())) or "translation_options"
    if error.get("type") == "missing":
        return f"{field} is required (target_lang: the language to translate into, e.g. 'English' or 'en')"
    return str(error.get("msg", "")).removeprefix("Value error, ")


class TranslationOptions(BaseModel):
    """Qwen-MT `translation_options`, validated and normalised locally (F6.2)."""

    model_config = ConfigDict(frozen=True)

    source_lang: str = "auto"
    """Source language (name, code, or "auto" to detect)."""
    target_lang: str
    """Target language (name or code)."""
    terms: list[TranslationPair] | None = None
    """Terminology: each `source` term is translated as `target`. Dicts `{src: tgt}` and pairs are accepted."""
    tm_list: list[TranslationPair] | None = None
    """Translation memory: example sentence pairs that set the style."""
    domains: str | None = None
    """Domain hint in English (e.g. "The sentence is from Ali Cloud IT domain.")."""

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            reasons = "; ".join(_reason(e) for e in exc.errors())
            raise QwenValidationError(f"Invalid translation_options: {reasons}") from None

    @field_validator("source_lang", mode="before")
    @classmethod
    def _source(cls, v: Any) -> str:
        return normalize_language(v, allow_auto=True, field="source_lang")

    @field_validator("target_lang", mode="before")
    @classmethod
    def _target(cls, v: Any) -> str:
        return normalize_language(v, field="target_lang")

    @field_validator("terms", "tm_list", mode="before")
    @classmethod
    def _pair_list(cls, v: Any) -> Any:
        return _pairs(v)

    @field_validator("domains")
    @classmethod
    def _english_domains(cls, v: str | None) -> str | None:
        if v is not None and not v.isascii():
            raise QwenValidationError("translation_options.domains must be written in English (DashScope rule).")
        return v

    def to_wire(self) -> dict[str, Any]:
        """The top-level `translation_options` JSON object."""
        return self.model_dump(exclude_none=True)


def translation_wire(options: TranslationOptions | Mapping[str, Any]) -> dict[str, Any]:
    """Validate any accepted form of translation options and return the wire object."""
    if isinstance(options, TranslationOptions):
        return options.to_wire()
    return TranslationOptions(**dict(options)).to_wire()


__all__ = ["LANGUAGES", "TranslationOptions", "TranslationPair", "normalize_language", "translation_wire"]

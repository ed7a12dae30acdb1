"""Qwen-MT translation: typed, locally validated `TranslationOptions`, and a translator runnable for chains.

```python
from langchain_qwen import ChatQwen
from langchain_qwen.translation import QwenTranslator, TranslationOptions

llm = ChatQwen(model="qwen-mt-flash", translation_options={"source_lang": "zh", "target_lang": "en"})
llm.invoke("我看到这个视频后没有笑").text

translate = QwenTranslator(model="qwen-mt-plus", target_lang="English", terms=[("生物传感器", "biological sensor")])
translate.batch(["第一句", "第二句"])
```

Languages are checked against the 92 that Qwen-MT documents (F6.4); English names, codes (`zh`, `en`,
`zh_tw`/`zh-TW`, ...) and a few aliases are accepted and normalised to the exact names DashScope wants,
with close matches suggested for typos. `source_lang="auto"` lets the model detect the source.
Qwen-MT takes exactly one user message and no system message: other conversations are refused locally.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from langchain_core.messages import BaseMessage, HumanMessage, convert_to_messages
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import RunnableConfig, RunnableSerializable
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
            reasons = "; ".join(str(e.get("msg", "")).removeprefix("Value error, ") for e in exc.errors())
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


class QwenTranslator(RunnableSerializable[Any, str]):
    """A runnable that translates one text per call with Qwen-MT (use `batch`/`abatch` for many).

    Args are the `TranslationOptions` fields plus `model` (default qwen-mt-flash) or a ready `llm`;
    any other keyword (api_key, base_url, region, ...) configures the `ChatQwen` it builds.

    Input: a string, a prompt value (so `ChatPromptTemplate | QwenTranslator(...)` works), one
    `HumanMessage`, or a list holding exactly one user message; the output is the translated text.
    """

    llm: Any = None
    options: TranslationOptions

    ACCEPTS: ClassVar[str] = (
        "a string, a prompt value (from a PromptTemplate / ChatPromptTemplate) holding one user message, "
        "one HumanMessage, or a list holding exactly one user message"
    )

    def __init__(self, *, llm: Any = None, model: str = "qwen-mt-flash", **kwargs: Any) -> None:
        option_keys = {"source_lang", "target_lang", "terms", "tm_list", "domains"}
        opts = {k: kwargs.pop(k) for k in list(kwargs) if k in option_keys}
        if llm is None:
            from langchain_qwen.chat_models import ChatQwen

            llm = ChatQwen(model=model, **kwargs)
        elif kwargs:
            raise QwenValidationError(
                f"QwenTranslator(llm=...) takes only translation options besides the model; got {sorted(kwargs)}: "
                f"configure those on the ChatQwen you pass."
            )
        super().__init__(llm=llm, options=TranslationOptions(**opts))

    @classmethod
    def _text(cls, input: Any) -> str:
        """The one text to translate, from any accepted input; anything else is refused naming what is accepted."""
        if isinstance(input, str):
            return input
        if isinstance(input, PromptValue):
            return cls._message_text(input.to_messages(), f"a prompt value with {len(input.to_messages())} messages")
        if isinstance(input, BaseMessage):
            return cls._message_text([input], f"one {type(input).__name__}")
        if isinstance(input, Sequence) and not isinstance(input, (bytes, bytearray)):
            try:
                messages = convert_to_messages(input)
            except (ValueError, TypeError, NotImplementedError):
                messages = None
            if messages is not None:
                return cls._message_text(messages, f"a list of {len(messages)} messages")
        raise QwenValidationError(f"QwenTranslator accepts {cls.ACCEPTS}; got {cls._describe(input)}.")

    @classmethod
    def _message_text(cls, messages: list[BaseMessage], what: str) -> str:
        if len(messages) == 1 and messages[0].type == "human":
            content = messages[0].content
            if isinstance(content, str):
                return content
            if all(isinstance(b, str) or (isinstance(b, dict) and b.get("type") == "text") for b in content):
                return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content)
            raise QwenValidationError(f"QwenTranslator translates text only; the user message holds {content!r:.80}.")
        kinds = ", ".join(m.type for m in messages) or "none"
        raise QwenValidationError(
            f"QwenTranslator accepts {cls.ACCEPTS}; got {what} ({kinds}). Qwen-MT takes exactly one user message "
            f"and no system message."
        )

    @staticmethod
    def _describe(input: Any) -> str:
        text = repr(input)
        return f"{type(input).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> str:
        """Translate one text (see the class docstring for the accepted inputs)."""
        message = HumanMessage(self._text(input))
        return str(self.llm.invoke([message], config, translation_options=self.options, **kwargs).text)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> str:
        """Async `invoke`."""
        message = HumanMessage(self._text(input))
        msg = await self.llm.ainvoke([message], config, translation_options=self.options, **kwargs)
        return str(msg.text)


__all__ = [
    "LANGUAGES",
    "QwenTranslator",
    "TranslationOptions",
    "TranslationPair",
    "normalize_language",
    "translation_wire",
]

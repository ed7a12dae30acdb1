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

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, ClassVar

from langchain_core.messages import BaseMessage, HumanMessage, convert_to_messages
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import RunnableConfig, RunnableSerializable

from langchain_qwen._errors import QwenValidationError
from langchain_qwen._translation_options import (
    LANGUAGES,
    TranslationOptions,
    TranslationPair,
    normalize_language,
    translation_wire,
)


class QwenTranslator(RunnableSerializable[Any, str]):
    """A runnable that translates one text per call with Qwen-MT (use `batch`/`abatch` for many).

    Args are the `TranslationOptions` fields plus `model` (default qwen-mt-flash) or a ready `llm`;
    any other keyword (api_key, base_url, region, ...) configures the `ChatQwen` it builds.

    Input: a string, a prompt value (so `ChatPromptTemplate | QwenTranslator(...)` works), one
    `HumanMessage`, or a list holding exactly one user message; the output is the translated text
    (`stream`/`astream` yield it piece by piece).
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

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None) -> Iterator[str]:
        """Translate one text, yielding the translation as it arrives (true deltas on every Qwen-MT model)."""
        message = HumanMessage(self._text(input))
        for chunk in self.llm.stream([message], config, translation_options=self.options, **kwargs):
            if chunk.text:
                yield str(chunk.text)

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> AsyncIterator[str]:
        """Async `stream`."""
        message = HumanMessage(self._text(input))
        async for chunk in self.llm.astream([message], config, translation_options=self.options, **kwargs):
            if chunk.text:
                yield str(chunk.text)


__all__ = [
    "LANGUAGES",
    "QwenTranslator",
    "TranslationOptions",
    "TranslationPair",
    "normalize_language",
    "translation_wire",
]

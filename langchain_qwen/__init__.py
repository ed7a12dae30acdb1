"""LangChain integration for Alibaba Qwen models on DashScope / Model Studio (OpenAI-compatible mode).

Public names are imported lazily (PEP 562), as `langchain_core.language_models` does, so that
`import langchain_qwen` stays cheap; `from langchain_qwen import ChatQwen` loads the model class.
The `TYPE_CHECKING` block and the literal `__all__` give type checkers the same names statically.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from langchain_qwen._version import __version__

if TYPE_CHECKING:
    from langchain_qwen._chat_settings import SearchOptions
    from langchain_qwen._errors import (
        QwenAPIStatusError,
        QwenAuthenticationError,
        QwenBadRequestError,
        QwenConnectionError,
        QwenContentInspectionError,
        QwenContextOverflowError,
        QwenError,
        QwenFileError,
        QwenFileNotReadyError,
        QwenFileParseError,
        QwenFileTooLargeError,
        QwenInvalidFileError,
        QwenNotFoundError,
        QwenPermissionDeniedError,
        QwenRateLimitError,
        QwenServerError,
        QwenStorageLimitError,
        QwenStreamInterruptedError,
        QwenTimeoutError,
        QwenUnsupportedFileError,
        QwenValidationError,
    )
    from langchain_qwen._init_chat_model import register_init_chat_model
    from langchain_qwen._profiles import QwenProfile, known_models, register_model, resolve_profile, unregister_model
    from langchain_qwen._translation_options import TranslationOptions, TranslationPair
    from langchain_qwen.batch import (
        BatchError,
        BatchJob,
        BatchStatus,
        QwenBatch,
        QwenEmbeddingBatch,
        embed_batch,
        run_batch,
    )
    from langchain_qwen.chat_models import ChatQwen
    from langchain_qwen.embeddings import QwenEmbeddings
    from langchain_qwen.files import (
        QwenFile,
        QwenFiles,
        add_documents,
        document_messages,
        document_prompt,
        documents_to_messages,
        json_document_message,
        long_context_messages,
        text_document_messages,
    )
    from langchain_qwen.llms import QwenFIM
    from langchain_qwen.media import audio_block, image_block, message_wav, pcm_to_wav, video_block
    from langchain_qwen.partial import (
        acomplete_prefix,
        acontinue_answer,
        complete_prefix,
        continue_answer,
        needs_continuation,
        prefix_message,
    )
    from langchain_qwen.rerank import QwenRerank
    from langchain_qwen.translation import QwenTranslator

__all__ = [
    "BatchError",
    "BatchJob",
    "BatchStatus",
    "ChatQwen",
    "QwenAPIStatusError",
    "QwenAuthenticationError",
    "QwenBadRequestError",
    "QwenBatch",
    "QwenConnectionError",
    "QwenContentInspectionError",
    "QwenContextOverflowError",
    "QwenEmbeddingBatch",
    "QwenEmbeddings",
    "QwenError",
    "QwenFIM",
    "QwenFile",
    "QwenFileError",
    "QwenFileNotReadyError",
    "QwenFileParseError",
    "QwenFileTooLargeError",
    "QwenFiles",
    "QwenInvalidFileError",
    "QwenNotFoundError",
    "QwenPermissionDeniedError",
    "QwenProfile",
    "QwenRateLimitError",
    "QwenRerank",
    "QwenServerError",
    "QwenStorageLimitError",
    "QwenStreamInterruptedError",
    "QwenTimeoutError",
    "QwenTranslator",
    "QwenUnsupportedFileError",
    "QwenValidationError",
    "SearchOptions",
    "TranslationOptions",
    "TranslationPair",
    "__version__",
    "acomplete_prefix",
    "acontinue_answer",
    "add_documents",
    "audio_block",
    "complete_prefix",
    "continue_answer",
    "document_messages",
    "document_prompt",
    "documents_to_messages",
    "embed_batch",
    "image_block",
    "json_document_message",
    "known_models",
    "long_context_messages",
    "message_wav",
    "needs_continuation",
    "pcm_to_wav",
    "prefix_message",
    "register_init_chat_model",
    "register_model",
    "resolve_profile",
    "run_batch",
    "text_document_messages",
    "unregister_model",
    "video_block",
]

_ERRORS = "langchain_qwen._errors"
_EXPORTS: dict[str, str] = {
    "ChatQwen": "langchain_qwen.chat_models",
    "QwenEmbeddings": "langchain_qwen.embeddings",
    "QwenFIM": "langchain_qwen.llms",
    "QwenProfile": "langchain_qwen._profiles",
    "resolve_profile": "langchain_qwen._profiles",
    "known_models": "langchain_qwen._profiles",
    "register_model": "langchain_qwen._profiles",
    "unregister_model": "langchain_qwen._profiles",
    "SearchOptions": "langchain_qwen._chat_settings",
    "TranslationOptions": "langchain_qwen._translation_options",
    "TranslationPair": "langchain_qwen._translation_options",
    "QwenTranslator": "langchain_qwen.translation",
    "QwenRerank": "langchain_qwen.rerank",
    "register_init_chat_model": "langchain_qwen._init_chat_model",
    **dict.fromkeys(
        ("BatchError", "BatchJob", "BatchStatus", "QwenBatch", "QwenEmbeddingBatch", "embed_batch", "run_batch"),
        "langchain_qwen.batch",
    ),
    **dict.fromkeys(
        (
            "QwenFile",
            "QwenFiles",
            "add_documents",
            "document_messages",
            "document_prompt",
            "documents_to_messages",
            "json_document_message",
            "long_context_messages",
            "text_document_messages",
        ),
        "langchain_qwen.files",
    ),
    **dict.fromkeys(("audio_block", "image_block", "message_wav", "pcm_to_wav", "video_block"), "langchain_qwen.media"),
    **dict.fromkeys(
        (
            "acomplete_prefix",
            "acontinue_answer",
            "complete_prefix",
            "continue_answer",
            "needs_continuation",
            "prefix_message",
        ),
        "langchain_qwen.partial",
    ),
    **{name: _ERRORS for name in __all__ if name.startswith("Qwen") and name.endswith("Error")},
}
"""Where each public name lives (read on first access)."""


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'langchain_qwen' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

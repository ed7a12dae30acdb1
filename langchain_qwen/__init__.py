"""LangChain integration for Alibaba Qwen models on DashScope / Model Studio (OpenAI-compatible mode).

Public names are imported lazily (PEP 562), as `langchain_core.language_models` does, so that
`import langchain_qwen` stays cheap; `from langchain_qwen import ChatQwen` loads the model class.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from langchain_qwen._version import __version__

if TYPE_CHECKING:
    from langchain_qwen._errors import (
        QwenAPIStatusError,
        QwenAuthenticationError,
        QwenBadRequestError,
        QwenConnectionError,
        QwenContentInspectionError,
        QwenContextOverflowError,
        QwenError,
        QwenNotFoundError,
        QwenPermissionDeniedError,
        QwenRateLimitError,
        QwenServerError,
        QwenStreamInterruptedError,
        QwenTimeoutError,
        QwenValidationError,
    )
    from langchain_qwen._profiles import QwenProfile, known_models, resolve_profile
    from langchain_qwen.chat_models import ChatQwen

_EXPORTS: dict[str, str] = {
    "ChatQwen": "langchain_qwen.chat_models",
    "QwenEmbeddings": "langchain_qwen.embeddings",
    "QwenFIM": "langchain_qwen.llms",
    "QwenProfile": "langchain_qwen._profiles",
    "resolve_profile": "langchain_qwen._profiles",
    "known_models": "langchain_qwen._profiles",
    "register_model": "langchain_qwen._profiles",
    "unregister_model": "langchain_qwen._profiles",
    "SearchOptions": "langchain_qwen._payload",
    "register_init_chat_model": "langchain_qwen._init_chat_model",
    **{
        name: "langchain_qwen._errors"
        for name in (
            "QwenError",
            "QwenAPIStatusError",
            "QwenAuthenticationError",
            "QwenBadRequestError",
            "QwenConnectionError",
            "QwenContentInspectionError",
            "QwenContextOverflowError",
            "QwenNotFoundError",
            "QwenPermissionDeniedError",
            "QwenRateLimitError",
            "QwenServerError",
            "QwenStreamInterruptedError",
            "QwenTimeoutError",
            "QwenValidationError",
            "QwenFileError",
            "QwenFileTooLargeError",
            "QwenUnsupportedFileError",
            "QwenFileParseError",
            "QwenFileNotReadyError",
            "QwenStorageLimitError",
            "QwenInvalidFileError",
        )
    },
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'langchain_qwen' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

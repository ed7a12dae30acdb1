"""LangChain integration for Alibaba Qwen models on DashScope / Model Studio (OpenAI-compatible mode)."""

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
from langchain_qwen._version import __version__
from langchain_qwen.chat_models import ChatQwen

__all__ = [
    "ChatQwen",
    "QwenProfile",
    "resolve_profile",
    "known_models",
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
    "__version__",
]

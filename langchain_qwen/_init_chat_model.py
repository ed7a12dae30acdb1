"""Opt-in registration of `qwen` / `dashscope` in LangChain's `init_chat_model` provider table."""

from __future__ import annotations

from typing import Any

from langchain_qwen._errors import QwenValidationError

PROVIDER_KEYS: tuple[str, ...] = ("qwen", "dashscope")
"""Provider keys added by `register_init_chat_model()` (`init_chat_model("qwen:qwen3-max")`)."""

_MODULE = "langchain_qwen.chat_models"
_CLASS = "ChatQwen"
_TABLE = "langchain.chat_models.base._BUILTIN_PROVIDERS"


def _create(cls: type[Any], **kwargs: Any) -> Any:
    """LangChain's creator signature: the class plus `model=` and the user's keyword arguments."""
    return cls(**kwargs)


def _langchain_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("langchain")
    except PackageNotFoundError:  # pragma: no cover - importable but not installed as a distribution
        return "of unknown version"


def _unsupported(detail: str) -> QwenValidationError:
    return QwenValidationError(
        f"register_init_chat_model() cannot extend init_chat_model in the installed langchain "
        f"{_langchain_version()}: {detail}. It supports langchain 1.x, whose provider table is {_TABLE} "
        f"(a dict of provider -> (module, class, creator)). Use ChatQwen(model=...) directly instead; "
        f"create_agent also accepts the ChatQwen instance."
    )


def _provider_table() -> tuple[dict[str, Any], Any]:
    """LangChain's provider dict and its cached creator lookup, after checking they have the expected shape."""
    try:
        from langchain.chat_models import base
    except ImportError as err:
        raise QwenValidationError(
            "init_chat_model comes from the `langchain` package, which is not installed: pip install 'langchain>=1.0'."
        ) from err
    table = getattr(base, "_BUILTIN_PROVIDERS", None)
    if not isinstance(table, dict):
        raise _unsupported("langchain.chat_models.base has no _BUILTIN_PROVIDERS dict")
    if not all(isinstance(entry, tuple) and len(entry) == 3 for entry in table.values()):
        raise _unsupported("its _BUILTIN_PROVIDERS entries are not (module, class, creator) triples")
    lookup = getattr(base, "_get_chat_model_creator", None)
    if not callable(lookup):
        raise _unsupported("langchain.chat_models.base has no _get_chat_model_creator")
    return table, lookup


def register_init_chat_model() -> tuple[str, ...]:
    """Add `qwen` and `dashscope` to LangChain's `init_chat_model` providers (explicit opt-in; idempotent).

    Afterwards `init_chat_model("qwen:qwen3-max")`, `init_chat_model("qwen3-max", model_provider="qwen")`
    and `create_agent("qwen:qwen3-max", tools)` build a `ChatQwen`; other keyword arguments of
    `init_chat_model` (temperature, api_key, base_url, ...) go to `ChatQwen`. Model names alone
    (`init_chat_model("qwen3-max")`) are not inferred: LangChain's inference is not a table.

    Returns:
        The provider keys now registered.

    Raises:
        QwenValidationError: `langchain` is not installed, or its provider table is not where (or what)
            langchain 1.x has; the message names the installed langchain version.
    """
    table, lookup = _provider_table()
    entry = (_MODULE, _CLASS, _create)
    for key in PROVIDER_KEYS:
        table[key] = entry
    cache_clear = getattr(lookup, "cache_clear", None)
    if callable(cache_clear):  # a cached creator for a key we just replaced would otherwise win
        cache_clear()
    return PROVIDER_KEYS


__all__ = ["PROVIDER_KEYS", "register_init_chat_model"]

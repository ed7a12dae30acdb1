"""Standard LangChain unit tests for QwenEmbeddings (offline)."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings
from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_qwen import QwenEmbeddings


class TestQwenEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[Embeddings]:
        return QwenEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"model": "text-embedding-v4", "dimensions": 512, "api_key": "sk-test"}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return (
            {"DASHSCOPE_API_KEY": "sk-from-env", "DASHSCOPE_BASE_URL": "https://example.invalid/compatible-mode/v1"},
            {"model": "text-embedding-v3"},
            {"api_key": "sk-from-env", "base_url": "https://example.invalid/compatible-mode/v1"},
        )

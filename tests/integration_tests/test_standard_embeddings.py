"""Standard LangChain integration tests for QwenEmbeddings over loopback HTTP (emulator), and input-shape refusals."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.embeddings import Embeddings
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from langchain_qwen import QwenEmbeddings, QwenValidationError
from langchain_qwen.batch import embed_batch
from langchain_qwen.testing import DashScopeEmulator, shared_emulator


class TestQwenEmbeddingsEmulator(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[Embeddings]:
        return QwenEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        emu = shared_emulator()
        return {"model": "text-embedding-v4", "dimensions": 256, "base_url": emu.base_url, "api_key": emu.api_key}


@pytest.mark.parametrize("method", ["embed_documents", "aembed_documents", "embed_batch"])
def test_a_single_string_is_refused_before_any_request(emulator: DashScopeEmulator, method: str) -> None:
    emb = QwenEmbeddings(base_url=emulator.base_url, api_key=emulator.api_key)
    with pytest.raises(QwenValidationError) as info:
        if method == "embed_documents":
            emb.embed_documents("hello world")  # type: ignore[arg-type]
        elif method == "aembed_documents":
            asyncio.run(emb.aembed_documents("hello world"))  # type: ignore[arg-type]
        else:
            embed_batch(emb, "hello world")  # type: ignore[arg-type]
    message = str(info.value)
    assert "texts must be a list of strings, got one str ('hello world')" in message
    assert "[text]" in message and "embed_query(text)" in message
    assert emulator.requests == []
    assert len(emb.embed_documents(["hello world"])) == 1  # the list form embeds one text

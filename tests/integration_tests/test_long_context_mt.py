"""qwen-long documents (Files API, fileid://) and Qwen-MT translation through the public API over HTTP."""

from __future__ import annotations

import asyncio
import io
import warnings
from collections.abc import Iterator

import pytest
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableLambda

from langchain_qwen import (
    ChatQwen,
    QwenFileNotReadyError,
    QwenFileParseError,
    QwenInvalidFileError,
    QwenStorageLimitError,
    QwenValidationError,
)
from langchain_qwen.files import QwenFiles, add_documents, document_prompt, long_context_messages
from langchain_qwen.testing import DashScopeEmulator
from langchain_qwen.translation import QwenTranslator
from tests._helpers import invoke, merge, stream

SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


@pytest.fixture
def slow_parsing() -> Iterator[DashScopeEmulator]:
    with DashScopeEmulator(api_key="sk-emulator", parse_seconds=0.4, max_files=3) as emu:
        yield emu


def _files(emu: DashScopeEmulator) -> QwenFiles:
    return QwenFiles(api_key=emu.api_key, base_url=emu.base_url)


def _long(emu: DashScopeEmulator, **kw: object) -> ChatQwen:
    return ChatQwen(model="qwen-long", api_key=emu.api_key, base_url=emu.base_url, **kw)


@SYNC
def test_upload_wait_and_chat(slow_parsing: DashScopeEmulator, sync: bool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    emu = slow_parsing
    path = tmp_path / "guide.md"
    path.write_text("Qwen-Long reads very long documents. " * 20, encoding="utf-8")
    files = _files(emu)
    sources = [path, io.BytesIO(b"Second document about pricing."), b"Third: plain bytes."]
    names = [None, "pricing.txt", "third.txt"]
    if sync:
        docs = files.upload_many(sources, filenames=names, progress=True)
    else:
        docs = asyncio.run(files.aupload_many(sources, filenames=names, progress=True))
    assert [d.filename for d in docs] == ["guide.md", "pricing.txt", "third.txt"]
    assert all(d.processed and d.id.startswith("file-fe-") for d in docs)
    assert sum(1 for r in emu.requests if r.method == "GET") >= 3  # it polled while parsing
    llm = _long(emu)
    msgs = long_context_messages("What do these documents cover?", docs)
    answer = invoke(llm, sync, msgs)
    assert "(documents: guide.md, pricing.txt, third.txt)" in answer.text
    assert answer.usage_metadata["input_tokens"] > llm.get_num_tokens_from_messages(msgs)  # documents are billed
    wire = emu.last_request.body["messages"]
    assert wire[0] == {"role": "system", "content": "You are a helpful assistant."}
    assert wire[1]["content"] == ",".join(d.reference for d in docs)
    full = merge(stream(llm, sync, [*msgs, answer, HumanMessage("And the first one?")]))
    assert "(documents: guide.md, pricing.txt, third.txt)" in full.text


def test_documents_added_later_and_separate_messages(emulator: DashScopeEmulator) -> None:
    files = _files(emulator)
    first, second = files.upload(b"alpha", filename="a.txt"), files.upload(b"beta", filename="b.txt")
    llm = _long(emulator)
    history = long_context_messages("Summarise a.", [first], separate=True)
    reply = llm.invoke(history)
    follow = [*add_documents([*history, reply], [second]), HumanMessage("Now compare with b.")]
    out = llm.invoke(follow)
    assert "(documents: a.txt, b.txt)" in out.text
    roles = [m["role"] for m in emulator.last_request.body["messages"]]
    assert roles == ["system", "system", "user", "assistant", "system", "user"]


def test_parse_failure_timeout_and_not_ready(slow_parsing: DashScopeEmulator) -> None:
    files = _files(slow_parsing)
    with pytest.raises(QwenFileParseError, match="could not parse"):
        files.upload(b"%FAIL-PARSE% broken", filename="broken.txt")
    pending = files.upload(b"still parsing", filename="slow.txt", wait=False)
    assert pending.status != "processed"
    with pytest.raises(QwenFileNotReadyError):
        files.wait_until_processed([pending], timeout=0.05)
    llm = _long(slow_parsing, max_retries=0)
    with pytest.raises(QwenFileNotReadyError):  # "File parsing in progress" from the chat endpoint
        llm.invoke(long_context_messages("q", [pending]))


def test_storage_limit_invalid_ids_list_delete_and_context_manager(slow_parsing: DashScopeEmulator) -> None:
    files = _files(slow_parsing)
    with files.uploaded([b"one", b"two"], filenames=["1.txt", "2.txt"]) as docs:
        assert {f.id for f in files.list()} == {d.id for d in docs}
        assert files.content(docs[0].id) == b"one"
    assert files.list() == []  # deleted on exit
    kept = [files.upload(b"x", filename=f"{i}.txt", wait=False) for i in range(3)]  # the limit counts unparsed files
    with pytest.raises(QwenStorageLimitError):
        files.upload(b"one too many", filename="4.txt")
    assert files.delete(kept[0].id)
    with pytest.raises(QwenInvalidFileError):
        _long(slow_parsing).invoke(long_context_messages("q", [kept[0]]))


def test_async_files_helpers(emulator: DashScopeEmulator) -> None:
    files = _files(emulator)

    async def run() -> tuple[int, int]:
        async with files.auploaded([b"async doc"], filenames=["async.txt"]) as docs:
            listed = await files.alist()
            got = await files.aretrieve(docs[0].id)
            assert got.filename == "async.txt" and await files.acontent(docs[0].id) == b"async doc"
        return len(listed), len(await files.alist())

    assert asyncio.run(run()) == (1, 0)


def test_rag_pipeline_hands_documents_to_qwen_long(emulator: DashScopeEmulator) -> None:
    corpus = [Document("Qwen-Long accepts ten million tokens.", metadata={"source": "specs/limits.md"})]
    retriever = RunnableLambda(lambda q: [d for d in corpus if "Qwen" in d.page_content])
    chain = (
        RunnableLambda(lambda q: document_prompt(q, retriever.invoke(q)))
        | _long(emulator)
        | RunnableLambda(lambda m: m.text)
    )
    assert chain.invoke("How much can Qwen-Long read?").startswith("Emulated reply: How much can Qwen-Long read?")
    sent = emulator.last_request.body["messages"][1]["content"]
    assert '"filename": "limits.md"' in sent and '"file_type": "md"' in sent


def test_qwen_long_outside_beijing_warns(emulator: DashScopeEmulator) -> None:
    llm = ChatQwen(model="qwen-long", api_key="k", region="singapore", base_url=None, max_retries=0)
    with pytest.warns(UserWarning, match="served only in \\['cn-beijing'\\]"), pytest.raises(Exception):
        llm.invoke("hi", timeout=0.01)  # no network here: the warning comes first, then the connection fails
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _long(emulator).invoke("hi")


@SYNC
@pytest.mark.parametrize("model", ["qwen-mt-plus", "qwen-mt-turbo", "qwen-mt-flash", "qwen-mt-lite"])
def test_mt_invoke_and_stream(emulator: DashScopeEmulator, sync: bool, model: str) -> None:
    llm = ChatQwen(
        model=model,
        api_key=emulator.api_key,
        base_url=emulator.base_url,
        translation_options={
            "source_lang": "zh",
            "target_lang": "en",
            "terms": [{"source": "视频", "target": "video"}],
        },
    )
    expected = "[English] 我看到这个video后没有笑"
    assert invoke(llm, sync, "我看到这个视频后没有笑").text == expected
    chunks = stream(llm, sync, "我看到这个视频后没有笑")
    assert merge(chunks).text == expected and "".join(c.text for c in chunks) == expected  # true deltas
    assert emulator.last_request.body["translation_options"]["source_lang"] == "Chinese"
    per_call = invoke(llm, sync, "你好", translation_options={"source_lang": "auto", "target_lang": "ja"})
    assert per_call.text == "[Japanese] 你好"


def test_mt_rejects_conversations_locally(emulator: DashScopeEmulator) -> None:
    llm = ChatQwen(model="qwen-mt-flash", api_key=emulator.api_key, base_url=emulator.base_url)
    with pytest.raises(QwenValidationError, match="exactly one user message"):
        llm.invoke([HumanMessage("a"), AIMessage("b"), HumanMessage("c")], translation_options={"target_lang": "en"})
    with pytest.raises(QwenValidationError, match="Did you mean 'German'"):
        llm.invoke("Hallo", translation_options={"target_lang": "Germn"})
    assert not emulator.requests


@SYNC
def test_translator_runnable_batch(emulator: DashScopeEmulator, sync: bool) -> None:
    translate = QwenTranslator(
        model="qwen-mt-plus",
        api_key=emulator.api_key,
        base_url=emulator.base_url,
        source_lang="Chinese",
        target_lang="fr",
        terms={"模型": "modèle"},
        tm_list=[("你好", "Bonjour")],
    )
    texts = ["模型一", "模型二", "你好"]
    out = translate.batch(texts) if sync else asyncio.run(translate.abatch(texts))
    assert out == ["[French] modèle一", "[French] modèle二", "[French] 你好"]
    chain = translate | RunnableLambda(str.upper)
    assert chain.invoke("模型") == "[FRENCH] MODÈLE"

"""Qwen-MT options and conversation rules; long-context message builders and local upload checks (no network)."""

from __future__ import annotations

import io
import json

import pytest
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from langchain_qwen import ChatQwen, QwenFileTooLargeError, QwenUnsupportedFileError, QwenValidationError
from langchain_qwen._payload import build_chat_request
from langchain_qwen.files import (
    QwenFile,
    add_documents,
    check_upload,
    document_messages,
    document_prompt,
    json_document_message,
    long_context_messages,
    read_source,
)
from langchain_qwen.translation import LANGUAGES, TranslationOptions, normalize_language


def test_language_table_is_the_documented_92() -> None:
    assert len(LANGUAGES) == 92 and LANGUAGES["Ta’izzi-Adeni Arabic"] == "acq"


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("zh", "Chinese"),
        ("EN", "English"),
        ("zh-TW", "Traditional Chinese"),
        ("zh_tw", "Traditional Chinese"),
        ("simplified chinese", "Chinese"),
        ("japanese", "Japanese"),
        ("Norwegian Bokmål", "Norwegian Bokmål"),
    ],
)
def test_language_normalisation(given: str, name: str) -> None:
    assert normalize_language(given) == name


def test_misspelt_language_names_close_matches() -> None:
    with pytest.raises(QwenValidationError, match="Did you mean 'Portuguese'"):
        TranslationOptions(target_lang="Portugese")
    with pytest.raises(QwenValidationError, match="cannot be 'auto'"):
        TranslationOptions(target_lang="auto")


def test_options_wire_form() -> None:
    opts = TranslationOptions(
        source_lang="zh",
        target_lang="en",
        terms={"生物传感器": "biological sensor"},
        tm_list=[("您好", "Hello")],
        domains="IT domain.",
    )
    assert opts.to_wire() == {
        "source_lang": "Chinese",
        "target_lang": "English",
        "terms": [{"source": "生物传感器", "target": "biological sensor"}],
        "tm_list": [{"source": "您好", "target": "Hello"}],
        "domains": "IT domain.",
    }
    with pytest.raises(QwenValidationError, match="English"):
        TranslationOptions(target_lang="en", domains="领域")


def test_mt_conversation_rules() -> None:
    llm = ChatQwen(model="qwen-mt-flash", api_key="k", translation_options={"target_lang": "en"})
    body = build_chat_request([HumanMessage("你好")], llm._default_params, want_stream=False).body
    assert body["translation_options"] == {"source_lang": "auto", "target_lang": "English"}
    for bad in ([SystemMessage("s"), HumanMessage("x")], [HumanMessage("a"), AIMessage("b"), HumanMessage("c")]):
        with pytest.raises(QwenValidationError, match="exactly one user message"):
            build_chat_request(bad, llm._default_params, want_stream=False)
    with pytest.raises(QwenValidationError, match="for Qwen-MT models"):
        plus = ChatQwen(model="qwen-plus", api_key="k")
        build_chat_request(
            [HumanMessage("x")],
            plus._default_params | {"translation_options": {"target_lang": "en"}},
            want_stream=False,
        )


def test_document_message_builders() -> None:
    files = [QwenFile(id="file-fe-a"), "file-fe-b", "fileid://file-fe-c"]
    assert document_messages(files)[0].content == "fileid://file-fe-a,fileid://file-fe-b,fileid://file-fe-c"
    assert [m.content for m in document_messages(files, separate=True)][1] == "fileid://file-fe-b"
    msgs = long_context_messages("What is it about?", files[:1], system_prompt="You are a careful analyst.")
    assert [m.type for m in msgs] == ["system", "system", "human"] and msgs[0].content == "You are a careful analyst."
    more = add_documents([*msgs, AIMessage("It is about X.")], ["file-fe-d"])
    assert more[-1].content == "fileid://file-fe-d"
    with pytest.raises(QwenValidationError, match="at most 100"):
        document_messages([f"file-fe-{i}" for i in range(101)])


def test_json_and_langchain_documents() -> None:
    msg = json_document_message("body", title="T", filename="a.md", file_type="md")
    assert json.loads(msg.content) == {"content": "body", "title": "T", "filename": "a.md", "file_type": "md"}
    docs = [Document("Qwen-Long reads 10M tokens.", metadata={"source": "/data/guide.pdf", "title": "Guide"})]
    prompt = document_prompt("How long?", docs)
    assert json.loads(prompt[1].content) == {
        "content": "Qwen-Long reads 10M tokens.",
        "title": "Guide",
        "filename": "guide.pdf",
        "file_type": "pdf",
    }
    assert document_prompt("How long?", docs, mode="text")[1].content == "Qwen-Long reads 10M tokens."


def test_local_upload_checks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "notes.md"
    path.write_text("# hi", encoding="utf-8")
    assert read_source(path) == ("notes.md", b"# hi")
    assert read_source(io.BytesIO(b"x"), "a.txt") == ("a.txt", b"x")
    with pytest.raises(QwenUnsupportedFileError, match=r"\.exe files are not accepted"):
        check_upload("tool.exe", b"MZ", "https://x/files")
    with pytest.raises(QwenUnsupportedFileError, match="empty"):
        check_upload("a.txt", b"", "https://x/files")
    with pytest.raises(QwenFileTooLargeError, match="at most 20 MB"):
        check_upload("scan.png", b"0" * (20 * 1024 * 1024 + 1), "https://x/files")


def test_too_many_file_ids_refused_in_requests() -> None:
    llm = ChatQwen(model="qwen-long", api_key="k")
    msgs = [SystemMessage(",".join(f"fileid://file-fe-{i}" for i in range(101))), HumanMessage("q")]
    with pytest.raises(QwenValidationError, match="at most 100"):
        build_chat_request(msgs, llm._default_params, want_stream=False)

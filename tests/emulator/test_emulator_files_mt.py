"""Emulator Files API, `fileid://` documents in chat and Qwen-MT over real loopback HTTP (httpx2 and openai)."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest

from langchain_qwen._tokens import count_messages, count_text
from langchain_qwen.testing import DashScopeEmulator, FileError, StoredFile
from langchain_qwen.testing._translate import LANGUAGES, LITE_LANGUAGES
from tests.emulator._wire import post, sse

FE_ID = re.compile(r"file-fe-[0-9a-f]{24}")
DOC_LIMIT, IMAGE_LIMIT = 64, 16
SYSTEM = {"role": "system", "content": "You are a helpful assistant."}


@pytest.fixture(scope="module")
def emu() -> Iterator[DashScopeEmulator]:
    """Small upload limits so that size checks need only a few bytes."""
    limits = {"file_size_limit": DOC_LIMIT, "image_size_limit": IMAGE_LIMIT, "batch_size_limit": DOC_LIMIT}
    with DashScopeEmulator(**limits) as server:
        yield server


def upload(http: httpx2.Client, name: str, data: bytes | str, purpose: str | None = "file-extract") -> httpx2.Response:
    raw = data.encode() if isinstance(data, str) else data
    return http.post("/files", files={"file": (name, raw)}, data={} if purpose is None else {"purpose": purpose})


def uploaded(http: httpx2.Client, name: str, data: bytes | str, purpose: str = "file-extract") -> dict[str, Any]:
    resp = upload(http, name, data, purpose)
    assert resp.status_code == 200, resp.text
    return resp.json()


def files_error(
    resp: httpx2.Response,
    status: int,
    message: str,
    code: str | None = "invalid_parameter_error",
    param: str | None = None,
) -> None:
    """Files API errors carry only `error` (no top-level id / request_id)."""
    assert resp.status_code == status, resp.text
    assert resp.json() == {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}


def chat_error(
    resp: httpx2.Response,
    status: int,
    message: str,
    code: str | None = "invalid_parameter_error",
    type_: str = "invalid_request_error",
) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"] == {"message": message, "type": type_, "param": None, "code": code}
    assert body["request_id"] == resp.headers["x-request-id"] and body["id"] == f"chatcmpl-{body['request_id']}"


def ask(*system: str, q: str = "What is it about?") -> list[dict[str, Any]]:
    return [SYSTEM, *({"role": "system", "content": s} for s in system), {"role": "user", "content": q}]


def refs(*ids: str) -> str:
    return ",".join(f"fileid://{i}" for i in ids)


# -- upload ---------------------------------------------------------------------------------------


def test_upload_shape_and_storage_view(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    before = int(time.time())
    obj = uploaded(http, "报告 v1.txt", "第一章\r\nhello")
    assert list(obj) == ["id", "object", "bytes", "filename", "purpose", "status", "status_details", "created_at"]
    assert FE_ID.fullmatch(obj["id"])
    assert obj["object"] == "file" and obj["bytes"] == len("第一章\r\nhello".encode())
    assert (obj["filename"], obj["purpose"], obj["status"], obj["status_details"]) == (
        "报告 v1.txt",
        "file-extract",
        "processed",
        None,
    )
    assert before <= obj["created_at"] <= time.time() + 1
    stored = emu.files[obj["id"]]
    assert isinstance(stored, StoredFile)
    assert stored.data == "第一章\r\nhello".encode() and stored.text == "第一章\r\nhello"
    assert stored.to_object() == obj
    with pytest.raises(TypeError):
        emu.files["x"] = stored  # type: ignore[index]
    batch = uploaded(http, "input.jsonl", '{"custom_id":"1"}\n', purpose="batch")
    assert re.fullmatch(r"file-batch-[0-9a-f]{24}", batch["id"])
    assert (batch["purpose"], batch["status"]) == ("batch", "processed")
    assert set(emu.files) == {obj["id"], batch["id"]}
    assert http.post("/files", content=b"{}", headers={"Content-Type": "application/json"}).status_code == 400


def test_purpose_errors(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    for purpose in ("assistants", "", None):
        files_error(upload(http, "a.txt", "x", purpose), 400, "'purpose' must be 'file-extract'", None, "purpose")
    assert emu.files == {}


def test_size_format_and_blank_errors(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    assert uploaded(http, "max.pdf", b"x" * DOC_LIMIT)["bytes"] == DOC_LIMIT
    files_error(upload(http, "big.pdf", b"x" * (DOC_LIMIT + 1)), 400, "Payload Too Large.", "BadRequest.TooLarge")
    assert uploaded(http, "ok.PNG", b"\x89PNG" + b"\0" * (IMAGE_LIMIT - 4))["filename"] == "ok.PNG"
    for name in ("big.png", "big.jpeg", "big.gif"):
        files_error(upload(http, name, b"\0" * (IMAGE_LIMIT + 1)), 400, "Payload Too Large.", "BadRequest.TooLarge")
    files_error(upload(http, "big.jsonl", b"{}\n" * 30, "batch"), 400, "Payload Too Large.", "BadRequest.TooLarge")
    for name, purpose in (
        ("run.exe", "file-extract"),
        ("noext", "file-extract"),
        ("in.jsonl", "file-extract"),
        ("in.txt", "batch"),
    ):
        resp = upload(http, name, "data", purpose)
        assert resp.status_code == 400 and set(resp.json()) == {"error"}
        prefix = "file-batch-" if purpose == "batch" else "file-fe-"
        assert re.fullmatch(
            rf"File \[id:{prefix}[0-9a-f]{{24}}\] format is not supported\.", resp.json()["error"]["message"]
        )
    for blank in (b"", b" \r\n\t"):
        resp = upload(http, "empty.txt", blank)
        assert resp.status_code == 400
        assert re.fullmatch(r"File \[id:file-fe-[0-9a-f]{24}\] content blank\.", resp.json()["error"]["message"])
    assert sorted(f.filename for f in emu.files.values()) == ["max.pdf", "ok.PNG"]
    with pytest.raises(FileError) as err:
        emu.add_file(b"", "x.txt")
    assert err.value.status == 400 and "content blank" in err.value.message
    assert emu.add_file(b"", "raw.bin", "batch_output", check=False).id in emu.files


def test_storage_limits() -> None:
    with (
        DashScopeEmulator(max_files=2, max_storage_bytes=10) as server,
        httpx2.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.api_key}"}) as client,
    ):
        first = uploaded(client, "a.txt", "1234")
        uploaded(client, "b.jsonl", "{}", purpose="batch")
        files_error(upload(client, "c.txt", "1"), 400, "Upload file number exceed limit.")
        assert client.delete(f"/files/{first['id']}").json()["deleted"] is True
        files_error(upload(client, "c.txt", "123456789"), 400, "Upload file capacity exceed limit.")
        assert uploaded(client, "c.txt", "12345678")["bytes"] == 8
        assert len(server.files) == 2


def test_parsing_status_over_time() -> None:
    with (
        DashScopeEmulator(parse_seconds=0.3) as server,
        httpx2.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.api_key}"}) as client,
    ):
        doc = uploaded(client, "long.md", "# Title")
        bad = uploaded(client, "bad.docx", "%FAIL-PARSE% broken")
        batch = uploaded(client, "in.jsonl", "{}", purpose="batch")
        assert (doc["status"], bad["status"], batch["status"]) == ("parsing", "parsing", "processed")
        assert client.get(f"/files/{doc['id']}").json()["status"] == "parsing"
        resp = post(client, model="qwen-long", messages=ask(refs(doc["id"])))
        chat_error(resp, 400, "File parsing in progress, please try again later.")
        assert server.add_file("quick", "q.txt", parse_seconds=0).status == "processed"
        deadline = time.monotonic() + 5
        # `bad` was uploaded after `doc`: wait for both (each file's parse time starts at its own upload).
        while {client.get(f"/files/{f['id']}").json()["status"] for f in (doc, bad)} & {"parsing"}:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        resp = post(client, model="qwen-long", messages=ask(refs(doc["id"])))
        assert resp.json()["choices"][0]["message"]["content"].endswith("(documents: long.md)")
        failed = client.get(f"/files/{bad['id']}").json()
        assert (failed["status"], failed["status_details"]) == ("error", "File parsing failed.")
        assert server.parse_seconds == 0.3
        server.parse_seconds = 0
        assert uploaded(client, "now.txt", "now")["status"] == "processed"


def test_parse_error_and_binary_documents(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    bad = uploaded(http, "bad.txt", "%FAIL-PARSE% anything")
    assert (bad["status"], bad["status_details"]) == ("error", "File parsing failed.")
    resp = post(http, model="qwen-long", messages=ask(refs(bad["id"])))
    chat_error(resp, 400, f"File [id:{bad['id']}] format is not supported.")
    pdf = uploaded(http, "scan.pdf", b"%PDF-1.7\xff\xfe text")
    assert pdf["status"] == "processed"
    assert emu.files[pdf["id"]].text == "%PDF-1.7\ufffd\ufffd text"
    png = uploaded(http, "fig.png", b"\x89PNG\r\n\x1a\n")
    assert emu.files[png["id"]].text == "[image: fig.png]"


# -- list / get / delete / content --------------------------------------------------------------


def test_list_paging(emu: DashScopeEmulator, http: httpx2.Client, oai: openai.OpenAI) -> None:
    ids = [uploaded(http, f"d{i}.txt", f"doc {i}")["id"] for i in range(5)]
    batch_id = uploaded(http, "in.jsonl", "{}", purpose="batch")["id"]
    newest_first = [batch_id, *reversed(ids)]
    page = http.get("/files").json()
    assert page["object"] == "list" and page["has_more"] is False
    assert [f["id"] for f in page["data"]] == newest_first
    assert page["data"][1] == emu.files[ids[-1]].to_object()
    first = http.get("/files", params={"limit": 2}).json()
    assert [f["id"] for f in first["data"]] == newest_first[:2] and first["has_more"] is True
    second = http.get("/files", params={"limit": 2, "after": first["data"][-1]["id"]}).json()
    assert [f["id"] for f in second["data"]] == newest_first[2:4] and second["has_more"] is True
    last = http.get("/files", params={"limit": 2, "after": newest_first[3]}).json()
    assert [f["id"] for f in last["data"]] == newest_first[4:] and last["has_more"] is False
    extract = http.get("/files", params={"purpose": "file-extract", "limit": 5}).json()
    assert [f["id"] for f in extract["data"]] == newest_first[1:] and extract["has_more"] is False
    assert [f["id"] for f in http.get("/files", params={"purpose": "batch"}).json()["data"]] == [batch_id]
    assert http.get("/files", params={"after": "file-fe-unknown"}).json()["data"] == []
    for bad in ("0", "-1", "x"):
        files_error(http.get("/files", params={"limit": bad}), 400, "'limit' must be a positive integer", param="limit")
    assert [f.id for f in oai.files.list(limit=2)] == newest_first  # SDK auto-pagination follows `after`


def test_get_delete_content_and_404(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    data = bytes(range(0, 256, 9)) + b"\r\n--\r\r\n\n"
    obj = uploaded(http, "blob.pdf", data)
    assert http.get(f"/files/{obj['id']}").json() == obj
    content = http.get(f"/files/{obj['id']}/content")
    assert content.status_code == 200 and content.content == data
    assert content.headers["content-type"] == "application/octet-stream"
    deleted = http.delete(f"/files/{obj['id']}")
    assert deleted.json() == {"id": obj["id"], "object": "file", "deleted": True}
    assert obj["id"] not in emu.files
    for resp in (
        http.get(f"/files/{obj['id']}"),
        http.delete(f"/files/{obj['id']}"),
        http.get(f"/files/{obj['id']}/content"),
        http.get("/files/a/b/c"),
    ):
        files_error(resp, 404, "File not found.", "not_found")
    assert http.put("/files").status_code == 405


def test_openai_sdk_files(oai: openai.OpenAI) -> None:
    created = oai.files.create(file=("notes.md", b"# Notes\nQwen"), purpose="file-extract")  # type: ignore[arg-type]
    assert FE_ID.fullmatch(created.id)
    assert (created.filename, created.bytes, created.status, created.purpose) == (
        "notes.md",
        12,
        "processed",
        "file-extract",
    )
    assert oai.files.retrieve(created.id) == created
    assert [f.id for f in oai.files.list()] == [created.id]
    assert oai.files.content(created.id).content == b"# Notes\nQwen"
    gone = oai.files.delete(created.id)
    assert (gone.id, gone.deleted) == (created.id, True)
    with pytest.raises(openai.NotFoundError) as missing:
        oai.files.retrieve(created.id)
    assert missing.value.body == {
        "message": "File not found.",
        "type": "invalid_request_error",
        "param": None,
        "code": "not_found",
    }
    with pytest.raises(openai.BadRequestError) as bad:
        oai.files.create(file=("x.txt", b"x"), purpose="assistants")
    assert bad.value.param == "purpose"
    with pytest.raises(openai.BadRequestError, match="Payload Too Large"):
        oai.files.create(file=("x.txt", b"x" * 100), purpose="file-extract")  # type: ignore[arg-type]


# -- fileid:// in chat ----------------------------------------------------------------------------


def billed(messages: list[dict[str, Any]], texts: dict[int, str]) -> int:
    """Prompt tokens of `messages` with the messages at the given indices replaced by document text."""
    return count_messages([{**m, "content": texts.get(i, m["content"])} for i, m in enumerate(messages)])


def test_fileid_one_and_several_in_one_message(http: httpx2.Client) -> None:
    a = uploaded(http, "a.txt", "Alpha document.")
    b = uploaded(http, "b.md", "Beta 文档.")
    msgs = ask(refs(a["id"]))
    body = post(http, model="qwen-long", messages=msgs).json()
    assert body["choices"][0]["message"]["content"] == "Emulated reply: What is it about? (documents: a.txt)"
    assert body["usage"]["prompt_tokens"] == billed(msgs, {1: "Alpha document."})
    for order, names in (((a, b), "a.txt, b.md"), ((b, a), "b.md, a.txt")):
        msgs = ask(refs(*(f["id"] for f in order)))
        body = post(http, model="qwen-doc-turbo", messages=msgs).json()
        assert body["choices"][0]["message"]["content"].endswith(f"(documents: {names})")
        text = "\n".join("Alpha document." if f is a else "Beta 文档." for f in order)
        assert body["usage"]["prompt_tokens"] == billed(msgs, {1: text})


def test_fileid_several_messages_and_appended_later(http: httpx2.Client) -> None:
    a = uploaded(http, "a.txt", "A" * 40)
    b = uploaded(http, "b.csv", "x,y\n1,2")
    c = uploaded(http, "c.json", '{"k": "v"}')
    msgs = [
        SYSTEM,
        {"role": "system", "content": refs(a["id"])},
        {"role": "system", "content": refs(b["id"], c["id"])},
        {"role": "user", "content": "Summarise"},
        {"role": "assistant", "content": "Done."},
        {"role": "system", "content": refs(a["id"])},
        {"role": "user", "content": "Compare"},
    ]
    body = post(http, model="qwen-long", messages=msgs).json()
    answer = body["choices"][0]["message"]["content"]
    assert answer == "Emulated reply: Compare (documents: a.txt, b.csv, c.json, a.txt)"
    expected = billed(msgs, {1: "A" * 40, 2: 'x,y\n1,2\n{"k": "v"}', 5: "A" * 40})
    assert body["usage"]["prompt_tokens"] == expected != count_messages(msgs)
    events = sse(
        post(http, model="qwen-long", messages=msgs, stream=True, stream_options={"include_usage": True}).text
    )[:-1]
    assert "".join(e["choices"][0]["delta"]["content"] for e in events[:-1]) == answer
    assert events[-1]["usage"]["prompt_tokens"] == expected
    # Not a reference (space after the comma): a plain system message, no validation, billed as written.
    plain = ask(f"fileid://{a['id']}, fileid://{b['id']}", q="hi")
    reply = post(http, model="qwen-long", messages=plain).json()
    assert reply["choices"][0]["message"]["content"] == "Emulated reply: hi"
    assert reply["usage"]["prompt_tokens"] == count_messages(plain)


def test_fileid_errors(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    good = uploaded(http, "g.txt", "good")
    chat_error(
        post(http, model="qwen-long", messages=ask(refs(good["id"], "file-fe-nope"))),
        400,
        "Invalid file [id:file-fe-nope].",
    )
    batch = uploaded(http, "in.jsonl", "{}", purpose="batch")
    chat_error(post(http, model="qwen-long", messages=ask(refs(batch["id"]))), 400, f"Invalid file [id:{batch['id']}].")
    emu.delete_file(good["id"])
    chat_error(post(http, model="qwen-long", messages=ask(refs(good["id"]))), 400, f"Invalid file [id:{good['id']}].")
    hundred = [f"file-fe-{i:024x}" for i in range(100)]
    chat_error(post(http, model="qwen-long", messages=ask(refs(*hundred))), 400, f"Invalid file [id:{hundred[0]}].")
    split = ask(refs(*hundred[:60]), refs(*hundred[60:], "file-fe-extra"))
    chat_error(post(http, model="qwen-long", messages=split), 400, "Too many files provided.")


def test_model_without_file_context_ignores_fileid(http: httpx2.Client) -> None:
    msgs = ask(refs("file-fe-unknown"), q="hi")
    body = post(http, model="qwen-plus", messages=msgs).json()
    assert body["choices"][0]["message"]["content"] == "Emulated reply: hi"
    assert body["usage"]["prompt_tokens"] == count_messages(msgs)


# -- Qwen-MT --------------------------------------------------------------------------------------


def mt(
    http: httpx2.Client, text: str = "我看到这个视频后没有笑", model: str = "qwen-mt-flash", **options: Any
) -> httpx2.Response:
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": text}]}
    if options:
        body["translation_options"] = options
    return post(http, **body)


def test_mt_role_errors(http: httpx2.Client) -> None:
    user = {"role": "user", "content": "你好"}
    call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    for msgs in (
        [SYSTEM, user],
        [user, {"role": "assistant", "content": "Hello"}, user],
        [
            user,
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "content": "x", "tool_call_id": "call_1"},
        ],
    ):
        resp = post(
            http,
            model="qwen-mt-plus",
            messages=msgs,
            translation_options={"source_lang": "auto", "target_lang": "English"},
        )
        chat_error(resp, 500, "Role must be in [user, assistant]", "internal_error", "InternalError.Algo")
    chat_error(
        post(http, model="qwen-mt-turbo", messages=[user, user]), 400, "Qwen-MT only supports single-turn translation."
    )


def test_mt_language_validation(http: httpx2.Client) -> None:
    assert len(LANGUAGES) == 92 and len(LITE_LANGUAGES) == 31 and LITE_LANGUAGES <= LANGUAGES
    chat_error(mt(http, target_lang="English"), 400, "translation_options.source_lang is required")
    chat_error(mt(http, source_lang="Chinese"), 400, "translation_options.target_lang is required")
    for source, target in (
        ("zh", "English"),
        ("Chinese", "en"),
        ("chinese", "English"),
        ("Chinese", "auto"),
        ("Chinese", "Ta'izzi-Adeni Arabic"),
        ("Simplified Chinese", "English"),
        ("Chinese", 1),
    ):
        chat_error(mt(http, source_lang=source, target_lang=target), 400, "暂时不支持当前设置的语种！")
    for target in ("Ta’izzi-Adeni Arabic", "Norwegian Bokmål", "Traditional Chinese", "Western Persian"):
        assert (
            mt(http, source_lang="auto", target_lang=target)
            .json()["choices"][0]["message"]["content"]
            .startswith(f"[{target}] ")
        )
    chat_error(
        mt(http, model="qwen-mt-lite", source_lang="Chinese", target_lang="Burmese"), 400, "暂时不支持当前设置的语种！"
    )
    chat_error(
        mt(http, model="qwen-mt-lite", source_lang="Khmer", target_lang="English"), 400, "暂时不支持当前设置的语种！"
    )
    lite = mt(http, model="qwen-mt-lite", source_lang="auto", target_lang="Ukrainian")
    assert lite.json()["choices"][0]["message"]["content"] == "[Ukrainian] 我看到这个视频后没有笑"
    assert mt(http, source_lang="Chinese", target_lang="Burmese").status_code == 200


def test_mt_answer_terms_and_usage(http: httpx2.Client) -> None:
    options = {
        "source_lang": "auto",
        "target_lang": "English",
        "terms": [
            {"source": "视频", "target": "video"},
            {"source": "video", "target": "clip"},
            {"source": "笑", "target": "laugh"},
        ],
        "tm_list": [{"source": "您好", "target": "Hello"}],
        "domains": "The sentence is from IT.",
    }
    body = mt(http, **options).json()
    assert body["choices"][0]["message"]["content"] == "[English] 我看到这个clip后没有laugh"
    message = body["choices"][0]["message"]
    assert message["annotations"] is None and body["usage"]["prompt_tokens_details"] is None
    custom = mt(http).json()
    assert custom["choices"][0]["message"]["content"] == "Emulated reply: 我看到这个视频后没有笑"
    extra = count_text(json.dumps(options, ensure_ascii=False))
    assert body["usage"]["prompt_tokens"] == custom["usage"]["prompt_tokens"] + extra
    ignored = post(http, model="qwen-plus", messages=[{"role": "user", "content": "hi"}], translation_options=options)
    assert ignored.json()["choices"][0]["message"]["content"] == "Emulated reply: hi"


def test_mt_streams_with_translation_options(http: httpx2.Client) -> None:
    options = {"translation_options": {"source_lang": "Chinese", "target_lang": "English"}}
    msgs = [{"role": "user", "content": "我看到这个视频后没有笑，因为它一点也不好笑。"}]
    full = "[English] " + msgs[0]["content"]
    plus = [
        e for e in sse(post(http, model="qwen-mt-plus", messages=msgs, stream=True, **options).text) if e != "[DONE]"
    ]
    texts = [e["choices"][0]["delta"]["content"] for e in plus]
    assert texts[0] == "" and texts[-1] == full and len(texts) > 3
    assert all(b.startswith(a) and len(b) >= len(a) for a, b in itertools.pairwise(texts))
    assert [e["choices"][0]["finish_reason"] for e in plus].count("stop") == 1
    flash = [
        e
        for e in sse(
            post(
                http,
                model="qwen-mt-flash",
                messages=msgs,
                stream=True,
                **options,
                stream_options={"include_usage": True},
            ).text
        )
        if e != "[DONE]"
    ]
    pieces = [e["choices"][0]["delta"]["content"] for e in flash[:-1]]
    assert "".join(pieces) == full and len(pieces) > 3 and full not in pieces
    assert [e["choices"][0]["finish_reason"] for e in flash[-3:-1]] == ["stop", "stop"]
    usage = flash[-1]["usage"]
    non_stream = post(http, model="qwen-mt-flash", messages=msgs, **options).json()["usage"]
    assert usage == non_stream and usage["prompt_tokens_details"] is None

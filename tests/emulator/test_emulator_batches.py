"""Emulator Batch API (F8) over real loopback HTTP: creation, lifecycle, results, failures, cancel, listing."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest

from langchain_qwen.testing import DashScopeEmulator

CHAT = "/v1/chat/completions"
BATCH_ID = re.compile(r"batch_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
OBJECT_KEYS = [
    "id",
    "object",
    "endpoint",
    "errors",
    "input_file_id",
    "completion_window",
    "status",
    "output_file_id",
    "error_file_id",
    "created_at",
    "in_progress_at",
    "expires_at",
    "finalizing_at",
    "completed_at",
    "failed_at",
    "expired_at",
    "cancelling_at",
    "cancelled_at",
    "request_counts",
    "metadata",
]


@pytest.fixture(autouse=True)
def _instant(emu: DashScopeEmulator) -> Iterator[None]:
    emu.batch_seconds = 0.0
    yield
    emu.batch_seconds = 0.0


def line(custom_id: str, q: str = "hi", url: str = CHAT, **body: Any) -> dict[str, Any]:
    body = {"model": "qwen-plus", "messages": [{"role": "user", "content": q}], **body}
    return {"custom_id": custom_id, "method": "POST", "url": url, "body": body}


def jsonl(lines: list[Any]) -> bytes:
    return "".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines).encode()


def upload(oai: openai.OpenAI, lines: list[Any]) -> str:
    return oai.files.create(file=("input.jsonl", jsonl(lines)), purpose="batch").id


def create(http: httpx2.Client, file_id: str, endpoint: str = CHAT, **extra: Any) -> httpx2.Response:
    return http.post(
        "/batches", json={"input_file_id": file_id, "endpoint": endpoint, "completion_window": "24h", **extra}
    )


def run(oai: openai.OpenAI, lines: list[Any], endpoint: str = CHAT) -> Any:
    """Upload, create and read back a batch (batch_seconds 0: completed or failed on the first GET)."""
    file_id = upload(oai, lines)
    batch = oai.batches.create(
        input_file_id=file_id,
        endpoint=endpoint,
        completion_window="24h",  # type: ignore[arg-type]
    )
    return oai.batches.retrieve(batch.id)


def content(oai: openai.OpenAI, file_id: str) -> list[dict[str, Any]]:
    text = oai.files.content(file_id).text
    assert text.endswith("\n")
    return [json.loads(x) for x in text.splitlines()]


def bare_error(
    resp: httpx2.Response,
    status: int,
    message: str,
    param: str | None = None,
    code: str | None = "invalid_parameter_error",
) -> None:
    assert resp.status_code == status, resp.text
    assert resp.json() == {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}


# -- creation -------------------------------------------------------------------------------------


def test_create_returns_the_captured_shape(emu: DashScopeEmulator, oai: openai.OpenAI, http: httpx2.Client) -> None:
    file_id = upload(oai, [line("1")])
    metadata = {"ds_name": "测试任务", "ds_description": "任务描述", "ds_batch_finish_callback": "https://example.com"}
    before = int(time.time())
    resp = create(http, file_id, metadata=metadata)
    assert resp.status_code == 200, resp.text
    obj = resp.json()
    assert list(obj) == OBJECT_KEYS and BATCH_ID.fullmatch(obj["id"])
    assert {k: obj[k] for k in ("object", "endpoint", "errors", "input_file_id", "completion_window", "status")} == {
        "object": "batch",
        "endpoint": CHAT,
        "errors": None,
        "input_file_id": file_id,
        "completion_window": "24h",
        "status": "validating",
    }
    assert before <= obj["created_at"] <= time.time() + 1
    unset = [k for k in OBJECT_KEYS if k.endswith(("_at", "_file_id")) and k not in ("created_at", "input_file_id")]
    assert all(obj[k] is None for k in unset)
    assert obj["request_counts"] == {"total": 0, "completed": 0, "failed": 0} and obj["metadata"] == metadata
    done = http.get(f"/batches/{obj['id']}").json()
    assert done["status"] == "completed" and done["expires_at"] is None and done["metadata"] == metadata
    assert emu.batches[obj["id"]] == done and list(emu.batches) == [obj["id"]]


def test_create_validation(emu: DashScopeEmulator, oai: openai.OpenAI, http: httpx2.Client) -> None:
    good = upload(oai, [line("1")])
    extract = emu.add_file("some text", "doc.txt").id
    bare_error(
        create(http, "file-batch-000000000000000000000000"),
        400,
        "Invalid file [id:file-batch-000000000000000000000000].",
        "input_file_id",
    )
    bare_error(create(http, extract), 400, f"File [id:{extract}] purpose must be 'batch'.", "input_file_id")
    for endpoint in ("/v1/completions", "/v1/chat/completion", "/chat/completions"):
        bare_error(
            create(http, good, endpoint),
            400,
            f"Invalid endpoint '{endpoint}'. Supported endpoints: "
            "/v1/chat/completions, /v1/embeddings, /v1/chat/ds-test.",
            "endpoint",
        )
    for window in ("23h", "15d", "337h", "24", "1w", "0d", " 24h", 24):
        resp = create(http, good, completion_window=window)
        bare_error(
            resp,
            400,
            f"Invalid completion_window '{window}': use an integer followed by 'h' or 'd', from 24h to 336h.",
            "completion_window",
        )
    for window in ("24h", "1d", "14d", "336h", "48h"):
        assert create(http, good, completion_window=window).json()["completion_window"] == window
    bare_error(
        create(http, good, metadata={"ds_name": "x" * 101}),
        400,
        "metadata.ds_name must be a string of at most 100 characters.",
        "metadata.ds_name",
    )
    bare_error(
        create(http, good, metadata={"ds_description": "y" * 201}),
        400,
        "metadata.ds_description must be a string of at most 200 characters.",
        "metadata.ds_description",
    )
    assert create(http, good, metadata={"ds_name": "x" * 100, "ds_description": "y" * 200}).status_code == 200
    bare_error(create(http, good, metadata=["x"]), 400, "metadata must be an object.", "metadata")
    bare_error(
        http.post("/batches", json={"endpoint": CHAT, "completion_window": "24h"}),
        400,
        "Missing required parameter: 'input_file_id'.",
        "input_file_id",
    )
    bare_error(
        http.post("/batches", content=b"{", headers={"Content-Type": "application/json"}),
        400,
        "Required body invalid, please check the request body format.",
    )
    assert create(http, good).json()["metadata"] is None


# -- lifecycle ------------------------------------------------------------------------------------


def test_lifecycle_phases_follow_batch_seconds(emu: DashScopeEmulator, oai: openai.OpenAI) -> None:
    emu.batch_seconds = 0.9
    file_id = upload(oai, [line(str(i)) for i in range(4)])
    batch = oai.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h")
    seen = [batch.status]
    snapshots: dict[str, Any] = {}
    deadline = time.monotonic() + 10
    while seen[-1] != "completed" and time.monotonic() < deadline:
        current = oai.batches.retrieve(batch.id)
        if current.status != seen[-1]:
            seen.append(current.status)
        snapshots[current.status] = current
        time.sleep(0.02)
    assert seen == ["validating", "in_progress", "finalizing", "completed"]
    running = snapshots["in_progress"]
    assert running.request_counts.total == 4 and running.in_progress_at and running.finalizing_at is None
    assert running.output_file_id is None
    assert snapshots["finalizing"].request_counts.completed == 4 and snapshots["finalizing"].output_file_id is None
    done = snapshots["completed"]
    assert done.created_at <= done.in_progress_at <= done.finalizing_at <= done.completed_at <= time.time() + 1
    assert done.output_file_id and done.error_file_id is None and done.failed_at is None


def test_batch_seconds_is_taken_at_creation(emu: DashScopeEmulator, oai: openai.OpenAI) -> None:
    emu.batch_seconds = 60
    file_id = upload(oai, [line("1")])
    slow = oai.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h")
    emu.batch_seconds = 0
    fast = oai.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h")
    assert oai.batches.retrieve(slow.id).status == "validating"
    assert oai.batches.retrieve(fast.id).status == "completed"
    assert emu.batches[slow.id]["status"] == "validating"


# -- results --------------------------------------------------------------------------------------


def test_output_lines_are_live_answers_in_reverse_order(
    emu: DashScopeEmulator, oai: openai.OpenAI, http: httpx2.Client
) -> None:
    lines = [line(f"req-{i}", f"question {i}") for i in range(5)]
    lines[2]["body"]["temperature"] = 2.5
    lines[3]["body"]["messages"] = [{"role": "system", "content": "no user"}]
    batch = run(oai, lines)
    assert batch.status == "completed"
    assert batch.request_counts.model_dump() == {"total": 5, "completed": 3, "failed": 2}
    assert batch.output_file_id.startswith("file-batch_output-")  # type: ignore[union-attr]
    assert batch.error_file_id.startswith("file-batch_error-")  # type: ignore[union-attr]
    assert emu.files[batch.output_file_id].purpose == "batch"
    out = content(oai, batch.output_file_id)
    assert [x["custom_id"] for x in out] == ["req-4", "req-1", "req-0"]  # reverse input order
    for x in out:
        assert list(x) == ["id", "custom_id", "response", "error"] and x["error"] is None
        response = x["response"]
        assert list(response) == ["status_code", "request_id", "body"]
        assert response["status_code"] == 200 and response["request_id"] == x["id"]
        body = response["body"]
        assert body["id"] == f"chatcmpl-{x['id']}" and body["object"] == "chat.completion"
        assert body["model"] == "qwen-plus" and body["choices"][0]["finish_reason"] == "stop"
        n = x["custom_id"].split("-")[1]
        assert body["choices"][0]["message"]["content"] == f"Emulated reply: question {n}"
        live = http.post("/chat/completions", json=lines[int(n)]["body"]).json()
        assert body["usage"] == live["usage"] and list(body) == list(live)
        assert body["choices"][0]["message"] == live["choices"][0]["message"]
    errors = content(oai, batch.error_file_id)
    assert [x["custom_id"] for x in errors] == ["req-3", "req-2"]
    temperature = errors[1]
    assert temperature["error"] == {"code": "invalid_parameter_error", "message": "Temperature should be in [0.0, 2.0)"}
    assert temperature["response"] == {
        "status_code": 400,
        "request_id": temperature["id"],
        "body": {
            "error": {
                "message": "Temperature should be in [0.0, 2.0)",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_parameter_error",
            }
        },
    }
    assert errors[0]["error"]["message"] == "The input messages do not contain elements with the role of user."


def test_stream_only_model_and_thinking_lines_are_answered(oai: openai.OpenAI) -> None:
    batch = run(oai, [line("a", "9.9 or 9.11?", model="qwq-plus"), line("b", "x", model="qwq-plus", stream=False)])
    out = {x["custom_id"]: x["response"]["body"] for x in content(oai, batch.output_file_id)}
    assert batch.request_counts.completed == 2 and set(out) == {"a", "b"}
    message = out["a"]["choices"][0]["message"]
    assert message["reasoning_content"].startswith("The user asked: 9.9 or 9.11?")
    assert out["a"]["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    thinking = run(oai, [line("t", model="qwen-plus", enable_thinking=True)])
    assert content(oai, thinking.output_file_id)[0]["response"]["body"]["choices"][0]["message"]["reasoning_content"]


def test_embeddings_batch_matches_live_embeddings(oai: openai.OpenAI) -> None:
    texts = [["alpha beta", "gamma"], ["熊猫 pandas"], ["delta"]]
    lines = [
        {
            "custom_id": str(i),
            "method": "POST",
            "url": "/v1/embeddings",
            "body": {"model": "text-embedding-v4", "input": t, "dimensions": 64},
        }
        for i, t in enumerate(texts)
    ]
    lines.append({**lines[0], "custom_id": "bad", "body": {"model": "text-embedding-v4", "input": []}})
    batch = run(oai, lines, "/v1/embeddings")
    assert batch.status == "completed"
    assert batch.request_counts.model_dump() == {"total": 4, "completed": 3, "failed": 1}
    out = content(oai, batch.output_file_id)
    assert [x["custom_id"] for x in out] == ["2", "1", "0"]
    for x in out:
        body = x["response"]["body"]
        live = oai.embeddings.create(
            model="text-embedding-v4", input=texts[int(x["custom_id"])], dimensions=64, encoding_format="float"
        )
        assert [d["embedding"] for d in body["data"]] == [d.embedding for d in live.data]
        assert body["id"] == x["id"] and body["usage"] == live.usage.model_dump()
    assert content(oai, batch.error_file_id)[0]["error"]["code"] == "invalid_parameter_error"


def test_ds_test_endpoint_answers_canned_completions(oai: openai.OpenAI) -> None:
    lines = [line(str(i), url="/v1/chat/ds-test", model="batch-test-model") for i in range(3)]
    batch = run(oai, lines, "/v1/chat/ds-test")
    out = content(oai, batch.output_file_id)
    assert batch.request_counts.completed == 3 and [x["custom_id"] for x in out] == ["2", "1", "0"]
    body = out[0]["response"]["body"]
    assert body["model"] == "batch-test-model" and body["object"] == "chat.completion"
    reply = "This is a test result from batch-test-model."
    assert body["choices"][0]["message"] == {"role": "assistant", "content": reply}
    assert body["usage"]["prompt_tokens"] > 0
    wrong = run(oai, [line("1", url="/v1/chat/ds-test")], "/v1/chat/ds-test")
    assert wrong.status == "failed" and wrong.errors.data[0].code == "model_not_found"  # type: ignore[union-attr]
    many = run(
        oai, [line(str(i), url="/v1/chat/ds-test", model="batch-test-model") for i in range(101)], "/v1/chat/ds-test"
    )
    assert many.errors.data[0].model_dump() == {  # type: ignore[union-attr]
        "code": "too_many_requests",
        "message": "The input file contains more than 100 requests.",
        "param": None,
        "line": 101,
    }


# -- file-level failures --------------------------------------------------------------------------


FILE_FAILURES = [
    (
        [line("1"), line("2", url="/v1/chat/completion")],
        2,
        "url_not_found",
        "The provided url '/v1/chat/completion' is not supported by the Batch API.",
        "url",
    ),
    (
        [line("1"), line("2", model="qwen-max")],
        2,
        "mismatched_model",
        "The model 'qwen-max' for this request does not match the rest of the batch. Each batch must contain requests "
        "for a single model.",
        "body.model",
    ),
    (
        [line("1"), "", line("2"), line("1")],
        4,
        "duplicate_custom_id",
        "The custom_id '1' is duplicated. Each request in a batch must have a unique custom_id.",
        "custom_id",
    ),
    ([line("1"), '{"custom_id": "2",'], 2, "invalid_json_line", "This line is not parseable as valid JSON.", None),
    (
        [line("1", model="qwen-math-plus")],
        1,
        "model_not_found",
        "The provided model qwen-math-plus is not supported by the Batch API.",
        "body.model",
    ),
    (
        [line("1", model="text-embedding-v4")],
        1,
        "model_not_found",
        "The provided model text-embedding-v4 is not supported by the Batch API.",
        "body.model",
    ),
    (
        [line("1"), line("2", enable_thinking=True)],
        2,
        "mismatched_thinking",
        "The thinking mode of this request does not match the rest of the batch. Each batch must contain requests "
        "with the same thinking mode.",
        "body.enable_thinking",
    ),
    (
        [line("1"), {**line("2"), "method": "GET"}],
        2,
        "invalid_request",
        "The request is missing 'method' or 'method' is invalid.",
        "method",
    ),
    (
        [{**line("1"), "custom_id": 1}],
        1,
        "invalid_request",
        "The request is missing 'custom_id' or 'custom_id' is invalid.",
        "custom_id",
    ),
]


@pytest.mark.parametrize(
    ("lines", "line_no", "code", "message", "param"),
    FILE_FAILURES,
    ids=[f[2] + str(i) for i, f in enumerate(FILE_FAILURES)],
)
def test_file_level_failures(
    oai: openai.OpenAI, http: httpx2.Client, lines: list[Any], line_no: int, code: str, message: str, param: str | None
) -> None:
    batch = run(oai, lines)
    obj = http.get(f"/batches/{batch.id}").json()
    assert obj["status"] == "failed" and obj["failed_at"] and obj["in_progress_at"] is None
    assert obj["errors"] == {
        "object": "list",
        "data": [{"code": code, "message": message, "param": param, "line": line_no}],
    }
    assert obj["output_file_id"] is None and obj["error_file_id"] is None
    assert obj["request_counts"] == {"total": 0, "completed": 0, "failed": 0}


def test_empty_file_fails(emu: DashScopeEmulator, oai: openai.OpenAI) -> None:
    file_id = emu.add_file("\n\n", "blank.jsonl", "batch", check=False).id
    batch = oai.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h")
    errors = oai.batches.retrieve(batch.id).errors
    assert errors.data[0].code == "empty_file" and errors.data[0].line is None  # type: ignore[union-attr]


# -- cancel ---------------------------------------------------------------------------------------


def test_cancel_then_cancelled_with_error_file(emu: DashScopeEmulator, oai: openai.OpenAI, http: httpx2.Client) -> None:
    emu.batch_seconds = 60
    batch = oai.batches.create(
        input_file_id=upload(oai, [line(str(i)) for i in range(3)]), endpoint=CHAT, completion_window="24h"
    )
    before = int(time.time())
    cancelling = oai.batches.cancel(batch.id)
    assert cancelling.status == "cancelling" and cancelling.cancelling_at is None and cancelling.cancelled_at is None
    cancelled = oai.batches.retrieve(batch.id)
    assert cancelled.status == "cancelled"
    assert before <= cancelled.cancelling_at <= cancelled.cancelled_at  # type: ignore[operator]
    assert cancelled.request_counts.model_dump() == {"total": 3, "completed": 0, "failed": 3}
    assert cancelled.output_file_id is None
    assert cancelled.error_file_id.startswith("file-batch_error-")  # type: ignore[union-attr]
    errors = content(oai, cancelled.error_file_id)  # type: ignore[arg-type]
    assert sorted(x["custom_id"] for x in errors) == ["0", "1", "2"]
    assert all(
        x["error"] == {"code": "batch_cancelled", "message": "Batch was cancelled before this request ran."}
        and x["response"] is None
        for x in errors
    )
    assert oai.batches.cancel(batch.id).status == "cancelled"  # idempotent
    emu.batch_seconds = 0
    done = run(oai, [line("1")])
    bare_error(http.post(f"/batches/{done.id}/cancel"), 400, "Cannot cancel a batch with status 'completed'.")
    bare_error(http.post("/batches/batch_nope/cancel"), 404, "Batch not found.", code="not_found")


def test_cancel_during_in_progress(emu: DashScopeEmulator, oai: openai.OpenAI) -> None:
    emu.batch_seconds = 6.0  # validating [0, 2) s, in_progress [2, 4) s: a wide window, even on a loaded machine
    batch = oai.batches.create(
        input_file_id=upload(oai, [line("1"), line("2")]), endpoint=CHAT, completion_window="24h"
    )
    give_up = time.monotonic() + 10
    while (status := oai.batches.retrieve(batch.id).status) == "validating" and time.monotonic() < give_up:
        time.sleep(0.05)
    assert status == "in_progress"
    assert oai.batches.cancel(batch.id).status == "cancelling"
    cancelled = oai.batches.retrieve(batch.id)
    assert cancelled.status == "cancelled" and cancelled.completed_at is None and cancelled.in_progress_at
    assert cancelled.request_counts.failed == 2


# -- retrieve / list ------------------------------------------------------------------------------


def test_retrieve_unknown_and_wrong_methods(http: httpx2.Client) -> None:
    bare_error(http.get("/batches/batch_unknown"), 404, "Batch not found.", code="not_found")
    bare_error(http.delete("/batches/batch_unknown"), 405, "Method Not Allowed.", code="method_not_allowed")
    bare_error(http.get("/batches/x/cancel"), 405, "Method Not Allowed.", code="method_not_allowed")


def test_empty_list_has_null_data(oai: openai.OpenAI, http: httpx2.Client) -> None:
    resp = http.get("/batches")
    assert resp.status_code == 200
    assert resp.json() == {"object": "list", "data": None, "first_id": None, "last_id": None, "has_more": False}
    assert list(oai.batches.list()) == []


def test_list_pages_newest_first_with_filters(emu: DashScopeEmulator, oai: openai.OpenAI, http: httpx2.Client) -> None:
    file_id = upload(oai, [line("1")])
    ids = [create(http, file_id, metadata={"ds_name": f"job {i}"}).json()["id"] for i in range(5)]
    emu.batch_seconds = 60
    slow = create(http, file_id).json()["id"]
    page = http.get("/batches", params={"limit": 2}).json()
    assert [b["id"] for b in page["data"]] == [slow, ids[4]]
    assert (page["first_id"], page["last_id"], page["has_more"]) == (slow, ids[4], True)
    page = http.get("/batches", params={"limit": 2, "after": ids[4]}).json()
    assert [b["id"] for b in page["data"]] == [ids[3], ids[2]] and page["has_more"] is True
    page = http.get("/batches", params={"after": ids[1]}).json()
    assert [b["id"] for b in page["data"]] == [ids[0]] and page["has_more"] is False
    assert http.get("/batches", params={"after": "batch_unknown"}).json()["data"] is None
    assert [b.id for b in oai.batches.list(limit=4)] == [slow, *ids[::-1]]  # SDK auto-paging with `after`
    done = http.get("/batches", params={"status": "completed"}).json()
    assert [b["id"] for b in done["data"]] == ids[::-1]
    mixed = http.get("/batches", params={"status": "validating,failed"}).json()
    assert [b["id"] for b in mixed["data"]] == [slow]
    assert http.get("/batches", params={"status": "cancelled"}).json()["data"] is None
    assert [b["id"] for b in http.get("/batches", params={"ds_name": "job 2"}).json()["data"]] == [ids[2]]
    assert len(http.get("/batches", params={"input_file_ids": file_id}).json()["data"]) == 6
    assert http.get("/batches", params={"create_after": "20990101000000"}).json()["data"] is None
    assert len(http.get("/batches", params={"create_before": "20990101000000"}).json()["data"]) == 6
    for bad in ("0", "101", "x"):
        bare_error(
            http.get("/batches", params={"limit": bad}), 400, "'limit' must be an integer between 1 and 100", "limit"
        )
    bare_error(
        http.get("/batches", params={"create_after": "2026-01-01"}),
        400,
        "'create_after' must be formatted as yyyyMMddHHmmss",
        "create_after",
    )


# -- faults and scale -----------------------------------------------------------------------------


def test_throttling_fault_on_batch_paths(emu: DashScopeEmulator, oai: openai.OpenAI, http: httpx2.Client) -> None:
    file_id = upload(oai, [line("1")])
    emu.inject(path="/batches", status=429, times=2)
    message = (
        "Too many requests. Batch requests are being throttled due to system capacity limits. Please try again later."
    )
    bare_error(create(http, file_id), 429, message, code="insufficient_quota")
    bare_error(http.get("/batches/batch_x"), 429, message, code="insufficient_quota")  # paths below /batches too
    batch = create(http, file_id).json()
    emu.inject(path="/batches", status=429, code="Throttling")
    with pytest.raises(openai.RateLimitError):
        oai.batches.retrieve(batch["id"])
    assert oai.batches.retrieve(batch["id"]).status == "completed"
    assert [r.path for r in emu.requests if r.path.startswith("/batches")][-2:] == [f"/batches/{batch['id']}"] * 2


def test_large_batch_completes_quickly(emu: DashScopeEmulator, oai: openai.OpenAI) -> None:
    count = 5_000  # enough to show the per-line cost stays small; 20,000 took ~4 s of the default run
    lines = [line(f"id-{i}", f"question number {i}") for i in range(count)]
    start = time.perf_counter()
    batch = run(oai, lines)
    out = oai.files.content(batch.output_file_id).text.splitlines()  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    print(f"\n{count}-line batch: upload + create + execute + download in {elapsed:.2f} s")
    assert batch.status == "completed" and batch.request_counts.completed == count
    assert len(out) == count and json.loads(out[0])["custom_id"] == f"id-{count - 1}"
    last = json.loads(out[-1])["response"]["body"]["choices"][0]["message"]
    assert last["content"] == "Emulated reply: question number 0"
    assert elapsed < 30


def test_2026_models_think_by_default_and_cap_input_at_256k(oai: openai.OpenAI) -> None:
    # [A10][BATCH-2606]: 3.5-3.7 are served by Batch, think unless the line's body says otherwise, and a
    # request's input is capped at 256K tokens even where the model's context is 1M.
    batch = run(
        oai, [line("a", model="qwen3.6-plus"), line("b", model="qwen3.6-plus", extra_body={"enable_thinking": False})]
    )
    out = {x["custom_id"]: x["response"]["body"] for x in content(oai, batch.output_file_id)}
    assert all(out[k]["choices"][0]["message"]["reasoning_content"] for k in "ab")  # extra_body is not read
    big = "word " * 270_000
    capped = run(oai, [line("big", big, model="qwen3.5-plus", enable_thinking=False)])
    [error] = content(oai, capped.error_file_id)
    assert error["response"]["body"]["error"]["message"] == "Range of input length should be [1, 262144]"

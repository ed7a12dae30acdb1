"""Builds the vcrpy cassettes in this folder from DashScope's documented payloads (run: python cassettes/build.py).

Each cassette names its source. Where a document elides frames ("……"), the frames in between are filled
in with the documented shapes and say so. Re-record any of them against the live service with
`DASHSCOPE_API_KEY=sk-... pytest tests/cassette_tests --record-mode=rewrite` (see README.md); the tests'
assertions hold for both the documented and the live payloads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
BASE = "https://dashscope.aliyuncs.com/compatible-mode/v1"
PROTO = "shared/dashscope-protocol.md"


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def request(path: str, body: Any = None, method: str = "POST") -> dict[str, Any]:
    return {
        "method": method,
        "uri": f"{BASE}{path}",
        "body": _dump(body) if body is not None else None,
        "headers": {"Authorization": ["**REDACTED**"], "Content-Type": ["application/json"]},
    }


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> dict[str, Any]:
    hdrs = {"content-type": ["application/json"], "x-request-id": ["7cb1f695-d0b5-963e-a5ed-93c07ed810be"]}
    hdrs.update({k: [v] for k, v in (headers or {}).items()})
    message = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests"}
    return {"status": {"code": status, "message": message.get(status, "Error")}, "headers": hdrs,
            "body": {"string": _dump(body)}}


def sse_response(frames: list[Any]) -> dict[str, Any]:
    text = "".join(f"data: {_dump(f) if not isinstance(f, str) else f}\n\n" for f in frames)
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["text/event-stream;charset=UTF-8"], "x-request-id": ["req-cassette"]},
        "body": {"string": text},
    }


def chunk(cid: str, model: str, delta: dict[str, Any], finish: str | None = None, created: int = 1741185359) -> dict:
    return {"choices": [{"delta": delta, "finish_reason": finish, "index": 0, "logprobs": None}],
            "object": "chat.completion.chunk", "usage": None, "created": created, "system_fingerprint": None,
            "model": model, "id": cid}


def usage_chunk(cid: str, model: str, usage: dict[str, Any], created: int = 1741185359) -> dict:
    return {"choices": [], "object": "chat.completion.chunk", "usage": usage, "created": created,
            "system_fingerprint": None, "model": model, "id": cid}


def write(name: str, source: str, interactions: list[tuple[dict, dict]]) -> None:
    data = {
        "source": source,
        "interactions": [{"request": rq, "response": rs} for rq, rs in interactions],
        "version": 1,
    }
    (HERE / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


SEED_SYS = {"role": "system", "content": "You are a helpful assistant."}


def plain_chat() -> None:
    body = {"model": "qwen2.5-14b-instruct", "messages": [SEED_SYS, {"role": "user", "content": "你好"}]}
    resp = {"id": "chatcmpl-ffdb4232-88c8-9d4d-a220-f2cfb1a098e9", "object": "chat.completion", "created": 1734513252,
            "model": "qwen2.5-14b-instruct",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "你好!有什么我可以帮助你的吗?"},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 20, "completion_tokens": 8, "total_tokens": 28}}
    write("plain_chat", "shared/seed-docs/qwen-llm-api-reseller.txt, request/response example 1 (verbatim; "
          "the reseller host is replaced by DashScope's Beijing host)", [(request("/chat/completions", body),
                                                                         json_response(resp))])
    sbody = {**body, "stream": True, "stream_options": {"include_usage": True}}
    cid, model = "chatcmpl-de564ea0-e018-920c-8481-b95dda73bfec", "qwen2.5-14b-instruct"
    frames: list[Any] = [chunk(cid, model, {"role": "assistant", "content": ""}, created=1734513335)]
    frames += [chunk(cid, model, {"content": t}, created=1734513335) for t in ("你好", "!", "有什么", "可以帮助你的吗?")]
    frames += [chunk(cid, model, {"content": ""}, "stop", created=1734513335),
               usage_chunk(cid, model, {"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27}, 1734513335),
               "[DONE]"]
    write("plain_chat_stream", "shared/seed-docs/qwen-llm-api-reseller.txt, example 2 (stream, verbatim frames; "
          "stream_options added as this client always sends it)", [(request("/chat/completions", sbody),
                                                                    sse_response(frames))])


def qwq_reasoning_stream() -> None:
    body = {"model": "qwq-32b", "messages": [{"role": "user", "content": "9.9和9.11谁大"}], "stream": True,
            "stream_options": {"include_usage": True}}
    cid, model = "chatcmpl-6c2000e7-b744-9e61-bd03-fc4333d0e5d1", "qwq-32b"
    frames: list[Any] = [chunk(cid, model, {"content": None, "role": "assistant", "reasoning_content": ""})]
    frames += [chunk(cid, model, {"content": None, "reasoning_content": t}) for t in ("嗯", ",", "用户")]
    frames += [chunk(cid, model, {"content": t, "reasoning_content": None}) for t in ("需", "进一步", "确认", "规则", "。")]
    frames += [chunk(cid, model, {"content": "", "reasoning_content": None}, "stop"),
               usage_chunk(cid, model, {"prompt_tokens": 18, "completion_tokens": 1015, "total_tokens": 1033}), "[DONE]"]
    write("qwq_reasoning_stream", "shared/seed-docs/qwq-quickstart.txt (the documented frames verbatim; the doc "
          "elides the middle of the stream with '......')", [(request("/chat/completions", body), sse_response(frames))])


def qwen3_thinking_stream() -> None:
    body = {"model": "qwen-plus", "messages": [{"role": "user", "content": "你是谁"}], "enable_thinking": True,
            "stream": True, "stream_options": {"include_usage": True}}
    cid, model, created = "chatcmpl-e2edaa8c-f1a2-9a1c-9a4e-8f2c1bd2a37e", "qwen-plus", 1745485391
    frames: list[Any] = [chunk(cid, model, {"content": None, "role": "assistant", "reasoning_content": ""}, None, created)]
    frames += [chunk(cid, model, {"content": None, "reasoning_content": t}, None, created)
               for t in ("好的", "，用户问", "我是谁。")]
    frames += [chunk(cid, model, {"content": t, "reasoning_content": None}, None, created)
               for t in ("我是", "通义千问", "。")]
    frames += [chunk(cid, model, {"content": "", "reasoning_content": None}, "stop", created),
               usage_chunk(cid, model, {"prompt_tokens": 10, "completion_tokens": 360, "total_tokens": 370}, created),
               "[DONE]"]
    write("qwen3_thinking_stream", f"{PROTO} F1.3 (official capture, model qwen-plus: first frame, the '好的' and "
          "'我是' frames, finish and usage frames verbatim; the frames between are filled in)",
          [(request("/chat/completions", body), sse_response(frames))])


WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_current_weather", "description": "当你想查询指定城市的天气时非常有用。",
    "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "城市或县区"}},
                   "required": ["location"]}}}


def parallel_tool_calls_stream() -> None:
    body = {"model": "qwen-plus", "messages": [{"role": "user", "content": "杭州和上海的天气怎么样？"}],
            "tools": [WEATHER_TOOL], "parallel_tool_calls": True, "stream": True,
            "stream_options": {"include_usage": True}}
    cid, model = "chatcmpl-3f8155c3-e96f-95bc-a2a6-8e48537a0893", "qwen-plus"

    def call(index: int, cid_: str, name: str | None, args: str) -> dict:
        return {"index": index, "id": cid_, "type": "function", "function": {"name": name, "arguments": args}}

    frames: list[Any] = [chunk(cid, model, {"content": "", "role": "assistant", "tool_calls": None})]
    frames += [
        chunk(cid, model, {"content": None, "tool_calls": [call(0, "call_8f08d2b0fc0c4d8fab7123", "get_current_weather", '{"location":')]}),
        chunk(cid, model, {"content": None, "tool_calls": [call(0, "", None, ' "杭州"}')]}),
        chunk(cid, model, {"content": None, "tool_calls": [call(1, "call_16c72bef988a4c6c8cb8e6", "get_current_weather", '{"location":')]}),
        chunk(cid, model, {"content": None, "tool_calls": [call(1, "", None, ' "上海"}')]}, "tool_calls"),
        usage_chunk(cid, model, {"prompt_tokens": 218, "completion_tokens": 42, "total_tokens": 260}), "[DONE]",
    ]
    write("parallel_tool_calls_stream", f"{PROTO} F3.3 (delta shapes of the official Python-SDK rendering: first delta "
          "with id and name, continuations with id '' and name null; finish_reason on the chunk with the last "
          "fragment as in the cnblogs parallel-tools capture); the second call and usage figures are illustrative",
          [(request("/chat/completions", body), sse_response(frames))])


def json_mode() -> None:
    body = {"model": "qwen-plus", "messages": [{"role": "system", "content": "Respond with a JSON object."},
                                               {"role": "user", "content": "我叫张三，今年25岁。提取姓名和年龄。"}],
            "response_format": {"type": "json_object"}}
    resp = {"id": "chatcmpl-9d5c3d4a-8b32-9b6e-8f2a-5d8c3f1e2b7a", "object": "chat.completion", "created": 1735120033,
            "model": "qwen-plus", "system_fingerprint": None, "service_tier": None,
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": '{"name": "张三", "age": 25}', "refusal": None,
                                     "audio": None, "function_call": None, "tool_calls": None}}],
            "usage": {"prompt_tokens": 33, "completion_tokens": 12, "total_tokens": 45,
                      "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": None}}
    write("json_mode", f"{PROTO} T.5 envelope and F4.1 json_object rule (the system instruction carries the word "
          "'JSON'); the JSON answer is illustrative", [(request("/chat/completions", body), json_response(resp))])


def partial_mode() -> None:
    prompt = "请帮我写一个python代码生成100以内的素数。不要输出非代码的内容和Markdown的代码块。"
    body = {"model": "qwen3-coder-plus", "messages": [{"role": "user", "content": prompt},
                                                      {"role": "assistant", "content": "def generate_prime_number",
                                                       "partial": True}]}
    text = ("(n):\n    primes = []\n    for i in range(2, n):\n        if all(i % p for p in primes):\n"
            "            primes.append(i)\n    return primes\n\nprint(generate_prime_number(100))")
    resp = {"id": "chatcmpl-5b1e2a4c-6d3f-9c8e-b7a1-2f4e6d8c0a9b", "object": "chat.completion", "created": 1735120100,
            "model": "qwen3-coder-plus",
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 38, "completion_tokens": 60, "total_tokens": 98}}
    write("partial_mode", f"{PROTO} F5.1 request (verbatim) and F5.2 (the answer holds only the continuation, "
          "beginning '(n):\\n    primes = []'; the rest of the code is filled in)",
          [(request("/chat/completions", body), json_response(resp))])


MT_OPTIONS = {"source_lang": "Chinese", "target_lang": "English"}
MT_WORDS = ["I", " didn", "'t", " laugh", " after", " watching", " this", " video", "."]


def mt_streams() -> None:
    for model, cumulative in (("qwen-mt-flash", False), ("qwen-mt-plus", True)):
        body = {"model": model, "messages": [{"role": "user", "content": "我看到这个视频后没有笑"}],
                "translation_options": MT_OPTIONS, "stream": True, "stream_options": {"include_usage": True}}
        cid = "chatcmpl-7a3b5c6d-1e2f-9a8b-9c0d-4e5f6a7b8c9d"
        frames: list[Any] = [chunk(cid, model, {"content": "", "role": "assistant"})]
        so_far = ""
        for word in MT_WORDS:
            so_far += word
            frames.append(chunk(cid, model, {"content": so_far if cumulative else word}))
        finish = [chunk(cid, model, {"content": so_far if cumulative else ""}, "stop")]
        frames += finish if cumulative else finish * 2  # qwen-mt-flash: two finish frames (documented)
        frames += [usage_chunk(cid, model, {"prompt_tokens": 61, "completion_tokens": 9, "total_tokens": 70,
                                            "completion_tokens_details": None, "prompt_tokens_details": None}), "[DONE]"]
        kind = "cumulative" if cumulative else "incremental"
        note = ("every delta repeats the whole text so far: 'I' / 'I didn' / \"I didn't\" ..." if cumulative
                else "incremental deltas and the two consecutive finish frames of the official flash example")
        write(f"mt_{kind}_stream", f"{PROTO} F6.2 request example and F6.3/F2.3 ({note}); usage figures illustrative",
              [(request("/chat/completions", body), sse_response(frames))])


def qwen_long() -> None:
    file_obj = {"id": "file-fe-5d5eb068893f4b5e8551ada4", "object": "file", "bytes": 7, "filename": "test2.txt",
                "purpose": "file-extract", "status": "processed", "status_details": None, "created_at": 1764499365}
    upload = {"method": "POST", "uri": f"{BASE}/files", "body": None,
              "headers": {"Authorization": ["**REDACTED**"]}}
    chat_body = {"model": "qwen-long", "messages": [SEED_SYS, {"role": "system", "content": f"fileid://{file_obj['id']}"},
                                                    {"role": "user", "content": "这篇文章讲了什么？"}],
                 "stream": True, "stream_options": {"include_usage": True}}
    cid, model = "chatcmpl-1b2c3d4e-5f6a-9b7c-8d9e-0f1a2b3c4d5e", "qwen-long"
    frames: list[Any] = [chunk(cid, model, {"content": "", "role": "assistant"})]
    frames += [chunk(cid, model, {"content": t}) for t in ("这篇文章", "只有一行", "测试文本。")]
    frames += [chunk(cid, model, {"content": ""}, "stop"),
               usage_chunk(cid, model, {"prompt_tokens": 36, "completion_tokens": 8, "total_tokens": 44}), "[DONE]"]
    delete = {"method": "DELETE", "uri": f"{BASE}/files/{file_obj['id']}", "body": None,
              "headers": {"Authorization": ["**REDACTED**"]}}
    write("qwen_long_upload_and_chat",
          f"{PROTO} F7.2 upload response (cnblogs capture upload-file-compatible-nosse, verbatim), "
          "shared/seed-docs/qwen-long-fileid.txt chat request (verbatim; its response is not captured, so the "
          "streamed answer is illustrative in the F2.2 shapes), F7.5 delete response",
          [(upload, json_response(file_obj)), (request("/chat/completions", chat_body), sse_response(frames)),
           (delete, json_response({"id": file_obj["id"], "object": "file", "deleted": True}))])


def errors() -> None:
    hi = {"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}], "enable_thinking": False}
    cases = {
        "error_invalid_api_key": (401, {"error": {"message": "Incorrect API key provided. ", "type": "invalid_request_error",
                                                  "param": None, "code": "invalid_api_key"},
                                        "request_id": "a1b2c3d4-0000-9000-8000-000000000401"},
                                  f"{PROTO} F13.6 (401 invalid_api_key wording with its trailing space)"),
        "error_moderation": (400, {"error": {"message": "Input data may contain inappropriate content. For details, see: "
                                             "https://help.aliyun.com/zh/model-studio/error-code#inappropriate-content",
                                             "type": "data_inspection_failed", "param": None,
                                             "code": "data_inspection_failed"},
                                   "id": "chatcmpl-0b8a5bdb-3c9f-9d7b-8c8d-3f8e5d7c1a2b",
                                   "request_id": "0b8a5bdb-3c9f-9d7b-8c8d-3f8e5d7c1a2b"},
                             f"{PROTO} F13.6 (compat moderation body quoted from 666ghj/BettaFish#449)"),
        "error_quota": (429, {"error": {"message": "You exceeded your current quota, please check your plan and billing "
                                        "details.", "type": "insufficient_quota", "param": None,
                                        "code": "insufficient_quota"}, "request_id": "c0ffee00-0000-9000-8000-000000000429"},
                        f"{PROTO} F13.6 (429 insufficient_quota: a rate limit on DashScope, retryable)"),
    }
    for name, (status, body, source) in cases.items():
        write(name, source, [(request("/chat/completions", hi), json_response(body, status))] * 3)


def main() -> None:
    for build in (plain_chat, qwq_reasoning_stream, qwen3_thinking_stream, parallel_tool_calls_stream, json_mode,
                  partial_mode, mt_streams, qwen_long, errors):
        build()
    print("\n".join(sorted(p.name for p in HERE.glob("*.yaml"))))


if __name__ == "__main__":
    main()

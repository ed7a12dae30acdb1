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
    return {
        "status": {"code": status, "message": message.get(status, "Error")},
        "headers": hdrs,
        "body": {"string": _dump(body)},
    }


def sse_response(frames: list[Any]) -> dict[str, Any]:
    text = "".join(f"data: {_dump(f) if not isinstance(f, str) else f}\n\n" for f in frames)
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["text/event-stream;charset=UTF-8"], "x-request-id": ["req-cassette"]},
        "body": {"string": text},
    }


def chunk(cid: str, model: str, delta: dict[str, Any], finish: str | None = None, created: int = 1741185359) -> dict:
    return {
        "choices": [{"delta": delta, "finish_reason": finish, "index": 0, "logprobs": None}],
        "object": "chat.completion.chunk",
        "usage": None,
        "created": created,
        "system_fingerprint": None,
        "model": model,
        "id": cid,
    }


def usage_chunk(cid: str, model: str, usage: dict[str, Any], created: int = 1741185359) -> dict:
    return {
        "choices": [],
        "object": "chat.completion.chunk",
        "usage": usage,
        "created": created,
        "system_fingerprint": None,
        "model": model,
        "id": cid,
    }


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
    resp = {
        "id": "chatcmpl-ffdb4232-88c8-9d4d-a220-f2cfb1a098e9",
        "object": "chat.completion",
        "created": 1734513252,
        "model": "qwen2.5-14b-instruct",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "你好!有什么我可以帮助你的吗?"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 8, "total_tokens": 28},
    }
    write(
        "plain_chat",
        "shared/seed-docs/qwen-llm-api-reseller.txt, request/response example 1 (verbatim; "
        "the reseller host is replaced by DashScope's Beijing host)",
        [(request("/chat/completions", body), json_response(resp))],
    )
    sbody = {**body, "stream": True, "stream_options": {"include_usage": True}}
    cid, model = "chatcmpl-de564ea0-e018-920c-8481-b95dda73bfec", "qwen2.5-14b-instruct"
    frames: list[Any] = [chunk(cid, model, {"role": "assistant", "content": ""}, created=1734513335)]
    frames += [
        chunk(cid, model, {"content": t}, created=1734513335) for t in ("你好", "!", "有什么", "可以帮助你的吗?")
    ]
    frames += [
        chunk(cid, model, {"content": ""}, "stop", created=1734513335),
        usage_chunk(cid, model, {"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27}, 1734513335),
        "[DONE]",
    ]
    write(
        "plain_chat_stream",
        "shared/seed-docs/qwen-llm-api-reseller.txt, example 2 (stream, verbatim frames; "
        "stream_options added as this client always sends it)",
        [(request("/chat/completions", sbody), sse_response(frames))],
    )


def qwq_reasoning_stream() -> None:
    body = {
        "model": "qwq-32b",
        "messages": [{"role": "user", "content": "9.9和9.11谁大"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    cid, model = "chatcmpl-6c2000e7-b744-9e61-bd03-fc4333d0e5d1", "qwq-32b"
    frames: list[Any] = [chunk(cid, model, {"content": None, "role": "assistant", "reasoning_content": ""})]
    frames += [chunk(cid, model, {"content": None, "reasoning_content": t}) for t in ("嗯", ",", "用户")]
    frames += [
        chunk(cid, model, {"content": t, "reasoning_content": None}) for t in ("需", "进一步", "确认", "规则", "。")
    ]
    frames += [
        chunk(cid, model, {"content": "", "reasoning_content": None}, "stop"),
        usage_chunk(cid, model, {"prompt_tokens": 18, "completion_tokens": 1015, "total_tokens": 1033}),
        "[DONE]",
    ]
    write(
        "qwq_reasoning_stream",
        "shared/seed-docs/qwq-quickstart.txt (the documented frames verbatim; the doc "
        "elides the middle of the stream with '......')",
        [(request("/chat/completions", body), sse_response(frames))],
    )


def qwen3_thinking_stream() -> None:
    body = {
        "model": "qwen-plus",
        "messages": [{"role": "user", "content": "你是谁"}],
        "enable_thinking": True,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    cid, model, created = "chatcmpl-e2edaa8c-f1a2-9a1c-9a4e-8f2c1bd2a37e", "qwen-plus", 1745485391
    frames: list[Any] = [
        chunk(cid, model, {"content": None, "role": "assistant", "reasoning_content": ""}, None, created)
    ]
    frames += [
        chunk(cid, model, {"content": None, "reasoning_content": t}, None, created)
        for t in ("好的", "，用户问", "我是谁。")
    ]
    frames += [
        chunk(cid, model, {"content": t, "reasoning_content": None}, None, created) for t in ("我是", "通义千问", "。")
    ]
    frames += [
        chunk(cid, model, {"content": "", "reasoning_content": None}, "stop", created),
        usage_chunk(cid, model, {"prompt_tokens": 10, "completion_tokens": 360, "total_tokens": 370}, created),
        "[DONE]",
    ]
    write(
        "qwen3_thinking_stream",
        f"{PROTO} F1.3 (official capture, model qwen-plus: first frame, the '好的' and "
        "'我是' frames, finish and usage frames verbatim; the frames between are filled in)",
        [(request("/chat/completions", body), sse_response(frames))],
    )


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "当你想查询指定城市的天气时非常有用。",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string", "description": "城市或县区"}},
            "required": ["location"],
        },
    },
}


def parallel_tool_calls_stream() -> None:
    body = {
        "model": "qwen-plus",
        "messages": [{"role": "user", "content": "杭州和上海的天气怎么样？"}],
        "tools": [WEATHER_TOOL],
        "parallel_tool_calls": True,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    cid, model = "chatcmpl-3f8155c3-e96f-95bc-a2a6-8e48537a0893", "qwen-plus"

    def call(index: int, cid_: str, name: str | None, args: str) -> dict:
        return {"index": index, "id": cid_, "type": "function", "function": {"name": name, "arguments": args}}

    frames: list[Any] = [chunk(cid, model, {"content": "", "role": "assistant", "tool_calls": None})]
    frames += [
        chunk(
            cid,
            model,
            {
                "content": None,
                "tool_calls": [call(0, "call_8f08d2b0fc0c4d8fab7123", "get_current_weather", '{"location":')],
            },
        ),
        chunk(cid, model, {"content": None, "tool_calls": [call(0, "", None, ' "杭州"}')]}),
        chunk(
            cid,
            model,
            {
                "content": None,
                "tool_calls": [call(1, "call_16c72bef988a4c6c8cb8e6", "get_current_weather", '{"location":')],
            },
        ),
        chunk(cid, model, {"content": None, "tool_calls": [call(1, "", None, ' "上海"}')]}, "tool_calls"),
        usage_chunk(cid, model, {"prompt_tokens": 218, "completion_tokens": 42, "total_tokens": 260}),
        "[DONE]",
    ]
    write(
        "parallel_tool_calls_stream",
        f"{PROTO} F3.3 (delta shapes of the official Python-SDK rendering: first delta "
        "with id and name, continuations with id '' and name null; finish_reason on the chunk with the last "
        "fragment as in the cnblogs parallel-tools capture); the second call and usage figures are illustrative",
        [(request("/chat/completions", body), sse_response(frames))],
    )


def json_mode() -> None:
    body = {
        "model": "qwen-plus",
        "messages": [
            {"role": "system", "content": "Respond with a JSON object."},
            {"role": "user", "content": "我叫张三，今年25岁。提取姓名和年龄。"},
        ],
        "response_format": {"type": "json_object"},
    }
    resp = {
        "id": "chatcmpl-9d5c3d4a-8b32-9b6e-8f2a-5d8c3f1e2b7a",
        "object": "chat.completion",
        "created": 1735120033,
        "model": "qwen-plus",
        "system_fingerprint": None,
        "service_tier": None,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "logprobs": None,
                "message": {
                    "role": "assistant",
                    "content": '{"name": "张三", "age": 25}',
                    "refusal": None,
                    "audio": None,
                    "function_call": None,
                    "tool_calls": None,
                },
            }
        ],
        "usage": {
            "prompt_tokens": 33,
            "completion_tokens": 12,
            "total_tokens": 45,
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": None,
        },
    }
    write(
        "json_mode",
        f"{PROTO} T.5 envelope and F4.1 json_object rule (the system instruction carries the word "
        "'JSON'); the JSON answer is illustrative",
        [(request("/chat/completions", body), json_response(resp))],
    )


def partial_mode() -> None:
    prompt = "请帮我写一个python代码生成100以内的素数。不要输出非代码的内容和Markdown的代码块。"
    body = {
        "model": "qwen3-coder-plus",
        "messages": [
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": "def generate_prime_number", "partial": True},
        ],
    }
    text = (
        "(n):\n    primes = []\n    for i in range(2, n):\n        if all(i % p for p in primes):\n"
        "            primes.append(i)\n    return primes\n\nprint(generate_prime_number(100))"
    )
    resp = {
        "id": "chatcmpl-5b1e2a4c-6d3f-9c8e-b7a1-2f4e6d8c0a9b",
        "object": "chat.completion",
        "created": 1735120100,
        "model": "qwen3-coder-plus",
        "choices": [
            {"index": 0, "finish_reason": "stop", "logprobs": None, "message": {"role": "assistant", "content": text}}
        ],
        "usage": {"prompt_tokens": 38, "completion_tokens": 60, "total_tokens": 98},
    }
    write(
        "partial_mode",
        f"{PROTO} F5.1 request (verbatim) and F5.2 (the answer holds only the continuation, "
        "beginning '(n):\\n    primes = []'; the rest of the code is filled in)",
        [(request("/chat/completions", body), json_response(resp))],
    )


MT_OPTIONS = {"source_lang": "Chinese", "target_lang": "English"}
MT_WORDS = ["I", " didn", "'t", " laugh", " after", " watching", " this", " video", "."]


def mt_streams() -> None:
    for model, cumulative in (("qwen-mt-flash", False), ("qwen-mt-plus", True)):
        body = {
            "model": model,
            "messages": [{"role": "user", "content": "我看到这个视频后没有笑"}],
            "translation_options": MT_OPTIONS,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        cid = "chatcmpl-7a3b5c6d-1e2f-9a8b-9c0d-4e5f6a7b8c9d"
        frames: list[Any] = [chunk(cid, model, {"content": "", "role": "assistant"})]
        so_far = ""
        for word in MT_WORDS:
            so_far += word
            frames.append(chunk(cid, model, {"content": so_far if cumulative else word}))
        finish = [chunk(cid, model, {"content": so_far if cumulative else ""}, "stop")]
        frames += finish if cumulative else finish * 2  # qwen-mt-flash: two finish frames (documented)
        frames += [
            usage_chunk(
                cid,
                model,
                {
                    "prompt_tokens": 61,
                    "completion_tokens": 9,
                    "total_tokens": 70,
                    "completion_tokens_details": None,
                    "prompt_tokens_details": None,
                },
            ),
            "[DONE]",
        ]
        kind = "cumulative" if cumulative else "incremental"
        note = (
            "every delta repeats the whole text so far: 'I' / 'I didn' / \"I didn't\" ..."
            if cumulative
            else "incremental deltas and the two consecutive finish frames of the official flash example"
        )
        write(
            f"mt_{kind}_stream",
            f"{PROTO} F6.2 request example and F6.3/F2.3 ({note}); usage figures illustrative",
            [(request("/chat/completions", body), sse_response(frames))],
        )


def qwen_long() -> None:
    file_obj = {
        "id": "file-fe-5d5eb068893f4b5e8551ada4",
        "object": "file",
        "bytes": 7,
        "filename": "test2.txt",
        "purpose": "file-extract",
        "status": "processed",
        "status_details": None,
        "created_at": 1764499365,
    }
    upload = {"method": "POST", "uri": f"{BASE}/files", "body": None, "headers": {"Authorization": ["**REDACTED**"]}}
    chat_body = {
        "model": "qwen-long",
        "messages": [
            SEED_SYS,
            {"role": "system", "content": f"fileid://{file_obj['id']}"},
            {"role": "user", "content": "这篇文章讲了什么？"},
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    cid, model = "chatcmpl-1b2c3d4e-5f6a-9b7c-8d9e-0f1a2b3c4d5e", "qwen-long"
    frames: list[Any] = [chunk(cid, model, {"content": "", "role": "assistant"})]
    frames += [chunk(cid, model, {"content": t}) for t in ("这篇文章", "只有一行", "测试文本。")]
    frames += [
        chunk(cid, model, {"content": ""}, "stop"),
        usage_chunk(cid, model, {"prompt_tokens": 36, "completion_tokens": 8, "total_tokens": 44}),
        "[DONE]",
    ]
    delete = {
        "method": "DELETE",
        "uri": f"{BASE}/files/{file_obj['id']}",
        "body": None,
        "headers": {"Authorization": ["**REDACTED**"]},
    }
    write(
        "qwen_long_upload_and_chat",
        f"{PROTO} F7.2 upload response (cnblogs capture upload-file-compatible-nosse, verbatim), "
        "shared/seed-docs/qwen-long-fileid.txt chat request (verbatim; its response is not captured, so the "
        "streamed answer is illustrative in the F2.2 shapes), F7.5 delete response",
        [
            (upload, json_response(file_obj)),
            (request("/chat/completions", chat_body), sse_response(frames)),
            (delete, json_response({"id": file_obj["id"], "object": "file", "deleted": True})),
        ],
    )


def errors() -> None:
    hi = {"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}], "enable_thinking": False}
    cases = {
        "error_invalid_api_key": (
            401,
            {
                "error": {
                    "message": "Incorrect API key provided. ",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "invalid_api_key",
                },
                "request_id": "a1b2c3d4-0000-9000-8000-000000000401",
            },
            f"{PROTO} F13.6 (401 invalid_api_key wording with its trailing space)",
        ),
        "error_moderation": (
            400,
            {
                "error": {
                    "message": "Input data may contain inappropriate content. For details, see: "
                    "https://help.aliyun.com/zh/model-studio/error-code#inappropriate-content",
                    "type": "data_inspection_failed",
                    "param": None,
                    "code": "data_inspection_failed",
                },
                "id": "chatcmpl-0b8a5bdb-3c9f-9d7b-8c8d-3f8e5d7c1a2b",
                "request_id": "0b8a5bdb-3c9f-9d7b-8c8d-3f8e5d7c1a2b",
            },
            f"{PROTO} F13.6 (compat moderation body quoted from 666ghj/BettaFish#449)",
        ),
        "error_quota": (
            429,
            {
                "error": {
                    "message": "You exceeded your current quota, please check your plan and billing details.",
                    "type": "insufficient_quota",
                    "param": None,
                    "code": "insufficient_quota",
                },
                "request_id": "c0ffee00-0000-9000-8000-000000000429",
            },
            f"{PROTO} F13.6 (429 insufficient_quota: a rate limit on DashScope, retryable)",
        ),
    }
    for name, (status, body, source) in cases.items():
        write(name, source, [(request("/chat/completions", hi), json_response(body, status))] * 3)


def vision() -> None:
    body = {
        "model": "qwen-vl-plus",
        "messages": [
            SEED_SYS,
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "这张图片展示的画面是什么?"},
                    {
                        "type": "image_url",
                        "image_url": {
                            "url": "https://zdkjdemo.oss-cn-shanghai.aliyuncs.com/dog_playing_with_sticks.jpg"
                        },
                    },
                ],
            },
        ],
    }
    resp = {
        "id": "chatcmpl-b6193d25-c969-9105-9bd3-613e213ca03b",
        "object": "chat.completion",
        "created": 1728354278,
        "model": "qwen-vl-plus",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "这是一张户外照片,一只狗正在草地上咬着一根木棍。这只狗看起来很放松,并且在享受它的时光。背景中有一些树木和草地的模糊图像,给人一种宁静的感觉。",
                },
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 896, "completion_tokens": 44, "total_tokens": 940},
    }
    write(
        "vision_image",
        "shared/seed-docs/qwen-llm-api-reseller.txt, example 3 (request and response verbatim)",
        [(request("/chat/completions", body), json_response(resp))],
    )
    frames = [
        "https://img.alicdn.com/imgextra/i3/O1CN01K3SgGo1eqmlUgeE9b_!!6000000003923-0-tps-3840-2160.jpg",
        "https://img.alicdn.com/imgextra/i4/O1CN01BjZvwg1Y23CF5qIRB_!!6000000003000-0-tps-3840-2160.jpg",
        "https://img.alicdn.com/imgextra/i4/O1CN01Ib0clU27vTgBdbVLQ_!!6000000007859-0-tps-3840-2160.jpg",
        "https://img.alicdn.com/imgextra/i1/O1CN01aygPLW1s3EXCdSN4X_!!6000000005710-0-tps-3840-2160.jpg",
    ]
    vbody = {
        "model": "qwen-vl-max-latest",
        "messages": [
            {
                "role": "user",
                "content": [{"type": "video", "video": frames}, {"type": "text", "text": "描述这个视频的具体过程"}],
            }
        ],
    }
    vresp = {
        "id": "chatcmpl-c6b0ad15-509a-9ae2-bb5b-b566bfb731c6",
        "object": "chat.completion",
        "created": 1734521008,
        "model": "qwen-vl-max-latest",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "这段视频展示了一场足球比赛中的一个瞬间。整个过程展示了足球比赛中的一次精彩的进攻和进球瞬间,充满了紧张和激动的气氛。",
                },
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1466, "completion_tokens": 278, "total_tokens": 1744},
    }
    write(
        "vision_video_frames",
        "shared/seed-docs/qwen-llm-api-reseller.txt, example 5 (request verbatim; the "
        "long answer is shortened to its first and last sentences; usage verbatim)",
        [(request("/chat/completions", vbody), json_response(vresp))],
    )


def omni_audio() -> None:
    import math
    import struct

    body = {
        "model": "qwen3-omni-flash",
        "messages": [{"role": "user", "content": "你好"}],
        "modalities": ["text", "audio"],
        "audio": {"voice": "Cherry", "format": "wav"},
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    pcm = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 24000))) for i in range(24000))
    cid, model, created = "chatcmpl-a68eca3b-1c1d-9e2f-8a7b-3c4d5e6f7a8b", "qwen3-omni-flash", 1757644279
    frames: list[Any] = [chunk(cid, model, {"content": t}, None, created) for t in ("我", "是", "通义千问。")]
    for start in range(0, len(pcm), 9601):  # fragments deliberately not multiples of 3 bytes
        data = __import__("base64").b64encode(pcm[start : start + 9601]).decode()
        frames.append(
            chunk(
                cid,
                model,
                {"audio": {"data": data, "expires_at": 1757647879, "id": "audio_a68eca3b-1c1d-9e2f-8a7b-3c4d5e6f7a8b"}},
                None,
                created,
            )
        )
    frames += [
        chunk(cid, model, {"content": ""}, "stop", created),
        usage_chunk(
            cid,
            model,
            {
                "prompt_tokens": 207,
                "completion_tokens": 103,
                "total_tokens": 310,
                "completion_tokens_details": {"audio_tokens": 83, "text_tokens": 20},
                "prompt_tokens_details": {"text_tokens": 207},
            },
            created,
        ),
        "[DONE]",
    ]
    write(
        "omni_audio_stream",
        f"{PROTO} F10.3 (request verbatim; the text/audio/usage frame shapes of the official "
        "capture, whose base64 audio is elided in the doc, so the audio here is one second of a 440 Hz tone as "
        "24 kHz 16-bit mono PCM)",
        [(request("/chat/completions", body), sse_response(frames))],
    )


def explicit_cache() -> None:
    prefix = "You are a contract analyst. " + "Clause: the supplier shall deliver on time. " * 200
    first = {
        "model": "qwen-plus",
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": prefix, "cache_control": {"type": "ephemeral"}}]},
            {"role": "user", "content": "Summarise the clauses."},
        ],
        "enable_thinking": False,
    }
    second = {**first, "messages": [first["messages"][0], {"role": "user", "content": "List the obligations."}]}

    def completion(details: dict[str, Any], text: str) -> dict:
        return {
            "id": "chatcmpl-cache",
            "object": "chat.completion",
            "created": 1735120033,
            "model": "qwen-plus",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
            "usage": {
                "prompt_tokens": 1813,
                "completion_tokens": 20,
                "total_tokens": 1833,
                "prompt_tokens_details": details,
            },
        }

    created_ = {
        "text_tokens": 1813,
        "cache_creation": {"ephemeral_5m_input_tokens": 1803},
        "cache_creation_input_tokens": 1803,
        "cache_type": "ephemeral",
        "cached_tokens": 0,
    }
    hit = {"text_tokens": 1813, "cache_type": "ephemeral", "cached_tokens": 1803}
    write(
        "explicit_cache",
        f"{PROTO} F9.2 request form and F9.3 usage fields (creation example from the litellm "
        "DashScope fixture shape, then a hit); token figures illustrative",
        [
            (
                request("/chat/completions", first),
                json_response(completion(created_, "The supplier must deliver on time.")),
            ),
            (request("/chat/completions", second), json_response(completion(hit, "1. Deliver on time."))),
        ],
    )


def embeddings() -> None:
    body = {
        "model": "text-embedding-v3",
        "input": ["衣服的质量杠杠的", "很漂亮，不枉我等了这么久"],
        "encoding_format": "float",
        "dimensions": 1024,
    }

    def vec(seed: int) -> list[float]:
        import math

        raw = [math.sin(seed * 31 + i) for i in range(1024)]
        norm = math.sqrt(sum(x * x for x in raw))
        return [round(x / norm, 6) for x in raw]

    resp = {
        "data": [
            {"embedding": vec(1), "index": 0, "object": "embedding"},
            {"embedding": vec(2), "index": 1, "object": "embedding"},
        ],
        "model": "text-embedding-v3",
        "object": "list",
        "usage": {"prompt_tokens": 16, "total_tokens": 16},
        "id": "73591b79-d194-9bca-8bb5-e3e6e6f5c4a2",
    }
    write(
        "embeddings",
        f"{PROTO} F12 (request and response shapes; the documented vector is elided, so the vectors "
        "here are unit-length stand-ins of the requested dimension)",
        [(request("/embeddings", body), json_response(resp))],
    )


def fim() -> None:
    doc = '"""\n反转字符串中的每个单词，同时保持非字母字符的位置不变。\n"""\n'
    prompt = f"<|fim_prefix|>def reverse_words_with_special_chars(s):\n{doc}<|fim_suffix|>return result<|fim_middle|>"
    body = {"model": "qwen-coder-turbo", "prompt": prompt}
    middle = "    words = s.split(' ')\n    result = ' '.join(w[::-1] for w in words)\n    "
    resp = {
        "id": "cmpl-0f6e1b2c3d4e",
        "object": "text_completion",
        "created": 1740000000,
        "model": "qwen-coder-turbo",
        "choices": [{"text": middle, "index": 0, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 52, "completion_tokens": 24, "total_tokens": 76},
    }
    write(
        "fim",
        f"{PROTO} F11 (the prefix+suffix request from the Completions page; the filled middle is illustrative)",
        [(request("/completions", body), json_response(resp))],
    )


def batch_lifecycle() -> None:
    file_obj = {
        "id": "file-batch-61875e1242854691b8bfd17d",
        "bytes": 437,
        "created_at": 1776414390,
        "filename": "input-0000.jsonl",
        "object": "file",
        "purpose": "batch",
        "status": "processed",
        "status_details": None,
    }
    upload = {"method": "POST", "uri": f"{BASE}/files", "body": None, "headers": {"Authorization": ["**REDACTED**"]}}
    bid = "batch_fa05d570-5a8e-4cfc-a0d7-1b6c0b9c8d2e"

    def batch(status: str, **extra: Any) -> dict[str, Any]:
        obj = {
            "id": bid,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "errors": None,
            "input_file_id": file_obj["id"],
            "completion_window": "24h",
            "status": status,
            "output_file_id": None,
            "error_file_id": None,
            "created_at": 1776414394,
            "in_progress_at": None,
            "expires_at": None,
            "finalizing_at": None,
            "completed_at": None,
            "failed_at": None,
            "expired_at": None,
            "cancelling_at": None,
            "cancelled_at": None,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "metadata": None,
        }
        obj.update(extra)
        return obj

    create = request(
        "/batches", {"input_file_id": file_obj["id"], "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    )
    get = {
        "method": "GET",
        "uri": f"{BASE}/batches/{bid}",
        "body": None,
        "headers": {"Authorization": ["**REDACTED**"]},
    }
    done = batch(
        "completed",
        output_file_id="file-batch_output-153fa1be8c6d4b0c9e1a2b3c",
        in_progress_at=1776414400,
        finalizing_at=1776432580,
        completed_at=1776432590,
        request_counts={"total": 1, "completed": 1, "failed": 0},
    )
    line = {
        "id": "153fa1be-1c2d-9e3f-8a4b-5c6d7e8f9a0b",
        "custom_id": "0",
        "response": {
            "status_code": 200,
            "request_id": "153fa1be-1c2d-9e3f-8a4b-5c6d7e8f9a0b",
            "body": {
                "created": 1776432582,
                "usage": {"completion_tokens": 49, "prompt_tokens": 26, "total_tokens": 75},
                "model": "qwen-flash",
                "id": "chatcmpl-153fa1be-1c2d-9e3f-8a4b-5c6d7e8f9a0b",
                "choices": [
                    {
                        "finish_reason": "stop",
                        "index": 0,
                        "message": {"role": "assistant", "content": "你好！有什么可以帮你的吗？"},
                    }
                ],
                "object": "chat.completion",
            },
        },
        "error": None,
    }
    content = {
        "method": "GET",
        "uri": f"{BASE}/files/{done['output_file_id']}/content",
        "body": None,
        "headers": {"Authorization": ["**REDACTED**"]},
    }
    content_response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["application/octet-stream"]},
        "body": {"string": _dump(line) + "\n"},
    }
    write(
        "batch_lifecycle",
        f"{PROTO} F8.1 upload (purpose batch), F8.2 create response, F8.3 lifecycle and F8.5 output line: shapes "
        "from the cnblogs/dashscope-sdk captures (create-batch-compatible-nosse, get-file-content-compatible); "
        "custom_id adapted to this client's input index; the in_progress poll is illustrative",
        [
            (upload, json_response(file_obj)),
            (create, json_response(batch("validating"))),
            (
                get,
                json_response(
                    batch(
                        "in_progress",
                        in_progress_at=1776414400,
                        request_counts={"total": 1, "completed": 0, "failed": 0},
                    )
                ),
            ),
            (get, json_response(done)),
            (content, content_response),
        ],
    )


def main() -> None:
    for build in (
        plain_chat,
        qwq_reasoning_stream,
        qwen3_thinking_stream,
        parallel_tool_calls_stream,
        json_mode,
        partial_mode,
        mt_streams,
        qwen_long,
        errors,
        vision,
        omni_audio,
        explicit_cache,
        embeddings,
        fim,
        batch_lifecycle,
    ):
        build()
    print("\n".join(sorted(p.name for p in HERE.glob("*.yaml"))))


if __name__ == "__main__":
    main()

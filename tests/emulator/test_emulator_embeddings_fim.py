"""Emulator checks for `/embeddings` (F12) and the coder FIM `/completions` endpoint (F11)."""

from __future__ import annotations

import math
from typing import Any

import httpx2
import openai
import pytest

from langchain_qwen._tokens import count_text
from langchain_qwen.testing import DashScopeEmulator
from tests.emulator._wire import sse


def embed(http: httpx2.Client, **body: Any) -> httpx2.Response:
    return http.post("/embeddings", json=body)


def vectors(http: httpx2.Client, texts: list[str], model: str = "text-embedding-v4", **extra: Any) -> list[list[float]]:
    resp = embed(http, model=model, input=texts, encoding_format="float", **extra)
    assert resp.status_code == 200, resp.text
    return [d["embedding"] for d in resp.json()["data"]]


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=False)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def error_message(resp: httpx2.Response, status: int = 400) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["request_id"] == resp.headers["x-request-id"]
    return body["error"]["message"]


# -- embeddings ------------------------------------------------------------------------------------------


def test_embedding_response_shape(http: httpx2.Client) -> None:
    texts = ["风急天高猿啸哀", "The quick brown fox"]
    resp = embed(http, model="text-embedding-v4", input=texts, encoding_format="float")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"data", "model", "object", "usage", "id"}
    assert body["object"] == "list" and body["model"] == "text-embedding-v4"
    assert body["id"] == resp.headers["x-request-id"]
    total = sum(count_text(t) for t in texts)
    assert body["usage"] == {"prompt_tokens": total, "total_tokens": total}
    assert [(d["index"], d["object"]) for d in body["data"]] == [(0, "embedding"), (1, "embedding")]
    for item in body["data"]:
        vec = item["embedding"]
        assert len(vec) == 1024 and all(isinstance(v, float) and round(v, 6) == v for v in vec)
        assert abs(math.sqrt(sum(v * v for v in vec)) - 1) < 1e-4


@pytest.mark.parametrize(
    ("model", "extra", "size"),
    [
        ("text-embedding-v4", {"dimensions": 2048}, 2048),
        ("text-embedding-v4", {"dimensions": 64}, 64),
        ("text-embedding-v3", {}, 1024),
        ("text-embedding-v3", {"dimensions": 256}, 256),
        ("text-embedding-v2", {}, 1536),
        ("text-embedding-v1", {}, 1536),
    ],
)
def test_embedding_dimensions(http: httpx2.Client, model: str, extra: dict[str, Any], size: int) -> None:
    resp = embed(http, model=model, input="hello world", **extra)  # a single string; no encoding_format = float
    assert resp.status_code == 200, resp.text
    assert [len(d["embedding"]) for d in resp.json()["data"]] == [size]


def test_embeddings_are_deterministic_and_similarity_follows_shared_words(http: httpx2.Client) -> None:
    a, b, c, d, e, f = vectors(
        http,
        [
            "The cat sat on the warm mat",
            "a cat is sleeping on the mat",
            "quarterly revenue grew in Europe",
            "我喜欢在公园里散步",
            "我喜欢在公园里跑步",
            "股票市场今天下跌",
        ],
    )
    assert vectors(http, ["The cat sat on the warm mat"]) == [a]
    assert cosine(a, b) > cosine(a, c) + 0.2
    assert cosine(d, e) > cosine(d, f) + 0.2
    assert cosine(*vectors(http, ["CAT Mat", "cat mat"])) > 0.999  # case-insensitive words
    punctuation_only = vectors(http, ["?!"])[0]
    assert abs(math.sqrt(sum(v * v for v in punctuation_only)) - 1) < 1e-4  # never a zero vector


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"encoding_format": "base64"}, "encoding_format only supports float"),
        (
            {"input": [f"t{i}" for i in range(11)]},
            "Value error, batch size is invalid, it should not be larger than 10.: input.contents",
        ),
        (
            {"model": "text-embedding-v2", "input": [f"t{i}" for i in range(26)]},
            "Value error, batch size is invalid, it should not be larger than 25.: input.contents",
        ),
        ({"input": ["ok", 3]}, "Value error, contents is neither str nor list of str.: input.contents"),
        ({"input": [[1, 2, 3]]}, "Value error, contents is neither str nor list of str.: input.contents"),
        ({"input": []}, "Value error, contents is neither str nor list of str.: input.contents"),
        ({"input": None}, "Value error, contents is neither str nor list of str.: input.contents"),
        ({"input": ["fine", ""]}, "Range of input length should be [1, 8192]"),
        ({"input": "token " * 8200}, "Range of input length should be [1, 8192]"),
        ({"model": "text-embedding-v1", "input": "token " * 2100}, "Range of input length should be [1, 2048]"),
        ({"dimensions": 100}, "dimensions should be one of [2048, 1536, 1024, 768, 512, 256, 128, 64]"),
        (
            {"model": "text-embedding-v3", "dimensions": 2048},
            "dimensions should be one of [1024, 768, 512, 256, 128, 64]",
        ),
        (
            {"model": "text-embedding-v2", "dimensions": 1536},
            "The model text-embedding-v2 does not support the dimensions parameter.",
        ),
    ],
)
def test_embedding_errors(http: httpx2.Client, body: dict[str, Any], message: str) -> None:
    request = {"model": "text-embedding-v4", "input": ["x"], **body}
    assert error_message(embed(http, **request)) == message


def test_embedding_unknown_model(http: httpx2.Client) -> None:
    resp = embed(http, model="text-embedding-v9", input="x")
    assert error_message(resp, 404) == "The model `text-embedding-v9` does not exist or you do not have access to it."
    assert resp.json()["error"]["code"] == "model_not_found"


def test_embeddings_with_openai_sdk(oai: openai.OpenAI, emu: DashScopeEmulator) -> None:
    result = oai.embeddings.create(
        model="text-embedding-v4", input=["alpha beta", "gamma"], encoding_format="float", dimensions=128
    )
    assert [len(d.embedding) for d in result.data] == [128, 128]
    assert result.usage.prompt_tokens == count_text("alpha beta") + count_text("gamma")
    assert emu.last_request.body["encoding_format"] == "float"
    with pytest.raises(openai.BadRequestError, match="encoding_format only supports float"):
        oai.embeddings.create(model="text-embedding-v4", input="x")  # the SDK silently asks for base64


# -- FIM /completions -----------------------------------------------------------------------------------

PREFIX = "def add(a, b):\n    total = a + b\n"
SUFFIX = "    return total\n"
FIM = f"<|fim_prefix|>{PREFIX}<|fim_suffix|>{SUFFIX}<|fim_middle|>"


def complete(http: httpx2.Client, **body: Any) -> httpx2.Response:
    return http.post("/completions", json={"model": "qwen-coder-turbo", **body})


def test_fim_middle_prefix_only_and_plain(http: httpx2.Client) -> None:
    resp = complete(http, prompt=FIM)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["id"].startswith("cmpl-") and len(body["id"]) == 5 + 32
    assert body["object"] == "text_completion" and body["model"] == "qwen-coder-turbo"
    text = "# emulated middle:     total = a + b\n"
    assert body["choices"] == [{"text": text, "index": 0, "logprobs": None, "finish_reason": "stop"}]
    prompt_tokens = 3 + count_text(PREFIX) + count_text(SUFFIX)  # each FIM marker is one token
    assert body["usage"] == {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": count_text(text),
        "total_tokens": prompt_tokens + count_text(text),
    }
    prefix_only = complete(http, prompt=f"<|fim_prefix|>{PREFIX}<|fim_suffix|>").json()
    assert prefix_only["choices"][0]["text"] == "# emulated continuation\n"
    plain = complete(http, model="qwen2.5-coder-7b-instruct", prompt="x" * 50 + "the end of the prompt").json()
    assert plain["choices"][0]["text"] == "Emulated completion: " + ("x" * 50 + "the end of the prompt")[-40:]
    long_line = complete(http, prompt=f"<|fim_prefix|>{'y' * 60}\n\n<|fim_suffix|><|fim_middle|>").json()
    assert long_line["choices"][0]["text"] == "# emulated middle: " + "y" * 40 + "\n"


def test_fim_max_tokens_and_stop(http: httpx2.Client) -> None:
    cut = complete(http, prompt=FIM, max_tokens=3).json()
    assert cut["choices"][0]["finish_reason"] == "length" and cut["usage"]["completion_tokens"] == 3
    assert "# emulated middle:     total = a + b\n".startswith(cut["choices"][0]["text"])
    stopped = complete(http, prompt=FIM, stop=["total"]).json()
    assert stopped["choices"][0] == {
        "text": "# emulated middle:     ",
        "index": 0,
        "logprobs": None,
        "finish_reason": "stop",
    }


def test_fim_stream(http: httpx2.Client) -> None:
    resp = complete(http, prompt=FIM, stream=True, stream_options={"include_usage": True})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
    events = sse(resp.text)
    assert events[-1] == "[DONE]"
    chunks, usage = events[:-2], events[-2]
    assert len({c["id"] for c in events[:-1]}) == 1 and all(c["object"] == "text_completion" for c in events[:-1])
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
    assert chunks[-1]["choices"][0] == {"text": "", "index": 0, "logprobs": None, "finish_reason": "stop"}
    text = "".join(c["choices"][0]["text"] for c in chunks)
    assert text == "# emulated middle:     total = a + b\n" and len(chunks) - 1 == count_text(text)
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] == count_text(text)
    no_usage = sse(complete(http, prompt=FIM, stream=True).text)
    assert all(e == "[DONE]" or e["choices"] for e in no_usage)


def test_fim_with_openai_sdk(oai: openai.OpenAI) -> None:
    result = oai.completions.create(model="qwen-coder-turbo", prompt=FIM, max_tokens=64)
    assert result.choices[0].text == "# emulated middle:     total = a + b\n"
    assert result.usage is not None and result.usage.prompt_tokens == 3 + count_text(PREFIX) + count_text(SUFFIX)
    pieces = [
        c.choices[0].text
        for c in oai.completions.create(model="qwen-coder-turbo", prompt=FIM, stream=True)
        if c.choices
    ]
    assert "".join(pieces) == result.choices[0].text


def test_fim_fault_applies_to_stream(emu: DashScopeEmulator, http: httpx2.Client) -> None:
    emu.inject(path="/completions", truncate_after=2)
    events = sse(complete(http, prompt=FIM, stream=True).text)
    assert len(events) == 2 and "[DONE]" not in events


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {"model": "qwen3-coder-plus"},
            400,
            "The model qwen3-coder-plus does not support the completions endpoint; use chat partial mode.",
        ),
        (
            {"model": "qwen-plus"},
            400,
            "The model qwen-plus does not support the completions endpoint; use chat partial mode.",
        ),
        (
            {"model": "code-davinci-002"},
            404,
            "The model `code-davinci-002` does not exist or you do not have access to it.",
        ),
        ({"model": None}, 400, "you must provide a model parameter."),
        ({"prompt": None}, 400, "The prompt field is a required field."),
        ({"prompt": ["a", "b"]}, 400, "The prompt field is a required field."),
        ({"prompt": ""}, 400, "Range of input length should be [1, 131072]"),
        ({"temperature": 2.5}, 400, "Temperature should be in [0.0, 2.0)"),
        ({"max_tokens": 9000}, 400, "Range of max_tokens should be [1, 8192]"),
        (
            {"stop": ["a", 1]},
            400,
            (
                'The "stop" parameter must be of type "str", "list[str]", "list[int]", or "list[list[int]]", and all '
                "elements within the list must be of the same type."
            ),
        ),
    ],
)
def test_fim_errors(http: httpx2.Client, body: dict[str, Any], status: int, message: str) -> None:
    resp = http.post("/completions", json={"model": "qwen-coder-turbo", "prompt": FIM, **body})
    assert error_message(resp, status) == message


def test_fim_region() -> None:
    with (
        DashScopeEmulator(region="ap-southeast-1") as intl,
        httpx2.Client(base_url=intl.base_url, headers={"Authorization": "Bearer sk-emulator"}) as client,
    ):
        resp = client.post("/completions", json={"model": "qwen-coder-turbo", "prompt": FIM})
        assert (
            error_message(resp, 404) == "The model `qwen-coder-turbo` does not exist or you do not have access to it."
        )
        assert client.get("/completions").status_code == 405

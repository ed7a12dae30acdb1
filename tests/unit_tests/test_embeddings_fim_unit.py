"""Pure tests (no network) for QwenEmbeddings input checks and batching, and QwenFIM prompts and validation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.outputs import GenerationChunk

from langchain_qwen import QwenEmbeddings, QwenFIM, QwenValidationError
from langchain_qwen._client import make_config
from langchain_qwen._errors import QwenServerError, QwenStreamInterruptedError
from langchain_qwen._profiles import embedding_profile
from langchain_qwen._stream import iter_chunks
from langchain_qwen._tokens import count_text
from langchain_qwen.embeddings import (
    check_dimensions,
    embedding_body,
    plan_batches,
    prepare_inputs,
    resolve_batch_size,
    truncate_tokens,
    vectors_from_response,
)
from langchain_qwen.llms import (
    FimStream,
    check_fim_model,
    check_fim_region,
    fim_prompt,
    generation_from_completion,
    llm_result,
    wire_prompt,
)

KEY = "sk-unit-secret-0123456789"


# --- embeddings: construction ------------------------------------------------------------------


@pytest.mark.parametrize("dims", [2048, 1536, 1024, 768, 512, 256, 128, 64])
def test_v4_accepts_documented_dimensions(dims: int) -> None:
    assert QwenEmbeddings(model="text-embedding-v4", dimensions=dims).dimensions == dims


def test_v3_rejects_v4_only_dimension() -> None:
    QwenEmbeddings(model="text-embedding-v3", dimensions=768)
    with pytest.raises(QwenValidationError, match=r"dimensions=2048.*\[1024, 768, 512, 256, 128, 64\]"):
        QwenEmbeddings(model="text-embedding-v3", dimensions=2048)


@pytest.mark.parametrize("model", ["text-embedding-v1", "text-embedding-v2"])
def test_fixed_size_models_reject_dimensions(model: str) -> None:
    with pytest.raises(QwenValidationError, match="fixed size of 1536"):
        QwenEmbeddings(model=model, dimensions=1536)
    assert QwenEmbeddings(model=model).dimensions is None


def test_unknown_model_accepts_any_dimension_and_bad_value_is_rejected() -> None:
    assert QwenEmbeddings(model="my-custom-embedder", dimensions=333).dimensions == 333
    with pytest.raises(QwenValidationError, match="dimensions=100"):
        check_dimensions("text-embedding-v4", 100)


def test_batch_size_defaults_and_limits() -> None:
    assert QwenEmbeddings(model="text-embedding-v4").effective_batch_size == 10
    assert QwenEmbeddings(model="text-embedding-v3").effective_batch_size == 10
    assert QwenEmbeddings(model="text-embedding-v2").effective_batch_size == 25
    assert QwenEmbeddings(model="text-embedding-v4", batch_size=4).effective_batch_size == 4
    assert resolve_batch_size("unknown-model", None) == 10
    assert resolve_batch_size("unknown-model", 64) == 64
    with pytest.raises(QwenValidationError, match="should not be larger than 10"):
        QwenEmbeddings(model="text-embedding-v4", batch_size=11)
    with pytest.raises(QwenValidationError, match="at least 1"):
        QwenEmbeddings(batch_size=0)
    with pytest.raises(QwenValidationError, match="max_concurrency"):
        QwenEmbeddings(max_concurrency=0)


def test_construction_does_no_io_and_needs_no_key() -> None:
    emb = QwenEmbeddings()  # no key anywhere: fails only when a request is made
    assert emb.api_key is None
    with pytest.raises(QwenValidationError, match="No DashScope API key"):
        emb.embed_documents(["hello"])
    assert emb.embed_documents([]) == []  # nothing to send: no key needed


def test_unknown_constructor_argument_is_refused() -> None:
    with pytest.raises(ValueError):
        QwenEmbeddings(dimension=512)  # typo of `dimensions`


# --- embeddings: batching and bodies ---------------------------------------------------------------


def test_batch_plan() -> None:
    assert [len(b) for b in plan_batches(23, 10)] == [10, 10, 3]
    assert [len(b) for b in plan_batches(26, 25)] == [25, 1]
    assert [len(b) for b in plan_batches(20, 10)] == [10, 10]
    assert plan_batches(0, 10) == []
    assert [list(b) for b in plan_batches(5, 2)] == [[0, 1], [2, 3], [4]]


def test_bodies_follow_the_plan_and_always_send_float() -> None:
    texts = [f"text {i}" for i in range(23)]
    bodies = QwenEmbeddings(model="text-embedding-v4", dimensions=256)._bodies(texts)
    assert [len(b["input"]) for b in bodies] == [10, 10, 3]
    assert [t for b in bodies for t in b["input"]] == texts
    assert all(b["encoding_format"] == "float" and b["dimensions"] == 256 for b in bodies)
    v2 = QwenEmbeddings(model="text-embedding-v2")._bodies([f"t{i}" for i in range(26)])
    assert [len(b["input"]) for b in v2] == [25, 1]
    assert embedding_body("text-embedding-v2", ["a"], None) == {
        "model": "text-embedding-v2",
        "input": ["a"],
        "encoding_format": "float",
    }


def test_vectors_are_put_back_in_input_order() -> None:
    data = [{"embedding": [2.0], "index": 2}, {"embedding": [0.0], "index": 0}, {"embedding": [1.0], "index": 1}]
    payload = {"data": data}
    assert vectors_from_response(payload, 3) == [[0.0], [1.0], [2.0]]
    with pytest.raises(ValueError, match=r"no embedding for inputs \[1\]"):
        vectors_from_response({"data": [{"embedding": [0.0], "index": 0}]}, 2)
    with pytest.raises(ValueError, match="index 5"):
        vectors_from_response({"data": [{"embedding": [0.0], "index": 5}]}, 1)


# --- embeddings: input checks ---------------------------------------------------------------------


def test_empty_and_non_string_inputs_are_refused_with_their_index() -> None:
    profile = embedding_profile("text-embedding-v4")
    with pytest.raises(QwenValidationError, match=r"Input 2 is an empty string: DashScope rejects empty input"):
        prepare_inputs(["a", "b", "", "d"], profile, "error")
    with pytest.raises(QwenValidationError, match=r"Input 1 is a int"):
        prepare_inputs(["a", 5], profile, "error")
    with pytest.raises(QwenValidationError, match="Input 0 is an empty string"):
        prepare_inputs([""], None, "error")  # unknown models too


def test_too_long_input_errors_with_index_and_token_count() -> None:
    long = "hello " * 9000
    tokens = count_text(long)
    assert tokens > 8192
    with pytest.raises(QwenValidationError, match=rf"Input 1 has {tokens} tokens.*at most 8192"):
        prepare_inputs(["short", long], embedding_profile("text-embedding-v4"), "error")
    with pytest.raises(QwenValidationError, match="at most 2048"):
        prepare_inputs(["hello " * 2100], embedding_profile("text-embedding-v2"), "error")
    assert prepare_inputs([long], None, "error") == [long]  # unknown model: no local limit


def test_truncation_cuts_to_the_token_limit() -> None:
    long = "hello world " * 5000
    out = prepare_inputs(["keep me", long], embedding_profile("text-embedding-v4"), "truncate")
    assert out[0] == "keep me"
    assert count_text(out[1]) == 8192 and long.startswith(out[1])


def test_truncation_never_splits_a_character() -> None:
    text = "数据库索引🙂" * 4000
    cut = truncate_tokens(text, 1001)
    assert count_text(cut) <= 1001 and text.startswith(cut) and "\ufffd" not in cut
    assert truncate_tokens("short text", 100) == "short text"


def test_embeddings_secret_not_in_repr() -> None:
    emb = QwenEmbeddings(api_key=KEY)
    assert KEY not in repr(emb) and KEY not in str(emb) and KEY not in str(emb.model_dump())
    assert emb.api_key is not None and emb.api_key.get_secret_value() == KEY


# --- FIM: prompts -----------------------------------------------------------------------------------


def test_fim_prompt_documented_forms() -> None:
    assert fim_prompt("def f():\n", "return x") == "<|fim_prefix|>def f():\n<|fim_suffix|>return x<|fim_middle|>"
    assert fim_prompt("def f():\n") == "<|fim_prefix|>def f():\n<|fim_suffix|>"
    assert fim_prompt("def f():\n", "") == "<|fim_prefix|>def f():\n<|fim_suffix|>"


def test_prebuilt_prompt_is_sent_as_is() -> None:
    raw = "<|fim_prefix|>a = <|fim_suffix|>\nprint(a)<|fim_middle|>"
    assert wire_prompt(raw, None) == raw
    assert wire_prompt("a = ", "\nprint(a)") == raw
    with pytest.raises(QwenValidationError, match="already contains"):
        wire_prompt(raw, "more")


def test_fim_request_body() -> None:
    fim = QwenFIM(api_key=KEY, base_url="http://127.0.0.1:9/v1", temperature=0.1, max_tokens=64, stop=["\n\n"])
    body, cfg = fim._prepare("def f():", None, {"suffix": "return 1", "seed": 7}, stream=False)
    assert body == {
        "model": "qwen-coder-turbo",
        "temperature": 0.1,
        "max_tokens": 64,
        "stop": ["\n\n"],
        "seed": 7,
        "prompt": "<|fim_prefix|>def f():<|fim_suffix|>return 1<|fim_middle|>",
    }
    assert cfg.region is None
    body, _ = fim._prepare("x", ["END"], {}, stream=True)
    assert body["stop"] == ["END"] and body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["prompt"] == "<|fim_prefix|>x<|fim_suffix|>"


# --- FIM: model and region validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "qwen-coder-turbo",
        "qwen-coder-turbo-latest",
        "qwen-coder-turbo-0919",
        "qwen2.5-coder-32b-instruct",
        "my-private-coder",
    ],
)
def test_fim_models_accepted(model: str) -> None:
    check_fim_model(model)


@pytest.mark.parametrize("model", ["qwen3-coder-plus", "qwen3-coder-flash", "qwen-plus", "qwen-coder-plus"])
def test_non_fim_models_rejected_with_guidance(model: str) -> None:
    with pytest.raises(QwenValidationError) as info:
        check_fim_model(model)
    text = str(info.value)
    assert "qwen-coder-turbo" in text and "qwen2.5-coder-32b-instruct" in text
    assert "partial mode" in text and "complete_prefix" in text


def test_fim_region_rules() -> None:
    check_fim_region("qwen-coder-turbo", "cn-beijing")
    check_fim_region("qwen-coder-turbo", None)  # custom base URL: the server decides
    check_fim_region("my-private-coder", "ap-southeast-1")
    with pytest.raises(QwenValidationError, match="FIM is Beijing-only"):
        check_fim_region("qwen-coder-turbo", "ap-southeast-1")
    with pytest.raises(QwenValidationError, match="FIM is Beijing-only"):
        check_fim_region("qwen2.5-coder-7b-instruct", "ap-southeast-1")  # chat anywhere, FIM only in Beijing


def test_fim_singapore_region_is_rejected_before_any_request() -> None:
    fim = QwenFIM(api_key=KEY, region="singapore")
    with pytest.raises(QwenValidationError, match="FIM is Beijing-only"):
        fim.invoke("def f():", suffix="return 1")
    assert make_config(api_key=KEY, base_url=None, region="beijing").region == "cn-beijing"
    body, cfg = QwenFIM(api_key=KEY, region="beijing")._prepare("x", None, {}, stream=False)
    assert cfg.base_url.startswith("https://dashscope.aliyuncs.com")
    assert body["prompt"] == "<|fim_prefix|>x<|fim_suffix|>"


def test_fim_construction_does_no_io_and_hides_secret() -> None:
    fim = QwenFIM(api_key=KEY, model="qwen3-coder-plus")  # rejected only when used
    assert KEY not in repr(fim) and KEY not in str(fim.model_dump())
    assert fim._llm_type == "qwen-fim"
    with pytest.raises(QwenValidationError, match="partial mode"):
        fim.invoke("def f():")


def test_unknown_kwargs_go_to_model_kwargs() -> None:
    with pytest.warns(UserWarning):
        fim = QwenFIM(api_key=KEY, repetition_penalty=1.1)
    assert fim.model_kwargs == {"repetition_penalty": 1.1}
    assert fim._default_params["repetition_penalty"] == 1.1


# --- FIM: response parsing -------------------------------------------------------------------------


def test_generation_and_result_from_completion() -> None:
    payload = {
        "id": "cmpl-1",
        "object": "text_completion",
        "model": "qwen-coder-turbo",
        "choices": [{"index": 0, "text": "    return a + b", "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18},
    }
    gen = generation_from_completion(payload)
    assert gen.text == "    return a + b"
    assert gen.generation_info == {
        "finish_reason": "stop",
        "model_name": "qwen-coder-turbo",
        "id": "cmpl-1",
        "token_usage": {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18},
    }
    result = llm_result([gen, gen], "qwen-coder-turbo")
    assert result.llm_output == {
        "token_usage": {"prompt_tokens": 24, "completion_tokens": 12, "total_tokens": 36},
        "model_name": "qwen-coder-turbo",
    }


class _FakeResponse:
    """A streaming response that yields its body in arbitrary 7-byte splits."""

    request = None
    status_code = 200
    headers: dict[str, str] = {}

    def __init__(self, body: bytes) -> None:
        self.body = body

    def iter_bytes(self) -> Iterator[bytes]:
        for i in range(0, len(self.body), 7):
            yield self.body[i : i + 7]

    def close(self) -> None:
        pass


def _sse(*events: str) -> bytes:
    return "".join(f"data: {e}\n\n" for e in events).encode()


def _run_stream(body: bytes) -> list[GenerationChunk]:
    cfg = make_config(api_key=KEY, base_url="http://127.0.0.1:9/v1", region=None)
    return list(iter_chunks(_FakeResponse(body), FimStream(), cfg.context))


def test_fim_stream_chunks_finish_once_usage_once() -> None:
    raw = _sse(
        '{"id":"c1","model":"qwen-coder-turbo","choices":[{"index":0,"text":"ret","finish_reason":null}]}',
        '{"id":"c1","model":"qwen-coder-turbo","choices":[{"index":0,"text":"urn 1","finish_reason":"stop"}]}',
        '{"id":"c1","model":"qwen-coder-turbo","choices":[{"index":0,"text":"","finish_reason":"stop"}]}',
        '{"id":"c1","model":"qwen-coder-turbo","choices":[],'
        '"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}',
        "[DONE]",
    )
    chunks = _run_stream(raw)  # arbitrary byte splits
    assert [c.text for c in chunks] == ["ret", "urn 1", ""]
    merged = chunks[0] + chunks[1] + chunks[2]
    assert merged.generation_info == {
        "id": "c1",
        "finish_reason": "stop",
        "model_name": "qwen-coder-turbo",
        "token_usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
    }


def test_fim_stream_without_done_is_interrupted() -> None:
    with pytest.raises(QwenStreamInterruptedError) as info:
        _run_stream(_sse('{"choices":[{"index":0,"text":"partial"}]}'))
    assert info.value.partial.text == "partial"


def test_fim_stream_error_payload_is_typed() -> None:
    with pytest.raises(QwenServerError) as info:
        _run_stream(_sse('{"error":{"code":"internal_error","message":"boom","type":"server_error"}}'))
    assert "boom" in str(info.value)

"""Replays DashScope's documented payloads (cassettes/) through the public API; the same assertions hold live.

Every test runs offline against its cassette by default. `--record-mode=rewrite` with a real Beijing
DASHSCOPE_API_KEY re-records them (tests that need a condition the service cannot be made to produce on
demand, such as moderation or a quota limit, skip while recording).
"""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from cassettes.build import WEATHER_TOOL  # the tool the cassette's request carries
from langchain_qwen import (
    ChatQwen,
    QwenAuthenticationError,
    QwenContentInspectionError,
    QwenEmbeddings,
    QwenFIM,
    QwenRateLimitError,
    _errors,
)
from langchain_qwen.files import QwenFiles, long_context_messages
from langchain_qwen.media import message_wav, video_block
from langchain_qwen.partial import complete_prefix
from tests._helpers import invoke, merge, stream

pytestmark = pytest.mark.vcr
SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
SEED = [SystemMessage("You are a helpful assistant."), HumanMessage("你好")]
CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"


@SYNC
def test_plain_chat(sync: bool) -> None:
    llm = ChatQwen(model="qwen2.5-14b-instruct")
    msg = invoke(llm, sync, SEED)
    assert msg.text and msg.response_metadata["finish_reason"] == "stop"
    assert msg.usage_metadata["input_tokens"] == 20 == llm.get_num_tokens_from_messages(SEED)
    assert msg.response_metadata["model_name"] == "qwen2.5-14b-instruct" and msg.response_metadata["request_id"]


@SYNC
def test_plain_chat_stream(sync: bool) -> None:
    chunks = stream(ChatQwen(model="qwen2.5-14b-instruct"), sync, SEED)
    full = merge(chunks)
    assert full.text and sum(1 for c in chunks if c.usage_metadata) == 1
    assert full.usage_metadata["input_tokens"] == 20 and full.response_metadata["finish_reason"] == "stop"


@SYNC
def test_qwq_reasoning_stream(sync: bool) -> None:
    llm = ChatQwen(model="qwq-32b")
    msg = invoke(llm, sync, "9.9和9.11谁大")  # stream-only model: invoke streams and aggregates
    assert msg.additional_kwargs["reasoning_content"] and msg.text
    assert msg.content_blocks[0]["type"] == "reasoning"
    assert msg.usage_metadata["input_tokens"] == 18 == llm.get_num_tokens_from_messages([HumanMessage("9.9和9.11谁大")])


@SYNC
def test_qwen3_thinking_stream(sync: bool) -> None:
    chunks = stream(ChatQwen(model="qwen-plus", enable_thinking=True), sync, "你是谁")
    kinds = [
        "r" if c.additional_kwargs.get("reasoning_content") else "t" for c in chunks if c.additional_kwargs or c.text
    ]
    assert "r" in kinds and "t" in kinds and kinds.index("t") > kinds.index("r")
    assert "r" not in kinds[kinds.index("t") :]  # the thinking phase ends before the answer starts
    full = merge(chunks)
    assert full.usage_metadata["input_tokens"] > 0 and full.content_blocks[0]["type"] == "reasoning"


@SYNC
def test_parallel_tool_calls_stream(sync: bool) -> None:
    llm = ChatQwen(model="qwen-plus").bind_tools([WEATHER_TOOL], parallel_tool_calls=True)
    full = merge(stream(llm, sync, "杭州和上海的天气怎么样？"))
    assert len(full.tool_calls) >= 2 and not full.invalid_tool_calls
    assert all(c["name"] == "get_current_weather" and c["args"].get("location") for c in full.tool_calls)
    assert len({c["id"] for c in full.tool_calls}) == len(full.tool_calls)
    assert full.response_metadata["finish_reason"] == "tool_calls"


def test_json_mode() -> None:
    out = (
        ChatQwen(model="qwen-plus")
        .bind(response_format={"type": "json_object"})
        .invoke("我叫张三，今年25岁。提取姓名和年龄。")
    )
    values = list(json.loads(out.text).values())
    assert "张三" in values and 25 in values


def test_partial_mode() -> None:
    prompt = "请帮我写一个python代码生成100以内的素数。不要输出非代码的内容和Markdown的代码块。"
    code = complete_prefix(ChatQwen(model="qwen3-coder-plus"), [HumanMessage(prompt)], "def generate_prime_number")
    continuation = code.text[len("def generate_prime_number") :]
    assert code.text.startswith("def generate_prime_number") and continuation.strip()
    assert not continuation.startswith("def generate_prime_number")  # DashScope returns only the continuation


def _translate_stream(model: str, sync: bool) -> None:
    llm = ChatQwen(model=model, translation_options={"source_lang": "zh", "target_lang": "English"})
    chunks = stream(llm, sync, "我看到这个视频后没有笑")
    full = merge(chunks)
    assert "".join(c.text for c in chunks) == full.text and full.text.lower().count("laugh") == 1


@SYNC
def test_mt_incremental_stream(sync: bool) -> None:
    _translate_stream("qwen-mt-flash", sync)  # two finish frames in the documented stream: finish_reason once


@SYNC
def test_mt_cumulative_stream(sync: bool) -> None:
    _translate_stream("qwen-mt-plus", sync)  # every frame repeats the text so far: turned into true deltas


def test_qwen_long_upload_and_chat() -> None:
    files = QwenFiles()
    doc = files.upload(b"test123", filename="test2.txt")
    assert doc.processed and doc.id.startswith("file-fe-") and doc.bytes == 7
    full = merge(list(ChatQwen(model="qwen-long").stream(long_context_messages("这篇文章讲了什么？", [doc]))))
    assert full.text and full.usage_metadata["input_tokens"] > 0
    assert files.delete(doc.id)


@SYNC
def test_error_invalid_api_key(sync: bool) -> None:
    with pytest.raises(QwenAuthenticationError, match="region-scoped") as info:
        invoke(ChatQwen(model="qwen-plus", api_key="sk-invalid-key-for-tests"), sync, "hi")
    assert info.value.code == "invalid_api_key"


def test_error_moderation(live: bool, vcr: object) -> None:
    if live:
        pytest.skip("moderation cannot be triggered on demand; this cassette is the documented body")
    with pytest.raises(QwenContentInspectionError) as info:
        ChatQwen(model="qwen-plus").invoke("hi")
    assert not info.value.is_retryable and vcr.play_count == 1  # type: ignore[attr-defined]


def test_error_quota(live: bool, vcr: object, monkeypatch: pytest.MonkeyPatch) -> None:
    if live:
        pytest.skip("a quota limit cannot be triggered on demand; this cassette is the documented body")
    monkeypatch.setattr(_errors, "INITIAL_RETRY_DELAY", 0.001)
    with pytest.raises(QwenRateLimitError) as info:
        ChatQwen(model="qwen-plus", max_retries=2).invoke("hi")
    assert info.value.code == "insufficient_quota" and vcr.play_count == 3  # type: ignore[attr-defined]


def test_every_cassette_names_its_source_and_hides_secrets() -> None:
    import yaml

    for path in sorted(CASSETTES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data.get("source"), path.name
        for interaction in data["interactions"]:
            for name, values in interaction["request"]["headers"].items():
                if name.lower() != "content-type":
                    assert values == ["**REDACTED**"], (path.name, name)
            assert "sk-" not in json.dumps(interaction["request"]), path.name


@SYNC
def test_vision_image(sync: bool) -> None:
    msg = HumanMessage(
        [
            {"type": "text", "text": "这张图片展示的画面是什么?"},
            {"type": "image", "url": "https://zdkjdemo.oss-cn-shanghai.aliyuncs.com/dog_playing_with_sticks.jpg"},
        ]
    )
    out = invoke(ChatQwen(model="qwen-vl-plus"), sync, [SystemMessage("You are a helpful assistant."), msg])
    assert out.text and out.usage_metadata["input_tokens"] > 100  # the image is billed as input tokens


def test_vision_video_frames() -> None:
    frames = [
        "https://img.alicdn.com/imgextra/i3/O1CN01K3SgGo1eqmlUgeE9b_!!6000000003923-0-tps-3840-2160.jpg",
        "https://img.alicdn.com/imgextra/i4/O1CN01BjZvwg1Y23CF5qIRB_!!6000000003000-0-tps-3840-2160.jpg",
        "https://img.alicdn.com/imgextra/i4/O1CN01Ib0clU27vTgBdbVLQ_!!6000000007859-0-tps-3840-2160.jpg",
        "https://img.alicdn.com/imgextra/i1/O1CN01aygPLW1s3EXCdSN4X_!!6000000005710-0-tps-3840-2160.jpg",
    ]
    msg = HumanMessage([video_block(frames), {"type": "text", "text": "描述这个视频的具体过程"}])
    out = ChatQwen(model="qwen-vl-max-latest").invoke([msg])
    assert out.text and out.usage_metadata["input_tokens"] > 1000


@SYNC
def test_omni_audio_stream(sync: bool) -> None:
    llm = ChatQwen(model="qwen3-omni-flash", modalities=["text", "audio"], audio={"voice": "Cherry"})
    answer = invoke(llm, sync, "你好")
    with wave.open(io.BytesIO(message_wav(answer))) as w:  # type: ignore[arg-type]
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24000, 1, 2)
        pcm = w.readframes(w.getnframes())
    assert answer.text and len(pcm) > 0 and answer.usage_metadata["output_token_details"]["audio"] > 0
    merged = merge(stream(llm, sync, "你好"))
    assert message_wav(merged)[44:] == pcm  # streamed pieces merge into the same audio


def test_explicit_cache() -> None:
    prefix = "You are a contract analyst. " + "Clause: the supplier shall deliver on time. " * 200
    system = SystemMessage([{"type": "text", "text": prefix, "cache_control": {"type": "ephemeral"}}])
    llm = ChatQwen(model="qwen-plus")
    first = llm.invoke([system, HumanMessage("Summarise the clauses.")])
    second = llm.invoke([system, HumanMessage("List the obligations.")])
    created = first.usage_metadata["input_token_details"]["cache_creation"]
    assert created >= 1024 and second.usage_metadata["input_token_details"]["cache_read"] == created


@SYNC
def test_embeddings(sync: bool) -> None:
    import asyncio

    emb = QwenEmbeddings(model="text-embedding-v3", dimensions=1024)
    texts = ["衣服的质量杠杠的", "很漂亮，不枉我等了这么久"]
    vectors = emb.embed_documents(texts) if sync else asyncio.run(emb.aembed_documents(texts))
    assert len(vectors) == 2 and all(len(v) == 1024 for v in vectors)
    assert all(abs(sum(x * x for x in v) - 1) < 1e-3 for v in vectors)  # DashScope vectors are unit length


def test_fim() -> None:
    doc = '"""\n反转字符串中的每个单词，同时保持非字母字符的位置不变。\n"""\n'
    middle = QwenFIM(model="qwen-coder-turbo").invoke(
        f"def reverse_words_with_special_chars(s):\n{doc}", suffix="return result"
    )
    assert middle.strip() and "def reverse_words_with_special_chars" not in middle


@pytest.mark.vcr(allow_playback_repeats=False)  # the polls must replay in order: validating, in_progress, completed
def test_batch_lifecycle(tmp_path: Path) -> None:
    from langchain_core.messages import AIMessage

    from langchain_qwen.batch import QwenBatch

    job = QwenBatch(ChatQwen(model="qwen-flash"), workdir=tmp_path).submit(["你好！"])
    results = job.wait(max_interval=1.0, timeout=30).results()
    assert len(results) == 1 and isinstance(results[0], AIMessage) and results[0].text
    assert results[0].usage_metadata["input_tokens"] > 0
    assert job.statuses()[0].value == "completed"

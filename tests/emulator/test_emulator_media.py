"""Emulator checks for multimodal parts, Omni audio output, the explicit context cache and web search."""

from __future__ import annotations

import base64
import itertools
import json
import math
import struct
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest

from langchain_qwen._profiles import OMNI_FLASH_VOICES_17
from langchain_qwen._tokens import count_messages, count_text
from langchain_qwen.testing import DashScopeEmulator
from tests.emulator._wire import post, sse

IMG = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
AUDIO_IN = {"type": "input_audio", "input_audio": {"data": "data:;base64,AAAA", "format": "mp3"}}
VIDEO_URL = {"type": "video_url", "video_url": {"url": "https://example.com/clip.mp4"}, "fps": 2}


def frames(n: int) -> dict[str, Any]:
    return {"type": "video", "video": [f"https://example.com/{i}.jpg" for i in range(n)]}


def user(*parts: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": list(parts)}]


def error_message(resp: httpx2.Response, status: int = 400) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"]["type"] == "invalid_request_error" and body["request_id"] == resp.headers["x-request-id"]
    return body["error"]["message"]


def stream_events(http: httpx2.Client, **body: Any) -> list[Any]:
    resp = post(http, stream=True, stream_options={"include_usage": True}, **body)
    assert resp.status_code == 200, resp.text
    events = sse(resp.text)
    assert events[-1] == "[DONE]"
    return events[:-1]


# -- multimodal input --------------------------------------------------------------------------------


def test_vl_media_usage_and_answer(http: httpx2.Client) -> None:
    text = {"type": "text", "text": "What is shown?"}
    messages = [
        {"role": "system", "content": "Be brief."},
        *user(IMG, {"type": "text", "text": "earlier"}),
        {"role": "assistant", "content": "ok"},
        *user(IMG, frames(4), VIDEO_URL, text),
    ]
    resp = post(http, model="qwen3-vl-plus", messages=messages, vl_high_resolution_images=True)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    answer = body["choices"][0]["message"]["content"]
    assert answer == "Emulated reply: What is shown? (saw: image, video(4 frames), video)"
    text_tokens = count_messages(messages)
    image, video = 256 * 2, 64 * 4 + 1024
    usage = body["usage"]
    assert usage["prompt_tokens"] == text_tokens + image + video
    assert usage["prompt_tokens_details"] == {
        "text_tokens": text_tokens,
        "image_tokens": image,
        "video_tokens": video,
        "cached_tokens": 0,
    }
    assert usage["completion_tokens"] == count_text(answer)


def test_omni_audio_input_tokens_and_stream_only(http: httpx2.Client) -> None:
    messages = user(AUDIO_IN, {"type": "text", "text": "Transcribe"})
    events = stream_events(http, model="qwen3-omni-flash", messages=messages)
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events if e["choices"])
    assert text == "Emulated reply: Transcribe (saw: audio)"
    details = events[-1]["usage"]["prompt_tokens_details"]
    assert details == {"text_tokens": count_messages(messages), "audio_tokens": 512}
    assert "completion_tokens_details" not in events[-1]["usage"]  # text-only output
    assert not any("audio" in e["choices"][0]["delta"] for e in events if e["choices"])


def test_media_on_earlier_turn_is_billed_not_listed(http: httpx2.Client) -> None:
    messages = [
        *user(IMG, {"type": "text", "text": "a"}),
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "and now?"},
    ]
    body = post(http, model="qwen-vl-max", messages=messages).json()
    assert body["choices"][0]["message"]["content"] == "Emulated reply: and now?"
    assert body["usage"]["prompt_tokens_details"]["image_tokens"] == 256


BIG_DATA_URI = "data:image/png;base64," + "A" * (10485760 // 3 * 4 + 8)


@pytest.mark.parametrize(
    ("model", "parts", "message"),
    [
        ("qwen3-vl-plus", [{"type": "image", "image": "https://x"}], "Invalid part type."),
        ("qwen3-vl-plus", ["plain string part"], "Invalid part type."),
        ("qwen-plus", [IMG], "The model qwen-plus does not support image input."),
        ("qwen3-vl-plus", [AUDIO_IN], "The model qwen3-vl-plus does not support audio input."),
        (
            "qwen3-vl-plus",
            [{"type": "image_url", "image_url": {"url": "ftp://x/y.png"}}],
            "The provided URL does not appear to be valid. Ensure it is correctly formatted.",
        ),
        (
            "qwen3-vl-plus",
            [{"type": "image_url", "image_url": {"url": "data:image/png,AAAA"}}],
            "The provided URL does not appear to be valid. Ensure it is correctly formatted.",
        ),
        (
            "qwen3-vl-plus",
            [{"type": "image_url", "image_url": "https://x/y.png"}],
            "The provided URL does not appear to be valid. Ensure it is correctly formatted.",
        ),
        (
            "qwen3-vl-plus",
            [{"type": "video", "video": ["https://x/1.jpg"] * 3 + ["oss://x"]}],
            "The provided URL does not appear to be valid. Ensure it is correctly formatted.",
        ),
        (
            "qwen3-vl-plus",
            [{"type": "image_url", "image_url": {"url": BIG_DATA_URI}}],
            "Exceeded limit on max bytes per data-uri item : 10485760'.",
        ),
        ("qwen3-vl-plus", [frames(3)], "the range of sequence images shoule be (4, 2000)."),
        ("qwen3-vl-plus", [frames(2001)], "the range of sequence images shoule be (4, 2000)."),
        ("qwen-vl-max", [frames(513)], "the range of sequence images shoule be (4, 512)."),
        ("qwen-vl-max", [{**frames(4), "fps": 11}], "Range of fps should be [0.1, 10]"),
        ("qwen-vl-max", [{**VIDEO_URL, "fps": 0.05}], "Range of fps should be [0.1, 10]"),
        ("qwen2.5-7b-instruct", [{"type": "text", "text": "x"}], "input content must be a string."),
    ],
)
def test_media_validation_errors(http: httpx2.Client, model: str, parts: list[Any], message: str) -> None:
    assert error_message(post(http, model=model, messages=user(*parts, {"type": "text", "text": "q"}))) == message


def test_media_limits_accepted(http: httpx2.Client) -> None:
    ok = [
        ("qwen3-vl-plus", frames(2000)),
        ("qwen-vl-max", {**frames(512), "fps": 0.1, "max_pixels": 655360, "total_pixels": 134217728}),
        ("qwen-vl-max", {**IMG, "min_pixels": 4096, "max_pixels": 1310720}),
        ("qwen-vl-max", {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}),
        ("qwen-vl-max", {"type": "image_url", "image_url": {"url": "HTTP://EXAMPLE.COM/A.PNG"}}),
    ]
    for model, part in ok:
        assert post(http, model=model, messages=user(part)).status_code == 200, (model, part)


# -- Omni audio output ---------------------------------------------------------------------------------


def _audio(events: list[Any]) -> tuple[bytes, list[dict[str, Any]]]:
    parts = [
        e["choices"][0]["delta"]["audio"]
        for e in events
        if e["choices"] and "data" in (e["choices"][0]["delta"].get("audio") or {})
    ]
    return b"".join(base64.b64decode(p["data"]) for p in parts), parts


def _check_tone(pcm: bytes, seconds: float) -> None:
    assert len(pcm) == 2 * round(24000 * seconds)
    samples = struct.unpack(f"<{len(pcm) // 2}h", pcm)
    assert max(samples) == 8000 and min(samples) == -8000
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    assert 5000 < rms < 6000  # a sine of amplitude 8000 has RMS 8000/sqrt(2)
    rising = sum(1 for a, b in itertools.pairwise(samples) if a < 0 <= b)
    assert abs(rising - 440 * seconds) < 1.5  # 440 Hz at 24 kHz


def test_omni_flash_audio_stream(http: httpx2.Client) -> None:
    body = {
        "model": "qwen3-omni-flash",
        "modalities": ["text", "audio"],
        "audio": {"voice": "Cherry", "format": "wav"},
        "messages": [{"role": "user", "content": "Say hello to the whole world please"}],
    }
    events = stream_events(http, **body)
    chunks = [e for e in events if e["choices"]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert text == "Emulated reply: Say hello to the whole world please"
    text_tokens = count_text(text)
    pcm, parts = _audio(events)
    seconds = 0.05 * text_tokens
    _check_tone(pcm, seconds)
    assert all(len(base64.b64decode(p["data"])) <= 4800 for p in parts) and len(parts) == math.ceil(len(pcm) / 4800)
    assert len({p["id"] for p in parts}) == 1 and parts[0]["id"].startswith("audio_")
    assert all(isinstance(p["expires_at"], int) and p["expires_at"] > time.time() for p in parts)
    # audio is interleaved with the text, not only appended after it
    kinds = ["audio" if "audio" in c["choices"][0]["delta"] else "text" for c in chunks]
    assert kinds.index("audio") < max(
        i for i, k in enumerate(kinds) if k == "text" and chunks[i]["choices"][0]["delta"]["content"]
    )
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    usage = events[-1]["usage"]
    audio_tokens = math.floor(12.5 * seconds + 0.5)
    assert usage["completion_tokens_details"] == {"audio_tokens": audio_tokens, "text_tokens": text_tokens}
    assert usage["completion_tokens"] == audio_tokens + text_tokens
    assert usage["prompt_tokens_details"] == {"text_tokens": usage["prompt_tokens"]}
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_omni_audio_capped_at_five_seconds(http: httpx2.Client) -> None:
    events = stream_events(
        http,
        model="qwen3-omni-flash-2025-12-01",
        modalities=["audio", "text"],
        audio={"voice": "Kiki", "format": "wav"},
        messages=[{"role": "user", "content": "word " * 200}],
    )
    pcm, parts = _audio(events)
    _check_tone(pcm, 5.0)
    assert len(parts) == 50
    assert events[-1]["usage"]["completion_tokens_details"]["audio_tokens"] == 63  # 62.5 rounded half up


def test_omni_turbo_transcript_variant(http: httpx2.Client) -> None:
    events = stream_events(
        http,
        model="qwen-omni-turbo",
        modalities=["text", "audio"],
        audio={"voice": "Ethan", "format": "wav"},
        messages=[{"role": "user", "content": "hi there"}],
    )
    deltas = [e["choices"][0]["delta"] for e in events if e["choices"]]
    transcript = "".join(d["audio"]["transcript"] for d in deltas if "transcript" in (d.get("audio") or {}))
    assert transcript == "Emulated reply: hi there"
    assert all(not d.get("content") for d in deltas)  # text only in delta.audio.transcript
    pcm, _ = _audio(events)
    _check_tone(pcm, 0.05 * count_text(transcript))
    # without audio output the text is in delta.content as usual
    plain = stream_events(
        http, model="qwen2.5-omni-7b", modalities=["text"], messages=[{"role": "user", "content": "x"}]
    )
    assert "".join(e["choices"][0]["delta"].get("content") or "" for e in plain if e["choices"]) == "Emulated reply: x"
    assert _audio(plain)[0] == b""


def test_omni_audio_with_openai_sdk(oai: openai.OpenAI) -> None:
    stream = oai.chat.completions.create(
        model="qwen3-omni-flash",
        messages=[{"role": "user", "content": "ping"}],
        stream=True,
        modalities=["text", "audio"],
        audio={"voice": "Cherry", "format": "wav"},
        stream_options={"include_usage": True},
    )
    text, pcm, usage = "", b"", None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        text += delta.content or ""
        audio = getattr(delta, "audio", None)  # typed `ChoiceDeltaAudio` in recent SDKs, a dict in older ones
        data = audio.get("data") if isinstance(audio, dict) else getattr(audio, "data", None)
        if data:
            pcm += base64.b64decode(data)
    assert text == "Emulated reply: ping"
    assert len(pcm) == 2 * round(24000 * 0.05 * count_text(text))
    assert usage is not None and usage.completion_tokens_details.audio_tokens > 0


OMNI_AUDIO = {
    "model": "qwen3-omni-flash",
    "stream": True,
    "modalities": ["text", "audio"],
    "audio": {"voice": "Cherry", "format": "wav"},
    "messages": [{"role": "user", "content": "hi"}],
}
FLASH_VOICES = (
    "Input should be "
    + ", ".join(f"'{v}'" for v in OMNI_FLASH_VOICES_17[:-1])
    + f" or '{OMNI_FLASH_VOICES_17[-1]}': parameters.audio.voice"
)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"modalities": ["audio"]}, "modalities should be ['text'] or ['text', 'audio']"),
        ({"modalities": ["text", "image"]}, "modalities should be ['text'] or ['text', 'audio']"),
        ({"modalities": "text"}, "modalities should be ['text'] or ['text', 'audio']"),
        ({"audio": None}, "'audio' parameter is required when modalities includes audio"),
        ({"audio": {"voice": "Cherry"}}, "'audio' parameter is required when modalities includes audio"),
        (
            {"model": "qwen-omni-turbo", "audio": {"voice": "Bob", "format": "wav"}},
            "Input should be 'Cherry', 'Serena', 'Ethan' or 'Chelsie': parameters.audio.voice",
        ),
        ({"audio": {"voice": "Serena", "format": "wav"}}, FLASH_VOICES),
        ({"audio": {"voice": "Cherry", "format": "mp3"}}, "Input should be 'wav': parameters.audio.format"),
        ({"enable_thinking": True}, "Audio output is not supported in thinking mode."),
        ({"stream": False}, "'audio' output only support with stream=true"),
        ({"model": "qwen-plus"}, "The model qwen-plus does not support audio output."),
    ],
)
def test_omni_audio_errors(http: httpx2.Client, extra: dict[str, Any], message: str) -> None:
    assert error_message(post(http, **{**OMNI_AUDIO, **extra})) == message


def test_omni_text_only_requests(http: httpx2.Client) -> None:
    plain = {"model": "qwen3-omni-flash", "messages": [{"role": "user", "content": "hi"}]}
    assert error_message(post(http, **plain)).startswith("This model only support stream mode")
    thinking = stream_events(http, **plain, enable_thinking=True, modalities=["text"])
    assert any(e["choices"][0]["delta"].get("reasoning_content") for e in thinking if e["choices"])
    assert post(http, model="qwen-plus", messages=plain["messages"], modalities=["text"]).status_code == 200


# -- explicit context cache ------------------------------------------------------------------------------

LONG = "The quick brown fox jumps over the lazy dog near the river bank. " * 90  # ~1,200 tokens
MARK = {"type": "ephemeral"}


def cached(text: str = LONG, question: str = "q1", **extra: Any) -> dict[str, Any]:
    messages = [
        {"role": "system", "content": [{"type": "text", "text": text, "cache_control": MARK}]},
        {"role": "user", "content": question},
    ]
    return {"model": "qwen-plus", "messages": messages, **extra}


def details(http: httpx2.Client, body: dict[str, Any]) -> dict[str, Any]:
    resp = post(http, **body)
    assert resp.status_code == 200, resp.text
    usage = resp.json()["usage"]
    if usage["prompt_tokens_details"].get("cache_type"):
        assert usage["prompt_tokens_details"]["text_tokens"] == usage["prompt_tokens"]
    return usage["prompt_tokens_details"]


def creation(n: int, hit: int = 0) -> dict[str, Any]:
    return {
        "cache_creation": {"ephemeral_5m_input_tokens": n},
        "cache_creation_input_tokens": n,
        "cache_type": "ephemeral",
        "cached_tokens": hit,
    }


def strip_text(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != "text_tokens"}


@pytest.fixture
def short_ttl(emu: DashScopeEmulator) -> Iterator[DashScopeEmulator]:
    before = emu.cache_ttl
    emu.cache_ttl = 0.5
    try:
        yield emu
    finally:
        emu.cache_ttl = before


def test_cache_creation_hit_and_expiry(http: httpx2.Client, short_ttl: DashScopeEmulator) -> None:
    n = 1 + count_text("system\n" + LONG)  # <|im_start|> + "system\n" + the marked text
    assert n >= 1024
    first = details(http, cached())
    assert strip_text(first) == creation(n)
    assert short_ttl.cached_prefixes == 1
    assert strip_text(details(http, cached(question="another question"))) == creation(0, hit=n)
    time.sleep(0.3)
    assert details(http, cached())["cached_tokens"] == n  # the hit reset the 0.5 s TTL ...
    time.sleep(0.3)
    assert details(http, cached())["cached_tokens"] == n  # ... so it is still alive 0.6 s after creation
    time.sleep(0.55)
    assert strip_text(details(http, cached())) == creation(n)  # expired: created again
    stream = stream_events(http, **cached(question="streamed"))
    assert stream[-1]["usage"]["prompt_tokens_details"]["cached_tokens"] == n


def test_cache_scope_and_prefix_identity(http: httpx2.Client) -> None:
    n = details(http, cached())["cache_creation_input_tokens"]
    assert details(http, cached(model="qwen-flash"))["cache_creation_input_tokens"] == n  # per model
    assert details(http, cached(text=LONG + "!"))["cached_tokens"] == 0  # another prefix
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
    with_tools = details(http, cached(tools=tools))  # tools are part of the prefix
    assert with_tools["cached_tokens"] == 0 and with_tools["cache_creation_input_tokens"] > n
    assert details(http, cached(tools=tools))["cached_tokens"] == with_tools["cache_creation_input_tokens"]
    with (
        DashScopeEmulator(api_key="sk-other") as other,  # caches are per account
        httpx2.Client(base_url=other.base_url, headers={"Authorization": "Bearer sk-other"}) as client,
    ):
        assert details(client, cached())["cached_tokens"] == 0


def test_cache_longer_marker_hits_earlier_prefix(http: httpx2.Client) -> None:
    n = details(http, cached())["cache_creation_input_tokens"]
    longer = cached()
    longer["messages"][1] = {
        "role": "user",
        "content": [
            {"type": "text", "text": "Part one. "},
            {"type": "text", "text": "Part two.", "cache_control": MARK},
        ],
    }
    longer["messages"][0]["content"][0].pop("cache_control")
    got = details(http, longer)
    assert got["cached_tokens"] == n  # found 2 blocks back from the marker
    # only the new suffix is written: <|im_end|> "\n" <|im_start|> "user\nPart one. Part two."
    assert got["cache_creation_input_tokens"] == 2 + count_text("\n") + count_text("user\nPart one. Part two.")
    assert details(http, longer)["cached_tokens"] == n + got["cache_creation_input_tokens"]


def test_cache_only_last_four_markers_count(http: httpx2.Client) -> None:
    parts = [{"type": "text", "text": f"Note {i}.", "cache_control": MARK} for i in range(4)]
    body = cached()
    body["messages"][1] = {"role": "user", "content": parts}
    first = details(http, body)  # five markers: the system one is ignored, the four user ones count
    assert first["cached_tokens"] == 0 and first["cache_creation_input_tokens"] > 1024
    # the first marker's prefix was not stored, the second one's was
    assert details(http, cached(question="other"))["cached_tokens"] == 0
    second = cached()
    second["messages"][1] = {"role": "user", "content": [parts[0], {"type": "text", "text": "different"}]}
    second["messages"][0]["content"][0].pop("cache_control")
    hit = details(http, second)
    assert hit["cached_tokens"] > 1024 and hit["cache_creation_input_tokens"] == 0


def test_cache_small_prefix_and_unmarked(http: httpx2.Client) -> None:
    assert details(http, cached(text="short system prompt")) == {"cached_tokens": 0}
    unmarked = cached()
    unmarked["messages"][0]["content"][0].pop("cache_control")
    assert details(http, unmarked) == {"cached_tokens": 0}
    assert details(http, cached(model="qwen3-vl-plus")) == {"cached_tokens": 0}  # arrays ok, no explicit cache
    assert error_message(post(http, **cached(model="qwen2.5-7b-instruct"))) == "input content must be a string."
    bad = cached()
    bad["messages"][0]["content"][0]["cache_control"] = {"type": "persistent"}
    assert error_message(post(http, **bad)) == "cache_control.type only supports 'ephemeral'"


def test_cache_marker_on_tool_message(http: httpx2.Client) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
    messages = [
        {"role": "user", "content": "look it up"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": LONG, "cache_control": MARK}]},
    ]
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
    first = details(http, {"model": "qwen3-max", "messages": messages, "tools": tools})
    assert first["cache_creation_input_tokens"] > 1024
    assert (
        details(http, {"model": "qwen3-max", "messages": messages, "tools": tools})["cached_tokens"]
        == first["cache_creation_input_tokens"]
    )


# -- web search ------------------------------------------------------------------------------------------------


def test_search_suffix_and_tokens(http: httpx2.Client) -> None:
    msgs = [{"role": "user", "content": "latest news"}]
    plain = post(http, model="qwen-plus", messages=msgs).json()
    searched = post(
        http,
        model="qwen-plus",
        messages=msgs,
        enable_search=True,
        search_options={
            "forced_search": True,
            "search_strategy": "max",
            "freshness": 30,
            "assigned_site_list": ["example.com"],
            "enable_citation": True,
        },
    ).json()
    assert searched["choices"][0]["message"]["content"] == "Emulated reply: latest news (searched the web)"
    assert searched["usage"]["prompt_tokens"] == plain["usage"]["prompt_tokens"] + 100
    assert "search_info" not in searched
    agent = post(
        http, model="qwen3-max", messages=msgs, enable_search=True, search_options={"search_strategy": "agent"}
    )
    assert agent.status_code == 200
    json_mode = post(
        http,
        model="qwen-plus",
        messages=[{"role": "user", "content": "news as json"}],
        enable_search=True,
        response_format={"type": "json_object"},
    ).json()
    assert json.loads(json_mode["choices"][0]["message"]["content"]) == {"reply": "news as json"}
    # options are not checked while search is off
    assert post(http, model="qwen-plus", messages=msgs, search_options={"search_strategy": "bogus"}).status_code == 200


@pytest.mark.parametrize(
    ("model", "options", "message"),
    [
        ("qwen-vl-max", None, "This model does not support enable_search."),
        ("qwen-plus", "turbo", "search_options must be an object."),
        (
            "qwen-plus",
            {"search_strategy": "fast"},
            "search_strategy should be one of ['turbo', 'max', 'agent', 'agent_max']",
        ),
        ("qwen-plus", {"search_strategy": "agent"}, "The search_strategy agent is not supported by model qwen-plus."),
        (
            "qwen-max",
            {"search_strategy": "agent_max"},
            "The search_strategy agent_max is not supported by model qwen-max.",
        ),
        ("qwen-plus", {"freshness": 10}, "freshness should be one of [7, 30, 180, 365]"),
        (
            "qwen-plus",
            {"assigned_site_list": [f"s{i}.com" for i in range(26)]},
            "assigned_site_list should be a list of at most 25 sites",
        ),
        ("qwen-plus", {"forced_search": "yes"}, "'forced_search' must be Boolean"),
    ],
)
def test_search_errors(http: httpx2.Client, model: str, options: Any, message: str) -> None:
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": "x"}], "enable_search": True}
    if options is not None:
        body["search_options"] = options
    assert error_message(post(http, **body)) == message

"""Multimodal conversion, Omni audio rules and streaming, cache markers and web-search options (no network)."""

from __future__ import annotations

import base64
import io
import wave

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from langchain_qwen import ChatQwen, QwenValidationError, resolve_profile
from langchain_qwen._convert import messages_to_wire
from langchain_qwen._payload import build_chat_request
from langchain_qwen._stream import DONE, StreamState
from langchain_qwen.media import audio_block, image_block, inline_local_media, message_wav, video_block

VL = resolve_profile("qwen3-vl-plus")
OMNI = resolve_profile("qwen3-omni-flash")


def _body(model: str, messages, **params):  # type: ignore[no-untyped-def]
    llm = ChatQwen(model=model, api_key="k")
    return build_chat_request(messages, llm._default_params | params, want_stream=True).body


def test_every_media_form_maps_to_dashscope_parts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    png = tmp_path / "dot.png"
    png.write_bytes(b"\x89PNG fake")
    blocks = [
        {"type": "text", "text": "describe"},
        {"type": "image", "url": "https://x/cat.jpg", "max_pixels": 1003520},
        {"type": "image", "base64": "AAAA", "mime_type": "image/jpeg", "extras": {"min_pixels": 4096}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,BBBB"}},
        image_block(png),
        video_block(["https://x/1.jpg", "https://x/2.jpg", "https://x/3.jpg", "https://x/4.jpg"], fps=2),
        {"type": "video", "url": "https://x/v.mp4", "fps": 1},
    ]
    parts = messages_to_wire([HumanMessage(blocks)], VL)[0]["content"]
    assert parts[1] == {"type": "image_url", "image_url": {"url": "https://x/cat.jpg"}, "max_pixels": 1003520}
    assert parts[2] == {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,AAAA"}, "min_pixels": 4096}
    assert parts[3]["image_url"]["url"] == "data:image/png;base64,BBBB"
    assert parts[4]["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(b"\x89PNG fake").decode()
    assert parts[5] == {"type": "video", "video": [f"https://x/{i}.jpg" for i in range(1, 5)], "fps": 2}
    assert parts[6] == {"type": "video_url", "video_url": {"url": "https://x/v.mp4"}, "fps": 1}


def test_audio_forms_for_omni() -> None:
    openai_form = {"type": "input_audio", "input_audio": {"data": "UklGR", "format": "wav"}}
    v1 = audio_block(b"ID3mp3", mime_type="audio/mpeg")
    parts = messages_to_wire([HumanMessage([openai_form, v1])], OMNI)[0]["content"]
    assert parts[0]["input_audio"] == {"data": "data:audio/wav;base64,UklGR", "format": "wav"}
    assert parts[1]["input_audio"]["format"] == "mp3" and parts[1]["input_audio"]["data"].startswith("data:audio/mpeg")


def test_local_and_oversized_media_rules(tmp_path) -> None:  # type: ignore[no-untyped-def]
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"jpegbytes")
    msg = HumanMessage([{"type": "image", "url": photo.as_uri()}])
    with pytest.raises(QwenValidationError, match=r"never read implicitly.*image_block\("):
        inline_local_media([msg])  # reading local files is explicit (helpers or allow_local_files=True)
    inlined = inline_local_media([msg], allow=True)[0]
    assert inlined.content[0]["base64"] == base64.b64encode(b"jpegbytes").decode() and msg.content[0]["url"].startswith(
        "file://"
    )
    with pytest.raises(QwenValidationError, match="file:// URLs are not accepted"):
        messages_to_wire([msg], VL)
    big = base64.b64encode(b"0" * (10 * 1024 * 1024 + 3)).decode()
    with pytest.raises(QwenValidationError, match="10 MB data-URI limit"):
        messages_to_wire([HumanMessage([{"type": "image", "base64": big, "mime_type": "image/png"}])], VL)
    with pytest.raises(QwenValidationError, match="over DashScope's 10 MB limit"):
        image_block(b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(QwenValidationError, match="fps must be within"):
        video_block(["https://x/a.jpg"] * 4, fps=30)
    sent = messages_to_wire([HumanMessage([{"type": "video", "url": "https://x/v.mp4"}])], resolve_profile("qwen-plus"))
    assert sent[0]["content"][0]["type"] == "video_url"  # never refused locally (volatile table fact)


def test_omni_audio_request_rules() -> None:
    body = _body("qwen3-omni-flash", [HumanMessage("hi")], audio={"voice": "Cherry"})
    assert body["modalities"] == ["text", "audio"] and body["audio"] == {"voice": "Cherry", "format": "wav"}
    assert body["stream"] is True  # Omni is stream-only
    with pytest.raises(QwenValidationError, match="choose one of"):
        _body("qwen-omni-turbo", [HumanMessage("hi")], modalities=["text", "audio"], audio={"voice": "Kiki"})
    with pytest.raises(QwenValidationError, match="text only"):
        _body("qwen3-omni-flash", [HumanMessage("hi")], audio={"voice": "Cherry"}, enable_thinking=True)
    with pytest.raises(QwenValidationError, match="cannot answer with audio"):
        _body("qwen-plus", [HumanMessage("hi")], modalities=["text", "audio"], audio={"voice": "Cherry"})
    with pytest.raises(QwenValidationError, match="needs a voice"):
        _body("qwen3-omni-flash", [HumanMessage("hi")], modalities=["text", "audio"])


def _omni_chunk(delta: dict, finish: str | None = None) -> dict:
    return {"id": "c1", "model": "qwen3-omni-flash", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def test_streamed_audio_merges_into_valid_pcm_and_invoke_gets_wav() -> None:
    pcm = bytes(range(256)) * 40  # 10,240 bytes, split into fragments that are not multiples of 3
    pieces = [pcm[:1001], pcm[1001:5000], pcm[5000:]]
    wire = [_omni_chunk({"content": "你好"})]
    wire += [
        _omni_chunk({"audio": {"data": base64.b64encode(p).decode(), "id": "audio_1", "expires_at": 1}}) for p in pieces
    ]
    wire += [_omni_chunk({"content": ""}, "stop")]
    state = StreamState(None, audio=True, aggregate=True)
    chunks = [c.message for w in wire for c in state.feed(w)] + [c.message for c in state.flush()]
    merged = chunks[0]
    for c in chunks[1:]:
        merged = merged + c
    assert merged.text == "你好"
    audio = next(b for b in merged.content if b["type"] == "audio")
    assert base64.b64decode(audio["base64"]) == pcm and audio["mime_type"].startswith("audio/pcm")
    assert message_wav(merged)[:4] == b"RIFF"
    final = state.result().generations[0].message
    wav = message_wav(final)
    with wave.open(io.BytesIO(wav)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24000, 1, 2)
        assert w.readframes(w.getnframes()) == pcm
    assert final.text == "你好" and final.additional_kwargs["audio"]["id"] == "audio_1"


def test_transcript_variant_becomes_text() -> None:
    state = StreamState(None, audio=True, aggregate=True)
    out = state.feed(_omni_chunk({"audio": {"transcript": "hello"}}))
    assert out[0].message.text == "hello"
    assert state.result().generations[0].message.text == "hello"
    assert DONE is not None


def test_cache_markers_last_four_and_auto_policy() -> None:
    parts = [{"type": "text", "text": f"p{i}", "cache_control": {"type": "ephemeral"}} for i in range(6)]
    with pytest.warns(UserWarning, match="only the last 4"):
        body = _body("qwen-plus", [SystemMessage(parts), HumanMessage("q")])
    kept = [p for p in body["messages"][0]["content"] if "cache_control" in p]
    assert [p["text"] for p in kept] == ["p2", "p3", "p4", "p5"]
    history = [SystemMessage("long system prompt"), HumanMessage("q1"), AIMessage("a1"), HumanMessage("q2")]
    auto = _body("qwen-plus", history, auto_cache=True)["messages"]
    assert auto[0]["content"][0]["cache_control"] == {"type": "ephemeral"}  # system prompt (+ tools before it)
    assert auto[2]["content"][0]["cache_control"] == {"type": "ephemeral"}  # end of the earlier history
    assert isinstance(auto[3]["content"], str)
    plain = _body("qwen-max", history, auto_cache=True)["messages"]
    assert all(isinstance(m["content"], str) for m in plain)  # no explicit cache: never array content


def test_search_options_validation() -> None:
    body = _body("qwen-plus", [HumanMessage("news?")], search_options={"forced_search": True, "freshness": 7})
    assert body["enable_search"] is True and body["search_options"]["freshness"] == 7
    for bad, match in [
        ({"search_strategy": "deep"}, "search_strategy must be one of"),
        ({"freshness": 3}, "freshness must be"),
        ({"enable_citation": True}, "compatible mode"),
        ({"search_strategy": "agent"}, "only for qwen3-max"),
        ({"assigned_site_list": ["a"] * 26}, "at most 25"),
        ({"surprise": 1}, "Unknown search_options"),
    ]:
        with pytest.raises(QwenValidationError, match=match):
            _body("qwen-plus", [HumanMessage("q")], search_options=bad)
    assert _body("qwen3-max", [HumanMessage("q")], search_options={"search_strategy": "agent"})["enable_search"]
    with pytest.raises(QwenValidationError, match="does not support enable_search"):
        _body("qwen-vl-max", [HumanMessage("q")], enable_search=True)

"""Vision, Omni audio, explicit context cache and web search through ChatQwen over HTTP (emulator)."""

from __future__ import annotations

import io
import math
import struct
import wave

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_qwen import ChatQwen, QwenBadRequestError
from langchain_qwen.media import image_block, message_wav, video_block
from langchain_qwen.testing import DashScopeEmulator
from tests._helpers import invoke, merge, stream

SYNC = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


def _llm(emu: DashScopeEmulator, model: str, **kw: object) -> ChatQwen:
    return ChatQwen(model=model, api_key=emu.api_key, base_url=emu.base_url, **kw)


@SYNC
def test_vision_inputs(emulator: DashScopeEmulator, sync: bool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    photo = tmp_path / "cat.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    frames = [f"https://example.com/frame{i}.jpg" for i in range(4)]
    msg = HumanMessage(
        [
            {"type": "text", "text": "What happens?"},
            image_block(photo, max_pixels=1003520),
            {"type": "image", "url": photo.as_uri()},
            video_block(frames, fps=2),
        ]
    )
    out = invoke(_llm(emulator, "qwen3-vl-plus", vl_high_resolution_images=True, allow_local_files=True), sync, [msg])
    assert "(saw: image, image, video(4 frames))" in out.text
    body = emulator.last_request.body
    parts = body["messages"][0]["content"]
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,") and parts[1]["max_pixels"] == 1003520
    assert parts[2]["image_url"]["url"].startswith("data:image/png;base64,")  # file:// never leaves the machine
    assert parts[3] == {"type": "video", "video": frames, "fps": 2} and body["vl_high_resolution_images"] is True
    assert out.usage_metadata["input_tokens"] > 256


def _pcm_of(message: object) -> tuple[int, bytes]:
    with wave.open(io.BytesIO(message_wav(message))) as w:  # type: ignore[arg-type]
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        return w.getframerate(), w.readframes(w.getnframes())


def _loudness(pcm: bytes) -> float:
    samples = struct.unpack(f"<{len(pcm) // 2}h", pcm)
    return math.sqrt(sum(s * s for s in samples) / len(samples))


@SYNC
@pytest.mark.parametrize("model", ["qwen3-omni-flash", "qwen-omni-turbo"])
def test_omni_speaks(emulator: DashScopeEmulator, sync: bool, model: str) -> None:
    llm = _llm(emulator, model, modalities=["text", "audio"], audio={"voice": "Cherry"})
    answer = invoke(llm, sync, "Say hello")  # stream-only: invoke streams and aggregates
    assert answer.text == "Emulated reply: Say hello"  # from delta.content or delta.audio.transcript
    rate, pcm = _pcm_of(answer)
    assert rate == 24000 and len(pcm) > 4800 and _loudness(pcm) > 1000  # a real, audible 24 kHz tone
    assert answer.usage_metadata["output_token_details"]["audio"] > 0
    chunks = stream(llm, sync, "Say hello")
    merged = merge(chunks)
    assert merged.text == answer.text and sum(1 for c in chunks if c.usage_metadata) == 1
    assert _pcm_of(merged)[1] == pcm  # streamed fragments merge into exactly the same audio
    body = emulator.last_request.body
    assert body["modalities"] == ["text", "audio"] and body["audio"] == {"voice": "Cherry", "format": "wav"}


def test_omni_per_call_voice_and_text_only(emulator: DashScopeEmulator) -> None:
    llm = _llm(emulator, "qwen3-omni-flash")
    text_only = llm.invoke("hi")
    assert message_wav(text_only) is None and emulator.last_request.body["stream"] is True
    spoken = llm.invoke("hi", audio={"voice": "Ethan"})
    assert message_wav(spoken) and emulator.last_request.body["audio"]["voice"] == "Ethan"


@SYNC
def test_explicit_cache_creation_then_hit(sync: bool) -> None:
    with DashScopeEmulator(api_key="sk-emulator") as emu:
        system = "You are a meticulous legal assistant. " + "Clause: the party shall comply with all terms. " * 150
        llm = _llm(emu, "qwen-plus", auto_cache=True)
        first = invoke(llm, sync, [SystemMessage(system), HumanMessage("Summarise clause 1.")])
        details = first.usage_metadata["input_token_details"]
        assert details["cache_creation"] >= 1024 and details.get("cache_read", 0) == 0
        second = invoke(llm, sync, [SystemMessage(system), HumanMessage("Summarise clause 2.")])
        assert second.usage_metadata["input_token_details"]["cache_read"] == details["cache_creation"]
        assert second.usage_metadata["input_tokens"] >= second.usage_metadata["input_token_details"]["cache_read"]
        marker = emu.last_request.body["messages"][0]["content"][0]
        assert marker["cache_control"] == {"type": "ephemeral"}


def test_manual_cache_markers_pass_through(emulator: DashScopeEmulator) -> None:
    prefix = "Reference text. " * 400
    msg = SystemMessage([{"type": "text", "text": prefix, "cache_control": {"type": "ephemeral"}}])
    out = _llm(emulator, "qwen3-coder-plus").invoke([msg, HumanMessage("q")])
    assert out.usage_metadata["input_token_details"]["cache_creation"] > 0
    assert emulator.last_request.body["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral"}


@SYNC
def test_web_search(emulator: DashScopeEmulator, sync: bool) -> None:
    llm = _llm(emulator, "qwen-plus", search_options={"forced_search": True, "search_strategy": "max"})
    out = invoke(llm, sync, "latest Qwen release?")
    assert out.text.endswith("(searched the web)")
    body = emulator.last_request.body
    assert body["enable_search"] is True and body["search_options"] == {"forced_search": True, "search_strategy": "max"}


def test_server_side_media_errors_are_typed(emulator: DashScopeEmulator) -> None:
    bad = HumanMessage([{"type": "image_url", "image_url": {"url": "ftp://example.com/a.png"}}])
    with pytest.raises(QwenBadRequestError, match="does not appear to be valid"):
        _llm(emulator, "qwen3-vl-plus").invoke([bad])

"""Multimodal content parts (F10.1/F10.2) and Qwen-Omni audio output (F10.3) of the DashScope emulator.

Input (``check_content_parts``), applied to every array ``content`` of a request (general rules only):

* A part must be an object whose ``type`` is ``text``, ``image_url``, ``input_audio``, ``video_url`` or
  ``video`` (else 400 ``MSG_PART_TYPE``). Sibling options ``min_pixels``, ``max_pixels``,
  ``total_pixels``, ``fps`` and ``cache_control`` are accepted on any part.
* A media part whose modality (image / audio / video) is not in ``profile.input_modalities`` is refused
  (``MSG_MODALITY``, ``[invented]``); models outside the profile table accept every modality.
* Every URL (``image_url.url``, ``input_audio.data``, ``video_url.url``, each ``video`` item) must start
  with ``http://``, ``https://`` or ``data:``; a ``data:`` URL needs ``base64`` in its header
  (``MSG_URL``); a data URI whose decoded payload exceeds 10485760 bytes is refused (``MSG_DATA_URI``).
* A ``video`` image list holds 4..512 URLs (4..2000 for the qwen3-vl-plus/flash families), else
  ``MSG_SEQUENCE`` (the typo "shoule" is DashScope's). ``fps`` must be a number in [0.1, 10]
  (``MSG_FPS``, ``[invented]``).
* Billing stand-in ``[invented]``: an image costs 256 prompt tokens, a ``video`` list 64 per frame, a
  ``video_url`` 1024, an ``input_audio`` 512. The answer to a last user message with media ends with
  `` (saw: <kinds>)``, kinds in part order: ``image``, ``video(<n> frames)``, ``video``, ``audio``.

Output (``check_audio_output``, models with ``audio`` in ``profile.output_modalities``):

* ``modalities`` is ``["text"]`` (default) or ``["text", "audio"]`` (any order), else 400
  (``MSG_MODALITIES``, ``[invented]``). Audio needs ``audio: {voice, format}`` (``MSG_AUDIO_REQUIRED``,
  ``[invented]``), ``format`` ``"wav"`` (``[invented]`` message in the voice message's style), a voice
  of ``profile.voices`` (documented message style, list generated from the profile), thinking off on
  ``thinking_disables_audio`` models (``MSG_AUDIO_THINKING``, ``[invented]``) and ``stream: true``
  (``MSG_AUDIO_STREAM``, from [ERR]).
* The audio is a real 24 kHz mono 16-bit little-endian PCM tone (440 Hz, amplitude 8000), 0.05 s per
  answer token (at most 5 s), sent base64 in fragments of 4800 bytes as
  ``{"audio": {"data", "expires_at", "id": "audio_<uuid>"}}`` deltas, interleaved after every few text
  chunks. ``completion_tokens_details.audio_tokens`` is 12.5 per second, rounded half up.
* The qwen-omni-turbo and qwen2.5-omni-7b families send the text as ``delta.audio.transcript`` when
  audio is on; the others (qwen3-omni-flash, …) in ``delta.content``.
"""

from __future__ import annotations

import base64
import math
import struct
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ._errors import ChatError
from ._sampling import is_number
from ._service import ServiceModel

MEDIA_MODALITY = {"image_url": "image", "input_audio": "audio", "video_url": "video", "video": "video"}
PART_TYPES = frozenset({"text", *MEDIA_MODALITY})
MAX_DATA_URI_BYTES = 10485760
IMAGE_TOKENS = 256
VIDEO_FRAME_TOKENS = 64
VIDEO_URL_TOKENS = 1024
AUDIO_INPUT_TOKENS = 512
"""[invented] Canned prompt tokens per media item (the real counts depend on pixels and duration)."""
MIN_SEQUENCE = 4
MAX_SEQUENCE = 512
LONG_SEQUENCE_FAMILIES = {"qwen3-vl-plus": 2000, "qwen3-vl-flash": 2000}
"""Families whose image lists may hold up to 2000 images (F10.2)."""
FPS_MIN, FPS_MAX = 0.1, 10

MSG_PART_TYPE = "Invalid part type."
MSG_URL = "The provided URL does not appear to be valid. Ensure it is correctly formatted."
MSG_DATA_URI = "Exceeded limit on max bytes per data-uri item : 10485760'."
MSG_SEQUENCE = "the range of sequence images shoule be ({low}, {high})."
MSG_FPS = "Range of fps should be [0.1, 10]"
"""[invented] F10.2 gives the range but not the refusal."""
MSG_MODALITY = "The model {model} does not support {modality} input."
"""[invented] The protocol says such models reject media but gives no wording."""

SAMPLE_RATE = 24000
TONE_HZ = 440.0
AMPLITUDE = 8000
SECONDS_PER_TOKEN = 0.05
MAX_AUDIO_SECONDS = 5.0
FRAGMENT_BYTES = 4800
AUDIO_TOKENS_PER_SECOND = 12.5
AUDIO_EXPIRES_IN = 3600
"""[invented] `expires_at` is the creation time plus this many seconds (a capture shows only a timestamp)."""
TEXT_CHUNKS_PER_AUDIO_BURST = 4
TRANSCRIPT_FAMILIES = frozenset({"qwen-omni-turbo", "qwen2.5-omni-7b"})
"""Families that stream the text as `delta.audio.transcript` when audio output is on (F10.3)."""

MSG_MODALITIES = "modalities should be ['text'] or ['text', 'audio']"
"""[invented] F10.3 lists the two accepted values but not the refusal."""
MSG_AUDIO_REQUIRED = "'audio' parameter is required when modalities includes audio"
"""[invented]"""
MSG_AUDIO_FORMAT = "Input should be 'wav': parameters.audio.format"
"""[invented] modelled on the documented voice message."""
MSG_AUDIO_THINKING = "Audio output is not supported in thinking mode."
"""[invented] F10.3: thinking mode means text-only output."""
MSG_AUDIO_STREAM = "'audio' output only support with stream=true"
MSG_AUDIO_OUTPUT = "The model {model} does not support audio output."
"""[invented]"""


# -- input parts ---------------------------------------------------------------------------------


@dataclass
class MediaSummary:
    """What the media parts of a request cost and what the last user message showed."""

    tokens: dict[str, int] = field(default_factory=dict)
    """Prompt tokens per modality (`image`, `video`, `audio`), only modalities present."""
    kinds: list[str] = field(default_factory=list)
    """Labels of the last user message's media parts, in order."""

    @property
    def total(self) -> int:
        return sum(self.tokens.values())


def _check_url(url: Any) -> None:
    if not isinstance(url, str):
        raise ChatError(MSG_URL)
    lowered = url[:8].lower()
    if lowered.startswith(("http://", "https://")):
        return
    if not lowered.startswith("data:"):
        raise ChatError(MSG_URL)
    header, sep, payload = url.partition(",")
    if not sep or "base64" not in header:
        raise ChatError(MSG_URL)
    payload = payload.strip()
    size = len(payload) * 3 // 4 - (len(payload) - len(payload.rstrip("=")))
    if size > MAX_DATA_URI_BYTES:
        raise ChatError(MSG_DATA_URI)


def _url_of(part: Mapping[str, Any], key: str, inner: str) -> Any:
    obj = part.get(key)
    return obj.get(inner) if isinstance(obj, Mapping) else None


def _check_part(part: Any, profile: ServiceModel, model: str) -> tuple[str, str, int] | None:
    """Validate one content part; return (modality, label, tokens) for media parts, None for text."""
    kind = part.get("type") if isinstance(part, Mapping) else None
    if kind not in PART_TYPES:
        raise ChatError(MSG_PART_TYPE)
    if "fps" in part:
        fps = part["fps"]
        if not is_number(fps) or not FPS_MIN <= fps <= FPS_MAX:
            raise ChatError(MSG_FPS)
    if kind == "text":
        return None
    modality = MEDIA_MODALITY[kind]
    if profile.known and modality not in profile.input_modalities:
        raise ChatError(MSG_MODALITY.format(model=model, modality=modality))
    if kind == "image_url":
        _check_url(_url_of(part, "image_url", "url"))
        return modality, "image", IMAGE_TOKENS
    if kind == "input_audio":
        _check_url(_url_of(part, "input_audio", "data"))
        return modality, "audio", AUDIO_INPUT_TOKENS
    if kind == "video_url":
        _check_url(_url_of(part, "video_url", "url"))
        return modality, "video", VIDEO_URL_TOKENS
    frames = part.get("video")
    if not isinstance(frames, list):
        raise ChatError(MSG_URL)
    high = LONG_SEQUENCE_FAMILIES.get(profile.family, MAX_SEQUENCE)
    if not MIN_SEQUENCE <= len(frames) <= high:
        raise ChatError(MSG_SEQUENCE.format(low=MIN_SEQUENCE, high=high))
    for url in frames:
        _check_url(url)
    return modality, f"video({len(frames)} frames)", VIDEO_FRAME_TOKENS * len(frames)


def check_content_parts(messages: Sequence[Mapping[str, Any]], profile: ServiceModel, model: str) -> MediaSummary:
    """Validate every array `content`; return the media token counts and the last user message's kinds.

    Raises:
        ChatError: 400 for an unknown part type, an unsupported modality, a bad URL, an oversized
            data URI, an image list of the wrong length or an `fps` out of range.
    """
    summary = MediaSummary()
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    for i, msg in enumerate(messages):
        content = msg.get("content")
        if not isinstance(content, list):
            continue
        for part in content:
            media = _check_part(part, profile, model)
            if media is None:
                continue
            modality, label, tokens = media
            summary.tokens[modality] = summary.tokens.get(modality, 0) + tokens
            if i == last_user:
                summary.kinds.append(label)
    return summary


# -- audio output ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudioOutput:
    """Requested Omni audio output."""

    voice: str
    format: str
    transcript: bool
    """Stream the text as `delta.audio.transcript` instead of `delta.content`."""


def _voice_message(voices: Sequence[str]) -> str:
    quoted = [f"'{v}'" for v in voices]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"Input should be {listed}: parameters.audio.voice"


def check_audio_output(
    body: Mapping[str, Any], profile: ServiceModel, model: str, *, thinking: bool, stream: bool
) -> AudioOutput | None:
    """Validate `modalities` / `audio`; return the audio request, or None for text-only output.

    Raises:
        ChatError: 400 (see the module docstring for the order of the checks).
    """
    modalities = body.get("modalities")
    if modalities is None:
        return None
    if (
        not isinstance(modalities, list)
        or any(m not in ("text", "audio") for m in modalities)
        or "text" not in modalities
        or len(set(modalities)) != len(modalities)
    ):
        raise ChatError(MSG_MODALITIES)
    if "audio" not in modalities:
        return None
    if profile.known and "audio" not in profile.output_modalities:
        raise ChatError(MSG_AUDIO_OUTPUT.format(model=model))
    if not stream:
        raise ChatError(MSG_AUDIO_STREAM)
    audio = body.get("audio")
    if not isinstance(audio, Mapping) or not audio.get("voice") or not audio.get("format"):
        raise ChatError(MSG_AUDIO_REQUIRED)
    voice, fmt = audio["voice"], audio["format"]
    if profile.voices and voice not in profile.voices:
        raise ChatError(_voice_message(profile.voices))
    if fmt != "wav":
        raise ChatError(MSG_AUDIO_FORMAT)
    if thinking and profile.thinking_disables_audio:
        raise ChatError(MSG_AUDIO_THINKING)
    return AudioOutput(voice=str(voice), format=fmt, transcript=profile.family in TRANSCRIPT_FAMILIES)


@lru_cache(maxsize=1)
def _full_tone() -> bytes:
    samples = int(SAMPLE_RATE * MAX_AUDIO_SECONDS)
    step = 2 * math.pi * TONE_HZ / SAMPLE_RATE
    return struct.pack(f"<{samples}h", *(round(AMPLITUDE * math.sin(step * n)) for n in range(samples)))


def audio_seconds(answer_tokens: int) -> float:
    """Duration of the spoken answer: 0.05 s per answer token, at most 5 s."""
    return min(SECONDS_PER_TOKEN * answer_tokens, MAX_AUDIO_SECONDS)


def pcm_tone(seconds: float) -> bytes:
    """`seconds` of the 440 Hz tone as 24 kHz mono 16-bit little-endian PCM (at most 5 s)."""
    samples = min(round(seconds * SAMPLE_RATE), SAMPLE_RATE * int(MAX_AUDIO_SECONDS))
    return _full_tone()[: 2 * samples]


def audio_tokens_for(seconds: float) -> int:
    """Audio output tokens: 12.5 per second, rounded half up."""
    return math.floor(AUDIO_TOKENS_PER_SECOND * seconds + 0.5)


def audio_deltas(answer_tokens: int, created: int) -> tuple[list[str], int]:
    """The `delta.audio` JSON objects carrying the spoken answer, and its audio token count."""
    seconds = audio_seconds(answer_tokens)
    pcm = pcm_tone(seconds)
    if not pcm:
        return [], 0
    head = '{"audio":{"data":"'
    tail = f'","expires_at":{created + AUDIO_EXPIRES_IN},"id":"audio_{uuid.uuid4()}"}}}}'
    out = [
        head + base64.b64encode(pcm[k : k + FRAGMENT_BYTES]).decode("ascii") + tail
        for k in range(0, len(pcm), FRAGMENT_BYTES)
    ]
    return out, audio_tokens_for(seconds)


def interleave_audio(text_deltas: list[str], audio: list[str]) -> list[str]:
    """Text deltas with the audio deltas spread after every few of them (the rest after the text)."""
    if not audio:
        return list(text_deltas)
    bursts = max(1, math.ceil(len(text_deltas) / TEXT_CHUNKS_PER_AUDIO_BURST))
    per_burst = math.ceil(len(audio) / bursts)
    out: list[str] = []
    sent = 0
    for k, delta in enumerate(text_deltas, 1):
        out.append(delta)
        if k % TEXT_CHUNKS_PER_AUDIO_BURST == 0:
            out += audio[sent : sent + per_burst]
            sent += per_burst
    out += audio[sent:]
    return out


__all__ = [
    "AudioOutput",
    "MediaSummary",
    "audio_deltas",
    "audio_seconds",
    "audio_tokens_for",
    "check_audio_output",
    "check_content_parts",
    "interleave_audio",
    "pcm_tone",
]

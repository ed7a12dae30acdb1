"""VCR wiring for the cassette suite: cassettes in <repo>/cassettes, secrets redacted, replay by default.

Replay (default, offline): `pytest tests/cassette_tests`.
Re-record against live DashScope (Beijing key): `DASHSCOPE_API_KEY=sk-... pytest tests/cassette_tests --record-mode=rewrite`.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from vcr import VCR
from vcr.persisters.filesystem import FilesystemPersister
from vcr.serialize import serialize

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
BODY_KEYS = (
    "model",
    "messages",
    "stream",
    "enable_thinking",
    "tool_choice",
    "response_format",
    "translation_options",
    "input",
    "prompt",
    "dimensions",
    "modalities",
    "endpoint",
    "input_file_id",
)
"""Request fields that identify an interaction; other fields may differ between client versions."""
KEEP_REQUEST_HEADERS = {"content-type"}


def redact_request(request: Any) -> Any:
    for name in list(request.headers):
        if name.lower() not in KEEP_REQUEST_HEADERS:
            request.headers[name] = "**REDACTED**"
    return request


def redact_response(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {k: v for k, v in response["headers"].items() if k.lower() not in ("set-cookie", "cookie")}
    return response


def _json(body: Any) -> Any:
    if body in (None, b"", ""):
        return None
    try:
        return json.loads(body)
    except (TypeError, ValueError, UnicodeDecodeError):
        return None


def dashscope_body(live: Any, stored: Any) -> None:
    """Match JSON bodies on the identifying fields of the stored request (multipart uploads match on URI)."""
    recorded = _json(stored.body)
    if not isinstance(recorded, dict):
        return
    sent = _json(live.body) or {}
    for key in BODY_KEYS:
        if key in recorded and sent.get(key) != recorded[key]:
            raise AssertionError(f"{key}: {sent.get(key)!r} != {recorded[key]!r}")


class SourcedPersister(FilesystemPersister):
    """Writes cassettes with a `source` line, so a re-recorded cassette says where it came from."""

    @staticmethod
    def save_cassette(cassette_path: Any, cassette_dict: Any, serializer: Any) -> None:
        data = yaml.safe_load(serialize(cassette_dict, serializer))
        day = datetime.date.today().isoformat()
        source = f"Recorded against live DashScope on {day} (pytest tests/cassette_tests --record-mode=rewrite)"
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yaml.safe_dump({"source": source, **data}, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    return {
        "cassette_library_dir": str(CASSETTES),
        "path_transformer": VCR.ensure_suffix(".yaml"),
        "match_on": ["method", "uri", "dashscope_body"],
        "before_record_request": redact_request,
        "before_record_response": redact_response,
        "decode_compressed_response": True,
        "allow_playback_repeats": True,
    }


def pytest_recording_configure(config: Any, vcr: VCR) -> None:
    vcr.register_matcher("dashscope_body", dashscope_body)
    vcr.register_persister(SourcedPersister)


@pytest.fixture
def default_cassette_name(request: pytest.FixtureRequest) -> str:
    return request.node.originalname.removeprefix("test_")


@pytest.fixture
def live(record_mode: str) -> bool:
    return record_mode not in ("none", None)


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch, live: bool) -> None:
    """Replays need no key (the Authorization header is redacted); re-recording needs a real Beijing key."""
    import os

    if live:
        if not os.environ.get("DASHSCOPE_API_KEY"):
            pytest.skip("re-recording needs DASHSCOPE_API_KEY")
    else:
        monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-placeholder")

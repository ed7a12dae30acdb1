"""Error type and compatible-mode error bodies shared by the emulator's chat, files and translation modules."""

from __future__ import annotations

from typing import Any


class ChatError(Exception):
    """A request the emulated endpoint refuses; rendered as the compatible-mode error body."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str | None = "invalid_parameter_error",
        type: str = "invalid_request_error",
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.type = type
        self.param = param


def error_body(message: str, type_: str, code: str | None, param: str | None, request_id: str) -> dict[str, Any]:
    """The compatible-mode error body (F13.5): `error` plus top-level `id` and `request_id`."""
    return {
        "error": {"message": message, "type": type_, "param": param, "code": code},
        "id": f"chatcmpl-{request_id}",
        "request_id": request_id,
    }


def files_error_body(message: str, type_: str, code: str | None, param: str | None) -> dict[str, Any]:
    """The Files API error body: only `error`, no top-level `id` / `request_id` (F13.5, F7.2 capture)."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


__all__ = ["ChatError", "error_body", "files_error_body"]

"""Test helpers: a loopback DashScope compatible-mode emulator used as test oracle and benchmark server."""

from langchain_qwen.testing.emulator import (
    DashScopeEmulator,
    Fault,
    FileError,
    RecordedRequest,
    StoredFile,
    shared_emulator,
)

__all__ = ["DashScopeEmulator", "Fault", "FileError", "RecordedRequest", "StoredFile", "shared_emulator"]

"""Polling helpers for long server-side work (document parsing, batches): backoff delays and a progress line."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator


def poll_delays(initial: float = 0.5, factor: float = 1.6, maximum: float = 5.0) -> Iterator[float]:
    """Backoff between status polls."""
    delay = initial
    while True:
        yield delay
        delay = min(delay * factor, maximum)


class Progress:
    """A one-line progress display on stderr for long waits (auto: only on a terminal, after 3 s)."""

    def __init__(self, enabled: bool | None, total: int, label: str = "Waiting") -> None:
        self.enabled = enabled
        self.label = label
        self.total = total
        self.start = time.monotonic()
        self.shown = False

    def update(self, pending: int) -> None:
        elapsed = time.monotonic() - self.start
        show = self.enabled or (self.enabled is None and sys.stderr.isatty() and elapsed > 3)
        if not show:
            return
        done = self.total - pending
        bar = "#" * int(20 * done / max(self.total, 1))
        sys.stderr.write(f"\r{self.label} {done}/{self.total} [{bar:<20}] {elapsed:5.1f}s")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


__all__ = ["Progress", "poll_delays"]

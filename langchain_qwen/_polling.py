"""Polling helpers for long server-side work (document parsing, batches, large embedding jobs): backoff and progress."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from importlib import import_module
from typing import Any

AUTO_DELAY = 3.0
"""Seconds before an automatic (`progress=None`) bar appears, so quick waits print nothing."""


def poll_delays(initial: float = 0.5, factor: float = 1.6, maximum: float = 5.0) -> Iterator[float]:
    """Backoff between status polls."""
    delay = initial
    while True:
        yield delay
        delay = min(delay * factor, maximum)


def in_ci() -> bool:
    """Whether the `CI` environment variable says this is a CI run (any value but empty, 0, false, no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (the test tqdm's auto front end uses)."""
    ipython = sys.modules.get("IPython")
    try:
        shell = ipython.get_ipython() if ipython is not None else None
        return shell is not None and "IPKernelApp" in shell.config
    except Exception:  # an IPython without a usable shell object is not a notebook
        return False


def progress_enabled(progress: bool | None) -> bool:
    """`progress` as asked; for None (auto): on in notebooks and terminals, off in CI and non-interactive runs."""
    if progress is not None:
        return progress
    if in_ci():
        return False
    return in_notebook() or sys.stderr.isatty()


def _bar_class(notebook: bool) -> Any:
    """tqdm's notebook widget in Jupyter when ipywidgets is installed, else its text bar (which Jupyter also draws)."""
    if notebook:
        try:
            import_module("ipywidgets")
            return import_module("tqdm.notebook").tqdm
        except ImportError:
            pass
    return import_module("tqdm.std").tqdm


class Progress:
    """A tqdm progress bar for a long wait; `progress=None` shows it only when interactive, after `AUTO_DELAY` s."""

    def __init__(self, enabled: bool | None, total: int, label: str = "Waiting", unit: str = "it") -> None:
        self.bar: Any = None
        if not progress_enabled(enabled):
            return
        notebook = in_notebook()
        self.bar = _bar_class(notebook)(
            total=total,
            desc=label,
            unit=unit,
            delay=0.0 if enabled else AUTO_DELAY,
            mininterval=0.0,
            miniters=0,  # redraw on every update: polls are seconds apart
            leave=True,
            **({} if notebook else {"file": sys.stderr, "dynamic_ncols": True}),
        )

    @property
    def shown(self) -> bool:
        """Whether a bar is being drawn (it may still be waiting for its delay)."""
        return self.bar is not None

    def update(self, pending: int, total: int | None = None) -> None:
        """Set the bar to `total - pending` done (the total may grow, e.g. as batch counts arrive)."""
        if self.bar is None:
            return
        if total is not None:
            self.bar.total = total
        self.bar.update(max(self.bar.total - pending, 0) - self.bar.n)

    def advance(self, count: int) -> None:
        """Mark `count` more items done."""
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


__all__ = ["AUTO_DELAY", "Progress", "in_ci", "in_notebook", "poll_delays", "progress_enabled"]

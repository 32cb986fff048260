"""Wait for something that happens asynchronously (a pane printing, a status changing)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Timeout(AssertionError):
    pass


def wait_for(check: Callable[[], T], timeout: float = 15.0, interval: float = 0.1,
             what: str = "") -> T:
    """Call `check` until it returns something truthy; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise Timeout(f"timed out after {timeout}s waiting for {what or check!r}; last: {last!r}")
        time.sleep(interval)

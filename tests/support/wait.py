"""Wait for something that happens asynchronously (a pane printing, a status changing)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from workspace.core.agent import Status
    from workspace.service import Workspace

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


def status_of(ws: Workspace, name: str) -> Status:
    """The agent's status after one poll tick."""
    ws.refresh()
    return ws.agent(name).status


def wait_status(ws: Workspace, name: str, *statuses: Status, timeout: float = 30) -> None:
    """Poll until the agent is in one of `statuses`."""
    wait_for(lambda: status_of(ws, name) in statuses, timeout,
             what=f"{name} to be {'/'.join(statuses)} (is {ws.agent(name).status})")

"""Waking the autopilot's loop early: when a hook event of one of its tasks' agents says the
agent stopped working (its turn ended, it asks permission, it exited), the loop looks now
rather than at the end of its interval; it never waits longer than the interval either way.

The agents' event files are watched with inotify (watchfiles, in a thread); only the lines
appended since the watcher's own last read are looked at (the poll keeps the stored offsets
and folds the events in as before: a wake-up only brings its look forward)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from watchfiles import Change, watch

from workspace.adapters.agents.base import Generic
from workspace.adapters.tail import read_new_lines, size_of
from workspace.core.agent import Agent, Status
from workspace.service.context import Context

STEP_MS = 20
"""Quiet after a change before the watcher looks (writes come in bursts)."""
DEBOUNCE_MS = 100
"""The longest a burst of changes is gathered before the watcher looks anyway."""


@dataclass
class _Followed:
    agent: Agent
    integ: Generic
    offset: int


class _Either:
    """Set when either event is: watchfiles asks `is_set()` between its steps."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class TurnWatch:
    def __init__(self, ctx: Context, stop: threading.Event) -> None:
        self.ctx = ctx
        self._stop = stop
        self._halt = threading.Event()
        self._woke = threading.Event()
        self._lock = threading.Lock()
        self._files: dict[str, _Followed] = {}
        self._thread: threading.Thread | None = None

    def follow(self, agents: Iterable[Agent]) -> None:
        """The agents whose turns it watches (the loop's, each time: its tasks' agents)."""
        wanted = {str(self.ctx.paths(agent.id).events): agent for agent in agents}
        with self._lock:
            for path in [p for p in self._files if p not in wanted]:
                del self._files[path]
            for path, agent in wanted.items():
                if path not in self._files:  # from its end: what is there the poll reads
                    self._files[path] = _Followed(agent, self.ctx.integration(agent.preset),
                                                  size_of(Path(path)) or 0)
                else:
                    self._files[path].agent = agent
        if wanted and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="autopilot-wake",
                                            daemon=True)
            self._thread.start()

    def begin(self) -> None:
        """A look starts: what is appended from now on wakes the next one."""
        self._woke.clear()

    def wait(self, timeout: float) -> bool:
        """Until an agent stops working, the autopilot is stopped, or `timeout` passes; True
        when woken before the timeout."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.wait(timeout)  # nothing watched (or the watcher failed): the timer
            return False
        return self._woke.wait(timeout)

    def close(self) -> None:
        self._halt.set()
        if self._thread is not None:
            self._thread.join(2.0)

    def _run(self) -> None:
        root = self.ctx.state_dir / "agents"
        try:
            for changes in watch(root, watch_filter=_events_file, stop_event=_Either(
                    self._stop, self._halt), debounce=DEBOUNCE_MS, step=STEP_MS,
                    rust_timeout=500, yield_on_timeout=False, raise_interrupt=False):
                if self._stopped_working({path for _, path in changes}):
                    self._woke.set()
        except Exception:  # the timer alone then: a look is never lost
            pass
        finally:
            self._woke.set()  # stopped: the loop need not wait out its interval

    def _stopped_working(self, paths: set[str]) -> bool:
        with self._lock:
            followed = [self._files[p] for p in paths if p in self._files]
        ended = False
        for f in followed:
            chunk = read_new_lines(self.ctx.paths(f.agent.id).events, f.offset)
            f.offset = chunk.offset
            for line, _ in chunk.lines:
                status = _status(f, line)
                ended = ended or (status is not None and status != Status.WORKING)
        return ended


def _events_file(_: Change, path: str) -> bool:
    return path.endswith("/events.jsonl")


def _status(followed: _Followed, line: str) -> Status | None:
    """What one hook event says of the agent's status (None: nothing definite)."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    data = record.get("data")
    at = record.get("at")
    seen = followed.integ.agent_hook_observation(
        followed.agent, str(record.get("event", "")), data if isinstance(data, dict) else {},
        float(at) if isinstance(at, int | float) else time.time())
    return seen.status if seen is not None else None

"""The autopilot as a process: one per workspace (a lock in the state dir), in the foreground
(`workspace autopilot`, for scripts and CI) or detached in its own session of the private tmux
server (`--start`), so it keeps going when the TUI quits. It polls the fleet itself, so nothing
else needs to run."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters.agents.base import AgentPaths
from workspace.adapters.files import LockBusy, hold_lock, is_locked, read_json
from workspace.adapters.launch_spec import write_launch_spec
from workspace.adapters.proc import alive
from workspace.core.errors import UsageError
from workspace.core.tasks.graph import blockers
from workspace.core.tasks.model import Task, TaskState
from workspace.service.context import Context
from workspace.service.poller import AUTOPILOT_LOCK, Snapshot
from workspace.service.tasks.autopilot import Autopilot

LOCK = AUTOPILOT_LOCK
SESSION = "_autopilot"
"""Its tmux session: a name no agent can have (agent names start with a letter or digit)."""


@dataclass(frozen=True)
class AutopilotStatus:
    running: bool
    pid: int = 0
    since: float = 0.0
    counts: dict[str, int] | None = None
    active: int = 0
    """Tasks whose agents the autopilot runs now (running, checking, merging)."""
    max_agents: int = 0

    def summary(self, short: bool = False) -> str:
        """`short` (a narrow header) leaves out how many agents of how many it runs."""
        counts = self.counts or {}
        parts = [f"autopilot {'on' if self.running else 'off'}"]
        if not short:
            parts.append(f"{self.active}/{self.max_agents} agents")
        for state, label in (("queued", "queued"), ("review", "in review"),
                             ("proposed", "proposed"), ("failed", "failed")):
            if counts.get(state):
                parts.append(f"{counts[state]} {label}")
        return " · ".join(parts)


def finished(tasks: list[Task]) -> bool:
    """Nothing left for the autopilot to do on its own: no task running, checking or merging,
    and no queued task that can still start (one after a failed task waits for the person)."""
    by_id = {t.id: t for t in tasks}
    for task in tasks:
        if task.state.active:
            return False
        if task.state == TaskState.QUEUED and not blockers(task, by_id)[1]:
            return False
    return True


class AutopilotProcess:
    def __init__(self, ctx: Context, make: Callable[[], Autopilot],
                 refresh: Callable[[], Snapshot], reconcile: Callable[[], object]) -> None:
        self.ctx = ctx
        self._make = make
        self._refresh = refresh
        self._reconcile = reconcile

    @property
    def lock_path(self) -> Path:
        return self.ctx.state_dir / LOCK

    def run(self, until_done: bool = False, stop: threading.Event | None = None,
            say: Callable[[str], None] | None = None) -> None:
        """Run in this process until stopped (SIGTERM, Ctrl-C, `stop`), or with `until_done`
        until `finished`."""
        stop = stop or threading.Event()
        holder: dict[str, object] = {"pid": os.getpid(), "since": time.time()}
        try:
            with hold_lock(self.lock_path, wait=0, holder=holder):
                self._loop(until_done, stop, say)
        except LockBusy:
            raise UsageError(f"the autopilot is already running ({self._holder_text()}); "
                             "stop it first: workspace autopilot --stop") from None

    def _loop(self, until_done: bool, stop: threading.Event,
              say: Callable[[str], None] | None) -> None:
        pilot = self._make()
        if say is not None:
            pilot.say = say
        self._reconcile()
        while not stop.is_set():
            # A config edited or a repository file trusted while it runs applies from the
            # next tick (a detached autopilot outlives the TUI where the person trusted it).
            changed = self.ctx.follow_settings()
            if changed is not None:
                pilot.say("settings read again" if not changed
                          else f"settings not read again: {changed}")
            snapshot = self._refresh()
            pilot.tick(agents=snapshot.agents)
            if until_done and not pilot.in_flight() and finished(self.ctx.store.tasks.live()):
                break
            stop.wait(self.ctx.settings.tasks.interval)
        pilot.wait(timeout=5.0 if stop.is_set() else None)

    def _holder_text(self) -> str:
        holder = read_json(self.lock_path) or {}
        pid = holder.get("pid")
        since = holder.get("since")
        ago = f", for {time.time() - since:.0f}s" if isinstance(since, int | float) else ""
        return f"pid {pid}{ago}"

    # -- detached ---------------------------------------------------------------------------

    def status(self) -> AutopilotStatus:
        tasks = self.ctx.store.tasks.all()
        counts: dict[str, int] = {}
        for task in tasks:
            counts[str(task.state)] = counts.get(str(task.state), 0) + 1
        active = sum(1 for t in tasks if t.state.active)
        running = is_locked(self.lock_path)
        holder = read_json(self.lock_path) or {} if running else {}
        pid = holder.get("pid")
        since = holder.get("since")
        return AutopilotStatus(running, pid if isinstance(pid, int) else 0,
                               float(since) if isinstance(since, int | float) else 0.0,
                               counts, active, self.ctx.settings.tasks.max_agents)

    def start(self, wait: float = 15.0) -> AutopilotStatus:
        """Start the autopilot in its own session of the workspace's tmux server, with this
        process's environment (the person's shell: agents it starts resolve as they do)."""
        if is_locked(self.lock_path):
            raise UsageError(f"the autopilot is already running ({self._holder_text()})")
        if self.ctx.tmux.has_session(SESSION):
            self.ctx.tmux.kill_session(SESSION)  # a dead one left by a crash
        paths = AgentPaths.under(self.ctx.state_dir, SESSION)
        paths.dir.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "workspace", "-C", str(self.ctx.repo.top), "autopilot"]
        command = write_launch_spec(paths, argv, {}, str(self.ctx.repo.top), "")
        self.ctx.tmux.new_session(SESSION, str(self.ctx.repo.top), command, {}, (120, 40))
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if is_locked(self.lock_path):
                return self.status()
            time.sleep(0.1)
        screen = ""
        try:
            panes = {p.session: p.pane_id for p in self.ctx.tmux.list_panes() or []}
            if SESSION in panes:
                screen = self.ctx.tmux.capture([panes[SESSION]], colors=False).get(
                    panes[SESSION], "")
        except Exception:
            screen = ""
        last = [line for line in screen.splitlines() if line.strip()][-1:] or ["no output"]
        raise UsageError(f"the autopilot did not start within {wait:g}s: {last[0]}")

    def stop(self, wait: float = 15.0) -> bool:
        """Stop a running autopilot (SIGTERM, then SIGKILL). False if none was running."""
        if not is_locked(self.lock_path):
            if self.ctx.tmux.has_session(SESSION):
                self.ctx.tmux.kill_session(SESSION)
            return False
        holder = read_json(self.lock_path) or {}
        pid = holder.get("pid")
        if not isinstance(pid, int) or not alive(pid):
            raise UsageError(f"the autopilot's lock is held but its pid is unknown "
                             f"({self.lock_path}); stop its process by hand")
        for sig, grace in ((signal.SIGTERM, wait), (signal.SIGKILL, 5.0)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and is_locked(self.lock_path):
                time.sleep(0.1)
            if not is_locked(self.lock_path):
                break
        if self.ctx.tmux.has_session(SESSION):
            self.ctx.tmux.kill_session(SESSION)
        return True

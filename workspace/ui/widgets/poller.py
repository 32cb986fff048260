"""The fleet's heartbeat: reconcile once, then poll tmux, hooks and transcripts every tick,
watch the polled agents' worktrees for changes, and ring (the bell, a toast, the terminal's own
notification: [notify] terminal) when an agent starts needing the person. Shows nothing
itself: the screen renders what AgentsPolled carries.

Its workers only post facts (WorkspaceReconciled, AgentsPolled, DiffsUpdated, PollFailed);
what the UI thread tells them (which agent is in focus, poll now, stop watching) goes through
a plain attribute, an Event or a stop flag made before the worker starts.
"""

from __future__ import annotations

import os
import threading

from textual import on, work
from textual.widget import Widget
from textual.worker import get_current_worker

from workspace.core import format as fmt
from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.core.notify import terminal_sequence
from workspace.service import Snapshot, Workspace
from workspace.ui.messages import (
    ActionFinished,
    AgentsPolled,
    DiffsUpdated,
    PollFailed,
    WorkspaceReconciled,
)


class Poller(Widget):
    DEFAULT_CSS = "Poller { display: none; }"

    def __init__(self, ws: Workspace, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.ws = ws
        self.focus_id: str | None = None
        """The agent in the preview: its screen is captured every tick, its burn rate read."""
        self._wake = threading.Event()
        self._last: Snapshot | None = None
        """The snapshot handled last, to tell who started needing the person."""
        self._watching: frozenset[str] = frozenset()
        self._watch_stop: threading.Event | None = None

    def on_mount(self) -> None:
        self._reconcile()
        self._poll()

    def on_unmount(self) -> None:
        if self._watch_stop is not None:
            self._watch_stop.set()
        self._wake.set()

    def wake(self) -> None:
        """Poll now rather than at the end of the interval."""
        self._wake.set()

    def follow(self, agent_id: str | None) -> None:
        self.focus_id = agent_id
        self._wake.set()

    @work(thread=True, exclusive=True, group="reconcile", exit_on_error=False,
          description="reconcile with tmux and git")
    def _reconcile(self) -> None:
        try:
            report = self.ws.reconcile()
        except UsageError as exc:
            self.post_message(ActionFinished(str(exc), error=True))
            return
        self.post_message(WorkspaceReconciled(report))

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False,
          description="poll tmux, hooks and transcripts")
    def _poll(self) -> None:
        worker = get_current_worker()
        interval = self.ws.settings.workspace.poll_interval
        failures = 0
        while not worker.is_cancelled:
            focus = self.focus_id
            try:
                snapshot = self.ws.refresh()
                burn = self.ws.burn_rate(focus) if focus else []
                budgets = {a.id: self.ws.budget_of(a) for a in snapshot.agents}
                autopilot = self.ws.autopilot_status()
                usage = self.ws.usage_summary()  # cheap: the ended agents' part is kept
                self.post_message(AgentsPolled(snapshot, focus, burn, budgets, autopilot,
                                               usage))
                failures = 0
            except Exception as exc:
                failures += 1
                if failures == 1:
                    self.post_message(PollFailed(str(exc)))
            self._wake.wait(interval)
            self._wake.clear()

    @on(AgentsPolled)
    def _polled(self, message: AgentsPolled) -> None:
        # and on up to the screen, which renders it
        previous, self._last = self._last, message.snapshot
        if previous is not None:
            self._alert(previous, message.snapshot)
        self._watch_agents(message.snapshot.agents)

    def _alert(self, previous: Snapshot, snapshot: Snapshot) -> None:
        """Bell and toast when an agent starts needing the person."""
        before = {a.id: a.status for a in previous.agents}
        settings = self.ws.settings.workspace
        for agent in snapshot.agents:
            old = before.get(agent.id)
            if agent.status.needs_you and old is not None and not old.needs_you:
                if settings.bell:
                    self.app.bell()
                title = f"{agent.name} {fmt.STATUS_LABEL[agent.status]}"
                if settings.notify:
                    reason = f": {agent.status_reason}" if agent.status_reason else ""
                    self.notify(f"{title}{reason}", title="needs you", severity="warning",
                                timeout=6)
                self._terminal_notify(title, agent.status_reason)

    def _terminal_notify(self, title: str, body: str) -> None:
        """The terminal's own desktop notification (OSC 9 or 777), through tmux when the TUI
        runs inside it. Textual has no public call for raw output; App.bell() and its
        clipboard copy write to the driver the same way, so the sequence is not cut into a
        frame being drawn."""
        kind = self.ws.settings.notify.terminal
        sequence = terminal_sequence(kind, title, body, in_tmux=bool(os.environ.get("TMUX")))
        driver = self.app._driver
        if sequence and driver is not None and not self.app.is_headless:
            driver.write(sequence)

    @on(WorkspaceReconciled)
    def _reconciled(self, message: WorkspaceReconciled) -> None:
        for line in message.report.lines():
            self.notify(line, title="since last time", timeout=8)

    @on(PollFailed)
    def _poll_failed(self, message: PollFailed) -> None:
        self.notify(f"polling failed: {message.error}", severity="error", timeout=8)

    def _watch_agents(self, agents: tuple[Agent, ...]) -> None:
        """Watch these agents' worktrees (a no-op when they are the ones already watched)."""
        ids = frozenset(a.id for a in agents)
        if ids == self._watching:
            return
        self._watching = ids
        if self._watch_stop is not None:
            self._watch_stop.set()
        self._watch_stop = stop = threading.Event()
        self._watch(list(agents), stop)

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False,
          description="watch worktrees for changes")
    def _watch(self, agents: list[Agent], stop: threading.Event) -> None:
        by_id = {a.id: a for a in agents}
        for agent in agents:
            if stop.is_set():
                return
            self.ws.update_diff(agent)
        self.post_message(DiffsUpdated(set(by_id)))
        for changed in self.ws.watch_changes(agents, stop):
            for agent_id in changed:
                if agent_id in by_id:
                    self.ws.update_diff(by_id[agent_id])
            self.post_message(DiffsUpdated(changed))

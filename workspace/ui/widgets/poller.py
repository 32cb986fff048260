"""The fleet's heartbeat: reconcile once, then poll tmux, hooks and transcripts every tick,
and watch the polled agents' worktrees for changes. Shows nothing itself: the screen renders
what AgentsPolled carries (and the Attention widget rings when an agent starts needing you).

Its workers only post facts (WorkspaceReconciled, AgentsPolled, DiffsUpdated, PollFailed);
what the UI thread tells them (which agent is in focus, poll now, stop watching) goes through
a plain attribute, an Event or a stop flag made before the worker starts.
"""

from __future__ import annotations

import threading

from textual import on, work
from textual.widget import Widget
from textual.worker import get_current_worker

from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.service import Workspace
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
        """The agent in focus: the next tick reads its burn rate (`wake` to have it now)."""
        self.focus_id = agent_id

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
        # and on up to the screen, which renders it (the Attention widget says who started
        # needing the person)
        self._watch_agents(message.snapshot.agents)

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

"""Notifications outside the TUI: after each poll tick, every agent that started needing the
person and every new task event goes to the person's `[notify] command`, one JSON object on
its stdin per event (core/notify.py says what is in it).

Whoever polls notifies (the TUI, the autopilot, a verb that refreshes), so notifications come
with the TUI closed too; a change is claimed in the state before it is told (store/notices.py),
so two pollers at once tell it once. Claims move whether a command is set or not: setting one
later does not replay the past. The command runs detached and time-limited (adapters/deliver.py,
through runner.deliver_detached): a tick never waits for it, and a verb that exits right after
its refresh loses nothing. Why a run failed is in <state>/notify.log."""

from __future__ import annotations

import json
import time
from pathlib import Path

from workspace.adapters.runner import deliver_detached
from workspace.core.agent import Agent, Status
from workspace.core.notify import needs_you, needs_you_event, task_event
from workspace.service.context import Context

LOG = "notify.log"


class Notifier:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def log_path(self) -> Path:
        return self.ctx.state_dir / LOG

    def after_tick(self, agents: list[Agent]) -> list[dict[str, object]]:
        """Claim what changed since anyone last looked and hand it to the command. Returns
        the events told (also when no command is set: then to no one)."""
        now = time.time()
        events = self._status_events(agents, now) + self._task_events()
        settings = self.ctx.settings.notify
        if events and settings.command:
            try:
                deliver_detached(settings.command, [json.dumps(e) for e in events],
                                 settings.timeout, self.ctx.repo.top, self.log_path)
            except OSError as exc:
                self._note(f"could not start the notify command: {exc}")
        return events

    def _status_events(self, agents: list[Agent], now: float) -> list[dict[str, object]]:
        by_id = {a.id: a for a in agents if a.spawn_complete}
        moved = self.ctx.store.notices.claim_statuses(
            {aid: a.status.value for aid, a in by_id.items()})
        workspace = self.ctx.repo.name
        return [needs_you_event(workspace, by_id[aid], before, now)
                for aid, before, status in moved if needs_you(before, Status(status))]

    def _task_events(self) -> list[dict[str, object]]:
        claimed = self.ctx.store.notices.claim_task_events()
        if not claimed or not self.ctx.settings.notify.tasks:
            return []
        workspace = self.ctx.repo.name
        tasks = self.ctx.store.tasks
        out: list[dict[str, object]] = []
        for _, task_id, at, kind, detail in claimed:
            task = tasks.get(task_id)  # None once deleted: its "deleted" event still goes
            out.append(task_event(workspace, task_id, kind, detail, at,
                                  title=task.title if task else "",
                                  state=str(task.state) if task else "",
                                  agent=task.agent if task else None))
        return out

    def _note(self, line: str) -> None:
        try:
            with self.log_path.open("a") as log:
                log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
        except OSError:
            pass  # nowhere to say it; the tick goes on

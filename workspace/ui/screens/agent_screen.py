"""What every part of the main screen shares: the workspace, the last snapshot, the selected
agent, and the one idiom for background actions (a thread worker that posts ActionFinished)."""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.service import Snapshot, Workspace
from workspace.ui.messages import ActionFinished
from workspace.ui.widgets.agent_table import AgentTable


class AgentScreen(Screen[None]):
    def __init__(self, ws: Workspace) -> None:
        super().__init__()
        self.ws = ws
        self.snapshot: Snapshot | None = None
        self.focus_id: str | None = None

    @property
    def table(self) -> AgentTable:
        return self.query_one(AgentTable)

    @property
    def selected(self) -> Agent | None:
        if self.snapshot is None or self.focus_id is None:
            return None
        return self.snapshot.by_id(self.focus_id)

    def _need_agent(self) -> Agent | None:
        agent = self.selected
        if agent is None:
            self.notify("No agent selected. Press n to spawn one.", severity="warning")
        return agent

    def _marked_or_selected(self) -> list[Agent]:
        """The marked agents in table order, else the selected one."""
        if self.snapshot is None:
            return []
        marked = [a for a in self.snapshot.agents if a.id in self.table.marked]
        if marked:
            return marked
        agent = self._need_agent()
        return [agent] if agent else []

    def run_action_in_worker(self, description: str, job: Callable[[], str | None]) -> None:
        """Run a service call off the UI thread; its one-line result (or the error a person
        can fix) comes back as ActionFinished."""
        def run() -> None:
            try:
                text = job()
            except UsageError as exc:
                self.post_message(ActionFinished(str(exc), error=True))
                return
            except Exception as exc:
                self.post_message(ActionFinished(f"{description} failed: {exc!r}", error=True))
                return
            self.post_message(ActionFinished(text or ""))

        self.run_worker(run, thread=True, exit_on_error=False, group="actions",
                        description=description)

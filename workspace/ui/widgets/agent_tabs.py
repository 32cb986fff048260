"""The selected agent three ways, a tab each: its live screen (where inline typing happens),
its diff, its details. The screen says which agent is selected and what the last poll saw;
this knows which tab is open and what it needs (the Diff tab follows the selection and
reloads when the agent's files change). Every tab has its action and key (v, d, D)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import TabbedContent, TabPane

from workspace.core.agent import Agent
from workspace.service import Snapshot, Workspace
from workspace.ui.widgets.detail import AgentDetail
from workspace.ui.widgets.diff_panel import DiffPanel
from workspace.ui.widgets.preview import PanePreview


class AgentTabs(Vertical):
    DEFAULT_CSS = """
    AgentTabs { height: 1fr; }
    AgentTabs > #tabs { height: 1fr; }
    """

    def __init__(self, ws: Workspace, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.ws = ws
        self._name: str | None = None
        """The selected agent's name, for the Diff tab."""
        self._details: tuple[Agent | None, list[float], float | None,
                             list[tuple[str, str]]] = (None, [], None, [])
        """What the Details tab shows when it opens: a hidden tab's text is not built."""

    def compose(self) -> ComposeResult:
        with TabbedContent(id="tabs"):
            with TabPane("Preview", id="tab-preview"):
                yield PanePreview(self.ws.type_keys, self.ws.pane_history, id="preview")
            with TabPane("Diff", id="tab-diff"):
                yield DiffPanel(self.ws.diff, id="diff")
            with TabPane("Details", id="tab-details"):
                yield AgentDetail(id="detail")

    @property
    def _diff_open(self) -> bool:
        return self.query_one(TabbedContent).active == "tab-diff"

    def show(self, agent: Agent | None, snapshot: Snapshot | None, burn: list[float],
             budget: float | None, radar: list[tuple[str, str]]) -> None:
        """The selected agent as the last poll saw it: its screen and cursor, its details,
        the judge's verdict on its task."""
        preview = self.query_one(PanePreview)
        self.query_one(DiffPanel).show_verdict(
            snapshot.verdicts.get(agent.id) if agent and snapshot else None)
        if agent is None or snapshot is None:
            preview.show_screen(None, "", None, "Select an agent to see its screen here.")
        else:
            preview.show_screen(agent.id, snapshot.screens.get(agent.id, ""),
                                snapshot.cursors.get(agent.id), f"{agent.name}: no output yet")
        self._details = (agent, burn, budget, radar)
        # Each update of the details asks the whole screen for a layout, hidden or not: at
        # every poll tick and every selection move. Only the open tab is drawn.
        if self.query_one(TabbedContent).active == "tab-details":
            self.query_one(AgentDetail).show(*self._details)

    def follow(self, name: str | None) -> None:
        """Another agent is selected: the open Diff tab shows it."""
        self._name = name
        if self._diff_open:
            self.query_one(DiffPanel).show(name)

    def files_changed(self, name: str) -> None:
        """The selected agent's files changed: the open Diff tab computes its diff again."""
        if self._diff_open:
            self.query_one(DiffPanel).show(name, reload=True)

    def diff(self, name: str) -> None:
        """The first press opens the Diff tab; pressing again switches whole branch / WIP."""
        self._name = name
        tabs = self.query_one(TabbedContent)
        if tabs.active != "tab-diff":
            tabs.active = "tab-diff"
            self.query_one(DiffPanel).show(name)
        else:
            self.query_one(DiffPanel).toggle_mode()

    def open(self, tab: str) -> None:
        """Open a tab by name: 'preview', 'diff' or 'details'."""
        self.query_one(TabbedContent).active = f"tab-{tab}"

    def scroll_back(self) -> None:
        """Open the Preview and scroll it back into the agent's scrollback, keys and all."""
        self.open("preview")
        preview = self.query_one(PanePreview)
        preview.focus()
        preview.scroll_back()

    def start_typing(self, name: str, exit_key: str) -> None:
        self.query_one(TabbedContent).active = "tab-preview"
        self.query_one(PanePreview).start_typing(name, exit_key)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-diff":
            self.query_one(DiffPanel).show(self._name)
        elif event.pane.id == "tab-details":
            self.query_one(AgentDetail).show(*self._details)

"""The fleet as a person steers it: the view bar (the filter as typed, how the table is sorted,
grouped and marked), the agent table, or the line saying there are no agents yet. It keeps
the view, the marks and the folds in step; the screen asks it who is marked or selected."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from workspace.core.agent import Agent
from workspace.service import Snapshot
from workspace.ui import view as views
from workspace.ui.widgets.agent_table import AgentTable
from workspace.ui.widgets.view_bar import ViewBar

EMPTY = "No agents yet. Press [b]n[/b] to spawn one, or [b]?[/b] for help."


class Fleet(Vertical):
    DEFAULT_CSS = """
    Fleet { height: 1fr; }
    Fleet #empty { height: 1fr; content-align: center middle; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield ViewBar(id="view-bar")
        yield AgentTable(id="agents")
        yield Static(EMPTY, id="empty")

    def on_mount(self) -> None:
        self.table.display = False

    @property
    def table(self) -> AgentTable:
        return self.query_one(AgentTable)

    @property
    def bar(self) -> ViewBar:
        return self.query_one(ViewBar)

    def show(self, snapshot: Snapshot) -> None:
        has_agents = bool(snapshot.agents)
        self.table.display = has_agents
        self.query_one("#empty").display = not has_agents
        self.table.show(snapshot.agents, snapshot.plans, snapshot.titles)

    def marked(self, snapshot: Snapshot) -> list[Agent]:
        """The marked agents the table shows (folded ones too), in its order."""
        table = self.table
        return [a for i in table.shown_ids if i in table.marked
                and (a := snapshot.by_id(i)) is not None]

    def unmark(self, ids: list[str]) -> None:
        self.table.marked.difference_update(ids)
        self.table.refresh_marks()

    def select(self, agent_id: str) -> None:
        """Put the cursor on the agent, clearing the filter if it hides it."""
        if not self.table.select_id(agent_id):
            self.bar.clear()
            self.table.set_filter("")
            self.notify("cleared the filter to show it", timeout=3)
            self.table.select_id(agent_id)

    # -- the person's keys ------------------------------------------------------------------

    def mark(self) -> bool:
        """Space: mark the cursor's agent (on a group header, its group) and move down;
        False when there is nothing to mark."""
        table = self.table
        group = table.cursor_group
        if group is not None and table.selected_id is None:
            table.mark_many(group.ids)
            table.action_cursor_down()
            return True
        if table.selected_id is None:
            return False
        table.toggle_mark(table.selected_id)
        return True

    def mark_all(self) -> None:
        self.table.mark_all_here()  # the view bar says how many are marked

    def unmark_all(self) -> None:
        self.table.marked.clear()
        self.table.refresh_marks()

    def filter(self) -> None:
        self.bar.open()

    def cycle_group(self) -> None:
        self.table.set_group(views.cycle(views.GROUPS, self.table.group))
        self._view_changed()  # the view bar says how it is grouped: no toast over the table

    def cycle_sort(self) -> None:
        self.table.set_sort(views.cycle(views.SORTS, self.table.sort))
        self._view_changed()

    # -- what the table and the bar tell ----------------------------------------------------

    @on(AgentTable.ViewChanged)
    def _table_changed(self) -> None:
        self._view_changed()  # and on up to the screen, for the header

    def _view_changed(self) -> None:
        table = self.table
        self.bar.set_view(table.sort, table.group, len(table.marked & set(table.shown_ids)))

    @on(ViewBar.FilterChanged)
    def _filter_changed(self, message: ViewBar.FilterChanged) -> None:
        message.stop()
        self.table.set_filter(message.text)

    @on(ViewBar.Done)
    def _filter_done(self, message: ViewBar.Done) -> None:
        message.stop()
        self.table.focus()

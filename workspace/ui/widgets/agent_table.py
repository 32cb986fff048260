"""The agent table: a line per agent, and per group header when grouped (a LineList: drawn a
line at a time, each line cached, the cursor on an agent rather than a row number, so it stays
on the same agent when rows re-sort).

What is listed and in what order (the filter, the sort, the groups and which are folded) is
workspace/ui/view.py's; how the columns share the width is workspace/ui/table_columns.py's;
what a line says and how it is drawn, widgets/table_rows.py's. This keeps the fleet as last
polled, the marks and the folds, and says what changed (Selected, ViewChanged).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from rich.style import Style
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from workspace.core import format as fmt
from workspace.core.agent import Agent, Status
from workspace.core.filters import AgentFilter, parse_filter
from workspace.ui import view as views
from workspace.ui.table_columns import COLUMNS, Layout, layout
from workspace.ui.widgets.line_list import LineList
from workspace.ui.widgets.table_rows import (
    Row,
    group_strip,
    header_strip,
    row_cells,
    row_strip,
    status_style,
)


class AgentTable(LineList):
    DEFAULT_CSS = """
    AgentTable { height: 1fr; overflow-x: hidden; }
    AgentTable > .agent-table--header { text-style: bold; color: $text-muted; }
    AgentTable > .agent-table--group { text-style: bold; color: $text; background: $panel; }
    AgentTable > .agent-table--cursor { background: $primary 30%; }
    AgentTable:focus > .agent-table--cursor { background: $primary 55%; }
    """
    COMPONENT_CLASSES = {"agent-table--header", "agent-table--group", "agent-table--cursor"}
    BINDINGS = [
        Binding("left", "fold", "Fold group", show=False),
        Binding("right", "unfold", "Unfold group", show=False),
    ]

    @dataclass
    class Selected(Message):
        """The cursor moved to another agent (None: the table is empty, or the cursor is on
        a group header)."""

        agent_id: str | None

    @dataclass
    class ViewChanged(Message):
        """What the table lists changed: how many agents the filter hides, how many it shows
        (folded ones too) and how many of those are marked."""

        hidden: int
        shown: int
        marked: int

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._agents: tuple[Agent, ...] = ()
        self._plans: Mapping[str, str] = {}
        self._titles: Mapping[str, str] = {}
        self._view = views.View((), (), 0)
        self._cells: dict[str, Row] = {}
        self.marked: set[str] = set()
        self.radar: dict[str, str] = {}
        """Agent id -> the conflict radar's note (files shared, predicted conflicts)."""
        self.filter_text = ""
        self._filter: AgentFilter | None = None
        self.sort = "attention"
        self.group = "none"
        self._folded: dict[str, set[str]] = {}
        """Group mode -> the keys of its folded groups."""
        self._layout: Layout | None = None
        self._layout_at = -1
        """The width `_layout` was made for."""
        self._names: dict[str, str] = {}
        """Full name -> as shown in the name column's width."""
        self._told: tuple[int, int, int] | None = None
        self._styles: dict[tuple[str, ...], Style] = {}
        self._styles_for: tuple[str, bool] | None = None

    # -- what tests and the screen ask ----------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.lines)

    def get_row_at(self, index: int) -> list[str]:
        """The line's cells in COLUMNS order (the full name; a group header: its label)."""
        line = self.lines[index]
        if views.is_group(line):
            return ["", self._group(line).label, *([""] * (len(COLUMNS) - 2))]
        row = self._cells[line]
        return [row[c.key] for c in COLUMNS]

    @property
    def selected_id(self) -> str | None:
        """The cursor's agent (None on a group header)."""
        if self.cursor is None or views.is_group(self.cursor):
            return None
        return self.cursor

    @property
    def cursor_group(self) -> views.Group | None:
        """The group the cursor is in (its header or one of its rows), when grouped."""
        if self.cursor is None or not self._view.groups:
            return None
        if views.is_group(self.cursor):
            return self._group(self.cursor)
        return next((g for g in self._view.groups.values() if self.cursor in g.ids), None)

    @property
    def shown_ids(self) -> tuple[str, ...]:
        """Every agent the filter shows, in the table's order (folded ones too)."""
        return self._view.shown

    def select_id(self, agent_id: str) -> bool:
        """Put the cursor on this agent, unfolding its group; False if the filter hides it."""
        if agent_id not in self._index:
            group = next((g for g in self._view.groups.values() if agent_id in g.ids), None)
            if group is None:
                return False
            self._folded.setdefault(self.group, set()).discard(group.key)
            self._rebuild()
        self.move_to(self._index[agent_id])
        return True

    def select_next(self, order: list[str]) -> bool:
        """Move to the agent after the cursor's in `order` (round the list), skipping those
        the filter hides; False when none is left to go to."""
        shown = set(self._view.shown)
        ids = [i for i in order if i in shown]
        if not ids:
            return False
        current = self.selected_id
        return self.select_id(ids[(ids.index(current) + 1) % len(ids)] if current in ids
                              else ids[0])

    # -- data and view ----------------------------------------------------------------------

    def show(self, agents: tuple[Agent, ...] | list[Agent],
             plans: Mapping[str, str] | None = None,
             titles: Mapping[str, str] | None = None) -> None:
        """The fleet as polled, in attention order; `plans`: agent id -> its plan;
        `titles`: task and plan id -> its title."""
        now = time.time()
        self._agents = tuple(agents)
        self._plans = plans or {}
        self._titles = titles or {}
        old = self._cells
        self._cells = {a.id: row_cells(a, now, self.radar.get(a.id, "")) for a in agents}
        if not self._rebuild():  # same lines: redraw only those whose text changed
            for line in self.lines:
                if not views.is_group(line) and old.get(line) != self._cells.get(line):
                    self.redraw_line(line)

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        parsed = parse_filter(text, strict=False)
        self._filter = None if parsed.empty else parsed
        self._rebuild()

    def set_sort(self, sort: str) -> None:
        self.sort = sort
        self._rebuild()

    def set_group(self, group: str) -> None:
        self.group = group
        self._rebuild()

    def _rebuild(self) -> bool:
        """List the fleet anew; True when the lines changed (and all was redrawn)."""
        built = views.build(self._agents, self._filter, self.sort, self.group,
                            self._folded.get(self.group, set()), self._plans, self._titles)
        groups_changed = built.groups != self._view.groups
        self._view = built
        self._fit_columns()
        changed = self.set_lines(built.lines)
        if groups_changed and not changed:
            for line in built.lines:
                if views.is_group(line):
                    self.redraw_line(line)
        self._tell()
        return changed

    def home_of(self, gone: str | None, row: int) -> str | None:
        """An agent folded away: its group's header; else the line now where it was."""
        for group in self._view.groups.values():
            if gone in group.ids:
                return views.group_line(group.key)
        return super().home_of(gone, row)

    def cursor_moved(self, before: str | None) -> None:
        agent_before = None if before is None or views.is_group(before) else before
        if self.selected_id != agent_before or self.cursor is None:
            self._say(self.Selected(self.selected_id))

    def _tell(self) -> None:
        shown = set(self._view.shown)
        told = (self._view.hidden, len(shown), len(self.marked & shown))
        if told != self._told:
            self._told = told
            self._say(self.ViewChanged(*told))

    def _say(self, message: Message) -> None:
        # From the table itself even when another widget's handler made it happen (a filter
        # typed in the view bar): Textual stops a message at the widget it names as sender,
        # and these are for the screen.
        self.post_message(message.set_sender(self))

    def _fit_columns(self) -> None:
        width = self.scrollable_content_region.width
        names = [a.name for a in self._agents]
        fresh = layout(width, max(map(len, names), default=0))
        self._layout_at = width
        if fresh != self._layout or self._names.keys() != set(names):
            self._layout = fresh
            self._names = fmt.short_names(names, fresh.width_of("name"))
            self.forget_strips()

    def _group(self, line: str) -> views.Group:
        return self._view.groups[line[len(views.GROUP):]]

    # -- marks and folds ------------------------------------------------------------------

    def refresh_marks(self) -> None:
        self._tell()
        self.refresh()

    def toggle_mark(self, agent_id: str) -> None:
        """Mark the agent (or unmark it) and move on to the next row, for marking a run."""
        self.marked ^= {agent_id}
        self.refresh_marks()
        self.action_cursor_down()

    def mark_many(self, ids: tuple[str, ...] | list[str]) -> int:
        """Mark these agents, or unmark them if every one is marked already: returns how
        many were marked (negative: unmarked)."""
        if not ids:
            return 0
        wanted = set(ids)
        if wanted <= self.marked:
            self.marked -= wanted
            self.refresh_marks()
            return -len(wanted)
        added = len(wanted - self.marked)
        self.marked |= wanted
        self.refresh_marks()
        return added

    def mark_all_here(self) -> int:
        """Mark every agent of the cursor's group (grouped) or that the filter shows, or
        unmark them all if they are (`mark_many`)."""
        group = self.cursor_group
        return self.mark_many(group.ids if group is not None else self._view.shown)

    def toggle_fold(self, fold: bool | None = None) -> bool:
        """Fold (or unfold) the cursor's group; False when not grouped."""
        group = self.cursor_group
        if group is None:
            return False
        folded = self._folded.setdefault(self.group, set())
        if fold is None:
            fold = group.key not in folded
        if fold:
            folded.add(group.key)
            self.set_cursor(views.group_line(group.key))  # its rows are going away
        else:
            folded.discard(group.key)
        self._rebuild()
        self.move_to(self.cursor_row)
        return True

    def action_fold(self) -> None:
        self.toggle_fold(True)

    def action_unfold(self) -> None:
        self.toggle_fold(False)

    # -- drawing ----------------------------------------------------------------------------

    def line_key(self, line: str, cursor: bool, width: int) -> tuple[object, ...]:
        if width != self._layout_at:
            self._fit_columns()
        theme = self.app.current_theme.name
        if views.is_group(line):
            return (self._group(line), cursor, self.has_focus, width, theme)
        row = self._cells[line]
        return (tuple(row.values()), cursor, line in self.marked, self.has_focus, width, theme,
                self._layout, self._names.get(row["name"]))

    def _style(self, *components: str) -> Style:
        """The table's style with these components' over it, worked out once per theme and
        focus (what the cached lines' keys say they depend on): rich_style walks every
        ancestor, and Textual forgets a component's style at every redraw of a line."""
        now = (self.app.current_theme.name, self.has_focus)
        if now != self._styles_for:
            self._styles.clear()
            self._styles_for = now
        style = self._styles.get(components)
        if style is None:
            style = self.rich_style
            for component in components:
                style += self.get_component_rich_style(component)
            self._styles[components] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def draw_header(self, width: int) -> Strip:
        if width != self._layout_at or self._layout is None:
            self._fit_columns()
        assert self._layout is not None
        return header_strip(self._layout, width, self._style(),
                            self._style("agent-table--header"))

    def draw_line(self, line: str, cursor: bool, width: int) -> Strip:
        marks = ("agent-table--cursor",) if cursor else ()
        if views.is_group(line):
            return group_strip(self._group(line), width,
                               self._style("agent-table--group", *marks))
        assert self._layout is not None
        row = self._cells[line]
        base = self._style(*marks)
        return row_strip(row, self._names.get(row["name"], row["name"]), line in self.marked,
                         self._layout, width, base,
                         status_style(self.app, Status(row["status_key"])),
                         status_style(self.app, Status.STUCK))

    def on_resize(self) -> None:
        super().on_resize()
        self._fit_columns()

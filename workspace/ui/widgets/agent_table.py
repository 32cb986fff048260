"""The agent table: one row per agent, drawn a line at a time, each row cached.

Textual's DataTable re-renders every visible cell when any cell changes; with 50 agents whose
token counts move every second that is most of the TUI's CPU. Here a row is re-rendered only
when its own text changed (or the cursor, marks, width or theme did), and only rows on screen
are drawn. Rows follow the snapshot's attention order (who needs you first); the cursor stays on
the same agent when rows move.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from workspace.core import format as fmt
from workspace.core.agent import Agent, Status

COLUMNS = (
    ("mark", " ", 1),
    ("status", "STATUS", 18),
    ("name", "NAME", 24),
    ("preset", "PRESET", 8),
    ("age", "AGE", 6),
    ("diff", "DIFF", 11),
    ("tokens", "TOKENS", 7),
    ("cost", "COST", 7),
    ("ctx", "CTX", 4),
    ("task", "TASK / REASON", 0),
)
"""Key, header, width (0: the rest of the line)."""
GAP = 2

_STYLE = {
    Status.STARTING: "dim",
    Status.WORKING: "bold $primary",
    Status.NEEDS_PERMISSION: "bold $warning",
    Status.WAITING: "bold $accent",
    Status.PAUSED: "dim",
    Status.STUCK: "bold $warning",
    Status.RATE_LIMITED: "bold $warning",
    Status.ERROR: "bold $error",
    Status.EXITED: "dim",
    Status.CRASHED: "bold $error",
    Status.MERGED: "$success",
}

Row = dict[str, str]
BOLD = Style(bold=True)
DIM = Style(dim=True)


def _fit(value: str, size: int) -> str:
    """Pad or cut to exactly `size` cells."""
    if cell_len(value) <= size:
        return value + " " * (size - cell_len(value))
    return set_cell_size(value, size - 1) + "…"


def _fit_strip(segments: list[Segment], width: int, base: Style) -> Strip:
    strip = Strip(segments)
    if strip.cell_length > width:
        cut = Segment.adjust_line_length(segments, width - 1, base)
        return Strip([*cut, Segment("…", base)])
    return strip.extend_cell_length(width, base)


class AgentTable(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    AgentTable { height: 1fr; overflow-x: hidden; }
    AgentTable > .agent-table--header { text-style: bold; color: $text-muted; }
    AgentTable > .agent-table--cursor { background: $primary 30%; }
    AgentTable:focus > .agent-table--cursor { background: $primary 55%; }
    """
    COMPONENT_CLASSES = {"agent-table--header", "agent-table--cursor"}
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("home", "cursor_home", "First", show=False),
        Binding("end", "cursor_end", "Last", show=False),
        Binding("pageup", "page_up_rows", "Page up", show=False),
        Binding("pagedown", "page_down_rows", "Page down", show=False),
    ]

    @dataclass
    class Selected(Message):
        """The cursor moved to another agent (None: the table is empty)."""

        agent_id: str | None

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._order: list[str] = []
        self._cells: dict[str, Row] = {}
        self._strips: dict[str, tuple[tuple[object, ...], Strip]] = {}
        self.cursor_row = 0
        self.marked: set[str] = set()
        self.radar: dict[str, str] = {}
        """Agent id -> the conflict radar's note (files shared, predicted conflicts)."""
        self._styles: dict[tuple[str, Status], Style] = {}

    # -- what tests and the screen ask ----------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._order)

    def get_row_at(self, index: int) -> list[str]:
        row = self._cells[self._order[index]]
        return [row[key] for key, _, _ in COLUMNS]

    @property
    def selected_id(self) -> str | None:
        if not self._order or not 0 <= self.cursor_row < len(self._order):
            return None
        return self._order[self.cursor_row]

    def select_id(self, agent_id: str) -> None:
        if agent_id in self._order:
            self._move(self._order.index(agent_id))

    # -- data -------------------------------------------------------------------------------

    def show(self, agents: tuple[Agent, ...] | list[Agent]) -> None:
        now = time.time()
        selected = self.selected_id
        rows = {a.id: self._row(a, now) for a in agents}
        order = [a.id for a in agents]
        old = self._cells
        self._cells = rows
        if order != self._order:
            self._order = order
            self._strips = {k: v for k, v in self._strips.items() if k in rows}
            self.virtual_size = Size(1, len(order) + 1)
            cursor = order.index(selected) if selected in order else \
                min(self.cursor_row, max(len(order) - 1, 0))
            self.cursor_row = cursor
            self._scroll_to_cursor()
            self.post_message(self.Selected(self.selected_id))
            self.refresh()
            return
        # Same rows in the same order: redraw only the lines whose text changed.
        top = self.scroll_offset.y
        width = self.size.width
        for index, agent_id in enumerate(order):
            if old.get(agent_id) != rows[agent_id] and top <= index < top + self.size.height:
                self.refresh(Region(0, index - top + 1, width, 1))

    def refresh_marks(self) -> None:
        self.refresh()

    def toggle_mark(self, agent_id: str) -> None:
        """Mark the agent (or unmark it) and move on to the next row, for marking a run."""
        self.marked ^= {agent_id}
        self.refresh_marks()
        self.action_cursor_down()

    def select_next_needing(self, agents: tuple[Agent, ...]) -> bool:
        """Move to the next agent that needs the person (longest waiting first, round the
        list); False when none does."""
        waiting = sorted((a for a in agents if a.status.needs_you),
                         key=lambda a: (a.status_since, a.name))
        if not waiting:
            return False
        ids = [a.id for a in waiting]
        current = self.selected_id
        self.select_id(ids[(ids.index(current) + 1) % len(ids)] if current in ids else ids[0])
        return True

    def _row(self, a: Agent, now: float) -> Row:
        label = fmt.status_label(a)
        reason = a.status_reason if a.status.needs_you or a.status.ended or label != \
            fmt.STATUS_LABEL[a.status] else ""
        task = a.task.strip().splitlines()[0] if a.task.strip() else ""
        note = self.radar.get(a.id, "")
        if note:
            reason = f"⚠ {note}" + (f" · {reason}" if reason else "")
        return {
            "mark": "",
            "status": f"{fmt.STATUS_GLYPH[a.status]} {label}",
            "status_key": a.status.value,
            "name": a.name,
            "preset": a.preset,
            "age": fmt.age(max(now - a.status_since, 0)),
            "diff": fmt.diff(a.diff) + (" ⚠" if note else ""),
            "tokens": fmt.tokens(a.tokens.total) if a.tokens.total else "—",
            "cost": fmt.cost(a.cost_usd),
            "ctx": fmt.percent(a.context_pct),
            "task": f"{reason} · {task}" if reason and task else (reason or task),
        }

    # -- drawing ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = self.scroll_offset.y + y - 1
        if index >= len(self._order):
            return Strip.blank(width, self.rich_style)
        agent_id = self._order[index]
        row = self._cells[agent_id]
        cursor = index == self.cursor_row
        marked = agent_id in self.marked
        key = (tuple(row.values()), cursor, marked, self.has_focus, width,
               self.app.current_theme.name)
        cached = self._strips.get(agent_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        strip = self._render_row(row, cursor, marked, width)
        self._strips[agent_id] = (key, strip)
        return strip

    def _header(self, width: int) -> Strip:
        style = self.get_component_rich_style("agent-table--header")
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, label, size in COLUMNS:
            if key != "mark":
                text.append(" " * GAP)
            text.append(label.ljust(size) if size else label, style)
        return self._strip(text, width, self.rich_style)

    def _render_row(self, row: Row, cursor: bool, marked: bool, width: int) -> Strip:
        base = self.rich_style
        if cursor:
            base = base + self.get_component_rich_style("agent-table--cursor")
        status = Status(row["status_key"])
        segments: list[Segment] = []
        for key, _, size in COLUMNS:
            if key != "mark":
                segments.append(Segment(" " * GAP, base))
            value = "•" if key == "mark" and marked else row[key]
            style = base
            if key == "status":
                style = base + self._style(status)
            elif key == "mark":
                style = base + BOLD
            elif key == "diff" and value.endswith("⚠"):
                style = base + self._style(Status.STUCK)
            elif key == "task":
                style = base + DIM
            segments.append(Segment(_fit(value, size) if size else value, style))
        return _fit_strip(segments, width, base)

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        text.truncate(width, overflow="ellipsis")
        segments = [Segment(s.text, base + s.style if s.style else base)
                    for s in text.render(self.app.console, end="")]
        return _fit_strip(segments, width, base)

    def _style(self, status: Status) -> Style:
        theme = self.app.current_theme.name
        cached = self._styles.get((theme, status))
        if cached is None:
            style = _STYLE[status]
            variables = self.app.theme_variables
            for name in ("primary", "warning", "accent", "error", "success"):
                style = style.replace(f"${name}", variables.get(name, "white"))
            cached = self._styles[(theme, status)] = Style.parse(style)
        return cached

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def on_resize(self) -> None:
        self.virtual_size = Size(1, len(self._order) + 1)
        self._strips.clear()

    # -- the cursor ---------------------------------------------------------------------------

    def _move(self, row: int) -> None:
        if not self._order:
            return
        row = max(0, min(row, len(self._order) - 1))
        if row != self.cursor_row:
            self.cursor_row = row
            self.post_message(self.Selected(self.selected_id))
        self._scroll_to_cursor()
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False)

    def action_cursor_up(self) -> None:
        self._move(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor_row + 1)

    def action_cursor_home(self) -> None:
        self._move(0)

    def action_cursor_end(self) -> None:
        self._move(len(self._order) - 1)

    def action_page_up_rows(self) -> None:
        self._move(self.cursor_row - max(self.size.height - 2, 1))

    def action_page_down_rows(self) -> None:
        self._move(self.cursor_row + max(self.size.height - 2, 1))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self._move(self.scroll_offset.y + event.y - 1)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

"""The agent table: one row per agent, keyed by agent id, updated cell by cell.

Rows follow the snapshot's attention order (who needs you first). Only changed cells are
updated; rows are rebuilt only when the order or the set of agents changes, and the cursor
stays on the same agent either way.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

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
    ("task", "TASK / REASON", 60),
)

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


class AgentTable(DataTable[Text | str]):
    DEFAULT_CSS = """
    AgentTable { height: 1fr; }
    """

    class Selected(Message):
        """The cursor moved to another agent (None: the table is empty)."""

        def __init__(self, agent_id: str | None) -> None:
            super().__init__()
            self.agent_id = agent_id

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._order: list[str] = []
        self._cells: dict[str, dict[str, str]] = {}
        self.marked: set[str] = set()
        self.radar: dict[str, str] = {}
        """Agent id -> the conflict radar's note (files shared, predicted conflicts)."""

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    @property
    def selected_id(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= len(self._order):
            return None
        return self._order[self.cursor_row]

    def select_id(self, agent_id: str) -> None:
        if agent_id in self._order:
            self.move_cursor(row=self._order.index(agent_id))

    def show(self, agents: tuple[Agent, ...] | list[Agent]) -> None:
        now = time.time()
        rows = {a.id: self._row(a, now) for a in agents}
        order = [a.id for a in agents]
        selected = self.selected_id
        if order != self._order:
            self.clear()
            for agent_id in order:
                self.add_row(*(self._cell(rows[agent_id], k) for k, _, _ in COLUMNS),
                             key=agent_id)
            self._order = order
            self._cells = rows
            if selected in order:
                self.move_cursor(row=order.index(selected), animate=False)
            self.post_message(self.Selected(self.selected_id))
            return
        for agent_id, row in rows.items():
            old = self._cells.get(agent_id, {})
            for key, _, _ in COLUMNS:
                if old.get(key) != row[key]:
                    self.update_cell(agent_id, key, self._cell(row, key))
            self._cells[agent_id] = row

    def _row(self, a: Agent, now: float) -> dict[str, str]:
        reason = a.status_reason if a.status.needs_you or a.status.ended else ""
        task = a.task.strip().splitlines()[0] if a.task.strip() else ""
        note = self.radar.get(a.id, "")
        if note:
            reason = f"⚠ {note}" + (f" · {reason}" if reason else "")
        diff = fmt.diff(a.diff) + (" ⚠" if note else "")
        return {
            "mark": "•" if a.id in self.marked else " ",
            "status": f"{fmt.STATUS_GLYPH[a.status]} {fmt.STATUS_LABEL[a.status]}",
            "status_key": a.status.value,
            "name": a.name,
            "preset": a.preset,
            "age": fmt.age(now - a.status_since),
            "diff": diff,
            "tokens": fmt.tokens(a.tokens.total) if a.tokens.total else "—",
            "cost": fmt.cost(a.cost_usd),
            "ctx": fmt.percent(a.context_pct),
            "task": f"{reason} · {task}" if reason and task else (reason or task),
        }

    def _cell(self, row: dict[str, str], key: str) -> Text | str:
        if key == "status":
            status = Status(row["status_key"])
            return Text(row["status"], style=self._style(status))
        if key == "mark":
            return Text(row["mark"], style="bold")
        if key == "diff" and row["diff"].endswith("⚠"):
            return Text(row["diff"], style=self._style(Status.STUCK))
        if key == "task":
            return Text(row["task"], style="dim", overflow="ellipsis", no_wrap=True)
        return row[key]

    def _style(self, status: Status) -> str:
        style = _STYLE[status]
        variables = self.app.theme_variables
        for name in ("primary", "warning", "accent", "error", "success"):
            style = style.replace(f"${name}", variables.get(name, "white"))
        return style

    def refresh_marks(self) -> None:
        for agent_id in self._order:
            mark = "•" if agent_id in self.marked else " "
            if self._cells.get(agent_id, {}).get("mark") != mark:
                self._cells[agent_id]["mark"] = mark
                self.update_cell(agent_id, "mark", Text(mark, style="bold"))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Selected(self.selected_id))

"""What the agent table's lines say and how they are drawn: an agent's cells (as text), the
colour of its status, and the strips of the column header, a group header and an agent's
row, each cut or padded to the line's width."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.strip import Strip

from workspace.core import format as fmt
from workspace.core.agent import Agent, Status
from workspace.ui.table_columns import LABELS, Layout
from workspace.ui.view import Group

Row = dict[str, str]
BOLD = Style(bold=True)
DIM = Style(dim=True)

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
_STYLES: dict[tuple[str, Status], Style] = {}


def row_cells(a: Agent, now: float, note: str = "") -> dict[str, str]:
    """The row's text per column key (the full name: the table cuts it to its column);
    `note`: the conflict radar's, shown before the reason."""
    label = fmt.status_label(a)  # 'starting (setup)' while its worktree is prepared
    reason = a.status_reason if a.status.needs_you or a.status.ended or label != \
        fmt.STATUS_LABEL[a.status] else ""
    task = a.task.strip().splitlines()[0] if a.task.strip() else ""
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


def status_style(app: App[object], status: Status) -> Style:
    """The status's colour in the app's theme (parsed once per theme)."""
    theme = app.current_theme.name
    cached = _STYLES.get((theme, status))
    if cached is None:
        style = _STYLE[status]
        variables = app.theme_variables
        for name in ("primary", "warning", "accent", "error", "success"):
            style = style.replace(f"${name}", variables.get(name, "white"))
        cached = _STYLES[(theme, status)] = Style.parse(style)
    return cached


def fit(value: str, size: int) -> str:
    """Pad or cut to exactly `size` cells."""
    if cell_len(value) <= size:
        return value + " " * (size - cell_len(value))
    return set_cell_size(value, size - 1) + "…"


def fit_strip(segments: list[Segment], width: int, base: Style) -> Strip:
    strip = Strip(segments)
    if strip.cell_length > width:
        cut = Segment.adjust_line_length(segments, width - 1, base)
        return Strip([*cut, Segment("…", base)])
    return strip.extend_cell_length(width, base)


def header_strip(layout: Layout, width: int, base: Style, style: Style) -> Strip:
    segments: list[Segment] = []
    for key, size in layout.columns:
        if key != "mark":
            segments.append(Segment(" " * layout.gap, base))
        label = LABELS[key]
        segments.append(Segment(fit(label, size) if key != "task" else label, style))
    return fit_strip(segments, width, base)


def group_strip(group: Group, width: int, base: Style) -> Strip:
    """`▾ needs permission  3 agents · 3 need you`; folded: `▸` and how to open it."""
    count = fmt.plural(len(group.ids), "agent")
    needing = f" · {group.needing} need{'s' if group.needing == 1 else ''} you" \
        if group.needing else ""
    segments = [Segment(f"{'▸' if group.folded else '▾'} ", base), Segment(group.label, base),
                Segment(f"  {count}{needing}", base + DIM)]
    if group.folded:
        segments.append(Segment("  (folded: → or enter opens it)", base + DIM))
    return fit_strip(segments, width, base)


def row_strip(row: Row, name: str, marked: bool, layout: Layout, width: int, base: Style,
              status: Style, warn: Style) -> Strip:
    """An agent's row in the layout's columns; `name` as cut to its column."""
    segments: list[Segment] = []
    for key, size in layout.columns:
        if key != "mark":
            segments.append(Segment(" " * layout.gap, base))
        value = "•" if key == "mark" and marked else name if key == "name" else row[key]
        style = base
        if key == "status":
            style = base + status
        elif key == "mark":
            style = base + BOLD
        elif key == "diff" and value.endswith("⚠"):
            style = base + warn
        elif key == "task":
            style = base + DIM
        segments.append(Segment(value if key == "task" else fit(value, size), style))
    return fit_strip(segments, width, base)

"""The floor for key presses: a bare Textual app as anyone would write it, with none of
workspace's own UI code.

    python benchmarks/floor_app.py [--rows 50]

A DataTable of `--rows` rows shaped like the agent table (the highlighted row's "cwd" line is
shown below it, as the preview shows the selected agent's screen); `?` pushes a new ModalScreen
holding the same help text as workspace's (its two Rich tables built from the same data), Esc
closes it. key_bench.py measures it next to the real TUI, in the same run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.table import Table
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

# The help's data, from workspace's pure core (no UI code of workspace's is loaded).
from workspace.core import format as fmt  # noqa: E402
from workspace.core.actions import ACTIONS, HELP_NOTES, STATUS_MEANING  # noqa: E402
from workspace.core.agent import NEEDS_YOU, Status  # noqa: E402

COLUMNS = ("STATUS", "NAME", "PRESET", "AGE", "DIFF", "TOKENS", "COST", "CTX", "TASK / REASON")
WORKTREES = "/floor/repo-worktrees"
SHOWN = {"question_mark": "?", "slash": "/", "asterisk": "*", "left_square_bracket": "[",
         "right_square_bracket": "]", "backslash": "\\", "circumflex_accent": "^",
         "underscore": "_", "minus": "-"}
"""How key names read, as workspace's help shows them (ui/keys.py: shown_key)."""


def shown_key(key: str) -> str:
    return "+".join(SHOWN.get(part, part) for part in key.split("+"))


def row_name(index: int) -> str:
    """Named like the benchmark's agents, so one pattern finds the selection in both apps."""
    return f"bench-{index + 1:03d}"


class FloorHelp(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]
    DEFAULT_CSS = """
    FloorHelp { align: center middle; }
    FloorHelp > VerticalScroll { width: 100; max-width: 100%; height: 90%; border: thick $primary;
                                 background: $surface; padding: 1 2; }
    """

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", min_width=10)
        keys.add_column()
        keys.add_row("ctrl+p", "Command palette: every action by name")  # first, as ours
        for a in ACTIONS:
            keys.add_row(shown_key(a.key), a.help)
        statuses = Table.grid(padding=(0, 2))
        statuses.add_column(min_width=20)
        statuses.add_column()
        for status in Status:
            marker = "  (needs you)" if status in NEEDS_YOU else ""
            statuses.add_row(f"{fmt.STATUS_GLYPH[status]} {fmt.STATUS_LABEL[status]}",
                             STATUS_MEANING[status] + marker)
        with VerticalScroll():
            yield Static("[b]Keys[/b]")
            yield Static(keys)
            yield Static("\nIn an agent's pane (after enter), press [b]Ctrl-][/b] to come back "
                         "here. Agents keep running when you quit (q).\n"
                         "The Preview shows the bottom of the agent's screen; the mouse wheel "
                         "or [b]\\[[/b] scrolls back through its scrollback (PgUp/PgDn, Home), "
                         "[b]End[/b] or [b]Esc[/b] shows it live again.\n")
            for title, text in HELP_NOTES:
                yield Static(f"[b]{title}[/b]")
                yield Static(text + "\n")
            yield Static("[b]Statuses[/b]")
            yield Static(statuses)
            yield Static("\nesc closes this help", classes="dim")

    def action_close(self) -> None:
        self.dismiss(None)


class FloorApp(App[None]):
    BINDINGS = [Binding("question_mark", "help", "Help"), Binding("q", "quit", "Quit")]
    CSS = "DataTable { height: 45%; } #selected { height: 1fr; padding: 0 1; }"

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", id="table")
        yield Static("", id="selected")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        for i in range(self.rows):
            table.add_row("● working", row_name(i), "demo", f"{i + 1}m", f"+{i} -0",
                          f"{i * 1.3:.1f}k", f"${i / 100:.2f}", f"{i % 90}%",
                          "benchmark: keep printing", key=row_name(i))
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.query_one("#selected", Static).update(f"cwd: {WORKTREES}/{event.row_key.value}")

    def action_help(self) -> None:
        self.push_screen(FloorHelp())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="floor_app", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50, help="rows in the table (default 50)")
    args = parser.parse_args(argv)
    FloorApp(args.rows).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

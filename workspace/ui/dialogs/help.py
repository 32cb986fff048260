"""Every key, what each status means, how to come back from an agent's pane.

The screen is built once and kept (an installed screen), since what it says changes only with
the keymap: `?` then costs a screen switch, not composing two Rich tables and their widgets.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from workspace.core import format as fmt
from workspace.core.actions import ACTIONS, HELP_NOTES, STATUS_MEANING
from workspace.core.agent import NEEDS_YOU, Status
from workspace.ui.keys import shown_key


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]
    # Opaque: a see-through modal makes Textual draw the main screen under it on every frame,
    # and redraw the help each time a row or the preview changes beneath.
    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background; }
    HelpScreen > VerticalScroll { width: 100; max-width: 100%; height: 90%; border: thick $primary;
                                  background: $surface; padding: 1 2; }
    """

    def __init__(self, keys: dict[str, str], detach_key: str) -> None:
        super().__init__()
        self.keys = keys
        self.detach_key = detach_key

    def shows(self, keys: dict[str, str], detach_key: str) -> bool:
        return (self.keys, self.detach_key) == (keys, detach_key)

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", min_width=10)
        keys.add_column()
        # First: with every action listed, the rest of the keys is a scroll away.
        keys.add_row("ctrl+p", "Command palette: every action by name")
        for a in ACTIONS:
            keys.add_row(shown_key(self.keys.get(a.name, a.key)), a.help)
        statuses = Table.grid(padding=(0, 2))
        statuses.add_column(min_width=20)
        statuses.add_column()
        for status in Status:
            label = f"{fmt.STATUS_GLYPH[status]} {fmt.STATUS_LABEL[status]}"
            marker = "  (needs you)" if status in NEEDS_YOU else ""
            statuses.add_row(label, STATUS_MEANING[status] + marker)
        with VerticalScroll():
            yield Static("[b]Keys[/b]")
            yield Static(keys)
            yield Static(f"\nIn an agent's pane (after enter), press [b]{self.detach_key}[/b] to "
                         "come back here. Agents keep running when you quit (q).\n"
                         "The Preview shows the bottom of the agent's screen; the mouse wheel "
                         "or [b]\\[[/b] scrolls back through its scrollback (PgUp/PgDn, Home), "
                         "[b]End[/b] or [b]Esc[/b] shows it live again.\n")
            for title, text in HELP_NOTES:
                yield Static(f"[b]{title}[/b]")
                yield Static(text + "\n")
            yield Static("[b]Statuses[/b]")
            yield Static(statuses)
            yield Static("\nesc closes this help", classes="dim")

    def on_screen_suspend(self) -> None:
        self.query_one(VerticalScroll).scroll_home(animate=False)  # it opens at the top again

    def action_close(self) -> None:
        self.dismiss(None)


HELP = "help"
"""The name the help screen is installed under."""


def show_help(app: App[Any], keys: dict[str, str], detach_key: str) -> None:
    """Open the help, building it only the first time and when the keys it lists changed."""
    if app.is_screen_installed(HELP):
        screen = app.get_screen(HELP)
        if isinstance(screen, HelpScreen) and screen.shows(keys, detach_key):
            app.push_screen(screen)
            return
        app.uninstall_screen(HELP)
    app.install_screen(HelpScreen(keys, detach_key), HELP)
    app.push_screen(HELP)

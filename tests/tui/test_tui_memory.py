"""Opening and closing screens leaves nothing behind: the number of live widgets after many
dialogs is the number after the first few (Textual's Footer kept every key it made, a TextArea
stayed watched by the app: docs/upstream/textual-footer-leak.md). The help screen is built once
and reused. Counts objects, never time."""

from __future__ import annotations

import gc
import io

from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from tests.support.pilot import SIZE, main, until
from workspace.core.actions import ACTIONS
from workspace.ui.app import WorkspaceApp, prune_watchers
from workspace.ui.dialogs.help import HelpScreen, show_help
from workspace.ui.screens.main import MainScreen

DIALOGS = ("question_mark", "t", "n")
"""Help, the Tasks view and the spawn form (a TextArea): each opened and closed with Esc."""


def live_widgets() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Widget))


async def open_and_close(pilot: Pilot[None], app: WorkspaceApp, rounds: int) -> None:
    for _ in range(rounds):
        for key in DIALOGS:
            await pilot.press(key)
            await until(pilot, lambda: not isinstance(app.screen, MainScreen), 5, key)
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, MainScreen), 5, f"{key} closed")
    for _ in range(3):  # a closed dialog's widgets are removed a message later
        await pilot.pause()


async def test_dialogs_opened_and_closed_leave_no_widgets_behind(app: WorkspaceApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: main(app).snapshot is not None, 10, "first snapshot")
        await open_and_close(pilot, app, 2)  # the help screen is kept from its first opening
        before = live_widgets()
        await open_and_close(pilot, app, 12)
        # The last dialog's widgets go a few messages later, later still on a loaded machine.
        await until(pilot, lambda: live_widgets() <= before, 10, "the closed dialogs' widgets")
        after = live_widgets()
        # Before the fix, each round left about 45 widgets (20 footer keys per dialog).
        assert after <= before, (before, after)


async def test_the_help_screen_is_built_once(app: WorkspaceApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: main(app).snapshot is not None, 10, "first snapshot")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), 5, "help")
        first = app.screen
        tables = list(first.query("Static"))
        await pilot.press("end", "escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), 5, "help closed")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), 5, "help again")
        assert app.screen is first
        assert list(first.query("Static")) == tables  # not composed again
        assert first.query_one("VerticalScroll").scroll_y == 0  # opens at the top again
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), 5, "help closed")

        # Another keymap is another help screen.
        keys = {a.name: a.key for a in ACTIONS} | {"spawn": "ctrl+n"}
        show_help(app, keys, "Ctrl-]")
        await until(pilot, lambda: app.screen is not first and app.screen.query(Static), 5,
                    "the new help")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=160, record=True, file=io.StringIO())
        for static in app.screen.query(Static):
            console.print(static.content)
        assert "ctrl+n      Spawn agents" in console.export_text()


def app_watchers(app: WorkspaceApp) -> int:
    return sum(len(entries) for entries in getattr(app, "__watchers", {}).values())


async def test_watchers_of_closed_widgets_do_not_pile_up(app: WorkspaceApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: main(app).snapshot is not None, 10, "first snapshot")
        await open_and_close(pilot, app, 1)
        first = app_watchers(app)
        await open_and_close(pilot, app, 5)
        # The spawn form's TextArea watches app.theme; Textual drops that entry only when the
        # theme changes. Pruned at each change of screen, at most the last dialog's remain.
        assert app_watchers(app) <= first
        prune_watchers(app)
        assert all(not getattr(owner, "_closed", False)
                   for entries in getattr(app, "__watchers", {}).values()
                   for owner, _ in entries)

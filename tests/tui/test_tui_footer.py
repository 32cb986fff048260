"""The key bar: the screen's shown keys as one line of text (Textual's Footer mounted a widget
per key at every dialog and kept them all), cut at a whole key when narrow, the palette's key on
the right; a click on a key presses it."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.support.pilot import SIZE, main, until
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.help import HelpScreen
from workspace.ui.screens.main import MainScreen
from workspace.ui.screens.tasks import TasksScreen
from workspace.ui.widgets.footer import KeyFooter


def bar(app: WorkspaceApp) -> str:
    return app.screen.query_one(KeyFooter).render_line(0).text


async def ready(pilot: Pilot[None], app: WorkspaceApp) -> None:
    await until(pilot, lambda: main(app).snapshot is not None, 10, "first snapshot")
    await until(pilot, lambda: "New agent" in bar(app), 5, "the key bar")


async def test_the_key_bar_shows_the_screens_keys(app: WorkspaceApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        text = bar(app)
        assert text.startswith(" n New agent  ⏎ Jump in  s Send "), text
        assert " ? Help  q Quit " in text
        assert text.rstrip().endswith("▏^p palette") and len(text) == SIZE[0], text
        assert "Mark" not in text  # an action with show=False

        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TasksScreen), 5, "tasks")
        await until(pilot, lambda: "Add task" in bar(app), 5, "the tasks' keys")
        assert " T Add task " in bar(app) and "New agent" not in bar(app)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), 5, "back")
        assert "New agent" in bar(app)


async def test_a_narrow_bar_ends_at_a_whole_key(app: WorkspaceApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        text = bar(app)
        assert len(text) == 80 and text.rstrip().endswith("▏^p palette"), text
        keys = text.split("▏")[0].rstrip()
        assert keys.endswith(("Next needing you", "Type", "Approve")), keys  # no half words


async def test_a_click_on_a_key_presses_it(app: WorkspaceApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        column = bar(app).index("? Help")
        await pilot.click(KeyFooter, offset=(column + 1, 0))
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), 5, "help by click")

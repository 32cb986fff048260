"""The key bar: the screen's shown keys as one line of text (Textual's Footer mounted a widget
per key at every dialog and kept them all), narrowed to what footer_fit keeps for the width (read
again on a resize and when the screen's bindings change), disabled keys dim, the palette's key
on the right; a click on a key presses it."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen

from tests.support.pilot import SIZE, main, until
from tests.support.screen import footer_keys
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.help import HelpScreen
from workspace.ui.screens.main import MainScreen
from workspace.ui.screens.tasks import TasksScreen
from workspace.ui.widgets.footer import KeyFooter


def bar(app: App[None]) -> str:
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


async def test_a_narrow_bar_keeps_help_and_quit(app: WorkspaceApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        text = bar(app)
        assert len(text) == 80 and text.rstrip().endswith("▏^p palette"), text
        keys = text.split("▏")[0].rstrip()
        # What footer_fit keeps (help and quit first), each key whole.
        assert keys.endswith("? Help  q Quit"), keys
        assert footer_keys(app)[-2:] == ["?", "q"]


async def test_the_bar_follows_the_width(app: WorkspaceApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        wide = footer_keys(app)
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: len(bar(app)) == 80 and footer_keys(app) != wide, 5,
                    "the narrow bar")
        narrow = footer_keys(app)
        assert narrow[-2:] == ["?", "q"] and len(narrow) < len(wide), (narrow, wide)
        await pilot.resize_terminal(*SIZE)
        await until(pilot, lambda: footer_keys(app) == wide, 5, "the wide bar again")


class Switches(Screen[None]):
    """A screen whose second key is disabled until it is switched on."""

    BINDINGS = [Binding("a", "first", "First"), Binding("b", "second", "Second")]

    def __init__(self) -> None:
        super().__init__()
        self.on = False

    def compose(self) -> ComposeResult:
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "second" and not self.on else True

    def action_first(self) -> None:
        self.on = True
        self.refresh_bindings()


class SwitchesApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(Switches())


def dimmed(app: App[None], word: str) -> bool:
    footer = app.screen.query_one(KeyFooter)
    return any(word in segment.text and segment.style is not None and segment.style.dim
               for segment in footer.render_line(0))


async def test_a_disabled_key_is_dim_until_its_screen_enables_it() -> None:
    app = SwitchesApp()
    async with app.run_test(size=(60, 3)) as pilot:
        await until(pilot, lambda: "Second" in bar(app), 5, "the bar")
        assert dimmed(app, "Second") and not dimmed(app, "First")
        await pilot.press("a")  # the screen's bindings change: the bar reads them again
        await until(pilot, lambda: not dimmed(app, "Second"), 5, "Second enabled")


async def test_a_click_on_a_key_presses_it(app: WorkspaceApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        column = bar(app).index("? Help")
        await pilot.click(KeyFooter, offset=(column + 1, 0))
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), 5, "help by click")


async def test_a_narrow_bar_keeps_the_way_back(app: WorkspaceApp) -> None:
    """At 80 columns the Tasks view has more keys than room: the bar drops some, never the
    one that leads back (nor the palette's)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TasksScreen), 5, "the Tasks view")
        await until(pilot, lambda: "Back" in bar(app), 5, "the way back in the bar")
        text = bar(app)
        assert "esc Back" in text and text.rstrip().endswith("▏^p palette"), text
        assert "T Add task" in text  # the others in their order, as many as fit
        assert len(text) == 80


async def test_a_dialog_over_the_screen_shows_its_own_keys_in_the_bar(app: WorkspaceApp) -> None:
    """The bar stays in sight under a dialog: it offers the dialog's keys, not the keys of the
    screen beneath (q would type a letter in the form, not quit)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        footer = main(app).query_one(KeyFooter)
        await pilot.press("n")
        await until(pilot, lambda: "Spawn" in footer.render_line(0).text, 5, "the form's keys")
        text = footer.render_line(0).text
        assert text.startswith(" esc Cancel  ^s Spawn "), text
        assert "New agent" not in text and "Quit" not in text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), 5, "back")
        await until(pilot, lambda: "New agent" in footer.render_line(0).text, 5, "main's keys")
        await pilot.press("t")  # a whole screen: its own bar, the main one left as it was
        await until(pilot, lambda: isinstance(app.screen, TasksScreen), 5, "tasks")
        await until(pilot, lambda: "Add task" in bar(app), 5, "the tasks' keys")
        assert "New agent" in footer.render_line(0).text

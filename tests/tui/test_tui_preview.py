"""The Preview tab in the real app (Pilot): the bottom of an agent's screen, one row per pane
line, never wrapped; scrolling back through a real pane's scrollback; every tab by key."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static, TabbedContent

from tests.support.paths import FIXTURES
from tests.support.pilot import SIZE, main, status, until
from workspace.core.agent import Status
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.help import HelpScreen
from workspace.ui.widgets.poller import Poller
from workspace.ui.widgets.preview import PanePreview

CLAUDE = FIXTURES / "panes" / "claude"
SGR = re.compile(r"\x1b\[[0-9;:]*m")


def fixture(name: str) -> str:
    """A real Claude Code screen of 50 rows, with its colours, as the poller captures it."""
    return (CLAUDE / name).read_text(encoding="utf-8").removesuffix("\n")


def rows(preview: PanePreview) -> list[str]:
    """What the preview shows, row by row, as a person reads it."""
    height = preview.scrollable_content_region.height
    return [preview.render_line(y).text.rstrip() for y in range(height)]


def shown_text(screen: Screen[object]) -> str:
    """Every Static of a screen as text, the way it reads."""
    console = Console(width=160, record=True, file=io.StringIO())
    for static in screen.query(Static):
        console.print(static.content)
    return console.export_text()


async def still_preview(app: WorkspaceApp, pilot: Pilot[None]) -> PanePreview:
    """The real app's preview with the poller gone, so only the test gives it screens."""
    screen = main(app)
    await screen.query_one(Poller).remove()  # what it would still post goes nowhere
    await pilot.pause(0.2)  # what it posted already is handled
    return screen.query_one(PanePreview)


@pytest.mark.parametrize("size", [(200, 50), (80, 24)])
async def test_a_permission_request_at_the_bottom_of_a_tall_pane_is_shown_whole(
        app: WorkspaceApp, size: tuple[int, int]) -> None:
    screen_text = fixture("needs-permission-200x50.ansi")
    pane = SGR.sub("", screen_text).split("\n")
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.3)
        preview = await still_preview(app, pilot)
        preview.show_screen("a1", screen_text, (1, 45))
        await pilot.pause(0.1)
        shown = rows(preview)
        height, width = len(shown), preview.scrollable_content_region.width
        assert 6 <= height < 50 and width < 200, (height, width)
        # The bottom of the screen (down to its last line with text), a pane line per row,
        # each cut to the preview's width: no wrapped rule, nothing pushed off the bottom.
        last = max(i for i, line in enumerate(pane) if line.strip())
        expected = [line[:width].rstrip() for line in pane[last + 1 - height:last + 1]]
        assert shown == expected
        assert shown[-1] == " Esc to cancel · Tab to amend"
        assert "   3. No" in shown and " Do you want to create hello.txt?" in shown
        rules = [row for row in shown if row.startswith(("──", "╌╌"))]
        assert all(len(row) == width for row in rules)
        assert not any(row.strip() and set(row.strip()) <= {"─", "╌"} and len(row) < width
                       for row in shown)


async def test_claude_at_rest_shows_its_input_and_status_line(app: WorkspaceApp) -> None:
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause(0.3)
        preview = await still_preview(app, pilot)
        preview.show_screen("a1", fixture("waiting-200x50.ansi"), (2, 47))
        await pilot.pause(0.1)
        shown = rows(preview)
        assert shown[-1].startswith("  ⏸ manual mode on · ? for shortcuts")
        assert shown[-4].startswith("─") and shown[-3].startswith("❯") and shown[-2].startswith("─")
        assert "● Done: I created the file." in "\n".join(shown)


async def test_the_cursor_line_is_kept_below_the_text(app: WorkspaceApp) -> None:
    """A program waiting on an empty line below its output: the preview ends at the cursor."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        preview = await still_preview(app, pilot)
        preview.show_screen("a1", "\n".join(["output"] * 3 + [""] * 47), (0, 5))
        await pilot.pause(0.1)
        assert [line.plain for line in preview.lines] == ["output"] * 3 + [""] * 3


async def test_scrolling_back_through_a_real_pane_and_coming_back_live(
        app: WorkspaceApp) -> None:
    ws = app.ws
    ws.spawn("sh1", preset="shell", prompt="")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "sh1") == Status.WAITING, 20, "a shell prompt")
        ws.send("sh1", "seq 1 300 | sed 's/^/row /'")
        preview = main(app).query_one(PanePreview)

        def plain() -> str:
            return "\n".join(line.plain for line in preview.lines)

        def held() -> bool:
            return preview.held

        await until(pilot, lambda: "row 300" in plain(), 15, "the output in the preview")
        assert "row 1\n" not in plain()  # scrolled off the pane's screen, into its history

        await pilot.press("left_square_bracket")  # [ : scroll back, the keyboard way
        await until(pilot, lambda: "row 1\n" in plain(), 15, "the scrollback in the preview")
        assert held() and app.focused is preview
        assert preview.border_title and "End" in str(preview.border_title)
        await pilot.press("home")
        await pilot.pause(0.1)
        assert "row 1" in "\n".join(rows(preview)), rows(preview)

        # Held: new output does not move the view; End shows the live screen again.
        ws.send("sh1", "echo after-$((6*7))")
        await until(pilot, lambda: "after-42" in ws.preview_screen(ws.agent("sh1").id), 15,
                    "the new output in the pane")
        await pilot.pause(0.5)
        assert "row 1" in "\n".join(rows(preview)) and "after-42" not in plain()
        await pilot.press("end")
        await until(pilot, lambda: "after-42" in plain(), 10, "the live screen again")
        assert not held() and "row 1\n" not in plain()
        assert "after-42" in "\n".join(rows(preview))

        # Home in the focused preview goes to the top of the scrollback at once; Up holds
        # the view too; Esc is live again and gives the keys back to the table.
        preview.focus()
        await pilot.press("home")
        await until(pilot, lambda: "row 1" in "\n".join(rows(preview)), 15, "the top again")
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert not held() and "after-42" in "\n".join(rows(preview))
        preview.focus()
        await pilot.press("up")
        await until(pilot, held, 5, "the view held")
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert not held() and app.focused is not preview


async def test_every_tab_by_key_in_help_and_in_the_palette(app: WorkspaceApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        tabs = main(app).query_one(TabbedContent)
        await pilot.press("D")
        assert tabs.active == "tab-details"
        await pilot.press("v")
        assert tabs.active == "tab-preview"

        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), 5, "help")
        lines = shown_text(app.screen).splitlines()
        for key, words in (("D", "Show the agent's details"), ("v", "live screen"),
                           ("[", "Scroll the preview back"), ("d", "Review the agent's changes")):
            assert any(line.split()[:1] == [key] and words in line for line in lines), (
                key, words)
        await pilot.press("escape")

        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), 5, "the palette")
        await pilot.press(*"Details")
        await pilot.pause(0.5)
        options = app.screen.query_one("CommandList").options  # type: ignore[attr-defined]
        assert "Details" in str(options[0].prompt)
        await pilot.press("enter")
        await until(pilot, lambda: tabs.active == "tab-details", 5, "the Details tab")

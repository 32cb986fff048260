"""What a selection move redraws, checked on the frame Textual paints (each widget's cached
lines and all: a line not redrawn shows its old text). The preview keeps the rows of the
screens it showed (decoded and drawn once, kept by their content) and redraws only the rows
that changed: it never shows a stale screen, and what it keeps is bounded. The table redraws
the two rows the cursor left and reached."""

from __future__ import annotations

from tests.support.pilot import SIZE, main, status, until
from workspace.core.agent import Status
from workspace.ui.app import WorkspaceApp
from workspace.ui.widgets.agent_table import AgentTable
from workspace.ui.widgets.poller import Poller
from workspace.ui.widgets.preview import PanePreview, screen_lines
from workspace.ui.widgets.screen_rows import ROWS


def painted(preview: PanePreview) -> list[str]:
    """The preview's rows as the next frame paints them: a full frame of the screen, made as
    Textual makes one, from each widget's cached lines (a row not redrawn shows its old
    text)."""
    update = preview.screen._compositor.render_update(full=True)
    region = preview.scrollable_content_region
    lines = ["".join(strip.text for strip in line) for line in update.strips]  # type: ignore[union-attr]
    return [line[region.x:region.right].rstrip() for line in lines[region.y:region.bottom]]


def expected(preview: PanePreview, screen: str, cursor_line: int | None) -> list[str]:
    """The bottom of the screen as the preview shows it, decoded afresh."""
    lines = [line.plain for line in screen_lines(screen, cursor_line)]
    height, width = preview.scrollable_content_region.height, preview.scrollable_content_region.width
    shown = [line[:width].rstrip() for line in lines[-height:]]
    return shown + [""] * (height - len(shown))


async def test_moving_back_to_an_agent_whose_screen_changed_shows_its_new_screen(
        app: WorkspaceApp) -> None:
    ws = app.ws
    for name in ("first", "second"):
        ws.spawn(name, prompt="")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "first") == status(app, "second") ==
                    Status.WAITING, 30, "both at their prompt")
        screen = main(app)
        table = screen.query_one(AgentTable)
        preview = screen.query_one(PanePreview)
        ids = {a.name: a.id for a in screen.snapshot.agents}  # type: ignore[union-attr]
        table.select_id(ids["first"])

        async def shows(name: str, *fragments: str) -> None:
            def now() -> bool:
                snapshot = screen.snapshot
                if snapshot is None or screen.focus_id != ids[name]:
                    return False
                text = snapshot.screens.get(ids[name], "")
                cursor = snapshot.cursors.get(ids[name])
                return all(f in text for f in fragments) and painted(preview) == expected(
                    preview, text, cursor[1] if cursor else None)
            await until(pilot, now, 20, f"{name}'s screen {fragments} painted whole")

        await shows("first", "worktrees/first")
        await pilot.press("down")
        await shows("second", "worktrees/second")
        # first's screen changes while second is on view: typed at its prompt
        ws.type_keys("first", [], "changed while away")
        await until(pilot, lambda: "changed while away" in ws.preview_screen(ids["first"]), 20,
                    "the typing on first's screen")
        await pilot.pause(1)  # a tick or two (0.3 s each) takes the new screen
        assert "changed while away" not in "\n".join(painted(preview))
        await pilot.press("up")
        await shows("first", "worktrees/first", "changed while away")
        await pilot.press("down")  # and second, unchanged, is drawn from what was kept
        await shows("second", "worktrees/second")
        assert "changed while away" not in "\n".join(painted(preview))


SCREENS = 3 * ROWS // 50
"""Screens of 50 rows, every row new: three times the rows kept."""


async def test_the_rows_kept_are_bounded_and_the_newest_screen_is_shown(
        app: WorkspaceApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        screen = main(app)
        await screen.query_one(Poller).remove()  # only the test gives the preview screens
        await pilot.pause(0.2)
        preview = screen.query_one(PanePreview)
        last = ""
        for n in range(SCREENS):
            last = "\n".join(f"\x1b[3{row % 8}mscreen {n} row {row}\x1b[0m" for row in range(50))
            preview.show_screen(f"a{n % 7}", last, (0, 49))
            if n % 10 == 0:
                await pilot.pause()
            assert preview.rows_kept <= ROWS
        await pilot.pause(0.1)
        assert preview.rows_kept == ROWS
        assert painted(preview) == expected(preview, last, 49)
        assert painted(preview)[-1] == f"screen {SCREENS - 1} row 49"


async def test_a_move_in_the_table_paints_the_cursor_on_one_row_only(app: WorkspaceApp) -> None:
    """A move redraws the two rows the cursor left and reached: the frame painted after each
    move has the cursor's colour on the agent's row and on no other."""
    ws = app.ws
    names = ["one", "two", "three", "four"]
    for name in names:
        ws.spawn(name, prompt="")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: all(status(app, n) == Status.WAITING for n in names), 40,
                    "four at their prompt")
        table = main(app).query_one(AgentTable)

        def cursor_bg() -> object:
            """The cursor's colour as Textual works it out now (brighter while focused)."""
            table.refresh()  # Textual forgets its component styles at a refresh
            return (table.rich_style + table.get_component_rich_style(
                "agent-table--cursor")).bgcolor

        focused_bg = cursor_bg()

        def cursor_rows(bg: object = focused_bg) -> list[int]:
            update = table.screen._compositor.render_update(full=True)
            region = table.content_region
            rows = update.strips[region.y + 1:region.y + 1 + table.row_count]  # type: ignore[union-attr]
            return [i for i, line in enumerate(rows)
                    if any(seg.style is not None and seg.style.bgcolor == bg
                           for strip in line for seg in strip
                           if seg.text.strip())]

        await until(pilot, lambda: cursor_rows() == [table.cursor_row], 5, "the cursor")
        for key in ["down", "down", "down", "up", "up", "end", "home"]:
            await pilot.press(key)
            await pilot.pause(0.05)
            assert cursor_rows() == [table.cursor_row], (key, table.cursor_row)
        # Focus elsewhere: the cursor's row takes the unfocused colour, and back.
        main(app).query_one(PanePreview).focus()
        await pilot.pause(0.1)
        blurred_bg = cursor_bg()
        assert blurred_bg != focused_bg
        await until(pilot, lambda: cursor_rows(blurred_bg) == [table.cursor_row], 5, "blurred")
        table.focus()
        await until(pilot, lambda: cursor_rows(focused_bg) == [table.cursor_row], 5, "focused")
        await pilot.press("down")
        await pilot.pause(0.05)
        assert cursor_rows(focused_bg) == [table.cursor_row]

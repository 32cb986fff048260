"""Issue 11, rows a person can tell apart, in the real app at 80x24 and 200x50: names are cut
only where they do not differ, the narrow table keeps status, name, cost and the reason, the
footer keeps ? and q, help and forms fit or scroll, and the cursor stays on its agent when
rows re-sort."""

from __future__ import annotations

from functools import partial

import pytest
from textual.containers import VerticalScroll

from tests.support.pilot import main, status, until
from tests.support.screen import SIZES, footer_keys, table_lines
from workspace.core.agent import Status
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.help import HelpScreen
from workspace.ui.dialogs.send import SendScreen
from workspace.ui.dialogs.spawn import SpawnScreen
from workspace.ui.screens.main import MainScreen
from workspace.ui.widgets.agent_table import AgentTable
from workspace.ui.widgets.diff_panel import DiffPanel

LONG = "refactor-the-authentication-middleware"
BATCH = [f"add-input-validation-to-{i}" for i in (1, 2, 3)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "200x50"])
async def test_rows_can_be_told_apart_and_the_cursor_stays_on_its_agent(
        app: WorkspaceApp, size: tuple[int, int]) -> None:
    ws = app.ws
    ws.spawn(LONG, preset="shell")
    for name in BATCH:
        ws.spawn(name, preset="demo", prompt=f"validate {name} [ask]")
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: all(status(app, n) == Status.NEEDS_PERMISSION
                                       for n in BATCH), 40, "three asking permission")
        lines = table_lines(app)
        header = lines[0]
        for column in ("STATUS", "NAME", "COST", "TASK / REASON"):
            assert column in header
        narrow = size[0] == 80
        for column in ("CTX", "TOKENS", "PRESET", "AGE"):
            assert (column in header) != narrow, header
        rows = [line for line in lines if "add-input" in line]
        assert len(rows) == 3
        for name in BATCH:
            mine = [row for row in rows if name[-4:] in row]  # "to-1": where they differ
            assert len(mine) == 1, rows
            assert "$" in mine[0] and "wants to use" in mine[0]  # cost and the reason stay
        long_row = next(line for line in lines if "refactor-" in line)
        assert (LONG in long_row) != narrow, long_row  # whole when there is room
        cell = next(word for word in long_row.split() if word.startswith("refactor-"))
        assert (cell.endswith("-middleware") and len(cell) < len(LONG)) or cell == LONG, cell
        await until(pilot, lambda: footer_keys(app)[-2:] == ["?", "q"], 5, "? and q")

        # y on one of them: it re-sorts, the cursor goes with it.
        screen, table = main(app), main(app).query_one(AgentTable)
        # The first of the three (it goes below the other two once approved).
        first = min(range(table.row_count), key=lambda i: (table.get_row_at(i)[2] not in BATCH, i))
        name = table.get_row_at(first)[2]
        target = ws.agent(name).id
        table.select_id(target)
        await pilot.pause(0.1)
        await pilot.press("y")
        await until(pilot, lambda: status(app, name) != Status.NEEDS_PERMISSION, 20,
                    "approved")
        await until(pilot, lambda: table.cursor_row > first, 10, "the row to move")
        assert table.selected_id == screen.focus_id == target
        await pilot.press("d")  # the next key acts on the same agent
        await until(pilot, lambda: screen.query_one(DiffPanel).name_shown == name, 5,
                    "its diff")


def showing(app: WorkspaceApp, dialog: type) -> bool:
    return isinstance(app.screen, dialog)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "200x50"])
async def test_help_and_forms_fit_or_scroll(app: WorkspaceApp, size: tuple[int, int]) -> None:
    app.ws.spawn("one", preset="shell")
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: status(app, "one") is not None, 15, "the row")
        for key, dialog in (("question_mark", HelpScreen), ("n", SpawnScreen),
                            ("s", SendScreen)):
            await pilot.press(key)
            await until(pilot, partial(showing, app, dialog), 5, dialog.__name__)
            await pilot.pause(0.3)
            box = app.screen.children[0]
            assert box.region.right <= size[0] and box.region.bottom <= size[1], box.region
            if isinstance(box, VerticalScroll) and box.virtual_size.height > box.size.height:
                box.scroll_end(animate=False)  # what does not fit is a scroll away
                await pilot.pause(0.1)
                assert box.scroll_y == box.max_scroll_y > 0
            if dialog is HelpScreen and size[1] == 24:
                assert box.max_scroll_y > 0
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, MainScreen), 5, "closed")

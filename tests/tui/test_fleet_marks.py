"""Issue 11, acting on many at once, in the real app at 80x24 and 200x50: * marks what the
filter (or the cursor's group) shows and u clears the marks; y approves every marked agent that
asks and says who was skipped; space marks and moves down; what cannot be undone (kill,
interrupt) asks once, listing every marked agent."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from tests.support.pilot import main, status, until
from tests.support.screen import SIZES, toasts
from workspace.core.agent import Status
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.confirm import ConfirmScreen
from workspace.ui.dialogs.kill import KillScreen
from workspace.ui.screens.main import MainScreen
from workspace.ui.widgets.agent_table import AgentTable

ASKING = ["ask-1", "ask-2", "ask-3"]
SHELLS = ["keep-a", "keep-b"]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "200x50"])
async def test_marked_agents_are_approved_killed_and_interrupted_together(
        app: WorkspaceApp, size: tuple[int, int]) -> None:
    ws = app.ws
    for name in ASKING:
        ws.spawn(name, preset="demo", prompt=f"{name} please [ask]")
    for name in SHELLS:
        ws.spawn(name, preset="shell")
    async with app.run_test(size=size) as pilot:
        screen = main(app)
        table = screen.query_one(AgentTable)
        await until(pilot, lambda: all(status(app, n) == Status.NEEDS_PERMISSION
                                       for n in ASKING), 40, "three asking permission")

        # * marks every row shown; one y approves every one that asks.
        await pilot.press("asterisk")
        assert len(table.marked) == 5
        assert "5 marked" in str(screen.query_one("#view").render())
        await pilot.press("y")
        await until(pilot, lambda: all(status(app, n) != Status.NEEDS_PERMISSION
                                       for n in ASKING), 20, "all three approved")
        await until(pilot, lambda: any(t.startswith("approved ask-") for t in toasts(app)), 5)
        said = next(t for t in toasts(app) if t.startswith("approved ask-"))
        assert all(n in said for n in ASKING) and "skipped keep-a (waiting for you)" in said
        await pilot.press("u")
        assert not table.marked

        # space marks the row and moves down.
        table.select_id(ws.agent("keep-a").id)
        row = table.cursor_row
        await pilot.press("space")
        assert table.marked == {ws.agent("keep-a").id} and table.cursor_row == row + 1
        await pilot.press("u")

        # Interrupting several asks first, naming them; no is no.
        await pilot.press("slash", *"ask-", "enter", "asterisk")
        assert len(table.marked) == 3
        await pilot.press("I")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the question")
        details = str(app.screen.query_one("#details", Static).render())
        assert all(n in details for n in ASKING)
        assert "Interrupt the current turn of 3 agents?" in \
            str(app.screen.query_one("#question", Static).render())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), 5)
        await pilot.press("u")

        # Killing the marked shells: one dialog for both; their clean worktrees go.
        await pilot.press("slash", *["backspace"] * 4, *"keep", "enter", "asterisk")
        assert {ws.agent(n).id for n in SHELLS} == table.marked
        worktrees = [Path(ws.agent(n).worktree) for n in SHELLS]
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, KillScreen), 10, "the kill dialog")
        listed = str(app.screen.query_one("#kill-list", Static).render())
        assert "keep-a: nothing that is not on base" in listed and "keep-b:" in listed
        await pilot.press("enter")
        await until(pilot, lambda: status(app, "keep-a") is None and
                    status(app, "keep-b") is None, 20, "both rows to go")
        assert not any(w.exists() for w in worktrees)
        assert not table.marked
    assert sorted(a.name for a in ws.agents()) == ASKING

"""Issue 11, attention without floods, in the real app at 80x24 and 200x50: agents that start
needing the person together get one toast that says how many and why, not one each; `a` lists
who needs the person in the order they started, with the reason; `g` walks that order."""

from __future__ import annotations

import re
from functools import partial

import pytest
from textual.widgets import OptionList

from tests.support.pilot import main, status, until
from tests.support.screen import SIZES, toasts
from workspace.core.agent import Status
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.attention import AttentionScreen
from workspace.ui.screens.main import MainScreen
from workspace.ui.widgets.attention import Attention

SHELLS = [f"sh-{i}" for i in range(1, 6)]


def waiting(app: WorkspaceApp, name: str) -> bool:
    return status(app, name) == Status.WAITING


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "200x50"])
async def test_one_toast_for_many_and_the_attention_list(app: WorkspaceApp,
                                                         size: tuple[int, int]) -> None:
    ws = app.ws
    for name in SHELLS:
        ws.spawn(name, preset="shell")
        ws.pause(name)
    async with app.run_test(size=size) as pilot:
        screen = main(app)
        await until(pilot, lambda: all(status(app, n) == Status.PAUSED for n in SHELLS), 20,
                    "five paused")
        # One at a time they start needing you: in this order.
        for name in SHELLS[:3]:
            ws.resume(name)
            await until(pilot, partial(waiting, app, name), 15, name)
        attention = screen.query_one(Attention)
        await until(pilot, lambda: attention.needs.due_at() is None, 20, "their toasts")
        # The rest at once (marked, p): one toast says how many and why.
        for name in SHELLS[3:]:
            screen.fleet.table.marked.add(ws.agent(name).id)
        await pilot.press("p")
        await until(pilot, lambda: all(status(app, n) == Status.WAITING for n in SHELLS), 15,
                    "all five waiting")
        await until(pilot, lambda: "2 need you: 2 waiting · a lists them" in
                    toasts(app, "needs you"), 15, "one toast for the two")
        said = toasts(app, "needs you")
        assert not any(t.startswith(("sh-4", "sh-5")) for t in said), said
        await pilot.press("u")

        # a: who needs you, longest first, with the reason.
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AttentionScreen), 5, "the list")
        options = app.screen.query_one(OptionList)
        lines = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert [re.search(r"sh-\d", line).group() for line in lines] == SHELLS  # type: ignore[union-attr]
        assert all("waiting for you" in line and "at the shell prompt" in line
                   for line in lines), lines
        await pilot.press("down", "down", "enter")  # go to the third
        await until(pilot, lambda: isinstance(app.screen, MainScreen), 5)
        assert screen.selected is not None and screen.selected.name == "sh-3"

        # g walks the same order on from there, round the list.
        walked = []
        for _ in range(3):
            await pilot.press("g")
            await pilot.pause(0.1)
            assert screen.selected is not None
            walked.append(screen.selected.name)
        assert walked == ["sh-4", "sh-5", "sh-1"]

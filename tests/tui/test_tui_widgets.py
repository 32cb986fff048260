"""What the widgets now do for themselves, driven with Pilot against a real workspace: the spawn
form reads its choices in its own worker (and a ctrl+s pressed before they arrive still
spawns), and the Details tab shows the burn rate and budget that the poll message carries."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Input, OptionList, Select, Sparkline, Static, TabbedContent

from tests.support.pilot import SIZE, main, status, until
from workspace.core.agent import Status
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.spawn import SpawnScreen
from workspace.ui.screens.main import MainScreen
from workspace.ui.widgets.agent_table import AgentTable
from workspace.ui.widgets.detail import AgentDetail


async def test_the_spawn_form_fills_itself_in(app: WorkspaceApp) -> None:
    ws = app.ws
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: main(app).snapshot is not None, 10, "first snapshot")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, SpawnScreen), 5, "the spawn form")
        form = app.screen
        name = form.query_one("#name", Input)
        await until(pilot, lambda: name.value != "", 10, "the suggested name")
        assert name.value == ws.suggest_name(ws.settings.workspace.default_preset)
        assert form.query_one("#base", Input).value == ws.default_base() == "main"
        preset = form.query_one("#preset", Select)
        assert preset.value == ws.settings.workspace.default_preset
        listed = preset.query_one(OptionList)  # the Select's drop-down
        offered = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        # A preset whose CLI is not installed is offered marked: "claude (not installed)".
        assert set(ws.preset_names()) <= {label.split(" (")[0] for label in offered}
        await pilot.press("x")  # the suggestion starts selected: typing replaces it
        assert name.value == "x"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), 5, "the form to close")
    assert ws.agents() == []


async def test_ctrl_s_at_once_spawns_when_the_form_has_its_choices(app: WorkspaceApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: main(app).snapshot is not None, 10, "first snapshot")
        await pilot.press("n", "ctrl+s")  # no pause: the form may not have read its choices
        await until(pilot, lambda: isinstance(app.screen, MainScreen), 10, "the form to close")
        await until(pilot, lambda: len(app.ws.agents()) == 1, 15, "the agent")
    agent = app.ws.agents()[0]
    assert agent.base == "main" and agent.preset == app.ws.settings.workspace.default_preset


async def test_details_show_the_burn_rate_and_budget_the_poll_carries(
        app: WorkspaceApp) -> None:
    app.ws.spawn("burner", preset="demo", prompt="note it [noask]", budget_usd=5.0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "burner") == Status.WAITING, 40, "waiting")
        screen = main(app)
        screen.query_one(AgentTable).select_id(app.ws.agent("burner").id)
        screen.query_one(TabbedContent).active = "tab-details"
        detail = screen.query_one(AgentDetail)
        burn = detail.query_one("#burn", Sparkline)
        await until(pilot, lambda: any(v > 0 for v in burn.data or []), 15,
                    "tokens per minute in the sparkline")
        assert "of budget $5.00" in facts_text(detail)


def facts_text(detail: AgentDetail) -> str:
    console = Console(width=160, record=True, file=io.StringIO())
    console.print(detail.query_one("#facts", Static).content)
    return console.export_text()

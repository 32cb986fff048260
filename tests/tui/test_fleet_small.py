"""Issue 11, the smaller things, in the real app at 80x24 and 200x50: the spawn form keeps what
was typed when a spawn fails, marks presets whose CLI is not installed and defaults to one
that is, and follows the preset with its suggested name; help explains the tabs and the diff
legend; the palette shows each action's key; the merge form disables Merge once the radar
finds a conflict with base, and the row says 'conflicts with main' after a sibling merged."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Button, Input, OptionList, Select, Static, TextArea

from tests.support.config import write_user_config
from tests.support.pilot import main, row_text, status, until
from tests.support.review import commit, spawn_shell, write
from tests.support.screen import SIZES
from workspace.service import Workspace
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.help import HelpScreen
from workspace.ui.dialogs.merge import MergeScreen
from workspace.ui.dialogs.spawn import SpawnScreen
from workspace.ui.screens.main import MainScreen
from workspace.ui.widgets.agent_table import AgentTable

IDS = ["80x24", "200x50"]


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_the_spawn_form_marks_presets_follows_them_and_keeps_a_failed_spawn(
        repo: Path, size: tuple[int, int]) -> None:
    write_user_config('[workspace]\ndefault_preset = "missing"\npoll_interval = 0.3\n'
                      '[presets.missing]\nkind = "generic"\ncommand = "no-such-agent-cli"\n')
    app = WorkspaceApp(Workspace.open(repo))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: main(app).snapshot is not None, 10, "first snapshot")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, SpawnScreen), 5, "the form")
        form = app.screen
        assert isinstance(form, SpawnScreen)
        preset, name = form.query_one("#preset", Select), form.query_one("#name", Input)
        await until(pilot, lambda: name.value != "", 10, "the suggested name")
        listed = preset.query_one(OptionList)
        labels = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert "missing (not installed)" in labels and "demo" in labels and "shell" in labels
        assert preset.value != "missing" and preset.value not in form.missing  # one that runs
        preset.value = "shell"
        await until(pilot, lambda: name.value == "shell-1", 5, "the name to follow")
        preset.value = "demo"
        await until(pilot, lambda: name.value == "demo-1", 5, "the name to follow again")
        preset.value = "missing"  # chosen anyway: refused in the form, with the fix
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(app.screen, SpawnScreen)
        assert "'no-such-agent-cli' for preset 'missing' is not installed" in \
            str(form.query_one("#error", Static).render())

        # A spawn that fails after the form closed brings it back as it was filled in.
        preset.value = "demo"
        name.value = "kept"
        form.query_one("#base", Input).value = "no-such-branch"
        form.query_one("#prompt", TextArea).text = "a prompt worth keeping"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SpawnScreen) and app.screen is not
                    form, 20, "the form, back")
        again = app.screen
        assert again.query_one("#name", Input).value == "kept"
        assert again.query_one("#base", Input).value == "no-such-branch"
        assert again.query_one("#prompt", TextArea).text == "a prompt worth keeping"
        assert again.query_one("#preset", Select).value == "demo"
        error = str(again.query_one("#error", Static).render())
        assert "kept: base branch 'no-such-branch' does not exist" in error
        assert again.query_one("#error").region.bottom <= size[1]  # on screen, at the top
        await pilot.press("escape")
    assert app.ws.agents() == []


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_help_explains_tabs_and_the_diff_legend_and_the_palette_shows_keys(
        app: WorkspaceApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), 5, "help")
        text = " ".join(str(w.render()) for w in app.screen.query(Static))
        for said in ("tab moves the focus from the table to the tab bar",
                     "walk the file list", "U untracked", "A added", "M modified",
                     "it has uncommitted changes", "space marks the agent and moves down",
                     "* marks every agent the filter shows", "u clears every mark",
                     "G groups by status", "o sorts by needs you first"):
            assert said in text, said
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), 5, "the palette")
        await pilot.press(*"pause")
        await pilot.pause(0.5)
        shown = " ".join(str(o.prompt) for o in app.screen.query_one(
            "CommandList").options)  # type: ignore[attr-defined]
        assert "Pause/resume  (p)" in shown


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_a_sibling_merged_while_the_form_is_open_disables_merge(
        app: WorkspaceApp, repo: Path, size: tuple[int, int]) -> None:
    ws = app.ws
    for name, text in (("left", "left\n"), ("right", "right\n")):
        wt = spawn_shell(ws, name, f"Write {name}")
        write(wt, "shared.txt", text)
        commit(wt, f"{name} writes shared")
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: "conflicts with left" in row_text(app, "right"), 30,
                    "the radar's flag")
        main(app).query_one(AgentTable).select_id(ws.agent("right").id)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MergeScreen), 15, "the merge form")
        form = app.screen
        merge = form.query_one("#merge", Button)
        assert not merge.disabled  # base has not moved yet: right merges cleanly
        ws.merge("left", cleanup=False)  # meanwhile, elsewhere
        await until(pilot, lambda: merge.disabled, 30, "Merge disabled")
        known = str(form.query_one("#known", Static).render())
        assert "right conflicts with main in shared.txt" in known and "R asks" in known
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), 5)
        assert "⚠ conflicts with main: shared.txt" in row_text(app, "right")
        assert status(app, "left") is not None

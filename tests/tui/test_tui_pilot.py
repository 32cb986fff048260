"""The real Textual app, driven with Pilot, against a real workspace (tmux, git, demo agents)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.support.pilot import SIZE, main, palette_shows, row_text, status, until
from tests.support.wait import wait_for
from workspace.adapters.locations import user_config_file
from workspace.core.agent import Status
from workspace.service import Workspace
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.help import HelpScreen
from workspace.ui.dialogs.kill import KillScreen
from workspace.ui.dialogs.spawn import SpawnScreen
from workspace.ui.screens.main import MainScreen
from workspace.ui.widgets.agent_table import AgentTable


async def spawn_from_form(pilot: Pilot[None], app: WorkspaceApp, name: str, prompt: str) -> None:
    await pilot.press("n")
    await until(pilot, lambda: isinstance(app.screen, SpawnScreen), 5, "the spawn form")
    form = app.screen
    form.query_one("#name", Input).value = ""
    await pilot.click("#name")
    await pilot.press(*name)
    form.query_one("#prompt", TextArea).focus()
    await pilot.press(*prompt)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(app.screen, MainScreen), 5, "the form to close")


async def test_spawn_from_the_form_and_rows_update(app: WorkspaceApp, repo: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: main(app).snapshot is not None, 10, "first snapshot")
        assert "No agents yet" in str(app.screen.query_one("#empty").render())
        await spawn_from_form(pilot, app, "formed", "note it [noask]")
        await until(pilot, lambda: status(app, "formed") is not None, 15, "the new row")
        assert status(app, "formed") in (Status.STARTING, Status.WORKING)
        await until(pilot, lambda: status(app, "formed") == Status.WAITING, 40, "waiting")
        await until(pilot, lambda: "waiting for you" in row_text(app, "formed"), 5, "row text")
        await until(pilot, lambda: "+" in row_text(app, "formed").split(" | ")[5], 20,
                    "the diff column")
        header = str(app.screen.query_one("#header").render())
        assert "1 agent" in header and "1 needs you" in header


async def test_pause_resume_and_kill_confirm(app: WorkspaceApp, repo: Path) -> None:
    ws = app.ws
    ws.spawn("busy", preset="demo", prompt="long [slow] [noask]")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "busy") == Status.WORKING, 30, "working")
        await pilot.press("p")
        await until(pilot, lambda: status(app, "busy") == Status.PAUSED, 10, "paused")
        assert "paused" in row_text(app, "busy")
        await pilot.press("p")
        await until(pilot, lambda: status(app, "busy") == Status.WORKING, 10, "resumed")
        worktree = Path(ws.agent("busy").worktree)
        (worktree / "work.txt").write_text("keep me\n")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, KillScreen), 10, "kill confirm")
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "new file work.txt (untracked)" in text
        assert [b.id for b in app.screen.query("Button")] == ["cancel", "discard", "keep"]
        await pilot.press("enter")  # the focused default: kill, keep work
        await until(pilot, lambda: status(app, "busy") is None, 15, "the row to go")
        assert (worktree / "work.txt").read_text() == "keep me\n"
        assert not ws.ctx.tmux.has_session("busy")


async def test_help_and_quit_leaves_agents_running(app: WorkspaceApp) -> None:
    ws = app.ws
    ws.spawn("stays", preset="demo", prompt="")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "stays") == Status.WAITING, 30, "waiting")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), 5, "help")
        await pilot.press("escape")
        await pilot.press("q")
        await pilot.pause(0.2)
    assert ws.ctx.tmux.has_session("stays")
    ws.refresh()
    assert ws.agent("stays").status == Status.WAITING


async def test_send_to_marked_agents_and_next_attention(app: WorkspaceApp) -> None:
    ws = app.ws
    for name in ("m1", "m2"):
        ws.spawn(name, preset="demo", prompt="")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "m1") == status(app, "m2") == Status.WAITING,
                    30, "both waiting")
        table = main(app).query_one(AgentTable)
        table.focus()
        await pilot.press("space", "space")
        assert len(table.marked) == 2
        await pilot.press("s")
        await pilot.press(*"hello both [noask]", "enter")
        await until(pilot, lambda: all(
            (ws.ctx.paths(ws.agent(n).id).dir / "transcript.jsonl").exists() and
            "hello both" in (ws.ctx.paths(ws.agent(n).id).dir / "transcript.jsonl").read_text()
            for n in ("m1", "m2")), 20, "the message in both transcripts")
        await until(pilot, lambda: status(app, "m1") == status(app, "m2") == Status.WAITING,
                    30, "both waiting again")
        first = main(app).focus_id
        await pilot.press("g")
        await until(pilot, lambda: main(app).focus_id != first, 5, "g to move on")


async def test_bad_input_in_the_form_is_shown_not_spawned(app: WorkspaceApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, SpawnScreen), 5)
        form = app.screen
        form.query_one("#name", Input).value = "Bad Name!"
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(app.screen, SpawnScreen)
        assert "invalid agent name" in str(form.query_one("#error").render())
        await pilot.press("escape")
    assert app.ws.agents() == []
    wait_for(lambda: True)


async def test_user_themes_load_and_a_bad_one_is_reported_once(repo: Path) -> None:
    themes = user_config_file().parent / "themes"
    themes.mkdir(parents=True)
    (themes / "mine.toml").write_text('name = "mine"\nprimary = "#ff8800"\ndark = true\n')
    (themes / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n')
    (themes / "typo.toml").write_text('name = "typo"\nprimary = "#000000"\nprimry = "#fff"\n')
    user_config_file().write_text('[workspace]\ntheme = "mine"\n')
    app = WorkspaceApp(Workspace.open(repo))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert app.theme == "mine"
        assert "broken" not in app.available_themes
        messages = [n.message for n in app._notifications]
        skipped = [m for m in messages if m.startswith("theme skipped")]
        assert len(skipped) == 2
        assert any("broken.toml" in m and "not a colour" in m for m in skipped)
        assert any("typo.toml" in m and "unknown key 'primry'" in m for m in skipped)


async def test_keys_can_be_remapped(repo: Path) -> None:
    user_config_file().parent.mkdir(parents=True, exist_ok=True)
    user_config_file().write_text('[keys]\nspawn = "ctrl+n"\n')
    app = WorkspaceApp(Workspace.open(repo))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        await pilot.press("n")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, SpawnScreen)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, SpawnScreen), 5, "the form on ctrl+n")


async def test_every_action_is_in_the_command_palette(app: WorkspaceApp) -> None:
    from workspace.core.actions import ACTIONS

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        shown = await palette_shows(pilot, app, "pause")
        assert "Pause/resume" in shown
    titles = {a.title for a in ACTIONS}
    assert len(titles) == len(ACTIONS)


async def test_inline_typing_reaches_the_agent_and_the_detach_key_ends_it(
        app: WorkspaceApp) -> None:
    from workspace.ui.widgets.preview import PanePreview

    ws = app.ws
    ws.spawn("typed", preset="shell", prompt="")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "typed") == Status.WAITING, 20, "a shell prompt")
        await pilot.press("i")
        preview = main(app).query_one(PanePreview)
        def typing() -> bool:
            return preview.typing

        assert typing() and app.focused is preview
        await pilot.press(*"echo inline-$((6*7))", "enter")
        await until(pilot, lambda: "inline-42" in ws.preview_screen(ws.agent("typed").id), 15,
                    f"the output in the pane: {ws.preview_screen(ws.agent('typed').id)!r}")
        await pilot.press("ctrl+right_square_bracket")
        await pilot.pause(0.1)
        assert not typing()
        await pilot.press("n")  # keys are the TUI's again
        await until(pilot, lambda: isinstance(app.screen, SpawnScreen), 5, "the spawn form")

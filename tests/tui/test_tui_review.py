"""The review half of the TUI, driven with Pilot against real git worktrees and tmux: the Diff
tab (modes, file list, a 20,000-line file, live refresh, no index touched), the merge flow
with its cleanup offer, the radar flag, a refused merge and ask-to-rebase, the merge queue."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, Checkbox, OptionList, TabbedContent

from tests.support.config import write_user_config
from tests.support.pilot import SIZE, main, row_text, status, until
from tests.support.review import commit, index_bytes, rev, spawn_shell, write
from workspace.core.agent import Status
from workspace.core.review.diff import BRANCH, WIP
from workspace.service import Workspace
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.confirm import ConfirmScreen
from workspace.ui.dialogs.merge import MergeScreen
from workspace.ui.screens.main import MainScreen
from workspace.ui.widgets.agent_table import AgentTable
from workspace.ui.widgets.diff_lines import DiffLines
from workspace.ui.widgets.diff_panel import DiffPanel


def select(app: WorkspaceApp, name: str) -> None:
    screen = main(app)
    table = screen.query_one(AgentTable)
    agent = app.ws.agent(name)
    table.select_id(agent.id)


def pane_text(ws: Workspace, name: str) -> str:
    session = ws.agent(name).session
    panes = [p.pane_id for p in ws.ctx.tmux.list_panes() or [] if p.session == session]
    return "".join(ws.ctx.tmux.capture(panes, colors=False).values())


def panel(app: WorkspaceApp) -> DiffPanel:
    return main(app).query_one(DiffPanel)


def file_labels(app: WorkspaceApp) -> list[str]:
    options = panel(app).query_one("#diff-files", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_diff_tab_modes_big_file_and_live_refresh(app: WorkspaceApp) -> None:
    ws = app.ws
    wt = spawn_shell(ws, "a", "Tidy the sample")
    write(wt, "src/hello.py", "def hello():\n    return 'committed'\n")
    commit(wt, "app")
    write(wt, "big.txt", "".join(f"line {i}\n" for i in range(20_000)))
    write(wt, "blob.bin", b"\x00\x01binary")
    before = index_bytes(wt)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "a") is not None, 15, "the row")
        select(app, "a")
        await pilot.press("d")
        tabs = main(app).query_one(TabbedContent)
        assert tabs.active == "tab-diff"
        await until(pilot, lambda: panel(app).diff is not None, 15, "the branch diff")
        diff = panel(app).diff
        assert diff is not None and diff.mode == BRANCH
        labels = file_labels(app)
        assert any("src/hello.py" in label and "A +2 -0" in label for label in labels), labels
        assert any("U" in label and "big.txt" in label and "+20000" in label
                   for label in labels), labels
        assert any("binary" in label and "blob.bin" in label for label in labels), labels
        title = str(panel(app).query_one("#diff-title").render())
        assert "whole branch" in title and "merge-base with main" in title

        # the 20,000-line file: every row is there, and the end of it draws
        options = panel(app).query_one("#diff-files", OptionList)
        options.focus()
        options.highlighted = next(i for i, label in enumerate(labels) if "big.txt" in label)
        lines = panel(app).query_one(DiffLines)
        await until(pilot, lambda: len(lines.rows) == 20_001, 5, "the big file's rows")
        lines.focus()
        await pilot.press("end")
        await pilot.pause(0.2)
        assert lines.scroll_offset.y > 19_000
        drawn = "".join(seg.text for seg in lines.render_line(lines.size.height - 1))
        assert "line 19999" in drawn

        # d again: uncommitted work only; the committed file is gone from the list
        main(app).query_one(AgentTable).focus()
        await pilot.press("d")
        await until(pilot, lambda: getattr(panel(app).diff, "mode", None) == WIP, 15,
                    "the WIP diff")
        assert not any("src/hello.py" in label for label in file_labels(app))
        assert "uncommitted work" in str(panel(app).query_one("#diff-title").render())

        # a change in the worktree shows up without a key press
        write(wt, "fresh.py", "x = 1\n")
        await until(pilot, lambda: any("fresh.py" in label for label in file_labels(app)),
                    20, "the new file in the open diff")
    assert index_bytes(wt) == before


async def test_merge_from_the_tui_then_clean_up(app: WorkspaceApp, repo: Path) -> None:
    ws = app.ws
    wt = spawn_shell(ws, "m", "Add the greeting")
    write(wt, "greet.txt", "hello\n")
    commit(wt, "greeting")
    write(wt, "wip.txt", "not committed yet\n")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "m") is not None, 15, "the row")
        select(app, "m")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MergeScreen), 15, "the merge form")
        screen = app.screen
        text = " ".join(str(w.render()) for w in screen.query("Static"))
        assert "Merge m into main" in text and "greeting" in text
        assert "main is checked out in" in text
        commit_wip = screen.query_one("#commit-wip", Checkbox)
        assert commit_wip.value is True and "wip.txt" in str(commit_wip.label)
        assert not screen.query_one("#merge", Button).disabled
        await pilot.press("enter")  # Merge is focused
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 30,
                    "the cleanup offer")
        await until(pilot, lambda: status(app, "m") == Status.MERGED, 15, "merged status")
        assert "merged" in row_text(app, "m")
        assert (repo / "greet.txt").read_text() == "hello\n"
        assert (repo / "wip.txt").read_text() == "not committed yet\n"
        assert "merged" in [n.title for n in app._notifications]
        await pilot.press("enter")  # Clean up
        await until(pilot, lambda: status(app, "m") is None, 20, "the row to go")
    assert not wt.exists()
    assert ws.ctx.repo.rev("refs/heads/ws/m") is None


async def test_radar_flags_shared_files_a_refused_merge_and_ask_to_rebase(
        app: WorkspaceApp, repo: Path) -> None:
    ws = app.ws
    for name, text in (("left", "left\n"), ("right", "right\n")):
        wt = spawn_shell(ws, name, f"Write {name}")
        write(wt, "shared.txt", text)
        commit(wt, f"{name} writes shared")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "⚠" in row_text(app, "left") and
                    "⚠" in row_text(app, "right"), 30, "the radar flag on both rows")
        assert "conflicts with right" in row_text(app, "left")
        ws.merge("left", cleanup=False)
        main_before = rev(repo, "main")
        select(app, "right")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MergeScreen), 15, "the merge form")
        screen = app.screen
        assert screen.query_one("#merge", Button).disabled
        problem = str(screen.query_one("#problem").render())
        assert "conflicts with main" in problem and "shared.txt" in problem
        assert "R asks the agent to rebase" in problem
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), 5)
        await until(pilot, lambda: "conflicts with main" in row_text(app, "right"), 15,
                    "the row saying why it does not merge")
        await pilot.press("R")
        await until(pilot, lambda: "rebase" in pane_text(ws, "right"), 15,
                    "the request in the agent's pane")
        await until(pilot, lambda: any(n.message.startswith("asked right to rebase")
                                       for n in app._notifications), 5, "the toast")
    assert rev(repo, "main") == main_before


async def test_merge_queue_stops_at_the_conflict_and_keeps_the_rest(
        app: WorkspaceApp, repo: Path) -> None:
    ws = app.ws
    for name, path, text in (("q1", "shared.txt", "one\n"), ("q2", "shared.txt", "two\n"),
                             ("q3", "own.txt", "three\n")):
        wt = spawn_shell(ws, name, f"Task {name}")
        write(wt, path, text)
        commit(wt, name)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: all(status(app, n) for n in ("q1", "q2", "q3")), 15, "rows")
        table = main(app).query_one(AgentTable)
        table.focus()
        for name in ("q1", "q2", "q3"):
            table.marked.add(ws.agent(name).id)
        table.refresh_marks()
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MergeScreen), 5, "the queue form")
        assert "Merge 3 agents" in " ".join(str(w.render()) for w in app.screen.query("Static"))
        await pilot.press("enter")
        bar = main(app).query_one("#queue-bar")
        await until(pilot, lambda: "failed" in str(bar.render()), 30, "the queue to stop")
        shown = str(bar.render())
        assert "q2 failed" in shown and "q3 queued" in shown and "merged" in shown
        assert bar.display
    assert (repo / "shared.txt").exists()
    assert not (repo / "own.txt").exists()
    assert ws.queue_state().queued == ("q3",)


async def test_a_failing_gate_shows_its_output_and_merges_nothing(repo: Path) -> None:
    write_user_config('[workspace]\npoll_interval = 0.3\n[merge]\n'
                      'gate = ["sh", "-c", "echo 2 tests failed; exit 1"]\n')
    app = WorkspaceApp(Workspace.open(repo))
    ws = app.ws
    wt = spawn_shell(ws, "gated", "Gated work")
    write(wt, "g.txt", "g\n")
    commit(wt, "g")
    main_before = rev(repo, "main")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "gated") is not None, 15, "the row")
        select(app, "gated")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MergeScreen), 15, "the merge form")
        assert "Run the gate first: sh -c" in str(app.screen.query_one("#gate", Checkbox).label)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 30, "gate output")
        assert "2 tests failed" in str(app.screen.query_one("#details").render())
        assert "failed with status 1" in str(app.screen.query_one("#question").render())
    assert rev(repo, "main") == main_before

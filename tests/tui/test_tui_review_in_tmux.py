"""Review and merge in the real TUI, in a terminal, by keystrokes: two demo agents write the
same file, the radar flags both rows, the first merges (m, Enter) and is cleaned up, the
second is refused with the conflict on screen, and R delivers the rebase request to its
pane."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.terminal import Terminal
from tests.support.wait import wait_for
from workspace.service import Workspace

pytestmark = pytest.mark.tui

TASK = "Update the release notes [noask]"


def rows(screen: str) -> list[str]:
    return [line for line in screen.splitlines() if re.search(r"\b(alpha|beta)\b", line)]


def test_radar_merge_conflict_and_ask_to_rebase(term: Terminal, repo: Path) -> None:
    term.start_workspace(repo)
    term.wait_text("No agents yet")
    # the demo agent writes demo/<task>-1.md: the same path, different text, in both
    term.spawn_by_keys("alpha", TASK)
    term.spawn_by_keys("beta", TASK)
    try:
        wait_for(lambda: term.text().count("⚠ conflicts with") >= 2, 60,
                 what="the radar flag on both rows")
    except AssertionError:
        raise AssertionError(term.text()) from None
    screen = term.text()
    assert "⚠ conflicts with beta" in screen and "⚠ conflicts with alpha" in screen

    # the cursor is on the first row: merge it
    first = "alpha" if "alpha" in rows(screen)[0] else "beta"
    second = "beta" if first == "alpha" else "alpha"
    term.keys("m")
    form = term.wait_text(f"Merge {first} into main", "squash: one commit on base")
    assert "Commit uncommitted work first" in form or "1 commit" in form
    term.keys("Enter")
    term.wait_text(f"{first} is merged. Clean it up?", timeout=30)
    term.keys("Enter")
    try:
        wait_for(lambda: not any(re.search(rf"\s{first}\s+demo\s", line)
                                 for line in rows(term.text())), 30, what=f"{first}'s row to go")
    except AssertionError:
        raise AssertionError(term.text()) from None
    assert (repo / "demo").is_dir()

    # the second now conflicts with main: the form refuses and says how to go on
    term.keys("m")
    refused = term.wait_text(f"{second} conflicts with main", "R asks the agent to rebase")
    assert "nothing was changed" in refused
    term.keys("Escape")
    term.wait_gone("R asks the agent to rebase", 10)
    term.wait_text("conflicts with main")

    term.keys("R")
    term.wait_text(f"asked {second} to rebase")
    ws = Workspace.open(repo)
    try:
        session = ws.agent(second).session
        panes = [p.pane_id for p in ws.ctx.tmux.list_panes() or [] if p.session == session]
        wait_for(lambda: "no longer merges cleanly" in
                 "".join(ws.ctx.tmux.capture(panes, colors=False).values()), 20,
                 what="the rebase request in the agent's pane")
    finally:
        ws.close()

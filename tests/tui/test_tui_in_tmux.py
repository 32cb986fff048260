"""The real `workspace` TUI in a terminal (tmux), used as a person would: keystrokes in,
screen captures out."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.support.gitrepo import commit_all
from tests.support.terminal import Terminal
from tests.support.wait import wait_for
from workspace.service import Workspace

pytestmark = pytest.mark.tui


def test_spawn_jump_in_and_back_quit_and_relaunch(term: Terminal, repo: Path) -> None:
    term.start_workspace(repo)
    term.wait_text("No agents yet", "n New agent")
    term.spawn_by_keys("alpha", "first task [slow] [noask]")
    term.spawn_by_keys("beta", "second task [slow] [noask]")
    screen = term.wait_text("alpha", "beta", "2 agents")
    try:
        wait_for(lambda: term.text().count("● working") >= 2, 30, what="both working")
    except AssertionError:
        raise AssertionError(term.text()) from None

    # Jump into the selected agent's pane, then come back with the detach key.
    term.keys("Enter")
    inside = term.wait_text("back to workspace", "demo agent")
    assert "2 agents" not in inside
    term.keys("C-]")
    screen = term.wait_text("2 agents", "alpha", "beta")

    # Quit: agents keep running; relaunch: both are still there.
    term.keys("q")
    term.wait_text("agents keep running")
    wait_for(lambda: term.dead, 10, what="the TUI to exit")
    ws = Workspace.open(repo)
    assert ws.ctx.tmux.has_session("alpha") and ws.ctx.tmux.has_session("beta")
    term.respawn_workspace(repo)
    screen = term.wait_text("2 agents", "alpha", "beta")
    assert "working" in screen or "waiting" in screen


def test_sigkill_mid_spawn_leaves_a_consistent_picture(term: Terminal, repo: Path) -> None:
    """Kill the TUI at several instants of a spawn; each relaunch must find every session,
    worktree and branch it made either owned by a listed agent or offered for cleanup."""
    # Thousands of files make `git worktree add` slow enough for the kills to land inside
    # the spawn, not only before or after it.
    for i in range(3000):
        (repo / "bulk" / str(i % 30)).mkdir(parents=True, exist_ok=True)
        (repo / "bulk" / str(i % 30) / f"f{i}.txt").write_text(f"{i}\n")
    commit_all(repo, "bulk")
    ws = Workspace.open(repo)
    seen: list[str] = []
    for attempt, delay in enumerate((0.0, 0.1, 0.2, 0.3, 0.45, 0.6, 0.9, 1.3)):
        if attempt == 0:
            term.start_workspace(repo)
        else:
            term.respawn_workspace(repo)
        term.wait_text("n New agent")
        term.keys("n")
        term.wait_text("First prompt")
        term.type(f"victim-{attempt}")
        term.tmux("send-keys", "-t", "t", "C-s")
        time.sleep(delay)
        os.kill(term.pid, signal.SIGKILL)
        wait_for(lambda: term.dead, 10, what="the TUI to die")
        seen.append(describe(ws, f"victim-{attempt}"))
        term.respawn_workspace(repo)
        term.wait_text("n New agent")
        ws.reconcile()
        assert_consistent(ws)
    print("states right after each kill:", seen)
    # Every victim can be killed from there, and then nothing of it remains.
    os.kill(term.pid, signal.SIGKILL)
    wait_for(lambda: not any("git" in p.name for p in Path("/proc").glob("[0-9]*/comm")
                             if _reads(p) == "git"), 30, what="orphaned git processes to end")
    ws.reconcile()
    for agent in ws.agents():
        report = ws.kill(agent.name)
        assert report.removed, report.summary()
    assert ws.agents() == [] and ws.leftovers() == []
    assert [w.path for w in ws.ctx.repo.worktrees()] == [str(ws.ctx.repo.top)]
    assert not [b for b in ws.branch_names() if b.startswith("ws/")]


def _reads(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def describe(ws: Workspace, name: str) -> str:
    """What a kill left behind, before any reconcile: for the test log."""
    agent = ws.ctx.store.agent_by_name(name)
    if agent is None:
        return "nothing"
    parts = ["row" if agent.spawn_complete else "half-row"]
    if Path(agent.worktree).exists():
        parts.append("worktree")
    if ws.ctx.tmux.has_session(name):
        parts.append("session")
    return "+".join(parts)


def assert_consistent(ws: Workspace) -> None:
    agents = {a.name: a for a in ws.agents()}
    leftovers = {r.path for r in ws.leftovers()}
    panes = ws.ctx.tmux.list_panes() or []
    for pane in panes:
        assert pane.session in {a.session for a in agents.values()}, f"orphan session {pane}"
    root = ws.ctx.worktree_root()
    for wt in ws.ctx.repo.worktrees():
        if wt.path == str(ws.ctx.repo.top):
            continue
        owned = any(a.worktree == wt.path for a in agents.values())
        assert owned or wt.path in leftovers, f"unlisted worktree {wt.path}"
        assert Path(wt.path).parent == root
    prefix = ws.settings.workspace.branch_prefix + "/"
    for branch in ws.branch_names():
        if branch.startswith(prefix):
            owned = any(a.branch == branch for a in agents.values())
            offered = any(r.branch == branch for r in ws.leftovers())
            assert owned or offered, f"unlisted branch {branch}"
    for agent in agents.values():
        assert agent.spawn_complete, f"{agent.name} left half-spawned"


def test_a_form_sent_right_after_typing_keeps_every_key(term: Terminal, repo: Path) -> None:
    """A fast typist (or a paste) sends the last letters and Ctrl-S in one burst: the form
    must read what was typed after every key before it, not before the last letters landed
    (a priority binding once spawned 'say hello world number 2' as 'sa')."""
    term.start_workspace(repo)
    term.wait_text("No agents yet", "n New agent")
    for i in range(4):
        term.keys("n")
        term.wait_text("New agent", "First prompt")
        term.type(f"fast{i}")
        term.keys("Tab", "Tab", "Tab")
        # The prompt and Ctrl-S in one tmux command: they reach the TUI in one read.
        term.tmux("send-keys", "-t", "t", "-l", "--", f"say hello world number {i} [noask]",
                  ";", "send-keys", "-t", "t", "C-s")
        term.wait_gone("First prompt", 10)
    ws = Workspace.open(repo)
    wait_for(lambda: len(ws.agents()) == 4, 20, what="four agents")
    assert sorted(a.task for a in ws.agents()) == [
        f"say hello world number {i} [noask]" for i in range(4)]

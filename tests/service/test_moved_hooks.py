"""Agents that were running when their repository moved: their hooks and launcher still hold
the state paths of the old place. Once `git worktree repair` links their worktree again (their
row asks for it), hook events and the exit status reach the state where it is now; before
that, nothing is written anywhere and no folder is made."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from tests.support.gitrepo import git
from tests.support.review import spawn_shell
from tests.support.wait import wait_for, wait_status
from workspace.adapters import hook_sink
from workspace.core.agent import Status
from workspace.service import Workspace


def _hook(events: Path, event: str) -> str:
    """The hook's command line as an agent CLI runs it (the path baked in at launch)."""
    return shlex.join([sys.executable, "-I", "-S", hook_sink.__file__, str(events), event,
                       '{"hook": "after the move"}'])


def test_hooks_and_exit_status_follow_a_moved_repository(repo: Path, tmp_path: Path) -> None:
    ws = Workspace.open(repo)
    worktree = spawn_shell(ws, "mover")
    wait_status(ws, "mover", Status.WAITING)
    agent = ws.agent("mover")
    old = ws.ctx.paths(agent.id)
    ws.close()
    moved = tmp_path / "moved"
    repo.rename(moved)
    new = Workspace.open(moved)
    try:
        paths = new.ctx.paths(agent.id)
        assert paths.events != old.events and not old.events.parent.exists()
        before = paths.events.read_text() if paths.events.exists() else ""

        # Not linked yet: the hook finds no state, writes nothing and makes no folder.
        ran = tmp_path / "early-hook-ran"
        new.send("mover", f"{_hook(old.events, 'Early')} && touch {shlex.quote(str(ran))}")
        wait_for(ran.exists)
        assert not old.events.parent.exists()

        git(moved, "worktree", "repair", str(worktree))
        new.send("mover", _hook(old.events, "Stop"))
        wait_for(lambda: paths.events.is_file() and '"event": "Stop"' in paths.events.read_text())
        added = paths.events.read_text()[len(before):]
        assert '"hook": "after the move"' in added and "Early" not in added
        assert not old.events.parent.exists()

        new.send("mover", "exit 3")
        wait_for(lambda: paths.exit_status.is_file())
        assert paths.exit_status.read_text() == "3"
        assert not old.exit_status.parent.exists()
    finally:
        new.close()


def test_the_demo_agent_keeps_reporting_after_a_move(repo: Path, tmp_path: Path) -> None:
    ws = Workspace.open(repo)
    ws.spawn("demo-mover", preset="demo", prompt="Write a note [noask]")
    wait_status(ws, "demo-mover", Status.WAITING)
    agent = ws.agent("demo-mover")
    worktree = Path(agent.worktree)
    ws.close()
    moved = tmp_path / "moved"
    repo.rename(moved)
    git(moved, "worktree", "repair", str(worktree))
    new = Workspace.open(moved)
    try:
        events = new.ctx.paths(agent.id).events
        turns = events.read_text().count('"event": "Stop"')
        new.send("demo-mover", "One more note [noask]")
        wait_for(lambda: events.read_text().count('"event": "Stop"') > turns)
        wait_status(new, "demo-mover", Status.WAITING)
    finally:
        new.close()

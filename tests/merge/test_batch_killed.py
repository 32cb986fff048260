"""A batch (three agents' merges stacked, base moved once) SIGKILLed at every step of its
landing, then another command run: the batch has landed whole (base at its tip, the checkout
brought along, every member merged with its record, uncommitted work committed) or not at all
(refs, files and index bytes as they were), never part of it. And a batch killed while its
gate's worktree is prepared leaves nothing running, and the next batch removes that worktree."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.batches import nothing_left
from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.killed import (
    Before,
    agent_with_work,
    before_merge,
    kill,
    outcome,
    start,
    wait_paused,
)
from tests.support.review import commit, write
from tests.support.wait import wait_for, wait_status
from workspace.adapters.proc import alive
from workspace.core.agent import Status
from workspace.service import Workspace

# (point, where base must be once the next command ran)
POINTS = [
    ("after-intent", "old"),
    ("after-branch", "old"),
    ("after-index", "old"),
    ("after-base", "new"),
    ("after-checkout", "new"),
    ("after-merged", "new"),
]
BATCH = ["merge", "--all-ready", "--batch", "3", "--no-gate", "--commit-wip"]


def three_agents(ws: Workspace, repo: Path) -> list[Before]:
    made = [(name, agent_with_work(ws, name, wip=wip))
            for name, wip in (("k1", True), ("k2", False), ("k3", True))]
    write(repo, "theirs.txt", "main moved on since they started\n")
    commit(repo, "main moves on")
    for name, _ in made:
        wait_status(ws, name, Status.WAITING)
    return [before_merge(repo, name, wt, name != "k2") for name, wt in made]


@pytest.mark.parametrize(("point", "expected"), POINTS, ids=[p for p, _ in POINTS])
def test_a_batch_killed_at_each_step_lands_whole_or_not_at_all(
        open_ws: Callable[[str], Workspace], repo: Path, point: str, expected: str) -> None:
    ws = open_ws("")
    before = three_agents(ws, repo)
    proc = start(repo, BATCH, pause=point)
    wait_paused(proc, point)
    kill(proc)
    assert [outcome(repo, ws, b) for b in before] == [expected] * 3
    if expected == "old":  # undone: the batch merges again, whole
        done = run_cli(*BATCH, cwd=repo)
        assert done.returncode == 0, done.stderr
        assert "in a batch of 3" in done.stdout
        assert [outcome(repo, ws, b) for b in before] == ["new"] * 3


def test_the_next_command_says_it_finished_the_batch(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    three_agents(ws, repo)
    proc = start(repo, BATCH, pause="after-base")
    wait_paused(proc, "after-base")
    kill(proc)
    done = run_cli("ls", cwd=repo)
    assert done.returncode == 0
    assert done.stderr.startswith("workspace: finished the interrupted merge of a batch of 3 "
                                  "(k1, k2, k3) into main"), done.stderr
    assert run_cli("ls", cwd=repo).stderr == ""


def test_a_batch_killed_while_its_gate_worktree_is_prepared_leaves_nothing(
        open_ws: Callable[[str], Workspace], repo: Path, tmp_path: Path) -> None:
    """SIGKILL during post_create in the gate's worktree: post_create dies with it (the
    runner's guard), and the next batch removes the worktree it left, then lands."""
    ws = open_ws("")
    for name in ("g1", "g2"):
        agent_with_work(ws, name, wip=False)
        wait_status(ws, name, Status.WAITING)
    pid_file = tmp_path / "post_create.pid"
    slow = json.dumps([sys.executable, "-c", "import os, time; open("
                       f"{str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(600)"])
    gate = 'batch = 2\ngate = ["true"]\n'
    write_user_config(f"[merge]\n{gate}[worktree]\npost_create = {slow}\n")
    proc = start(repo, ["merge", "--all-ready", "--batch", "2"])
    pid = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), 60,
                       what="post_create to start in the gate's worktree"))
    left = list((ws.ctx.state_dir / "batches").iterdir())
    assert len(left) == 1 and (left[0] / "g1.txt").is_file()  # the tip: both merges
    kill(proc)
    wait_for(lambda: not alive(pid), what="post_create to die with its merge")
    write_user_config(f"[merge]\n{gate}[worktree]\npost_create = [\"true\"]\n")
    done = run_cli("merge", "--all-ready", "--batch", "2", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "in a batch of 2" in done.stdout
    nothing_left(repo, ws)

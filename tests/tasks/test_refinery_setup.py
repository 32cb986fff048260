"""The refinery with the autopilot when its gate's worktree cannot be prepared (a post_create
that fails there): no task is blamed or sent back and no attempt is counted; the tasks wait to
merge, saying why, and the queue says it once; fixed, they land. Real tmux, git, scripted
agents."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from tests.support.batches import runs
from tests.support.fleet import Fleet
from tests.support.gitrepo import git
from tests.support.wait import wait_for
from workspace.core.tasks.model import MergeMode, Outcome, TaskSpec, TaskState

UNPREPARED = "the gate's worktree could not be prepared"


def logged_gate(log: Path) -> str:
    return f'batch = 2\ngate = ["sh", "-c", "echo run >> \\"$0\\"", "{log}"]\n'


# Agents' worktrees are prepared (their spawns pass); the gate's is not.
FAILS_FOR_THE_GATE = "[worktree]\npost_create = " + json.dumps([
    sys.executable, "-c", "import os, sys; print('npm ERR! no lockfile'); "
    "sys.exit(1 if os.environ.get('WORKSPACE_GATE') else 0)"]) + "\n"


def test_tasks_stay_queued_and_unblamed_while_the_gate_worktree_cannot_be_prepared(
        fleet: Callable[..., Fleet], repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "gate.log"
    f = fleet(merge=logged_gate(log), extra=FAILS_FOR_THE_GATE)
    ws = f.ws
    tasks = [ws.add_task(TaskSpec(title=f"Part {i}", merge=MergeMode.AUTO,
                                  check=f"test -f part{i}.txt")) for i in (1, 2)]
    f.plan({t.id: [f"write:part{i}.txt:{i}"] for i, t in enumerate(tasks, 1)})
    base = git(repo, "rev-parse", "main")
    stop, said = threading.Event(), list[str]()
    pilot = threading.Thread(target=ws.run_autopilot,
                             kwargs={"stop": stop, "say": said.append}, daemon=True)
    pilot.start()
    try:
        waiting = wait_for(lambda: all(
            t.state == TaskState.MERGING and UNPREPARED in t.reason
            for t in (ws.task(task.id) for task in tasks)), 90, what="both tasks to wait")
        assert waiting
        wait_for(lambda: ws.queue_view().stopped, 30, what="the queue to say why")
    finally:
        stop.set()
        pilot.join(30)
    view = ws.queue_view()
    assert view.stopped.startswith(f"{UNPREPARED}: post_create ")
    assert "fix [worktree] post_create" in view.stopped and view.culprit is None
    for task in (ws.task(t.id) for t in tasks):
        assert [a.outcome for a in task.attempts] == [Outcome.PASSED], task.attempts
        assert "gate_failed" not in [kind for _, _, _, kind, _ in ws.task_events(task.id)]
        assert task.reason.startswith(f"waiting to merge: {UNPREPARED}: post_create ")
    assert runs(log) == 0 and git(repo, "rev-parse", "main") == base, said
    # fixed (post_create passes in the gate's worktree too), the same tasks land in one batch
    again = fleet(merge=logged_gate(log))
    again.run()
    done = [again.ws.task(t.id) for t in tasks]
    assert [t.state for t in done] == [TaskState.MERGED] * 2, [t.reason for t in done]
    assert all(len(t.attempts) == 1 for t in done) and runs(log) == 1
    assert "in a batch of 2" in done[0].reason

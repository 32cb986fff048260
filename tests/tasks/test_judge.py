"""The judge: once a task's check passes, a reviewer agent (a scripted one here) looks at the
work and answers through the CLI. A rejection's reason reaches the worker's next attempt;
a reviewer that never answers leaves the task to the person; a judge never merges."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.fleet import Fleet
from tests.support.gitrepo import git
from workspace.core.tasks.model import LoopMode, MergeMode, Outcome, TaskSpec, TaskState


def test_a_judge_rejects_once_with_a_reason_the_worker_meets_then_approves(
        fleet: Callable[..., Fleet], repo: Path) -> None:
    f = fleet()
    task = f.ws.add_task(TaskSpec("Write it", check="test -f it.txt", loop=LoopMode.FRESH,
                                  merge=MergeMode.AUTO, review="oneshot"))
    f.plan({task.id: ["write:it.txt:draft", "write:it.txt:final"],
            f"{task.id}:judge": ["verdict:reject:it.txt says draft; write the final text",
                                 "verdict:approve:reads well"]})
    f.run()
    done = f.ws.task(task.id)
    assert done.state == TaskState.MERGED, done.reason
    first, second = done.attempts
    assert (first.outcome, first.verdict) == (Outcome.REJECTED, "reject")
    assert first.verdict_reason == "it.txt says draft; write the final text"
    assert (second.outcome, second.verdict) == (Outcome.PASSED, "approve")
    assert done.verdict == {"verdict": "approve", "reason": "reads well",
                            "reviewer": second.reviewer, "attempt": "2"}
    events = {kind: detail for _, _, _, kind, detail in f.ws.task_events(task.id)}
    assert events["rejected"] == "it.txt says draft; write the final text"
    assert Path(repo, "it.txt").read_text() == "final\n"
    # The judges are gone, their branches never merged.
    assert not [a for a in f.ws.agents() if a.name.startswith(f"{task.id}-judge")]
    log = git(repo, "log", "--format=%s", "main")
    assert "judge" not in log


def test_the_rejection_reason_is_in_the_next_prompt(fleet: Callable[..., Fleet]) -> None:
    f = fleet()
    task = f.ws.add_task(TaskSpec("Write it", check="true", loop=LoopMode.FRESH,
                                  review="oneshot", max_attempts=2))
    f.plan({task.id: ["write:x.txt:1", "write:x.txt:2"],
            f"{task.id}:judge": ["verdict:reject:use shorter lines", "verdict:approve:ok"]})
    f.run()
    done = f.ws.task(task.id)
    assert done.state == TaskState.REVIEW and "approved by its judge: ok" in done.reason
    worker = f.ws.agent(done.agent or "")
    argv = f.ws.ctx.store.launch_of(worker.id)["argv"]
    assert isinstance(argv, list)
    assert "The judge rejected it: use shorter lines" in argv[-1]
    assert "(attempt 2 of 2" in argv[-1]


def test_a_judge_that_never_answers_leaves_the_task_to_the_person(
        fleet: Callable[..., Fleet]) -> None:
    f = fleet()
    task = f.ws.add_task(TaskSpec("Silent judge", check="true", review="oneshot"))
    f.plan({task.id: ["nothing"], f"{task.id}:judge": ["nothing"]})
    f.run()
    done = f.ws.task(task.id)
    assert done.state == TaskState.REVIEW
    assert "ended without a verdict; review it yourself" in done.reason


def test_a_judge_cannot_merge_or_approve(fleet: Callable[..., Fleet], repo: Path) -> None:
    f = fleet()
    task = f.ws.add_task(TaskSpec("Judged", check="true", review="oneshot"))
    f.plan({task.id: ["write:j.txt:1"], f"{task.id}:judge": ["sleep:30"]})
    pilot = f.ws.new_autopilot()
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        f.ws.refresh()
        pilot.tick()
        current = f.ws.task(task.id).current
        if current is not None and current.review_started_at:
            break
        time.sleep(0.2)
    judge = f.ws.task(task.id).current
    assert judge is not None and judge.reviewer
    worker = f.ws.task(task.id).agent or ""
    env = {"WORKSPACE_ROLE": "judge", "WORKSPACE_AGENT": judge.reviewer,
           "WORKSPACE_TASK": task.id}
    merge = run_cli("merge", worker, cwd=repo, env=env)
    assert merge.returncode == 2 and "a judge cannot merge" in merge.stderr
    own = run_cli("merge", judge.reviewer, cwd=repo)
    assert own.returncode == 2 and "its branch is never merged" in own.stderr
    other = run_cli("task", "verdict", task.id, "approve", "--reason", "mine", cwd=repo,
                    env={"WORKSPACE_AGENT": worker})
    assert other.returncode == 2 and f"only {task.id}'s judge" in other.stderr
    mine = run_cli("task", "verdict", "approve", "--reason", "fine", cwd=repo, env=env)
    assert mine.returncode == 0, mine.stderr


async def test_the_verdict_is_shown_beside_the_diff(fleet: Callable[..., Fleet],
                                                    repo: Path) -> None:
    """A task judged and waiting in review: the worker's Diff tab says the verdict above its
    files, and `workspace diff` says it too (on stderr: stdout stays a patch)."""
    from tests.support.pilot import SIZE, main, until
    from workspace.ui.app import WorkspaceApp
    from workspace.ui.widgets.diff_panel import DiffPanel

    f = fleet()
    task = f.ws.add_task(TaskSpec("Write it", check="test -f it.txt", review="oneshot"))
    f.plan({task.id: ["write:it.txt:final"], f"{task.id}:judge": ["verdict:approve:reads well"]})
    f.run()
    judged = f.ws.task(task.id)
    assert judged.state == TaskState.REVIEW, judged.reason
    worker = judged.agent
    assert worker
    said = run_cli("diff", worker, cwd=repo)
    assert said.returncode == 0
    assert "+final" in said.stdout and "approved" not in said.stdout
    assert "approved attempt 1: reads well" in said.stderr
    app = WorkspaceApp(f.ws)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: main(app).snapshot is not None, 15, "first snapshot")
        table = main(app).table
        assert table.select_id(f.ws.agent(worker).id)
        await pilot.press("d")
        line = app.screen.query_one("#diff-verdict")
        await until(pilot, lambda: "reads well" in str(line.render()), 15, "the verdict")
        text = str(line.render())
        assert text.startswith("✓ judge ") and "approved attempt 1: reads well" in text
        assert line.display and line.has_class("approve")
        panel = app.screen.query_one(DiffPanel)
        await until(pilot, lambda: panel.diff is not None, 15, "the diff")
        assert panel.diff is not None and [fd.path for fd in panel.diff.files] == ["it.txt"]

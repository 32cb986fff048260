"""Plans with a scripted planner (a one-shot agent that files tasks with the CLI): its tasks
are proposed and never run before the person approves the plan as a whole; sub-planners file
into the same plan; show, ls, cancel and the summary."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.fleet import Fleet
from tests.support.wait import wait_for
from workspace.core.tasks.model import PlanState, TaskState


def planned(f: Fleet, plan_id: str, count: int) -> None:
    wait_for(lambda: f.ws.refresh() and f.ws.plan(plan_id).state == PlanState.PROPOSED and
             len(f.ws.plan(plan_id).tasks) == count, 30, what=f"{plan_id}'s planner to file")


def test_a_plans_tasks_are_proposed_until_the_plan_is_approved(
        fleet: Callable[..., Fleet], repo: Path) -> None:
    f = fleet()
    f.plan({"p1:planner": ["file:Store;check=test -f store.txt;merge=auto"
                           "+file:Login;check=test -f login.txt;after=@1;merge=auto"
                           "+file:Docs;check=true"],
            "t1": ["write:store.txt:1"], "t2": ["write:login.txt:1"], "t3": ["nothing"]})
    made = run_cli("plan", "Accounts", "with", "login", cwd=repo)
    assert (made.returncode, made.stdout, made.stderr) == (0, "p1\n", "")
    planned(f, "p1", 3)
    view = f.ws.plan("p1")
    assert [t.state for t in view.tasks] == [TaskState.PROPOSED] * 3
    assert all(t.plan == "p1" and t.created_by == "p1-planner" for t in view.tasks)
    assert view.tasks[1].after == ("t1",)
    f.run(timeout=20)  # the autopilot may run: nothing of the plan starts before approval
    assert [t.state for t in f.ws.plan("p1").tasks] == [TaskState.PROPOSED] * 3
    assert not [a for a in f.ws.agents() if a.task_id]
    approved = run_cli("plan", "approve", "p1", cwd=repo)
    assert approved.stdout == "p1 approved: 3 tasks queued\n"
    f.run()
    done = f.ws.plan("p1")
    assert [t.state for t in done.tasks] == [TaskState.MERGED, TaskState.MERGED,
                                             TaskState.REVIEW]
    shown = json.loads(run_cli("plan", "show", "p1", "--json", cwd=repo).stdout)
    assert shown["state"] == "approved" and shown["attempts"] == 3
    assert [t["state"] for t in shown["tasks"]] == ["merged", "merged", "review"]
    assert "merged t1, t2; review t3 · 3 attempts" in shown["summary"]
    f.ws.approve_task("t3")
    assert f.ws.plan("p1").state == PlanState.DONE


def test_sub_planners_file_into_the_same_plan(fleet: Callable[..., Fleet], repo: Path) -> None:
    f = fleet()
    f.plan({"p1:planner": ["file:Backend part;kind=plan+file:Wire it;check=true;after=@1"],
            "t1": ["file:API;check=true+file:Schema;check=true"],
            "t2": ["nothing"], "t3": ["nothing"], "t4": ["nothing"]})
    plan = f.ws.start_plan("Build the backend")
    planned(f, plan.id, 2)
    f.ws.approve_plan(plan.id, auto_subplans=True)
    f.run()
    view = f.ws.plan(plan.id)
    by_id = {t.id: t for t in view.tasks}
    assert set(by_id) == {"t1", "t2", "t3", "t4"}  # the sub-planner's tasks joined the plan
    assert by_id["t1"].state == TaskState.MERGED and by_id["t1"].reason == "planned: filed t3, t4"
    assert by_id["t3"].created_by.startswith("t1-") and by_id["t3"].plan == plan.id
    assert {by_id[t].state for t in ("t2", "t3", "t4")} == {TaskState.REVIEW}  # ran at once


def test_without_auto_approval_a_sub_planners_tasks_wait(fleet: Callable[..., Fleet]) -> None:
    f = fleet()
    f.plan({"p1:planner": ["file:Part;kind=plan"], "t1": ["file:Piece;check=true"]})
    plan = f.ws.start_plan("A part")
    planned(f, plan.id, 1)
    f.ws.approve_plan(plan.id)
    f.run()
    assert f.ws.task("t2").state == TaskState.PROPOSED and f.ws.task("t2").plan == plan.id
    assert f.ws.plan(plan.id).state == PlanState.APPROVED


def test_cancel_and_mistakes(fleet: Callable[..., Fleet], repo: Path) -> None:
    f = fleet()
    f.plan({"p1:planner": ["file:One+file:Two;after=@1"]})
    plan = f.ws.start_plan("Something")
    planned(f, plan.id, 2)
    refused = run_cli("task", "delete", "t1", cwd=repo)
    assert refused.returncode == 2 and "t2 comes after t1" in refused.stderr
    assert run_cli("task", "delete", "t2", cwd=repo).returncode == 0
    cancelled = run_cli("plan", "cancel", "p1", cwd=repo)
    assert cancelled.stdout.startswith("p1 cancelled: cancelled t1")
    for argv, message in ((("plan", "show", "p9"), "no plan 'p9'"),
                          (("plan", "approve"), "which plan?"),
                          (("plan", "approve", "p1"), "p1 is cancelled")):
        result = run_cli(*argv, cwd=repo)
        assert result.returncode == 2 and message in result.stderr, result.stderr
    listed = run_cli("plan", "ls", cwd=repo).stdout
    assert listed.startswith("p1   cancelled")

"""The plan review, driven with Pilot: a scripted planner files a plan; the Tasks view opens
it as a tree of dependencies; a task is edited, one deleted, the planner asked, and the whole
plan approved by key; the plan form starts a planner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, Static, TextArea, Tree

from tests.support.fleet import write_fleet_config
from tests.support.pilot import SIZE, main, until
from tests.support.wait import wait_for
from workspace.core.tasks.model import PlanState, TaskState
from workspace.service import Workspace
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.plan_form import PlanForm
from workspace.ui.dialogs.task_form import TaskForm
from workspace.ui.screens.plan import PlanScreen
from workspace.ui.screens.tasks import TasksScreen
from workspace.ui.widgets.footer import KeyFooter

PLANNER = ("file:Store;check=test -f store.txt+file:Login;check=true;after=@1"
           "+file:Logout;check=true;after=@2+file:Notes;check=true;after=@1")


@pytest.fixture
def plan_app(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WorkspaceApp:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"p1:planner": [PLANNER], "p2:planner": ["nothing"]}))
    monkeypatch.setenv("SCRIPT_PLAN", str(plan))
    write_fleet_config(poll_interval=0.3)
    return WorkspaceApp(Workspace.open(repo))


def tree_lines(screen: PlanScreen) -> list[str]:
    tree = screen.query_one(Tree)
    out = []
    for line in range(tree.last_line + 1):
        node = tree.get_node_at_line(line)
        if node is not None:
            depth, parent = 0, node.parent
            while parent is not None and not parent.is_root:
                depth, parent = depth + 1, parent.parent
            out.append("  " * depth + str(node.label))
    return out


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_review_and_approve_a_plan_by_keys(plan_app: WorkspaceApp,
                                                 size: tuple[int, int]) -> None:
    ws = plan_app.ws
    plan = ws.start_plan("Accounts")
    wait_for(lambda: ws.refresh() and ws.plan(plan.id).state == PlanState.PROPOSED and
             len(ws.plan(plan.id).tasks) == 4, 30, what="the planner's tasks")
    async with plan_app.run_test(size=size) as pilot:
        await until(pilot, lambda: main(plan_app).snapshot is not None, 10, "first snapshot")
        await pilot.press("t")
        await until(pilot, lambda: isinstance(plan_app.screen, TasksScreen), 5, "Tasks view")
        await pilot.press("p")
        await until(pilot, lambda: isinstance(plan_app.screen, PlanScreen), 5, "the plan")
        screen = plan_app.screen
        assert isinstance(screen, PlanScreen)
        await until(pilot, lambda: len(tree_lines(screen)) == 4, 10, "the tree")
        lines = tree_lines(screen)
        # Each task under the first one it comes after.
        assert lines[0].startswith("t1 proposed  Store")
        assert lines[1].startswith("  t2 proposed  Login") and lines[2].startswith("    t3 ")
        assert lines[3].startswith("  t4 proposed  Notes")
        heading = str(screen.query_one("#heading", Static).render())
        assert "Plan p1  proposed" in heading and "a approves the whole plan" in heading
        footer = screen.query_one(KeyFooter)  # our key bar, not Textual's Footer (it leaks)
        await until(pilot, lambda: "a Approve plan" in footer.render_line(0).text, 5, "keys")
        # Delete a leaf (t3), edit another (t4's check), then approve the whole plan.
        await pilot.press("down", "down")
        assert screen.selected_id == "t3"
        await pilot.press("d")
        await until(pilot, lambda: len(tree_lines(screen)) == 3, 10, "t3 deleted")
        await pilot.press("down", "down")
        assert screen.selected_id == "t4"
        await pilot.press("e")
        await until(pilot, lambda: isinstance(plan_app.screen, TaskForm), 5, "the form")
        plan_app.screen.query_one("#check", Input).value = "test -s notes.md"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: ws.task("t4").spec.check == "test -s notes.md", 10, "edit")
        await pilot.press("a")
        await until(pilot, lambda: ws.plan(plan.id).state == PlanState.APPROVED, 10, "approval")
        assert [t.state for t in ws.plan(plan.id).tasks] == [TaskState.QUEUED] * 3


async def test_the_plan_form_starts_a_planner(plan_app: WorkspaceApp) -> None:
    ws = plan_app.ws
    async with plan_app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: main(plan_app).snapshot is not None, 10, "first snapshot")
        await pilot.press("t")
        await until(pilot, lambda: isinstance(plan_app.screen, TasksScreen), 5, "Tasks view")
        await pilot.press("P")
        await until(pilot, lambda: isinstance(plan_app.screen, PlanForm), 5, "the plan form")
        plan_app.screen.query_one("#goal", TextArea).text = "Speed up the build"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(ws.plans()), 15, "the plan")
        assert ws.plans()[0].plan.goal == "Speed up the build"
        assert ws.plans()[0].plan.agent == "p1-planner"

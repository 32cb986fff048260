"""The Tasks view, driven with Pilot: tasks grouped by state with their attempts, the form
that files one, approving a proposed task, and jumping to a task's agent; the header shows
the autopilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from tests.support.fleet import Fleet, write_fleet_config
from tests.support.pilot import SIZE, main, until
from workspace.core.tasks.model import TaskSpec, TaskState
from workspace.service import Workspace
from workspace.ui.app import WorkspaceApp
from workspace.ui.dialogs.task_form import TaskForm
from workspace.ui.screens.main import MainScreen
from workspace.ui.screens.tasks import TasksScreen
from workspace.ui.widgets.header import WorkspaceHeader


@pytest.fixture
def tasks_app(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WorkspaceApp:
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    monkeypatch.setenv("SCRIPT_PLAN", str(plan))
    write_fleet_config(poll_interval=0.3)
    return WorkspaceApp(Workspace.open(repo))


def cells(screen: TasksScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_the_tasks_view_groups_and_files(tasks_app: WorkspaceApp,
                                               size: tuple[int, int]) -> None:
    ws = tasks_app.ws
    first = ws.add_task(TaskSpec("Write the parser", check="true"))
    ws.add_task(TaskSpec("Use the parser", after=(first.id,)))
    ws.add_task(TaskSpec("An agent's idea"), created_by="t9-bot")
    async with tasks_app.run_test(size=size) as pilot:
        await until(pilot, lambda: main(tasks_app).snapshot is not None, 10, "first snapshot")
        await pilot.press("t")
        await until(pilot, lambda: isinstance(tasks_app.screen, TasksScreen), 5, "Tasks view")
        screen = tasks_app.screen
        assert isinstance(screen, TasksScreen)
        await until(pilot, lambda: len(cells(screen)) == 5, 10, "tasks and their groups")
        rows = cells(screen)
        assert rows[0].startswith("── proposed (1)") and rows[2].startswith("── queued (2)")
        assert "waiting on t1" in rows[4]
        summary = str(screen.query_one("#summary", Static).render())
        assert "autopilot off" in summary and "2 queued" in summary and "1 proposed" in summary
        # The cursor skips a group's heading: the proposed task is selected; approve it.
        assert screen.selected_id == "t3"
        await pilot.press("a")
        await until(pilot, lambda: ws.task("t3").state == TaskState.QUEUED, 10, "approval")
        # File one with the form.
        await pilot.press("T")
        await until(pilot, lambda: isinstance(tasks_app.screen, TaskForm), 5, "the form")
        form = tasks_app.screen
        form.query_one("#title", Input).value = "Count the lines"
        form.query_one("#check", Input).value = "true"
        form.query_one("#after", Input).value = "t1"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(ws.tasks()) == 4, 10, "the new task")
        filed = ws.task("t4")
        assert (filed.title, filed.spec.check, filed.after) == ("Count the lines", "true",
                                                                ("t1",))
        await until(pilot, lambda: any("Count the lines" in r for r in cells(screen)), 10,
                    "the new row")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(tasks_app.screen, MainScreen), 5, "back")
        # At 80 columns the header leaves out the least needed parts to keep the autopilot's.
        said = "autopilot off · 0/5 agents · 4 queued" if size == SIZE else "autopilot off · 4 queued"
        await until(pilot, lambda: said in str(
            main(tasks_app).query_one(WorkspaceHeader).render()), 10, "the header's counts")
        header = str(main(tasks_app).query_one(WorkspaceHeader).render())
        assert len(header) <= size[0] - 2 and "today " in header and "all " in header, header


async def test_a_bad_task_says_why_and_enter_jumps_to_its_agent(
        tasks_app: WorkspaceApp, tmp_path: Path) -> None:
    ws = tasks_app.ws
    fleet = Fleet(ws, tmp_path / "plan.json", tmp_path / "agents.log")
    task = ws.add_task(TaskSpec("Quick", check="true"))
    fleet.plan({task.id: ["nothing"]})
    fleet.run()
    agent_name = ws.task(task.id).agent
    assert agent_name
    async with tasks_app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: main(tasks_app).snapshot is not None, 10, "first snapshot")
        await pilot.press("t")
        await until(pilot, lambda: isinstance(tasks_app.screen, TasksScreen), 5, "Tasks view")
        screen = tasks_app.screen
        assert isinstance(screen, TasksScreen)
        await until(pilot, lambda: screen.selected_id == task.id, 10, "the task selected")
        detail = str(screen.query_one("#detail", Static).render())
        assert "attempt 1: passed exit 0" in detail
        await pilot.press("T")
        await until(pilot, lambda: isinstance(tasks_app.screen, TaskForm), 5, "the form")
        form = tasks_app.screen
        form.query_one("#title", Input).value = "Bad"
        form.query_one("#after", Input).value = "t99"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("no task 't99'" in str(n.message)
                                       for n in tasks_app._notifications), 10, "the refusal")
        assert len(ws.tasks()) == 1
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(tasks_app.screen, MainScreen), 5, "back")
        await until(pilot, lambda: getattr(main(tasks_app).selected, "name", None) ==
                    agent_name, 10, "its agent selected")

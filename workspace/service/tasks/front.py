"""The front's verbs on tasks, plans and the autopilot: `Workspace` inherits them. Each only
hands over to the part that owns it (the board, planning, the autopilot's process), as the
rest of the front does (workspace.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workspace.core.tasks.model import Plan, Task, TaskSpec, TaskState
    from workspace.service.context import Context
    from workspace.service.tasks.autopilot import Autopilot
    from workspace.service.tasks.board import TaskBoard
    from workspace.service.tasks.plans import Planning, PlanView
    from workspace.service.tasks.process import AutopilotProcess, AutopilotStatus


class TaskVerbs:
    if TYPE_CHECKING:  # what Workspace gives its verbs on tasks
        ctx: Context
        board: TaskBoard
        planning: Planning
        pilot: AutopilotProcess

        def new_autopilot(self) -> Autopilot: ...

    # -- tasks ----------------------------------------------------------------------------

    def tasks(self, state: TaskState | None = None) -> list[Task]:
        return self.board.all(state)

    def task(self, task_id: str) -> Task:
        return self.board.get(task_id)

    def add_task(self, spec: TaskSpec, created_by: str | None = None,
                 plan: str | None = None) -> Task:
        return self.board.add(spec, created_by=created_by, plan=plan)

    def edit_task(self, task_id: str, spec: TaskSpec) -> Task:
        return self.board.edit(task_id, spec)

    def import_tasks(self, path: Path) -> list[Task]:
        return self.board.import_file(path)

    def cancel_task(self, task_id: str) -> Task:
        return self.board.cancel(task_id)

    def retry_task(self, task_id: str) -> Task:
        return self.board.retry(task_id)

    def approve_task(self, task_id: str) -> Task:
        """A proposed task may run; a task in review merges (now, unless the autopilot runs:
        then the autopilot merges it at its next look)."""
        from workspace.core.tasks.model import TaskState

        task = self.board.approve(task_id)
        if task.state == TaskState.MERGING and not self.pilot.status().running:
            return self.new_autopilot().merge_now(task)
        return task

    def report_done(self, task_id: str | None) -> Task:
        return self.board.report_done(task_id)

    def report_fail(self, task_id: str | None, reason: str) -> Task:
        return self.board.report_fail(task_id, reason)

    def give_verdict(self, task_id: str | None, verdict: str, reason: str) -> Task:
        return self.board.verdict(task_id, verdict, reason)

    def delete_task(self, task_id: str) -> None:
        self.board.delete(task_id)

    # -- plans ----------------------------------------------------------------------------

    def start_plan(self, goal: str, preset: str | None = None) -> Plan:
        return self.planning.create(goal, preset)

    def plans(self) -> list[PlanView]:
        return self.planning.views()

    def plan(self, plan_id: str) -> PlanView:
        return self.planning.view(plan_id)

    def approve_plan(self, plan_id: str, auto_subplans: bool = False) -> PlanView:
        return self.planning.approve(plan_id, auto_subplans)

    def cancel_plan(self, plan_id: str) -> PlanView:
        return self.planning.cancel(plan_id)

    def ask_planner(self, plan_id: str, text: str) -> None:
        self.planning.ask(plan_id, text)

    def task_events(self, task_id: str) -> list[tuple[int, str, float, str, str]]:
        return self.ctx.store.tasks.events(self.board.get(task_id).id)

    # -- the autopilot --------------------------------------------------------------------

    def run_autopilot(self, until_done: bool = False, stop: threading.Event | None = None,
                      say: Callable[[str], None] | None = None) -> None:
        self.pilot.run(until_done, stop, say)

    def start_autopilot(self) -> AutopilotStatus:
        return self.pilot.start()

    def stop_autopilot(self) -> bool:
        return self.pilot.stop()

    def autopilot_status(self) -> AutopilotStatus:
        return self.pilot.status()


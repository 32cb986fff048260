"""Plans: a goal a planner agent breaks into tasks, filed with the CLI and proposed until the
person approves the plan as a whole. The planner keeps running, so the person can ask it to
change the plan; sub-planners (tasks of kind "plan") file the tasks of their part into the
same plan."""

from __future__ import annotations

from dataclasses import dataclass

from workspace.core.agent import Status
from workspace.core.errors import UsageError
from workspace.core.tasks.model import (
    Plan,
    PlanState,
    Task,
    TaskState,
    plan_state,
    plan_summary,
)
from workspace.core.tasks.prompts import planner_prompt
from workspace.core.text import clean_message
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.messaging import Messenger
from workspace.service.tasks.board import TaskBoard, refuse_judge

BUSY = frozenset({Status.STARTING, Status.WORKING, Status.NEEDS_PERMISSION, Status.STUCK,
                  Status.RATE_LIMITED})
"""A planner in these is still planning."""


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    state: PlanState
    tasks: tuple[Task, ...]

    @property
    def summary(self) -> str:
        return plan_summary(list(self.tasks))

    def as_json(self) -> dict[str, object]:
        p = self.plan
        costs = [t.cost_usd for t in self.tasks if t.cost_usd is not None]
        return {"id": p.id, "goal": p.goal, "state": str(self.state), "planner": p.agent,
                "preset": p.preset, "auto_approve_subplans": p.auto_subplans,
                "created_at": p.created_at, "updated_at": p.updated_at,
                "cost_usd": sum(costs) if costs else None,
                "attempts": sum(t.attempts_used for t in self.tasks),
                "summary": self.summary, "tasks": [t.as_json() for t in self.tasks]}


class Planning:
    def __init__(self, ctx: Context, agents: Agents, messenger: Messenger,
                 board: TaskBoard) -> None:
        self.ctx = ctx
        self._agents = agents
        self._messenger = messenger
        self._board = board

    def _plan(self, plan_id: str) -> Plan:
        wanted = plan_id.strip().lower()
        wanted = f"p{wanted}" if wanted.isdigit() else wanted
        found = self.ctx.store.tasks.plan(wanted)
        if found is None:
            known = ", ".join(p.id for p in self.ctx.store.tasks.plans()[-8:]) or "none yet"
            raise UsageError(f"no plan {wanted!r} (plans: {known}); see 'workspace plan ls'")
        return found

    def view(self, plan_id: str) -> PlanView:
        return self._view(self._plan(plan_id))

    def views(self) -> list[PlanView]:
        return [self._view(p) for p in self.ctx.store.tasks.plans()]

    def _view(self, plan: Plan) -> PlanView:
        tasks = tuple(t for t in self._board.all() if t.plan == plan.id)
        planner = self.ctx.store.agent_by_name(plan.agent or "")
        busy = planner is not None and planner.status in BUSY
        return PlanView(plan, plan_state(plan, list(tasks), busy), tasks)

    def create(self, goal: str, preset: str | None = None) -> Plan:
        """Start a planner for `goal`; it files the plan's tasks from its shell."""
        refuse_judge("start a plan")
        goal = clean_message(goal).text.strip()  # shown in the plan's screen and listings
        if not goal:
            raise UsageError("say what the plan is for: workspace plan 'Add accounts with login'")
        preset = preset or self.ctx.settings.workspace.default_preset
        self.ctx.preset(preset)
        plan = self.ctx.store.tasks.add_plan(goal.strip(), preset)
        name = f"{plan.id}-planner"
        self.ctx.store.tasks.update_plan(plan.id, agent=name)
        try:
            self._agents.spawn(name, preset=preset, prompt=planner_prompt(goal, plan.id),
                               env={"WORKSPACE_PLAN": plan.id})
        except UsageError:
            self.ctx.store.tasks.update_plan(plan.id, state=PlanState.CANCELLED)
            raise
        return self._plan(plan.id)

    def approve(self, plan_id: str, auto_subplans: bool = False) -> PlanView:
        """Every proposed task of the plan may run (queued)."""
        refuse_judge("approve a plan")
        view = self.view(plan_id)
        if view.state in (PlanState.CANCELLED, PlanState.DONE):
            raise UsageError(f"{view.plan.id} is {view.state}")
        proposed = [t for t in view.tasks if t.state == TaskState.PROPOSED]
        if not proposed and view.state != PlanState.APPROVED:
            raise UsageError(f"{view.plan.id} has no tasks yet; wait for its planner "
                             f"({view.plan.agent}), or ask it: workspace send {view.plan.agent}")
        with self.ctx.store.transaction():
            for task in proposed:
                self.ctx.store.tasks.update(task.id, state=TaskState.QUEUED, reason="",
                                            event="approved", detail=f"plan {view.plan.id}")
            self.ctx.store.tasks.update_plan(view.plan.id, state=PlanState.APPROVED,
                                             auto_subplans=auto_subplans or None)
        return self.view(view.plan.id)

    def cancel(self, plan_id: str) -> PlanView:
        """Cancel the plan's tasks that have not ended and stop its planner (its work, if it
        made any, is kept)."""
        view = self.view(plan_id)
        for task in view.tasks:
            if not task.state.ended:
                self._board.cancel(task.id)
        self.ctx.store.tasks.update_plan(view.plan.id, state=PlanState.CANCELLED)
        if view.plan.agent and self.ctx.store.agent_by_name(view.plan.agent) is not None:
            self._agents.kill(view.plan.agent)
        return self.view(view.plan.id)

    def ask(self, plan_id: str, text: str) -> None:
        """Tell the planner what to change in its plan (a message to it)."""
        plan = self._plan(plan_id)
        if not plan.agent or self.ctx.store.agent_by_name(plan.agent) is None:
            raise UsageError(f"{plan.id}'s planner is gone; edit the tasks yourself "
                             "(workspace task edit)")
        self._messenger.send(plan.agent, text)

"""`workspace plan GOAL`: a planner agent breaks a goal into tasks, proposed until you approve
the plan as a whole; `plan ls`, `plan show ID`, `plan approve ID`, `plan cancel ID`."""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING

from workspace.cli.common import add_verb, open_workspace
from workspace.core.errors import UsageError

if TYPE_CHECKING:
    from workspace.cli.common import Subparsers
    from workspace.service import PlanView

VERBS = ("ls", "show", "approve", "cancel")


def register(sub: Subparsers) -> None:
    p = add_verb(sub, "plan", plan, "plan GOAL: a planner agent files the tasks for a goal, "
                 "proposed until you approve the plan; plan ls | show ID | approve ID | "
                 "cancel ID")
    p.add_argument("words", nargs="+", metavar="GOAL | ls | show ID | approve ID | cancel ID")
    p.add_argument("--preset", "-p", help="the planner's preset (default: default_preset)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--auto-approve-subplans", action="store_true",
                   help="with approve: tasks its sub-planners file run at once")


def plan(args: argparse.Namespace) -> int:
    from workspace.core import format as fmt

    words: list[str] = args.words
    verb = words[0] if words[0] in VERBS else ""
    ws = open_workspace(args)
    if not verb:
        made = ws.start_plan(" ".join(words), args.preset)
        print(json.dumps({"id": made.id, "planner": made.agent}) if args.json else made.id)
        return 0
    if verb == "ls":
        views = ws.plans()
        if args.json:
            print(json.dumps([v.as_json() for v in views], indent=2))
        elif not views:
            print("no plans; start one with: workspace plan 'your goal'")
        for view in views:
            print(f"{view.plan.id:<4} {view.state:<9} {len(view.tasks):>3} tasks  "
                  f"{view.plan.goal[:60]}")
        return 0
    if len(words) < 2:
        raise UsageError(f"which plan? workspace plan {verb} ID")
    if verb == "show":
        _show(ws.plan(words[1]), args.json)
    elif verb == "approve":
        view = ws.approve_plan(words[1], args.auto_approve_subplans)
        queued = sum(1 for t in view.tasks if t.state == "queued")
        print(f"{view.plan.id} approved: {fmt.plural(queued, 'task')} queued" +
              ("; its sub-planners' tasks run at once" if view.plan.auto_subplans else ""))
    else:
        view = ws.cancel_plan(words[1])
        print(f"{view.plan.id} cancelled: {view.summary}")
    return 0


def _show(view: PlanView, as_json: bool) -> None:
    if as_json:
        print(json.dumps(view.as_json(), indent=2))
        return
    started = time.strftime("%Y-%m-%d %H:%M", time.localtime(view.plan.created_at))
    print(f"{view.plan.id}  {view.plan.goal}\n  {view.state} · planner {view.plan.agent} · "
          f"since {started}\n  {view.summary}")
    for task in view.tasks:
        after = f" after {', '.join(task.after)}" if task.after else ""
        print(f"  {task.id:<5} {task.state:<9} {task.title}{after}"
              + (f"  [{task.spec.kind}]" if task.spec.kind != "work" else ""))
        if task.spec.check:
            print(f"        check: {task.spec.check}")

"""`workspace demo`: the TUI on a sample repository with demo agents working."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from workspace.cli.common import add_verb
from workspace.cli.tui import run_tui

if TYPE_CHECKING:
    from workspace.cli.common import Subparsers


def register(sub: Subparsers) -> None:
    p = add_verb(sub, "demo", command_demo,
                 "open the TUI on a sample repository with demo agents working")
    p.add_argument("--agents", type=int, help="demo agents to start (default 3; 0 with --plan)")
    p.add_argument("--plan", action="store_true", help="a demo planner files a plan for you "
                   "to approve; demo workers and a demo judge then run it to merged")
    p.add_argument("--no-tui", action="store_true", help="set up and spawn, do not open the TUI")
    p.add_argument("--no-tasks", action="store_true",
                   help="no demo tasks and no autopilot: only the demo agents")


def command_demo(args: argparse.Namespace) -> int:
    from workspace.service import open_demo

    agents = args.agents if args.agents is not None else (0 if args.plan else 3)
    setup = open_demo(agents, tasks=not args.no_tasks, plan=args.plan)
    for reason in setup.refused:
        print(f"workspace: {reason}", file=sys.stderr)
    # Not format.plural: scripts and tests read this line as it has always been.
    print(f"demo repository: {setup.repo} ({setup.summary()})")
    if setup.tasks:
        print(f"filed {setup.tasks} demo tasks; press t in the TUI to watch them "
              "(workspace task ls)")
    if setup.plan:
        print(f"started demo plan {setup.plan}: its planner files the tasks; approve the plan "
              f"in the TUI (t, then p, then a) or with: workspace plan approve {setup.plan}")
    if setup.autopilot:
        print("the autopilot is on: it starts, checks, loops and merges them "
              "(workspace autopilot --stop)")
    if args.no_tui:
        return 2 if setup.refused else 0
    return run_tui(setup.workspace)

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
    p.add_argument("--agents", type=int, default=3, help="demo agents to start (default 3)")
    p.add_argument("--no-tui", action="store_true", help="set up and spawn, do not open the TUI")
    p.add_argument("--no-tasks", action="store_true",
                   help="no demo tasks and no autopilot: only the demo agents")


def command_demo(args: argparse.Namespace) -> int:
    from workspace.service import open_demo

    setup = open_demo(args.agents, tasks=not args.no_tasks)
    for reason in setup.refused:
        print(f"workspace: {reason}", file=sys.stderr)
    # Not format.plural: scripts and tests read this line as it has always been.
    print(f"demo repository: {setup.repo} ({setup.summary()})")
    if setup.tasks:
        print(f"filed {setup.tasks} demo tasks; press t in the TUI to watch them "
              "(workspace task ls)")
    if setup.autopilot:
        print("the autopilot is on: it starts, checks, loops and merges them "
              "(workspace autopilot --stop)")
    if args.no_tui:
        return 2 if setup.refused else 0
    return run_tui(setup.workspace)

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


def command_demo(args: argparse.Namespace) -> int:
    from workspace.service import open_demo

    setup = open_demo(args.agents)
    for reason in setup.refused:
        print(f"workspace: {reason}", file=sys.stderr)
    # Not format.plural: scripts and tests read this line as it has always been.
    print(f"demo repository: {setup.repo} ({setup.summary()})")
    if args.no_tui:
        return 2 if setup.refused else 0
    return run_tui(setup.workspace)

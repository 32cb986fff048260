"""`workspace`: the TUI with no verb, and a verb for every action (README.md, "The CLI").

Each group of verbs is a module exporting `register(subparsers)`; a verb's parser carries the
function that runs it. The groups import the service only inside their verbs, so `--version`
and `--help` stay fast."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from workspace import __version__
from workspace.cli import (
    agents,
    autopilot,
    demo,
    doctor,
    plans,
    review,
    tasks,
    trust,
    tui,
    usage,
)
from workspace.cli.common import Command, Parser
from workspace.core.errors import UsageError


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="workspace",
        description="A terminal workspace manager for fleets of coding agents. "
        "With no verb, opens the TUI for the repository in the current directory.",
    )
    parser.add_argument("--version", action="version", version=f"workspace {__version__}")
    parser.add_argument("-C", dest="cwd", metavar="DIR", help="run as if started in DIR")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=Parser)
    # The order of `workspace --help`.
    demo.register(sub)
    agents.register(sub)
    review.register(sub)
    tasks.register(sub)
    plans.register(sub)
    autopilot.register(sub)
    usage.register(sub)
    doctor.register(sub)
    trust.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.verb is None:
            return tui.command_tui(args)
        command: Command = args.func
        return command(args)
    except UsageError as exc:
        print(f"workspace: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`workspace ls | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1

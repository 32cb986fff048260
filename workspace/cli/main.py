"""`workspace`: the TUI with no verb, and a verb for every action (README.md, "The CLI").

Each group of verbs is a module exporting `register(subparsers)`; a verb's parser carries the
function that runs it. Scripts and agents call the CLI often, so a run builds only what it
needs: a verb given loads and registers its own group alone (GROUPS), the groups import the
service and most of core only inside their verbs, and `--version` builds no parser."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from workspace import __version__
from workspace.cli.common import Command, Parser
from workspace.core.errors import UsageError

if TYPE_CHECKING:
    import argparse

GROUPS: dict[str, tuple[str, ...]] = {
    "demo": ("demo",),
    "agents": ("spawn", "ls", "attach", "adopt", "cleanup"),
    "steer": ("send", "interrupt", "deny", "pause", "resume", "approve", "restart", "kill"),
    "review": ("diff", "merge", "ask-rebase", "pr"),
    "tasks": ("task",),
    "plans": ("plan",),
    "autopilot": ("autopilot",),
    "usage": ("usage",),
    "doctor": ("doctor",),
    "trust": ("trust",),
}
"""Each module of workspace.cli and the verbs it registers, in the order of `--help`
(tests/cli/test_cli_shape.py checks they agree)."""


def build_parser(verb: str | None = None) -> Parser:
    """The parser of every verb; `verb`: of that one alone (the run needs no other)."""
    parser = Parser(
        prog="workspace",
        description="A terminal workspace manager for fleets of coding agents. "
        "With no verb, opens the TUI for the repository in the current directory.",
    )
    parser.add_argument("--version", action="version", version=f"workspace {__version__}")
    parser.add_argument("-C", dest="cwd", metavar="DIR", help="run as if started in DIR")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=Parser)
    for group, verbs in GROUPS.items():
        if verb is None or verb in verbs:
            importlib.import_module(f"workspace.cli.{group}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # asked by scripts to check the install: no parser needed
        print(f"workspace {__version__}")
        return 0
    parser = build_parser(_verb_of(argv))
    args, extras = parser.parse_known_args(argv)
    if extras:
        _verb_parser(parser, args).unknown_options(extras)
    try:
        if args.verb is None:
            from workspace.cli.tui import command_tui

            return command_tui(args)
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


def _verb_of(argv: list[str]) -> str | None:
    """The verb `argv` names, when it is one and nothing before it needs the whole parser
    (`--help`, a mistyped verb: every verb is listed or compared); else None."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "-C":
            i += 2
            continue
        if arg.startswith("-C"):  # -CDIR
            i += 1
            continue
        if arg.startswith("-"):
            return None
        return arg if any(arg in verbs for verbs in GROUPS.values()) else None
    return None


def _verb_parser(parser: Parser, args: argparse.Namespace) -> Parser:
    """The parser of the verb given (of `task add` for `workspace task add`), so a mistake
    in its options points to `workspace VERB --help`."""
    found = getattr(args, "verb_parser", None)
    return found if isinstance(found, Parser) else parser

"""What the verb groups share: adding a verb, opening the workspace, reading a message, saying
progress. The service is imported only when a verb runs, so `workspace --version` and `--help`
load neither it nor the adapters."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from workspace.core.errors import UsageError

if TYPE_CHECKING:
    from workspace.service import Workspace

Command: TypeAlias = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """`workspace` and each of its verbs."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """One line, exit code 2, like every other mistake."""
        self.exit(2, f"workspace: {message} (see '{self.prog} --help')\n")


if TYPE_CHECKING:
    Subparsers: TypeAlias = argparse._SubParsersAction[Parser]


def add_verb(sub: Subparsers, name: str, command: Command, help_: str) -> Parser:
    """A verb whose help line is also its description; `main` runs `command` for it."""
    parser = sub.add_parser(name, help=help_, description=help_)
    parser.set_defaults(func=command)
    return parser


def open_workspace(args: argparse.Namespace) -> Workspace:
    from workspace.service import Workspace

    cwd = Path(args.cwd).expanduser() if getattr(args, "cwd", None) else None
    ws = Workspace.open(cwd)
    if ws.recovered:
        # A merge a killed process left half-made was finished or undone just now.
        note(f"workspace: {ws.recovered}")
    return ws


def read_prompt(args: argparse.Namespace) -> str:
    """`--prompt TEXT`, or `--prompt-file PATH` ('-' reads stdin)."""
    if args.prompt_file:
        if args.prompt_file == "-":
            return sys.stdin.read()
        try:
            return Path(args.prompt_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the prompt file {args.prompt_file}: {exc}") from None
    return str(args.prompt)


def read_message(text: str) -> str:
    """A message given on the command line; '-' reads it from stdin."""
    return sys.stdin.read() if text == "-" else text


def progress(text: str) -> None:
    """Said on stderr only when a person watches it (as git does): a script sees results on
    stdout and, on a refusal, exactly one line on stderr."""
    if sys.stderr.isatty():
        print(text, file=sys.stderr, flush=True)


def note(text: str) -> None:
    """Said on stderr whatever it is connected to (not a result, not progress)."""
    print(text, file=sys.stderr, flush=True)

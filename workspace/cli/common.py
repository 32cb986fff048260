"""What the verb groups share: adding a verb, opening the workspace, reading a message, saying
progress. The service is imported only when a verb runs, so `workspace --version` and `--help`
load neither it nor the adapters."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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

    def _check_value(self, action: argparse.Action, value: object) -> None:
        """A verb or a choice that is not one says the close one (`lss`: did you mean ls?)."""
        choices = action.choices
        if choices is None or value in choices:
            return
        import difflib

        names = [str(c) for c in choices]
        close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
        if isinstance(action, argparse._SubParsersAction):
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise argparse.ArgumentError(None, f"unknown verb {value!r}{hint}")
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise argparse.ArgumentError(None, f"argument {_option_name(action)}: invalid choice: "
                                     f"{value!r} (choose from {', '.join(names)}){hint}")

    def unknown_options(self, extras: list[str]) -> None:
        """Exit as `error` does for arguments no option of this verb takes, saying the close
        option when there is one (`--stauts`: did you mean --status?)."""
        import difflib

        flags = [s for a in self._actions for s in a.option_strings if s.startswith("--")]
        hint = ""
        for extra in extras:
            if extra.startswith("--"):
                close = difflib.get_close_matches(extra.split("=", 1)[0], flags, n=1,
                                                  cutoff=0.6)
                if close:
                    hint = f"; did you mean {close[0]}?"
                    break
        self.error(f"unrecognized arguments: {' '.join(extras)}{hint}")


def _option_name(action: argparse.Action) -> str:
    return action.option_strings[-1] if action.option_strings else str(action.metavar
                                                                       or action.dest)


if TYPE_CHECKING:
    Subparsers: TypeAlias = argparse._SubParsersAction[Parser]


def add_verb(sub: Subparsers, name: str, command: Command, help_: str) -> Parser:
    """A verb whose help line is also its description; `main` runs `command` for it."""
    parser = sub.add_parser(name, help=help_, description=help_)
    parser.set_defaults(func=command, verb_parser=parser)
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


def after_exit(work: Callable[[], object]) -> None:
    """Run `work` in a child of this process, detached (its own session, no terminal, its
    output nowhere), so that whoever waits for this process (a script's loop calling `ls`)
    does not wait for it; this process goes on to exit. Only what may be left undone goes
    here: where the child cannot be made, nothing is done. The caller closes its database
    connections first (SQLite's state must not cross a fork: a write made in the child
    through a new connection was lost when the parent's closed)."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    if not hasattr(os, "fork"):
        return
    try:
        pid = os.fork()
    except OSError:
        return
    if pid:
        return
    try:  # the child: nothing it does may reach the caller's terminal or pipes
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        work()
    except BaseException:  # no one to tell: a later call does the work
        pass
    finally:
        os._exit(0)


@contextmanager
def short_lived() -> Iterator[None]:
    """For a verb that runs briefly and exits (`ls`, which scripts call in loops): no cyclic
    garbage collection while it runs (what it makes lives until it exits anyway: ~6 ms of
    collections at 100 agents), and afterwards none of its objects left for the collections
    of the interpreter's teardown (~13 ms)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()

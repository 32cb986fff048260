"""`workspace`: the TUI with no verb, and a verb for every action (DESIGN.md §8)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from workspace import __version__
from workspace.core.errors import UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """One line, exit code 2, like every other mistake."""
        self.exit(2, f"workspace: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    from workspace.cli import verbs

    parser = _Parser(
        prog="workspace",
        description="A terminal workspace manager for fleets of coding agents. "
        "With no verb, opens the TUI for the repository in the current directory.",
    )
    parser.add_argument("--version", action="version", version=f"workspace {__version__}")
    parser.add_argument("-C", dest="cwd", metavar="DIR", help="run as if started in DIR")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)

    def verb(name: str, func: Callable[[argparse.Namespace], int], help_: str
             ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    p = verb("demo", verbs.demo, "open the TUI on a sample repository with demo agents working")
    p.add_argument("--agents", type=int, default=3, help="demo agents to start (default 3)")
    p.add_argument("--no-tui", action="store_true", help="set up and spawn, do not open the TUI")

    p = verb("spawn", verbs.spawn, "start a new agent on its own branch and worktree")
    p.add_argument("name")
    p.add_argument("--preset", "-p", help="which agent CLI (default: config default_preset)")
    p.add_argument("--base", "-b", help="branch to start from and merge into")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--prompt", "-m", default="", help="the first message")
    group.add_argument("--prompt-file", help="read the first message from a file ('-' = stdin)")
    p.add_argument("--budget", type=float, help="pause the agent when its cost reaches USD")
    p.add_argument("--wait", action="store_true",
                   help="wait until a first prompt that is typed in has been delivered")

    p = verb("ls", verbs.ls, "list agents with status, tokens, cost and diff")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = verb("send", verbs.send, "send a message to an agent")
    p.add_argument("name")
    p.add_argument("text", help="the message ('-' reads it from stdin)")

    verb("attach", verbs.attach, "jump into the agent's pane (detach key returns)").add_argument(
        "name")
    for name, func, text in (
        ("interrupt", verbs.interrupt, "interrupt the agent's current turn"),
        ("deny", verbs.deny, "deny the agent's pending permission request"),
        ("pause", verbs.pause, "pause the agent's process tree (SIGSTOP)"),
        ("resume", verbs.resume, "resume a paused agent (SIGCONT)"),
        ("restart", verbs.restart, "relaunch an exited or crashed agent, resuming its session"),
    ):
        verb(name, func, text).add_argument("name")
    p = verb("approve", verbs.approve, "approve the agent's pending permission request")
    p.add_argument("name")
    p.add_argument("--always", action="store_true", help="and don't ask again this session")

    p = verb("kill", verbs.kill, "end an agent; its work is kept unless --discard")
    p.add_argument("name")
    p.add_argument("--discard", action="store_true",
                   help="also remove unmerged work (a recovery ref is saved first)")

    p = verb("cleanup", verbs.cleanup, "list or remove worktrees made by workspace that no agent "
             "owns")
    p.add_argument("path", nargs="?", help="the leftover worktree to remove")
    p.add_argument("--discard", action="store_true",
                   help="remove even if it holds unmerged work (a recovery ref is saved first)")

    verbs.add_review_verbs(verb)

    verb("doctor", verbs.doctor, "check tmux, git, agent CLIs and config")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.verb is None:
            from workspace.cli import verbs

            return verbs.tui(args)
        func: Callable[[argparse.Namespace], int] = args.func
        return func(args)
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

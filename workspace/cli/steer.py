"""Verbs that steer agents, each on one agent, several (`workspace approve a b c`), `--all`
or a filter (`workspace approve --status needs_permission`, `workspace send --all TEXT`):
send, interrupt, approve, deny, pause, resume, restart, kill (targets.py chooses them and
says the outcome). Destructive verbs (kill, restart) on several list them first and need
--yes or a yes at the terminal; kill keeps its never-lose-work rules for each agent."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from workspace.cli.common import add_verb, note, open_workspace, read_message
from workspace.cli.targets import add_target_options, choose, confirm, each, wanted

if TYPE_CHECKING:
    from workspace.cli.common import Subparsers
    from workspace.core.agent import Agent
    from workspace.service import KillReport, Workspace


def register(sub: Subparsers) -> None:
    p = add_verb(sub, "send", send, "send a message to an agent, or to several")
    add_target_options(p)
    p.add_argument("text", help="the message ('-' reads it from stdin); sent as text: escape "
                   "sequences are removed, other control characters shown as symbols (^C as ␃)")
    for name, command, text in (
        ("interrupt", interrupt, "interrupt the current turn of agents"),
        ("deny", deny, "deny agents' pending permission requests"),
        ("pause", pause, "pause agents' process trees (SIGSTOP)"),
        ("resume", resume, "resume paused agents (SIGCONT)"),
    ):
        add_target_options(add_verb(sub, name, command, text))
    p = add_verb(sub, "approve", approve, "approve agents' pending permission requests")
    add_target_options(p)
    p.add_argument("--always", action="store_true", help="and don't ask again this session")
    add_target_options(add_verb(sub, "restart", restart, "relaunch exited or crashed agents, "
                                "resuming their sessions"), yes=True)
    p = add_verb(sub, "kill", kill, "end agents; their work is kept unless --discard")
    add_target_options(p, yes=True)
    p.add_argument("--discard", action="store_true",
                   help="also remove unmerged work (a recovery ref is saved first)")


def send(args: argparse.Namespace) -> int:
    chosen = wanted(args, "send")
    text = read_message(str(args.text))
    ws = open_workspace(args)
    cleaned = ws.check_message(text)  # an empty message is a mistake before acting
    agents = choose(ws, args, chosen)
    if cleaned.changed:
        note(f"workspace: {cleaned.summary()}")

    def one(agent: Agent) -> list[str]:
        ws.send(agent.name, text)
        return [f"sent to {agent.name}"]

    return each(agents, "send", one)


def _each(args: argparse.Namespace, verb: str,
          act: Callable[[Workspace, Agent], str]) -> int:
    """The verb on each agent chosen; `act` does it and says so in one line."""
    chosen = wanted(args, verb)
    ws = open_workspace(args)
    return each(choose(ws, args, chosen), verb, lambda agent: [act(ws, agent)])


def interrupt(args: argparse.Namespace) -> int:
    def one(ws: Workspace, agent: Agent) -> str:
        ws.interrupt(agent.name)
        return f"interrupted {agent.name}"

    return _each(args, "interrupt", one)


def deny(args: argparse.Namespace) -> int:
    def one(ws: Workspace, agent: Agent) -> str:
        ws.deny(agent.name)
        return f"denied {agent.name}"

    return _each(args, "deny", one)


def approve(args: argparse.Namespace) -> int:
    def one(ws: Workspace, agent: Agent) -> str:
        ws.approve(agent.name, always=args.always)
        return f"approved {agent.name}'s request"

    return _each(args, "approve", one)


def pause(args: argparse.Namespace) -> int:
    def one(ws: Workspace, agent: Agent) -> str:
        ws.pause(agent.name)
        return f"paused {agent.name}"

    return _each(args, "pause", one)


def resume(args: argparse.Namespace) -> int:
    def one(ws: Workspace, agent: Agent) -> str:
        ws.resume(agent.name)
        return f"resumed {agent.name}"

    return _each(args, "resume", one)


def restart(args: argparse.Namespace) -> int:
    chosen = wanted(args, "restart")
    ws = open_workspace(args)
    agents = choose(ws, args, chosen)
    if not confirm(agents, "restart", args.yes):
        note("workspace: nothing restarted")
        return 1

    def one(agent: Agent) -> list[str]:
        ws.restart(agent.name)
        return [f"restarted {agent.name}"]

    return each(agents, "restart", one)


def kill(args: argparse.Namespace) -> int:
    chosen = wanted(args, "kill")
    ws = open_workspace(args)
    agents = choose(ws, args, chosen)

    def lost(agent: Agent) -> str:
        """With --discard, what each would lose (it is saved at a recovery ref first)."""
        unsaved = ws.kill_preview(agent.name)
        return "" if unsaved.empty else f"; discards {unsaved.describe()}"

    if not confirm(agents, "kill", args.yes, lost if args.discard else None):
        note("workspace: nothing killed")
        return 1
    return each(agents, "kill", lambda a: _killed(ws.kill(a.name, discard=args.discard)))


def _killed(report: KillReport) -> list[str]:
    from workspace.core.diffstat import describe_porcelain

    lines = [report.summary()]
    if report.unsaved.uncommitted or report.unsaved.commits:
        verb = "discarded" if report.removed else "kept"
        lines += [f"  {verb}: {describe_porcelain(line)}"
                  for line in report.unsaved.uncommitted[:20]]
        lines += [f"  {verb} commit: {line}" for line in report.unsaved.commits[:20]]
    if not report.removed and not report.unsaved.empty:
        lines.append(f"remove it later with 'workspace cleanup {report.worktree} --discard'")
    return lines

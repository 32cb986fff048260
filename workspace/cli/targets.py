"""Which agents a verb acts on: one name, several, `--all`, or a filter (`--status S`,
`--preset P`, `--task ID`, `--plan ID`, `--name GLOB`, `--filter QUERY`: the query language
of core/filters.py, the TUI's `/` filter's own), and how the outcome is said: one line per
agent on stdout, why not on stderr, exit 0 when all succeeded, 1 when some failed, 2 for a
mistake before acting (an unknown name, a filter no agent matches)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from workspace.cli.common import note
from workspace.core.errors import UsageError

if TYPE_CHECKING:
    from workspace.cli.common import Parser
    from workspace.core.agent import Agent
    from workspace.core.filters import AgentFilter
    from workspace.service import Workspace


def add_filter_options(p: Parser) -> None:
    """The options that choose agents by what they are (also `ls`'s)."""
    p.add_argument("--status", "-s", action="append", metavar="STATUS",
                   help="agents in this status (repeat, or a,b, for either; needs_you: every "
                   "status that needs you)")
    p.add_argument("--preset", "-p", action="append", metavar="PRESET",
                   help="agents of this preset (repeat for either)")
    p.add_argument("--task", action="append", metavar="ID", help="the agent of this task")
    p.add_argument("--plan", action="append", metavar="ID",
                   help="the agents working for this plan")
    p.add_argument("--name", action="append", metavar="GLOB", dest="name_glob",
                   help="agents whose name matches (quote it: --name 'fix-*')")
    p.add_argument("--filter", "-f", metavar="QUERY", dest="query",
                   help="a query, as the TUI's / filter takes it: free words, status:S, "
                   "preset:P, task:ID, plan:ID, name:GLOB (README, 'Choosing agents')")


def add_target_options(p: Parser, yes: bool = False) -> None:
    """NAME..., --all and the filters; `yes`: the verb is destructive (kill, restart)."""
    p.add_argument("names", nargs="*", metavar="NAME", help="the agent, or several")
    p.add_argument("--all", "-a", action="store_true", dest="every", help="every agent")
    add_filter_options(p)
    if yes:
        p.add_argument("--yes", "-y", action="store_true",
                       help="act on several agents without asking first")


def any_filter(args: argparse.Namespace) -> bool:
    """Whether any of `add_filter_options`' options was given."""
    return bool(args.query or args.status or args.preset or args.task or args.plan
                or args.name_glob)


def filter_of(args: argparse.Namespace) -> AgentFilter:
    """The options' filter (an empty one when none was given)."""
    from workspace.core.filters import AgentFilter, parse_filter, term

    result = parse_filter(args.query) if args.query else AgentFilter()
    for key, values in (("status", args.status), ("preset", args.preset),
                        ("task", args.task), ("plan", args.plan), ("name", args.name_glob)):
        for value in values or ():
            result = result & term(key, value)
    return result


def wanted(args: argparse.Namespace, verb: str) -> AgentFilter:
    """The options' mistakes, found before the workspace is even opened; returns their
    filter."""
    chosen = filter_of(args)
    if args.names and args.every:
        raise UsageError("give agent names or --all, not both")
    if not args.names and not args.every and chosen.empty:
        raise UsageError(f"say which agents to {verb}: NAME..., --all, or a filter such as "
                         f"--status needs_permission (see 'workspace {verb} --help')")
    return chosen


def choose(ws: Workspace, args: argparse.Namespace, chosen: AgentFilter) -> list[Agent]:
    """The agents the options name (`chosen`: their filter, from `wanted`), as they are now:
    after one poll tick, since no TUI may be running its ticks. Every mistake is found
    before anything is done (an unknown name, a filter no agent matches)."""
    names = list(dict.fromkeys(args.names))
    for name in names:
        ws.agent(name)  # an unknown name is refused before a tick's cost
    agents = list(ws.refresh().agents)
    if names:
        by_name = {a.name: a for a in agents}
        agents = [by_name[n] if n in by_name else ws.agent(n) for n in names]
    else:
        agents.sort(key=lambda a: a.created_at)
    if not chosen.empty:
        agents = chosen.select(agents, ws.agent_plans() if chosen.uses_plans else None)
    if not agents:
        if names:
            raise UsageError(f"none of {', '.join(names)} matches {chosen}")
        raise UsageError(f"no agent matches {chosen}" if not chosen.empty
                         else "there are no agents")
    return agents


def confirm(agents: list[Agent], verb: str, yes: bool,
            detail: Callable[[Agent], str] | None = None) -> bool:
    """Before a destructive verb acts on several agents: they are listed, and it goes on with
    --yes or a yes at the terminal. Without either, refused (exit 2); a no returns False."""
    if len(agents) <= 1 or yes:
        return True
    listing = [f"  {a.name} ({a.status.value}{detail(a) if detail else ''})" for a in agents]
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        names = ", ".join(a.name for a in agents)
        raise UsageError(f"{verb} would act on {len(agents)} agents ({names}); pass --yes "
                         "to go ahead")
    note(f"{verb} {len(agents)} agents:")
    note("\n".join(listing))
    try:
        answer = input(f"{verb} these {len(agents)} agents? [y/N] ")
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def each(agents: list[Agent], verb: str, act: Callable[[Agent], list[str]]) -> int:
    """Run `act` on each agent, printing its lines; one agent's refusal does not stop the
    others. One agent alone: its refusal is the one line of a mistake (exit 2), as always."""
    if len(agents) == 1:
        for line in act(agents[0]):
            print(line, flush=True)
        return 0
    failed = []
    for agent in agents:
        try:
            lines = act(agent)
        except UsageError as exc:
            failed.append(agent.name)
            reason = str(exc)
            said = reason if reason.startswith(agent.name) else f"{agent.name}: {reason}"
            note(f"workspace: {said}")
            continue
        for line in lines:
            print(line, flush=True)
    if failed:
        done = len(agents) - len(failed)
        note(f"workspace: {verb}: {done} of {len(agents)} done; {len(failed)} failed "
             f"({', '.join(failed)})")
        return 1
    return 0

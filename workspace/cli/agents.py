"""Verbs on agents: spawn (one, N numbered, or one per preset), ls, attach, adopt, cleanup.
Each opens the workspace, calls the service, prints one clear result. The verbs that steer
agents, one or several at once, are in steer.py."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING

from workspace.cli.common import (
    add_verb,
    after_exit,
    note,
    open_workspace,
    read_prompt,
    short_lived,
)
from workspace.cli.targets import add_filter_options, any_filter, filter_of
from workspace.core.errors import UsageError

if TYPE_CHECKING:
    from workspace.cli.common import Subparsers
    from workspace.core.agent import Agent
    from workspace.core.filters import AgentFilter
    from workspace.service import Workspace

READY_TIMEOUT = 120
"""Seconds `spawn --wait` waits for the agent to take its first prompt."""


MAX_COUNT = 50
"""Agents one spawn may start (the TUI's form takes as many)."""


def register(sub: Subparsers) -> None:
    p = add_verb(sub, "spawn", spawn, "start new agents, each on its own branch and worktree")
    p.add_argument("name", help="its name; with --count or several --preset, the names' stem")
    p.add_argument("--preset", "-p", action="append", metavar="PRESET",
                   help="which agent CLI (default: config default_preset); repeat to give the "
                   "same prompt to several CLIs, one agent each, named NAME-PRESET")
    p.add_argument("--count", "-n", type=int, default=1, metavar="N",
                   help=f"how many agents (of each preset), 1 to {MAX_COUNT}: named NAME-1 ... "
                   "NAME-N, as the TUI's spawn form names them")
    p.add_argument("--base", "-b", help="branch to start from and merge into")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--prompt", "-m", default="", help="the first message")
    group.add_argument("--prompt-file", help="read the first message from a file ('-' = stdin)")
    p.add_argument("--budget", type=float, help="pause the agent when its cost reaches USD")
    p.add_argument("--wait", action="store_true",
                   help="wait until a first prompt that is typed in has been delivered")

    p = add_verb(sub, "ls", ls, "list agents with status, tokens, cost and diff")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    add_filter_options(p)
    p.add_argument("--fresh", action="store_true",
                   help="compute every agent's diff anew (default: only where something "
                   "may have changed since it was last computed; where only its screen "
                   "moved, one computed at most [workspace] diff_max_age seconds ago is "
                   "shown: its diff_age_s says how old)")

    add_verb(sub, "attach", attach, "jump into the agent's pane (detach key returns)"
             ).add_argument("name")

    p = add_verb(sub, "adopt", adopt,
                 "give agents that no row owns their rows back (after the state was lost)")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="a running agent or a leftover worktree (default: every running one)")
    p.add_argument("--preset", "-p", help="its preset, when it cannot be told")

    p = add_verb(sub, "cleanup", cleanup,
                 "list or remove worktrees made by workspace that no agent owns")
    p.add_argument("path", nargs="?", help="the leftover worktree to remove")
    p.add_argument("--discard", action="store_true",
                   help="remove even if it holds unmerged work (a recovery ref is saved first)")


def spawn(args: argparse.Namespace) -> int:
    from workspace.core.names import check_name, spawn_names
    from workspace.core.usage import check_budget

    prompt = read_prompt(args)
    check_budget(args.budget)
    if not 1 <= args.count <= MAX_COUNT:
        raise UsageError(f"--count must be from 1 to {MAX_COUNT}")
    presets: list[str] = args.preset or []
    twice = sorted({p for p in presets if presets.count(p) > 1})
    if twice:
        raise UsageError(f"--preset {twice[0]} is given twice; use --count for several agents "
                         "of one preset")
    wanted = spawn_names(args.name, args.count, presets)
    check_name(args.name)
    for name, _ in wanted:
        check_name(name)
    ws = open_workspace(args)
    if len(wanted) == 1:
        agents = [ws.spawn(wanted[0][0], preset=wanted[0][1], base=args.base, prompt=prompt,
                           budget_usd=args.budget)]
        failed: list[str] = []
    else:
        # Every agent's preconditions are checked before the first is made (exit 2, nothing
        # made); then each spawn stands alone: one that fails says why, the others go on.
        outcomes = ws.spawn_many(wanted, base=args.base, prompt=prompt,
                                 budget_usd=args.budget)
        agents = [o.agent for o in outcomes if o.agent is not None]
        failed = [o.name for o in outcomes if o.agent is None]
        for outcome in outcomes:
            if outcome.agent is None:
                why = outcome.error
                note(f"workspace: {why}" if outcome.name in why else
                     f"workspace: could not spawn {outcome.name}: {why}")
    for agent in agents:
        print(f"spawned {agent.name} ({agent.preset}) on branch {agent.branch} "
              f"from {agent.base}, worktree {agent.worktree}", flush=True)
        if agent.problem:
            note(f"workspace: {agent.name}: {agent.problem}")
    _first_prompts(ws, [a.name for a in agents], args.wait)
    if failed:
        note(f"workspace: spawn: {len(agents)} of {len(wanted)} done; {len(failed)} failed "
             f"({', '.join(failed)})")
        return 1
    return 0


def _first_prompts(ws: Workspace, names: list[str], wait: bool) -> None:
    """First prompts too long for the command line are typed in once each agent is ready:
    by any later command's tick, or here with --wait."""
    pending = [n for n in names if ws.pending_prompt(n)]
    if not pending:
        return
    which = ", ".join(pending)
    if not wait:
        print(f"the first prompt will be typed in when {which} "
              f"{'is' if len(pending) == 1 else 'are'} ready (by the TUI or any workspace "
              "command; add --wait to wait here)", file=sys.stderr)
        return
    print(f"waiting for {which} to be ready for the first prompt...", file=sys.stderr)
    deadline = time.monotonic() + READY_TIMEOUT
    while pending and time.monotonic() < deadline:
        ws.refresh()  # a tick is what types the first prompt in once the agent is ready
        pending = [n for n in pending if ws.pending_prompt(n)]
        if pending:
            time.sleep(0.5)
    if pending:
        raise UsageError(f"{', '.join(pending)} did not become ready within {READY_TIMEOUT}s; "
                         "the first prompt was not sent (attach to see why)")


def ls(args: argparse.Namespace) -> int:
    with short_lived():
        return _ls(args)


def _ls(args: argparse.Namespace) -> int:
    import json

    # A bad status or key is refused before any work; with no filter given, none is built
    # (nor core/filters.py imported: scripts call `ls` often).
    chosen = filter_of(args) if any_filter(args) else None
    ws = open_workspace(args)
    try:
        # The diffs only due soon are computed once the listing is out, by a child this
        # process leaves behind: a script's loop does not wait for them (core/diffmark.py).
        listing = ws.fleet.listing(fresh=args.fresh, defer=True)
        agents = sorted(listing.agents, key=lambda a: a.created_at)
        if chosen is not None and not chosen.empty:
            agents = chosen.select(agents, ws.agent_plans() if chosen.uses_plans else None)
        if args.json:
            print(json.dumps(_with_diff_ages(ws, agents), indent=2))
        else:
            _print_listing(ws, agents, chosen)
    finally:
        # Closed here, not left to the teardown's collections (short_lived freezes them):
        # the last connection to close folds the WAL back and removes it. And before the
        # child is made: no SQLite connection (nor SQLite's record of the files this process
        # has open and locked) may cross a fork; the child opens its own.
        ws.close()
    if ws.fleet.soon:
        after_exit(ws.fleet.compute_soon)
    return 0


def _print_listing(ws: Workspace, agents: list[Agent], chosen: AgentFilter | None) -> None:
    _note_orphans(ws)
    if not agents:
        print(f"no agent matches {chosen}" if chosen is not None and not chosen.empty else
              "no agents; start one with 'workspace spawn NAME --prompt TEXT' or open the TUI")
        return
    _print_table(agents)
    _note_old_diffs(ws, agents)


def _with_diff_ages(ws: Workspace, agents: list[Agent]) -> list[dict[str, object]]:
    """Each agent's object with `diff_age_s` after its `diff`: seconds since its diff was
    computed (null when never), so that a script knows how old a diff shown again is."""
    times = ws.fleet.diff_times()
    now = time.time()
    out = []
    for agent in agents:
        at = times.get(agent.id)
        data: dict[str, object] = {}
        for key, value in agent.as_json().items():
            data[key] = value
            if key == "diff":
                data["diff_age_s"] = None if at is None else round(max(0.0, now - at), 1)
        out.append(data)
    return out


def _print_table(agents: list[Agent]) -> None:
    from workspace.core import format as fmt

    rows = [("NAME", "PRESET", "STATUS", "AGE", "DIFF", "TOKENS", "COST", "BRANCH")]
    now = time.time()
    for a in agents:
        branch = f"{a.branch} (!)" if a.problem else a.branch
        rows.append((a.name, a.preset, fmt.status_label(a), fmt.age(now - a.status_since),
                     fmt.diff(a.diff), fmt.tokens(a.tokens.total), fmt.cost(a.cost_usd), branch))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    for a in agents:
        if a.problem:
            print(f"(!) {a.name}: {a.problem}")


def _note_old_diffs(ws: Workspace, agents: list[Agent]) -> None:
    """Diffs shown again though their agents' screens moved: said, with how old at most."""
    from workspace.core.format import plural

    shown = [ws.fleet.shown_again[a.id] for a in agents if a.id in ws.fleet.shown_again]
    if shown:
        oldest = max(0.0, time.time() - min(shown))
        one = len(shown) == 1
        why = "its agent's screen moved" if one else "their agents' screens moved"
        print(f"{plural(len(shown), 'diff')} up to {oldest:.0f}s old: {why} "
              f"('ls --fresh' computes {'it' if one else 'them'})")


def _note_orphans(ws: Workspace) -> None:
    """Agents running with no row (a lost or repaired state): said, with the way back."""
    from workspace.core.format import plural

    orphans = ws.orphans()
    if orphans:
        one = len(orphans) == 1
        note(f"workspace: {plural(len(orphans), 'agent')} {'runs' if one else 'run'} with "
             f"no row in the state ({', '.join(orphans)}); 'workspace adopt' brings "
             f"{'it' if one else 'them'} back")


def adopt(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    adopted = ws.adopt(args.names, preset=args.preset)
    if not adopted:
        print("nothing to adopt: every agent running on this workspace's server has its row "
              "('workspace cleanup' lists worktrees no agent owns; 'workspace adopt NAME' "
              "adopts one)")
    for result in adopted:
        print(result.line())
    ws.refresh(capture_all=True)
    return 0


def attach(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    ws.agent(args.name)  # an unknown name is refused before a tick's cost
    ws.refresh()
    if not sys.stdin.isatty():
        raise UsageError("attach needs a terminal")
    argv, env = ws.attach_command(args.name)
    # Become the tmux client: its exit status and signals are the person's, as with tmux itself.
    os.execvpe(argv[0], argv, env)


def cleanup(args: argparse.Namespace) -> int:
    from pathlib import Path

    ws = open_workspace(args)
    if args.path is None:
        leftovers = ws.leftovers()
        if not leftovers:
            print("no leftover worktrees")
        for record in leftovers:
            print(f"{record.path}  (branch {record.branch})")
        return 0
    print(ws.cleanup(str(Path(args.path).expanduser().resolve()), discard=args.discard))
    return 0

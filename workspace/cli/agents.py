"""Verbs on agents: spawn, ls, send, attach, interrupt, deny, pause, resume, restart, approve,
kill, adopt, cleanup. Each opens the workspace, calls the service, prints one clear result."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from workspace.cli.common import add_verb, note, open_workspace, read_message, read_prompt
from workspace.core import format as fmt
from workspace.core.diffstat import describe_porcelain
from workspace.core.errors import UsageError

if TYPE_CHECKING:
    from workspace.cli.common import Subparsers
    from workspace.service import Workspace

READY_TIMEOUT = 120
"""Seconds `spawn --wait` waits for the agent to take its first prompt."""


def register(sub: Subparsers) -> None:
    p = add_verb(sub, "spawn", spawn, "start a new agent on its own branch and worktree")
    p.add_argument("name")
    p.add_argument("--preset", "-p", help="which agent CLI (default: config default_preset)")
    p.add_argument("--base", "-b", help="branch to start from and merge into")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--prompt", "-m", default="", help="the first message")
    group.add_argument("--prompt-file", help="read the first message from a file ('-' = stdin)")
    p.add_argument("--budget", type=float, help="pause the agent when its cost reaches USD")
    p.add_argument("--wait", action="store_true",
                   help="wait until a first prompt that is typed in has been delivered")

    p = add_verb(sub, "ls", ls, "list agents with status, tokens, cost and diff")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = add_verb(sub, "send", send, "send a message to an agent")
    p.add_argument("name")
    p.add_argument("text", help="the message ('-' reads it from stdin); sent as text: escape "
                   "sequences are removed, other control characters shown as symbols (^C as ␃)")

    add_verb(sub, "attach", attach, "jump into the agent's pane (detach key returns)"
             ).add_argument("name")
    for name, command, text in (
        ("interrupt", interrupt, "interrupt the agent's current turn"),
        ("deny", deny, "deny the agent's pending permission request"),
        ("pause", pause, "pause the agent's process tree (SIGSTOP)"),
        ("resume", resume, "resume a paused agent (SIGCONT)"),
        ("restart", restart, "relaunch an exited or crashed agent, resuming its session"),
    ):
        add_verb(sub, name, command, text).add_argument("name")
    p = add_verb(sub, "approve", approve, "approve the agent's pending permission request")
    p.add_argument("name")
    p.add_argument("--always", action="store_true", help="and don't ask again this session")

    p = add_verb(sub, "kill", kill, "end an agent; its work is kept unless --discard")
    p.add_argument("name")
    p.add_argument("--discard", action="store_true",
                   help="also remove unmerged work (a recovery ref is saved first)")

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
    prompt = read_prompt(args)
    if args.budget is not None and args.budget <= 0:
        raise UsageError("--budget must be more than 0 (USD)")
    ws = open_workspace(args)
    agent = ws.spawn(args.name, preset=args.preset, base=args.base, prompt=prompt,
                     budget_usd=args.budget)
    print(f"spawned {agent.name} ({agent.preset}) on branch {agent.branch} "
          f"from {agent.base}, worktree {agent.worktree}")
    if agent.problem:
        note(f"workspace: {agent.name}: {agent.problem}")
    if ws.pending_prompt(agent.name) and args.wait:
        print(f"waiting for {agent.name} to be ready for its first prompt...", file=sys.stderr)
        deadline = time.monotonic() + READY_TIMEOUT
        while ws.pending_prompt(agent.name) and time.monotonic() < deadline:
            ws.refresh()  # a tick is what types the first prompt in once the agent is ready
            time.sleep(0.5)
        if ws.pending_prompt(agent.name):
            raise UsageError(f"{agent.name} did not become ready within {READY_TIMEOUT}s; its "
                             "first prompt was not sent (attach to see why)")
    elif ws.pending_prompt(agent.name):
        print(f"the first prompt will be typed in when {agent.name} is ready "
              "(by the TUI or any workspace command; add --wait to wait here)", file=sys.stderr)
    return 0


def ls(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    ws.update_diffs()
    snapshot = ws.refresh()
    agents = sorted(snapshot.agents, key=lambda a: a.created_at)
    if args.json:
        print(json.dumps([a.as_json() for a in agents], indent=2))
        return 0
    _note_orphans(ws)
    if not agents:
        print("no agents; start one with 'workspace spawn NAME --prompt TEXT' or open the TUI")
        return 0
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
    return 0


def _note_orphans(ws: Workspace) -> None:
    """Agents running with no row (a lost or repaired state): said, with the way back."""
    orphans = ws.orphans()
    if orphans:
        one = len(orphans) == 1
        note(f"workspace: {fmt.plural(len(orphans), 'agent')} {'runs' if one else 'run'} with "
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


def _open_fresh(args: argparse.Namespace) -> Workspace:
    """Status-dependent verbs look at the agent as it is now, not as last stored (no TUI may
    be running its ticks). An unknown name is refused first, before a tick's cost."""
    ws = open_workspace(args)
    ws.agent(args.name)
    ws.refresh()
    return ws


def send(args: argparse.Namespace) -> int:
    text = read_message(str(args.text))
    ws = _open_fresh(args)
    cleaned = ws.send(args.name, text)
    if cleaned.changed:
        note(f"workspace: {cleaned.summary()}")
    print(f"sent to {args.name}")
    return 0


def attach(args: argparse.Namespace) -> int:
    ws = _open_fresh(args)
    if not sys.stdin.isatty():
        raise UsageError("attach needs a terminal")
    argv, env = ws.attach_command(args.name)
    # Become the tmux client: its exit status and signals are the person's, as with tmux itself.
    os.execvpe(argv[0], argv, env)


def interrupt(args: argparse.Namespace) -> int:
    ws = _open_fresh(args)
    ws.interrupt(args.name)
    print(f"interrupted {args.name}")
    return 0


def deny(args: argparse.Namespace) -> int:
    ws = _open_fresh(args)
    ws.deny(args.name)
    print(f"denied {args.name}")
    return 0


def pause(args: argparse.Namespace) -> int:
    ws = _open_fresh(args)
    ws.pause(args.name)
    print(f"paused {args.name}")
    return 0


def resume(args: argparse.Namespace) -> int:
    ws = _open_fresh(args)
    ws.resume(args.name)
    print(f"resumed {args.name}")
    return 0


def restart(args: argparse.Namespace) -> int:
    ws = _open_fresh(args)
    ws.restart(args.name)
    print(f"restarted {args.name}")
    return 0


def approve(args: argparse.Namespace) -> int:
    ws = _open_fresh(args)
    ws.approve(args.name, always=args.always)
    print(f"approved {args.name}'s request")
    return 0


def kill(args: argparse.Namespace) -> int:
    ws = _open_fresh(args)
    report = ws.kill(args.name, discard=args.discard)
    print(report.summary())
    if report.unsaved.uncommitted or report.unsaved.commits:
        verb = "discarded" if report.removed else "kept"
        for line in report.unsaved.uncommitted[:20]:
            print(f"  {verb}: {describe_porcelain(line)}")
        for line in report.unsaved.commits[:20]:
            print(f"  {verb} commit: {line}")
    if not report.removed and not report.unsaved.empty:
        print(f"remove it later with 'workspace cleanup {report.worktree} --discard'")
    return 0


def cleanup(args: argparse.Namespace) -> int:
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

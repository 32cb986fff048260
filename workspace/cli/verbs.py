"""The CLI verbs. Each opens the workspace, calls the service, prints one clear result."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from workspace.core import format as fmt
from workspace.core.agent import Agent
from workspace.core.diffstat import describe_porcelain
from workspace.core.errors import UsageError
from workspace.service import Workspace

VerbAdder = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def open_workspace(args: argparse.Namespace) -> Workspace:
    cwd = Path(args.cwd).expanduser() if getattr(args, "cwd", None) else None
    return Workspace.open(cwd)


def tui(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    return _run_tui(ws)


def _run_tui(ws: Workspace) -> int:
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise UsageError("the TUI needs a terminal; use a verb (see 'workspace --help') in scripts")
    from workspace.ui.app import run

    return run(ws)


def demo(args: argparse.Namespace) -> int:
    from workspace.adapters.locations import data_dir
    from workspace.demo.sample_repo import DEMO_TASKS, ensure_demo_repo

    repo = ensure_demo_repo(data_dir() / "demo-repo")
    ws = Workspace.open(repo)
    ws.reconcile()
    existing = {a.name for a in ws.agents()}
    started = 0
    for name, task in DEMO_TASKS[: max(args.agents, 0)]:
        if name in existing:
            continue
        try:
            ws.spawn(name, preset="demo", prompt=task)
            started += 1
        except UsageError as exc:
            print(f"workspace: {exc}", file=sys.stderr)
    print(f"demo repository: {repo} ({started} demo agent(s) started)")
    if args.no_tui:
        return 0
    return _run_tui(ws)


def _read_prompt(args: argparse.Namespace) -> str:
    if args.prompt_file:
        if args.prompt_file == "-":
            return sys.stdin.read()
        try:
            return Path(args.prompt_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the prompt file {args.prompt_file}: {exc}") from None
    return str(args.prompt)


def spawn(args: argparse.Namespace) -> int:
    prompt = _read_prompt(args)
    if args.budget is not None and args.budget <= 0:
        raise UsageError("--budget must be more than 0 (USD)")
    ws = open_workspace(args)
    agent = ws.spawn(args.name, preset=args.preset, base=args.base, prompt=prompt,
                     budget_usd=args.budget)
    print(f"spawned {agent.name} ({agent.preset}) on branch {agent.branch} "
          f"from {agent.base}, worktree {agent.worktree}")
    if ws.pending_prompt(agent.name) and args.wait:
        print(f"waiting for {agent.name} to be ready for its first prompt...", file=sys.stderr)
        deadline = time.monotonic() + 120
        while ws.pending_prompt(agent.name) and time.monotonic() < deadline:
            ws.refresh()
            time.sleep(0.5)
        if ws.pending_prompt(agent.name):
            raise UsageError(f"{agent.name} did not become ready within 120s; its first prompt "
                             "was not sent (attach to see why)")
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
    if not agents:
        print("no agents; start one with 'workspace spawn NAME --prompt TEXT' or open the TUI")
        return 0
    rows = [("NAME", "PRESET", "STATUS", "AGE", "DIFF", "TOKENS", "COST", "BRANCH")]
    now = time.time()
    for a in agents:
        rows.append((a.name, a.preset, fmt.STATUS_LABEL[a.status], fmt.age(now - a.status_since),
                     fmt.diff(a.diff), fmt.tokens(a.tokens.total), fmt.cost(a.cost_usd), a.branch))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    return 0


def _fresh_agent(ws: Workspace, name: str) -> Agent:
    """Status-dependent verbs look at the agent as it is now, not as last stored."""
    ws.agent(name)
    ws.refresh()
    return ws.agent(name)


def send(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else str(args.text)
    ws = open_workspace(args)
    _fresh_agent(ws, args.name)
    ws.send(args.name, text)
    print(f"sent to {args.name}")
    return 0


def attach(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    agent = _fresh_agent(ws, args.name)
    if not sys.stdin.isatty():
        raise UsageError("attach needs a terminal")
    argv, env = ws.attach_command(agent.name)
    os.execvpe(argv[0], argv, env)


def _simple(action: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        ws = open_workspace(args)
        _fresh_agent(ws, args.name)
        getattr(ws, action)(args.name)
        done = {"interrupt": "interrupted", "deny": "denied", "pause": "paused",
                "resume": "resumed", "restart": "restarted"}[action]
        print(f"{done} {args.name}")
        return 0

    run.__name__ = action
    return run


interrupt = _simple("interrupt")
deny = _simple("deny")
pause = _simple("pause")
resume = _simple("resume")
restart = _simple("restart")


def approve(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    _fresh_agent(ws, args.name)
    ws.approve(args.name, always=args.always)
    print(f"approved {args.name}'s request")
    return 0


def kill(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    _fresh_agent(ws, args.name)
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


def doctor(args: argparse.Namespace) -> int:
    from workspace.cli.doctor import run_doctor

    return run_doctor(Path(args.cwd) if args.cwd else Path.cwd())


def add_review_verbs(verb: VerbAdder) -> None:
    from workspace.cli import review

    review.add_verbs(verb)

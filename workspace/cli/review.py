"""Review verbs: diff, merge (one agent, or every ready one in a queue, in batches; the queue
printed), ask-rebase, pr.

Results go to stdout; progress goes to stderr when stderr is a terminal (as git does), so that
a refusal seen by a script is exactly one line on stderr with exit code 2 (raised as
UsageError, printed by main)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from workspace.cli.common import add_verb, note, open_workspace, progress
from workspace.core.errors import UsageError
from workspace.core.format import plural
from workspace.core.review.queue import REFINERY, QueueItemState, QueueState

if TYPE_CHECKING:
    from workspace.cli.common import Subparsers
    from workspace.service import GateFailed, MergeResult, Workspace


def register(sub: Subparsers) -> None:
    p = add_verb(sub, "diff", diff, "print an agent's diff (whole branch against base, or --wip)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--wip", action="store_true",
                   help="only uncommitted work (staged, unstaged, untracked) against its HEAD")
    p.add_argument("--stat", action="store_true", help="one line per file and a total")

    p = add_verb(sub, "merge", merge,
                 "merge an agent's branch into its base (checks first; never half-done)")
    p.add_argument("name", metavar="NAME", nargs="?")
    p.add_argument("--all-ready", action="store_true",
                   help="merge every agent whose turn is over and whose work is not on base, "
                        "oldest first; stops at the first conflict or gate failure")
    p.add_argument("--batch", type=int, metavar="N",
                   help="with --all-ready: stack up to N merges and run the gate once on "
                        "their tip, bisecting when it fails (default: [merge] batch)")
    p.add_argument("--queue", action="store_true",
                   help="print the merge queue: the tasks waiting to merge, the batch in "
                        "flight and any culprit; changes nothing")
    p.add_argument("--json", action="store_true", help="with --queue: as one JSON object")
    # Checked when the verb runs: the settings' model is not loaded for --help.
    p.add_argument("--strategy", metavar="STRATEGY",
                   help="squash (default, configurable), merge or rebase")
    p.add_argument("--no-gate", action="store_true", help="skip the [merge] gate command")
    p.add_argument("--cleanup", action="store_true",
                   help="after merging, end the agent and remove its worktree and branch "
                        "(also cleans up an agent merged earlier)")
    p.add_argument("--commit-wip", action="store_true",
                   help="commit uncommitted work in its worktree first instead of refusing")
    p.add_argument("--message", "-m", help="the commit message (default: drawn from its task)")

    p = add_verb(sub, "ask-rebase", ask_rebase,
                 "ask an agent whose work conflicts with base to rebase and resolve it")
    p.add_argument("name", metavar="NAME")

    p = add_verb(sub, "pr", pr, "push an agent's branch and open a pull request with gh")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--remote", help="the remote to push to (default: base's upstream, origin)")
    p.add_argument("--title", help="the title (default: drawn from its task)")
    p.add_argument("--draft", action="store_true", help="open it as a draft")
    p.add_argument("--dry-run", action="store_true", help="print what would run, run nothing")


def diff(args: argparse.Namespace) -> int:
    from workspace.core.review.diff import BRANCH, WIP, format_stat

    ws = open_workspace(args)
    result = ws.diff(args.name, WIP if args.wip else BRANCH)
    verdict = ws.verdict_of(args.name)
    if verdict:  # on stderr: stdout stays a patch that applies
        from workspace.core.format import verdict_line

        note(verdict_line(verdict))
    if result.empty:
        what = " (uncommitted)" if args.wip else f" against {result.against_label}"
        note(f"{args.name}: no changes{what}")
        return 0
    if args.stat:
        print("\n".join(format_stat(result.files)))
        return 0
    # Undecodable bytes were kept as surrogate escapes: give them back as they were.
    sys.stdout.buffer.write(result.text.encode("utf-8", "surrogateescape"))
    sys.stdout.flush()
    return 0


def _print_result(result: MergeResult) -> None:
    print(result.summary())
    if result.wip_commit:
        print(f"  committed its uncommitted work first as {result.wip_commit[:10]}")
    for line in result.commits[:20]:
        print(f"  {line}")
    if len(result.commits) > 20:
        print(f"  … and {len(result.commits) - 20} more")
    if result.cleanup is not None:
        print(result.cleanup.summary())
    elif result.cleanup_offered:
        print(f"clean it up with 'workspace merge {result.name} --cleanup' or "
              f"'workspace kill {result.name}'")


def merge(args: argparse.Namespace) -> int:
    from workspace.core.agent import Status
    from workspace.core.settings import MERGE_STRATEGIES
    from workspace.service import GateFailed

    if args.strategy is not None and args.strategy not in MERGE_STRATEGIES:
        raise UsageError(f"argument --strategy: invalid choice: {args.strategy!r} (choose "
                         f"from {', '.join(MERGE_STRATEGIES)}; see 'workspace merge --help')")
    if args.queue:
        if args.name or args.all_ready:
            raise UsageError("--queue only prints the queue; give it no agent and no "
                             "--all-ready")
        return _print_queue(open_workspace(args), args.json)
    if args.json:
        raise UsageError("--json goes with --queue")
    if args.batch is not None and not args.all_ready:
        raise UsageError("--batch goes with --all-ready (one agent merges alone)")
    if args.batch is not None and args.batch < 1:
        raise UsageError(f"--batch {args.batch}: give 1 or more")
    ws = open_workspace(args)
    if args.all_ready:
        if args.name:
            raise UsageError("give an agent name or --all-ready, not both")
        return _merge_ready(ws, args)
    if not args.name:
        raise UsageError("name the agent to merge, or pass --all-ready")
    if args.cleanup and ws.agent(args.name).status == Status.MERGED:
        print(ws.cleanup_merged(args.name).summary())  # merged earlier: only the clean-up
        return 0
    try:
        result = ws.merge(args.name, strategy=args.strategy, gate=not args.no_gate,
                          cleanup=True if args.cleanup else None, message=args.message,
                          commit_wip=args.commit_wip,
                          on_step=lambda step: progress(f"{args.name}: {step}…"))
    except GateFailed as exc:
        _print_gate_output(exc)
        raise
    _print_result(result)
    if result.cleanup_error:
        raise UsageError(f"merged {result.name}, but did not clean it up: "
                         f"{result.cleanup_error}")
    return 0


def _merge_ready(ws: Workspace, args: argparse.Namespace) -> int:
    ws.refresh()  # whose turn is over now, not as last stored (no TUI may be running)
    names = ws.ready_to_merge(commit_wip=args.commit_wip)
    if not names:
        print("no agent is ready to merge (finished its turn, work not on base"
              + ("" if args.commit_wip else ", worktree clean") + ")")
        return 0
    progress(f"merging in order: {', '.join(names)}")
    report = ws.merge_queue(names, strategy=args.strategy, gate=not args.no_gate,
                            cleanup=True if args.cleanup else None,
                            commit_wip=args.commit_wip, batch=args.batch,
                            on_progress=lambda state: _queueprogress(state))
    for result in report.results:
        _print_result(result)
    if not report.ok:
        print(f"not merged: {report.failed}")
        if report.queued:
            print(f"still queued: {', '.join(report.queued)}")
        queued = f"; still queued: {', '.join(report.queued)}" if report.queued else ""
        raise UsageError(f"merge queue stopped at {report.failed}: {report.error}{queued}")
    return 0


def _queueprogress(state: QueueState) -> None:
    merging = state.in_flight
    if len(merging) > 1:
        progress(f"{', '.join(merging)}: {state.step or 'merging'}…")
    elif merging:
        progress(f"{merging[0]}: merging…")


def _print_queue(ws: Workspace, as_json: bool) -> int:
    state = ws.queue_view()
    if as_json:
        print(json.dumps(state.as_json(), indent=2))
        return 0
    if not state.items:
        print("the merge queue is empty")
        return 0
    print("\n".join(queue_lines(state)))
    return 0


def queue_lines(state: QueueState) -> list[str]:
    """The queue as `merge --queue` prints it: a heading, the batch in flight, each item."""
    tasks = all(i.task for i in state.items)
    who = "the autopilot's refinery" if state.kind == REFINERY else \
        "the autopilot's merge queue" if tasks else "merge queue"
    batch = f", batch {state.batch}" if state.batch > 1 else ""
    runs = f", {plural(state.gate_runs, 'gate run')}" if state.gate_runs else ""
    now = f"running (pid {state.pid})" if state.running else "not running"
    lines = [f"{who}{batch}: {now}{runs}"]
    if state.in_flight:
        doing = f": {state.step}" if state.step else ""
        lines.append(f"in flight: {', '.join(state.in_flight)}{doing}")
    if state.culprit is not None:
        lines.append(f"culprit: {state.culprit.name}: {state.culprit.detail}")
    if state.stopped:
        lines.append(f"stopped: {state.stopped}")
    for item in state.items:
        task = f" ({item.task})" if item.task and not item.name.startswith(item.task) else ""
        detail = f"  {item.detail}" if item.detail else ""
        lines.append(f"  {QUEUE_MARK.get(item.state, '◌')} {item.name}{task} "
                     f"{item.state}{detail}")
    return lines


QUEUE_MARK = {QueueItemState.MERGED: "✓", QueueItemState.FAILED: "✗",
              QueueItemState.CULPRIT: "✗", QueueItemState.REBASE: "↻",
              QueueItemState.MERGING: "…", QueueItemState.INTERRUPTED: "!"}


def _print_gate_output(exc: GateFailed) -> None:
    """What the gate printed (its last lines), so the person sees why it failed."""
    lines = exc.gate.output.rstrip().splitlines()
    if lines:
        print(f"--- the gate's output (last {min(len(lines), 40)} lines) ---")
        print("\n".join(lines[-40:]))


def ask_rebase(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    text = ws.ask_to_rebase(args.name)
    print(f"asked {args.name} to rebase: {text}")
    return 0


def pr(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    if args.dry_run:
        plan = ws.pr_plan(args.name, args.remote, args.title)
        print(" ".join(plan.push_argv))
        print(f"gh pr create --base {plan.base} --head {plan.branch}")
        print(f"\n{plan.title}\n\n{plan.body}")
        return 0
    result = ws.create_pr(args.name, args.remote, args.title, draft=args.draft)
    print(result.url or result.output.strip())
    return 0

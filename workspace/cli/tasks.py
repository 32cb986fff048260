"""`workspace task ...`: file, list, show, edit, approve, cancel, retry and import tasks, and
what an agent reports about its own (`task done`, `task fail`). Scripts and agents use the
same verbs; `task add` prints the new id alone on stdout."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from workspace.cli.common import Parser, add_verb, open_workspace
from workspace.core.errors import UsageError

if TYPE_CHECKING:
    from workspace.cli.common import Subparsers
    from workspace.core.tasks.model import Task, TaskSpec

STATES = ("proposed", "queued", "running", "checking", "review", "merging", "merged",
          "failed", "cancelled")


def register(sub: Subparsers) -> None:
    task = add_verb(sub, "task", _no_verb, "tasks for the autopilot: add, ls, show, edit, "
                    "approve, cancel, retry, import, verdict, done, fail")
    verbs = task.add_subparsers(dest="task_verb", metavar="VERB", parser_class=Parser)

    p = add_verb(verbs, "add", add, "file a task; prints its id")
    p.add_argument("title")
    _spec_options(p, adding=True)
    p.add_argument("--json", action="store_true", help="print the task as JSON")

    p = add_verb(verbs, "ls", ls, "list tasks: state, dependencies, attempts, agent, cost")
    p.add_argument("--state", choices=STATES, help="only tasks in this state")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = add_verb(verbs, "show", show, "one task: its spec, attempts and check output tails")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")

    p = add_verb(verbs, "edit", edit, "change a task (only the options given)")
    p.add_argument("id")
    p.add_argument("--title")
    _spec_options(p, adding=False)

    for name, command, text in (
        ("approve", approve, "let a proposed task run, or merge a task in review"),
        ("cancel", cancel, "cancel a task (its agent and work are kept)"),
        ("retry", retry, "queue a failed or cancelled task again, with fresh attempts"),
        ("delete", delete, "take a proposed task out (reviewing a plan)"),
    ):
        add_verb(verbs, name, command, text).add_argument("id")

    p = add_verb(verbs, "import", import_, "file the tasks of a Markdown checklist or TOML file")
    p.add_argument("file")

    p = add_verb(verbs, "verdict", verdict, "(for a task's judge) approve or reject its work")
    p.add_argument("id", nargs="?", help="default: $WORKSPACE_TASK")
    p.add_argument("verdict", choices=("approve", "reject"))
    p.add_argument("--reason", required=True, help="why; a rejection's reason goes to the worker")

    p = add_verb(verbs, "done", done, "(for an agent) my task is done: run its check now")
    p.add_argument("id", nargs="?", help="default: $WORKSPACE_TASK")
    p = add_verb(verbs, "fail", fail, "(for an agent) I cannot do my task: say why")
    p.add_argument("id", nargs="?", help="default: $WORKSPACE_TASK")
    p.add_argument("--reason", required=True)


def _spec_options(p: Parser, adding: bool) -> None:
    prompt = p.add_mutually_exclusive_group()
    prompt.add_argument("--prompt", "-m", help="what to do, in words ('-' reads stdin)")
    prompt.add_argument("--prompt-file", help="read the prompt from a file ('-' = stdin)")
    p.add_argument("--after", action="append", default=None, metavar="ID",
                   help="run once this task is merged (repeat for several)")
    p.add_argument("--preset", "-p", help="which agent CLI (default: config default_preset)")
    p.add_argument("--base", "-b", help="branch to start from and merge into")
    p.add_argument("--check", help="a command run by your shell in the task's worktree when "
                   "the agent's turn ends; exit 0 = done")
    p.add_argument("--attempts", type=int, help="attempts before the task fails "
                   "(default: [tasks] attempts)")
    p.add_argument("--loop", choices=("continue", "fresh"),
                   help="after a failed check: tell the same session, or start afresh")
    p.add_argument("--merge", choices=("review", "auto"),
                   help="after the check passes: wait for review, or merge")
    p.add_argument("--budget", type=float, help="USD the task may spend")
    p.add_argument("--priority", type=int, help="higher starts first (default 0)")
    p.add_argument("--unattended", action=argparse.BooleanOptionalAction, default=None,
                   help="run the preset's own unattended flags (its unattended_args)")
    p.add_argument("--kind", choices=("work", "plan"), help="plan: a planner breaks this part "
                   "down into tasks of the same plan")
    judge = p.add_mutually_exclusive_group()
    judge.add_argument("--review", metavar="PRESET", help="after the check passes, an agent of "
                       "this preset judges the work (default: [tasks] review_preset)")
    judge.add_argument("--no-review", action="store_true", help="no judge for this task")


def _no_verb(args: argparse.Namespace) -> int:
    raise UsageError("say what to do with tasks: workspace task add|ls|show|edit|approve|"
                     "cancel|retry|import|done|fail (see 'workspace task --help')")


def _prompt(args: argparse.Namespace) -> str | None:
    if args.prompt_file:
        if args.prompt_file == "-":
            return sys.stdin.read()
        try:
            return Path(args.prompt_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the prompt file {args.prompt_file}: {exc}") from None
    if args.prompt == "-":
        return sys.stdin.read()
    return None if args.prompt is None else str(args.prompt)


def _changes(args: argparse.Namespace) -> dict[str, object]:
    from workspace.core.tasks.model import LoopMode, MergeMode

    out: dict[str, object] = {}
    prompt = _prompt(args)
    if prompt is not None:
        out["prompt"] = prompt
    if getattr(args, "title", None) is not None:
        out["title"] = args.title
    simple = {"preset": "preset", "base": "base", "check": "check", "attempts": "max_attempts",
              "budget": "budget_usd", "priority": "priority", "unattended": "unattended",
              "kind": "kind"}
    for option, field in simple.items():
        value = getattr(args, option)
        if value is not None:
            out[field] = value
    if args.after is not None:
        out["after"] = tuple(args.after)
    if args.no_review:
        out["review"] = ""
    elif args.review is not None:
        out["review"] = args.review
    if args.loop:
        out["loop"] = LoopMode(args.loop)
    if args.merge:
        out["merge"] = MergeMode(args.merge)
    return out


def add(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from workspace.core.tasks.model import LoopMode, MergeMode, TaskSpec

    ws = open_workspace(args)
    defaults = ws.settings.tasks
    spec: TaskSpec = TaskSpec(title=args.title, max_attempts=defaults.attempts,
                              loop=LoopMode(defaults.loop), merge=MergeMode(defaults.merge))
    spec = replace(spec, **_changes(args))  # type: ignore[arg-type]
    task = ws.add_task(spec)
    print(json.dumps(task.as_json()) if args.json else task.id)
    return 0


def edit(args: argparse.Namespace) -> int:
    from dataclasses import replace

    ws = open_workspace(args)
    task = ws.task(args.id)
    changes = _changes(args)
    if not changes:
        raise UsageError("nothing to change: give an option, e.g. --check 'pytest -q'")
    edited = ws.edit_task(task.id, replace(task.spec, **changes))  # type: ignore[arg-type]
    print(f"edited {edited.id}")
    return 0


def _row(task: Task) -> str:
    from workspace.core import format as fmt

    after = ",".join(task.after) or "-"
    agent = task.agent or "-"
    cost = fmt.cost(task.cost_usd)
    return (f"{task.id:<5} {task.state:<9} {task.attempts_used}/{task.spec.max_attempts} "
            f"{cost:>6}  {task.title[:40]:<40}  after {after:<8} {agent:<24} {task.reason}")


def ls(args: argparse.Namespace) -> int:
    from workspace.core.tasks.model import TaskState

    ws = open_workspace(args)
    tasks = ws.tasks(TaskState(args.state) if args.state else None)
    if args.json:
        print(json.dumps([t.as_json() for t in tasks], indent=2))
        return 0
    if not tasks:
        print("no tasks" + (f" {args.state}" if args.state else "") +
              "; add one with: workspace task add TITLE --check CMD", file=sys.stderr)
        return 0
    for task in tasks:
        print(_row(task).rstrip())
    return 0


def show(args: argparse.Namespace) -> int:
    from workspace.core import format as fmt

    ws = open_workspace(args)
    task = ws.task(args.id)
    if args.json:
        data = {**task.as_json(), "prompt": task.spec.prompt, "attempts": task.attempts_json(),
                "events": [{"at": at, "kind": kind, "detail": detail}
                           for _, _, at, kind, detail in ws.task_events(task.id)]}
        print(json.dumps(data, indent=2))
        return 0
    s = task.spec
    print(f"{task.id}  {task.title}\n  state: {task.state}" +
          (f" ({task.reason})" if task.reason else ""))
    print(f"  preset: {s.preset or ws.settings.workspace.default_preset}   base: "
          f"{s.base or 'the main checkout branch'}   after: {', '.join(s.after) or '-'}")
    print(f"  check: {s.check or '(none: the turn ending is done)'}")
    print(f"  attempts: {task.attempts_used} of {s.max_attempts}   loop: {s.loop}   "
          f"merge: {s.merge}   cost: {fmt.cost(task.cost_usd)}   filed by {task.created_by}")
    if s.prompt:
        print("  prompt:\n" + "\n".join(f"    {line}" for line in s.prompt.splitlines()))
    for a in task.attempts:
        when = time.strftime("%H:%M:%S", time.localtime(a.started_at))
        outcome = a.outcome or "under way"
        code = "" if a.check_exit is None else f", check exit {a.check_exit}"
        print(f"  attempt {a.number} ({a.agent}, {when}): {outcome}{code}, "
              f"cost {fmt.cost(a.cost_usd)}" + (f": {a.note}" if a.note else ""))
        tail = a.check_tail.strip().splitlines()[-8:]
        for line in tail:
            print(f"      | {line}")
    return 0


def approve(args: argparse.Namespace) -> int:
    task = open_workspace(args).approve_task(args.id)
    print(f"{task.id} is {task.state}" + (f": {task.reason}" if task.reason else ""))
    return 0


def cancel(args: argparse.Namespace) -> int:
    task = open_workspace(args).cancel_task(args.id)
    print(f"{task.id} is {task.state}: {task.reason}")
    return 0


def retry(args: argparse.Namespace) -> int:
    task = open_workspace(args).retry_task(args.id)
    print(f"{task.id} is {task.state} again")
    return 0


def delete(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    task = ws.task(args.id)
    ws.delete_task(task.id)
    print(f"deleted {task.id}")
    return 0


def import_(args: argparse.Namespace) -> int:
    from workspace.core import format as fmt

    tasks = open_workspace(args).import_tasks(Path(args.file))
    for task in tasks:
        print(task.id)
    print(f"filed {fmt.plural(len(tasks), 'task')}", file=sys.stderr)
    return 0


def verdict(args: argparse.Namespace) -> int:
    task = open_workspace(args).give_verdict(args.id, args.verdict, args.reason)
    print(f"{task.id}: {args.verdict} recorded")
    return 0


def done(args: argparse.Namespace) -> int:
    task = open_workspace(args).report_done(args.id)
    print(f"{task.id}: done reported; its check runs next")
    return 0


def fail(args: argparse.Namespace) -> int:
    task = open_workspace(args).report_fail(args.id, args.reason)
    print(f"{task.id}: failure reported")
    return 0

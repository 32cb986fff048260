"""How a task reads in the Tasks view and the plan review: its state's style, and the
detail pane (spec, agent, plan, verdict, attempts, the last check's output, the prompt)."""

from __future__ import annotations

from rich.text import Text

from workspace.core import format as fmt
from workspace.core.tasks.model import Task, TaskState

STYLE = {TaskState.PROPOSED: "bold yellow", TaskState.REVIEW: "bold cyan",
         TaskState.FAILED: "bold red", TaskState.RUNNING: "green", TaskState.CHECKING: "green",
         TaskState.MERGING: "green", TaskState.MERGED: "dim", TaskState.CANCELLED: "dim"}


def describe(task: Task | None) -> Text:
    """The selected task, for the detail pane: spec, agent, attempts, the last check's end."""
    if task is None:
        return Text("Select a task to see its attempts and check output.", "dim")
    s = task.spec
    out = Text()
    out.append(f"{task.id}  {task.title}\n", "bold")
    out.append(f"{task.state}", STYLE.get(task.state, ""))
    out.append(f"  {task.reason}\n" if task.reason else "\n")
    out.append(f"check: {s.check or '(none: the turn ending is done)'}\n")
    out.append(f"after: {', '.join(s.after) or '—'}   preset: {s.preset or 'default'}   "
               f"loop: {s.loop}   merge: {s.merge}   attempts: {task.attempts_used} of "
               f"{s.max_attempts}   cost: {fmt.cost(task.cost_usd)}   by {task.created_by}\n")
    if task.agent:
        out.append(f"agent: {task.agent} (enter jumps to it)\n")
    if task.plan:
        out.append(f"plan: {task.plan} (p opens it)\n")
    verdict = task.verdict
    if verdict:
        out.append(f"judge {verdict['reviewer']}: {verdict['verdict']} ({verdict['reason']})\n",
                   "green" if verdict["verdict"] == "approve" else "yellow")
    for a in task.attempts:
        code = "" if a.check_exit is None else f" exit {a.check_exit}"
        out.append(f"  attempt {a.number}: {a.outcome or 'under way'}{code}  "
                   f"{fmt.cost(a.cost_usd)}" + (f"  {a.note}" if a.note else "") + "\n",
                   "green" if a.outcome == "passed" else "")
    last = next((a for a in reversed(task.attempts) if a.check_tail.strip()), None)
    if last is not None:
        out.append(f"last check output (attempt {last.number}):\n", "bold")
        for line in last.check_tail.strip().splitlines()[-15:]:
            out.append(f"  {line}\n", "dim")
    if s.prompt:
        out.append("prompt:\n", "bold")
        out.append(s.prompt.strip()[:2000] + "\n")
    return out

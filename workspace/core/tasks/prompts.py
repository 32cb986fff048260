"""What the autopilot says to an agent working on a task: its first prompt, a fresh
attempt's prompt, the message after a failed check, a nudge. Deterministic text built from
the task and its record; nothing here decides anything."""

from __future__ import annotations

from workspace.core.tasks.model import Attempt, Task

TAIL_SHOWN = 4000
"""Characters of a check's output put in a prompt or message (its end: where failures are)."""


def _tail(text: str) -> str:
    text = text.strip("\n")
    return text if len(text) <= TAIL_SHOWN else "…" + text[-TAIL_SHOWN:]


def _how_to_report(task: Task, progress_file: str) -> str:
    check = (f"When you think it is done, end your turn: the check `{task.spec.check}` is run "
             "in your worktree and decides (exit 0 = done)."
             if task.spec.check else "When it is done, end your turn.")
    return (f"{check}\n"
            f"If you cannot do it, run `workspace task fail {task.id} --reason \"why\"`. "
            f"Notes for a later attempt (what you tried, what is left) go in {progress_file}; "
            "that file is not part of your work and is never merged.")


def first_prompt(task: Task, progress_file: str) -> str:
    body = task.spec.prompt.strip() or task.title
    return (f"Task {task.id}: {task.title}\n\n{body}\n\n{_how_to_report(task, progress_file)}\n")


def _check_failed(task: Task, attempt: Attempt) -> str:
    """What went wrong: the attempt's note when it says (a gate, a timeout, the agent's own
    report), else the check's exit code; then the end of the output."""
    if attempt.note:
        headline = attempt.note
    elif attempt.check_exit is not None:
        headline = f"The check `{task.spec.check}` failed with exit code {attempt.check_exit}"
    else:
        headline = f"The check `{task.spec.check}` did not finish"
    shown = _tail(attempt.check_tail)
    return f"{headline}. Its output ends with:\n\n```\n{shown}\n```" if shown else \
        f"{headline}."


def fresh_prompt(task: Task, last: Attempt, progress_note: str, progress_file: str) -> str:
    """A new attempt with fresh context: the task, what went wrong last time, and the
    agent's own note."""
    body = task.spec.prompt.strip() or task.title
    number = last.number + 1
    note = (f"\n\nYour progress note from earlier attempts ({progress_file}):\n\n"
            f"{_tail(progress_note)}" if progress_note.strip() else "")
    return (f"Task {task.id}: {task.title} (attempt {number} of {task.spec.max_attempts}; "
            "your worktree holds what the earlier attempts did)\n\n"
            f"{body}\n\nLast attempt: {_check_failed(task, last)}{note}\n\n"
            f"{_how_to_report(task, progress_file)}\n")


def continue_message(task: Task, last: Attempt) -> str:
    """After a failed check, to the same session."""
    return (f"{_check_failed(task, last)}\n\nPlease fix it and finish task {task.id} "
            f"(attempt {last.number + 1} of {task.spec.max_attempts}); end your turn when "
            "done.")


def nudge_message(task: Task) -> str:
    return (f"You have been quiet for a while on task {task.id}. If something blocks you, say "
            f"what and end your turn, or run `workspace task fail {task.id} --reason \"why\"`.")


def judge_prompt(task: Task, attempt: Attempt, base: str, changes: str) -> str:
    """For the reviewer agent: the spec, what changed, the check's result, and how to answer.
    Its worktree is a copy of the worker's at the end of the attempt; nothing it does there is
    merged."""
    shown = _tail(attempt.check_tail)
    check = (f"The check `{task.spec.check}` passed." if task.spec.check else
             "The task has no check of its own.")
    output = f" Its output ends with:\n\n```\n{shown}\n```" if shown else ""
    return (f"You review task {task.id}: {task.title}\n\n"
            f"The spec, as the worker was given it:\n\n{task.spec.prompt.strip() or task.title}"
            f"\n\nYour worktree holds the worker's work (attempt {attempt.number}); compare it "
            f"with `git diff {base}...HEAD` and read what you need. Changes: {changes}\n\n"
            f"{check}{output}\n\n"
            "Judge whether it does what the spec asks, correctly and completely. Then answer, "
            f"once, with `workspace task verdict {task.id} approve --reason \"...\"` or "
            f"`workspace task verdict {task.id} reject --reason \"what is wrong, what to "
            "change\"`, and end your turn. Your reason for a rejection is what the worker gets.\n")


def planner_prompt(goal: str, plan_id: str, part: Task | None = None) -> str:
    """For a planner agent: explore, then file the plan's tasks with the CLI. `part`: the task
    a sub-planner plans (its prompt is the part of the goal it breaks down)."""
    what = (f"You plan part of plan {plan_id}: task {part.id}, {part.title}.\n\n"
            f"{part.spec.prompt.strip() or part.title}" if part else
            f"You plan the work for this goal (plan {plan_id}):\n\n{goal.strip()}")
    return (f"{what}\n\n"
            "Explore the repository first; change nothing. Then file the tasks that reach the "
            "goal, each small enough for one agent, with `workspace task add` from your shell "
            "(each prints its id):\n\n"
            "    workspace task add \"Title\" --prompt \"what to do, precisely\" "
            "--check \"a command that exits 0 when it is done\" [--after ID]... "
            "[--preset P] [--kind plan]\n\n"
            "Give every task a check that really proves it done (a test, a build, a grep). "
            "Use --after for what must be merged first. A part too big to plan now can be "
            "filed with --kind plan: a planner of its own breaks it down later. "
            "The tasks you file are proposed: the person reviews the plan as a whole before "
            "anything runs, and may ask you to change it. When you have filed them all, say "
            "so and end your turn.\n")


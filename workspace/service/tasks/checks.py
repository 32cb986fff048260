"""Running a task's check: the person's own command line, by their shell, in the task's
worktree, with the task's id in WORKSPACE_TASK; nothing of the task's text is put into it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters import runner
from workspace.core.tasks.model import Task
from workspace.service.tasks.board import check_shell

Say = Callable[[str], None]
"""How the autopilot says what it did (the foreground autopilot prints it)."""
TAIL_KEPT = 8000
"""Characters of the check's output kept with the attempt (its end)."""


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    exit_code: int | None
    tail: str
    note: str = ""
    """Why it has no exit code (timed out, could not start)."""


def run_check(task: Task, worktree: Path, timeout: float) -> CheckResult:
    if not task.spec.check:
        return CheckResult(True, 0, "", "no check: the turn ending is done")
    result = runner.run_command([check_shell(), "-c", task.spec.check], worktree, timeout,
                                env={"WORKSPACE_TASK": task.id})
    tail = result.output[-TAIL_KEPT:]
    if result.ok:
        return CheckResult(True, 0, tail)
    note = ""
    if result.timed_out:
        note = f"The check `{task.spec.check}` did not finish within {timeout:g}s"
    elif result.missing:
        note = f"The check could not be run ({result.output.strip()})"
    return CheckResult(False, result.returncode, tail, note)

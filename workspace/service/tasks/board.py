"""The task board: filing, editing, approving, cancelling and retrying tasks, and what agents
report about their own task. Every change is one transaction in the store; the autopilot
(autopilot.py) is what turns tasks into agents."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

from workspace.core.errors import UsageError
from workspace.core.tasks.graph import check_after, normalize_id, waiting_note
from workspace.core.tasks.importer import parse_markdown, parse_toml, resolve_refs
from workspace.core.tasks.model import Outcome, PlanState, Task, TaskSpec, TaskState
from workspace.core.text import one_line
from workspace.core.usage import check_budget
from workspace.service.context import Context

PERSON = "person"
JUDGE = "judge"


def refuse_judge(what: str) -> None:
    """A task's judge reviews; it never changes base or approves work, whatever it runs."""
    if os.environ.get("WORKSPACE_ROLE") == JUDGE:
        raise UsageError(f"a judge cannot {what}; answer with 'workspace task verdict ID "
                         "approve|reject --reason TEXT'")
SHELL_WORDS = frozenset({"cd", "test", "[", "true", "false", "exit", "export", "set", ".",
                         "source", "command", "exec", "env", "!"})


def check_shell() -> str:
    """The person's shell runs checks (a check is their own command line)."""
    shell = os.environ.get("SHELL", "")
    return shell if shell and Path(shell).is_absolute() else "/bin/sh"


class TaskBoard:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- reading --------------------------------------------------------------------------

    def get(self, task_id: str) -> Task:
        wanted = normalize_id(task_id)
        found = self.ctx.store.tasks.get(wanted)
        if found is None:
            known = [t.id for t in self.ctx.store.tasks.all()]
            shown = ", ".join(known[-8:]) if known else "there are no tasks yet"
            raise UsageError(f"no task {wanted!r} ({shown}); see 'workspace task ls'")
        return self._noted([found], {t.id: t for t in self.ctx.store.tasks.all()})[0]

    def all(self, state: TaskState | None = None) -> list[Task]:
        every = self.ctx.store.tasks.all()
        noted = self._noted(every, {t.id: t for t in every})
        return [t for t in noted if state is None or t.state == state]

    @staticmethod
    def _noted(tasks: list[Task], by_id: dict[str, Task]) -> list[Task]:
        """Queued tasks say what they wait on (computed, so it is never stale)."""
        out = []
        for task in tasks:
            if task.state == TaskState.QUEUED:
                task = replace(task, reason=waiting_note(task, by_id) or task.reason)
            out.append(task)
        return out

    # -- filing ---------------------------------------------------------------------------

    def add(self, spec: TaskSpec, *, created_by: str | None = None,
            plan: str | None = None) -> Task:
        """File a task. A person's task is queued; one filed by an agent (WORKSPACE_AGENT is
        set in its environment) is proposed until the person approves it, since its check is
        a command the person has not seen."""
        by = created_by or os.environ.get("WORKSPACE_AGENT") or PERSON
        spec = self._checked(None, spec)
        if spec.kind not in ("work", "plan"):
            raise UsageError(f"--kind is work or plan, not {spec.kind!r}")
        plan = plan or self._plan_of_filer()
        return self.ctx.store.tasks.add(spec, self._first_state(by, plan), by, plan)

    def _plan_of_filer(self) -> str | None:
        """A planner files into its plan (WORKSPACE_PLAN); a task's agent into its task's."""
        if os.environ.get("WORKSPACE_PLAN"):
            return os.environ["WORKSPACE_PLAN"]
        filing = self.ctx.store.tasks.get(os.environ.get("WORKSPACE_TASK", ""))
        return filing.plan if filing is not None else None

    def _first_state(self, by: str, plan_id: str | None) -> TaskState:
        plan = self.ctx.store.tasks.plan(plan_id) if plan_id else None
        approved = plan is not None and plan.state == PlanState.APPROVED
        if by == PERSON:
            # Into a plan under review, a person's task is part of what is reviewed.
            return TaskState.QUEUED if plan is None or approved else TaskState.PROPOSED
        filing = self.ctx.store.tasks.get(os.environ.get("WORKSPACE_TASK", ""))
        sub_planner = filing is not None and filing.spec.kind == "plan"
        if plan is not None and approved and plan.auto_subplans and sub_planner:
            return TaskState.QUEUED  # the person allowed a sub-planner's tasks to run at once
        return TaskState.PROPOSED

    def _edges(self) -> dict[str, tuple[str, ...]]:
        return {t.id: t.after for t in self.ctx.store.tasks.all()}

    def _checked(self, task_id: str | None, spec: TaskSpec) -> TaskSpec:
        """The spec with its `after` resolved, or a UsageError for anything wrong in it."""
        title = one_line(spec.title)
        if not title:
            raise UsageError("a task needs a title: workspace task add 'Add a login form'")
        if spec.preset is not None:
            self.ctx.preset(spec.preset)
        if spec.base is not None and not self.ctx.repo.branch_exists(spec.base):
            raise UsageError(f"base branch {spec.base!r} does not exist; pass --base with an "
                             "existing branch")
        if spec.max_attempts < 1:
            raise UsageError("--attempts must be 1 or more")
        check_budget(spec.budget_usd)
        if spec.check:
            self._check_runnable(spec.check)
        if spec.review:
            self.ctx.preset(spec.review)
        after = check_after(task_id, spec.after, self._edges())
        return replace(spec, title=title, after=after)

    def _check_runnable(self, check: str) -> None:
        """A check that cannot run fails every attempt: say so when it is filed."""
        shell = check_shell()
        syntax = subprocess.run([shell, "-n", "-c", check], capture_output=True, text=True,
                                check=False)
        if syntax.returncode != 0:
            why = (syntax.stderr.strip().splitlines() or ["syntax error"])[-1]
            raise UsageError(f"the check {check!r} is not a valid command line ({why})")
        try:
            words = shlex.split(check)
        except ValueError as exc:
            raise UsageError(f"the check {check!r} is not a valid command line ({exc})") from None
        first = next((w for w in words if "=" not in w), "")
        if not first or first in SHELL_WORDS or "/" in first:
            return  # a builtin, or a path the worktree may hold once the agent made it
        if shutil.which(first) is None:
            raise UsageError(f"the check's program {first!r} is not on PATH; install it or give "
                             "the check as a path")

    def edit(self, task_id: str, spec: TaskSpec) -> Task:
        task = self.get(task_id)
        if task.state.ended:
            raise UsageError(f"{task.id} is {task.state}; 'workspace task retry {task.id}' "
                             "to work on it again")
        checked = self._checked(task.id, spec)
        self.ctx.store.tasks.update(task.id, spec=checked, event="edited")
        return self.get(task.id)

    def import_file(self, path: Path) -> list[Task]:
        """File every task of a Markdown checklist or a TOML file, all or none."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {path}: {exc}") from None
        filed = parse_toml(text, str(path)) if path.suffix == ".toml" else \
            parse_markdown(text, str(path))
        resolved = resolve_refs(filed, {t.id for t in self.ctx.store.tasks.all()})
        # Check every spec before filing any, then file in order (later ones refer to earlier).
        for spec, refs in resolved:
            self._checked(None, replace(spec, after=tuple(r for r in refs if r[0] != "@")))
        made: list[Task] = []
        with self.ctx.store.transaction():
            for spec, refs in resolved:
                after = tuple(made[int(r[1:])].id if r[0] == "@" else r for r in refs)
                made.append(self.add(replace(spec, after=after)))
        return made

    # -- the person's decisions -----------------------------------------------------------

    def approve(self, task_id: str) -> Task:
        """A proposed task may run (queued); a task in review may merge (merging)."""
        refuse_judge("approve a task")
        task = self.get(task_id)
        if task.state == TaskState.PROPOSED:
            self.ctx.store.tasks.update(task.id, state=TaskState.QUEUED, reason="",
                                        event="approved")
        elif task.state == TaskState.REVIEW:
            self.ctx.store.tasks.update(task.id, state=TaskState.MERGING,
                                        reason="approved; merging", event="approved")
        else:
            raise UsageError(f"{task.id} is {task.state}: only a proposed task (to run) or one "
                             "in review (to merge) can be approved")
        return self.get(task.id)

    def delete(self, task_id: str) -> None:
        """Take a proposed task out (reviewing a plan); nothing else may come after it."""
        task = self.get(task_id)
        if task.state != TaskState.PROPOSED:
            raise UsageError(f"{task.id} is {task.state}: only a proposed task can be deleted "
                             f"(cancel it instead: workspace task cancel {task.id})")
        after = [t.id for t in self.ctx.store.tasks.all() if task.id in t.after]
        if after:
            raise UsageError(f"{', '.join(after)} come{'s' if len(after) == 1 else ''} after "
                             f"{task.id}; edit or delete {'it' if len(after) == 1 else 'them'} "
                             "first")
        self.ctx.store.tasks.delete(task.id)

    def cancel(self, task_id: str) -> Task:
        task = self.get(task_id)
        if task.state.ended:
            raise UsageError(f"{task.id} is already {task.state}")
        current = task.current
        if current is not None:
            self.ctx.store.tasks.put_attempt(task.id, replace(current, outcome=Outcome.CANCELLED))
        kept = f"; its agent {task.agent} keeps its worktree and branch (kill it with " \
               f"'workspace kill {task.agent}')" if task.agent else ""
        self.ctx.store.tasks.update(task.id, state=TaskState.CANCELLED,
                                    reason=f"cancelled by you{kept}", event="cancelled")
        return self.get(task.id)

    def retry(self, task_id: str) -> Task:
        """A failed or cancelled task, queued again with its attempts counted afresh."""
        task = self.get(task_id)
        if task.state not in (TaskState.FAILED, TaskState.CANCELLED):
            raise UsageError(f"{task.id} is {task.state}; only a failed or cancelled task can be "
                             "retried")
        self.ctx.store.tasks.update(task.id, state=TaskState.QUEUED, reason="",
                                    counted_from=len(task.attempts), event="retried")
        return self.get(task.id)

    # -- what an agent reports about its own task -----------------------------------------

    def report_done(self, task_id: str | None) -> Task:
        """The agent says it has finished: its check runs at the autopilot's next look."""
        task = self._own(task_id)
        current = task.current
        if current is None:
            raise UsageError(f"{task.id} has no attempt under way ({task.state})")
        self.ctx.store.tasks.put_attempt(task.id, replace(current, reported="done"),
                                         event="reported", detail="done")
        return self.get(task.id)

    def report_fail(self, task_id: str | None, reason: str) -> Task:
        """The agent says it cannot do it: the attempt fails with its reason, which the next
        attempt is told."""
        if not reason.strip():
            raise UsageError("say why: workspace task fail ID --reason 'what blocks it'")
        task = self._own(task_id)
        current = task.current
        if current is None:
            raise UsageError(f"{task.id} has no attempt under way ({task.state})")
        self.ctx.store.tasks.put_attempt(
            task.id, replace(current, reported="fail", note=f"The agent reported: {reason}"),
            event="reported", detail=f"fail: {reason}")
        return self.get(task.id)

    def verdict(self, task_id: str | None, verdict: str, reason: str) -> Task:
        """The judge's answer on a task whose check passed: approve or reject, with a reason
        (a rejection's reason is what the worker is told). Only its judge, or the person,
        may give it."""
        if verdict not in ("approve", "reject"):
            raise UsageError(f"the verdict is approve or reject, not {verdict!r}")
        if not reason.strip():
            raise UsageError("say why: --reason 'what is right, or what to change'")
        wanted = task_id or os.environ.get("WORKSPACE_TASK", "")
        if not wanted:
            raise UsageError("which task? give its id (WORKSPACE_TASK is set for its judge)")
        task = self.get(wanted)
        current = task.current
        if task.state != TaskState.CHECKING or current is None or not current.reviewer:
            raise UsageError(f"{task.id} is not waiting for a verdict ({task.state})")
        by = os.environ.get("WORKSPACE_AGENT", "")
        if by and by != current.reviewer:
            raise UsageError(f"only {task.id}'s judge ({current.reviewer}) or you can give its "
                             f"verdict, not {by}")
        if current.verdict:
            raise UsageError(f"{task.id} already has a verdict ({current.verdict})")
        self.ctx.store.tasks.put_attempt(
            task.id, replace(current, verdict=verdict, verdict_reason=reason.strip()),
            event="verdict", detail=f"{verdict}: {reason.strip()}")
        return self.get(task.id)

    def _own(self, task_id: str | None) -> Task:
        wanted = task_id or os.environ.get("WORKSPACE_TASK", "")
        if not wanted:
            raise UsageError("which task? give its id, or run this from the task's agent "
                             "(WORKSPACE_TASK is set there)")
        task = self.get(wanted)
        if task.state not in (TaskState.RUNNING, TaskState.CHECKING):
            raise UsageError(f"{task.id} is {task.state}; nothing to report")
        return task

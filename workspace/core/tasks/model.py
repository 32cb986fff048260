"""Tasks: units of work the autopilot turns into agents, checks, loops and merges. Pure data.

A task is worked by one agent at a time (its own branch and worktree, kept across attempts);
each attempt is recorded with its cost, the check's exit code and output tail, and the tree
of the worktree when it was checked (the no-progress breaker compares them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class TaskState(StrEnum):
    PROPOSED = "proposed"
    """Filed (by an agent or a planner) and waiting for the person's approval to run."""
    QUEUED = "queued"
    RUNNING = "running"
    CHECKING = "checking"
    REVIEW = "review"
    """The check passed; waiting for the person (or the judge) before merging."""
    MERGING = "merging"
    MERGED = "merged"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def ended(self) -> bool:
        return self in (TaskState.MERGED, TaskState.FAILED, TaskState.CANCELLED)

    @property
    def active(self) -> bool:
        """An agent works on it, or the autopilot acts on it, right now."""
        return self in (TaskState.RUNNING, TaskState.CHECKING, TaskState.MERGING)

    @property
    def live(self) -> bool:
        """The autopilot acts on it now or may start it (queued): what its tick reads."""
        return self == TaskState.QUEUED or self.active


class LoopMode(StrEnum):
    CONTINUE = "continue"
    """Send the agent the check's output and ask it to finish (same session)."""
    FRESH = "fresh"
    """Start the agent again with fresh context (a Ralph loop): the task's prompt, the last
    check's output and the agent's own progress note."""


class MergeMode(StrEnum):
    REVIEW = "review"
    """Wait in `review` for the person to approve the merge."""
    AUTO = "auto"
    """Merge through the merge queue (gate, strategy) as soon as the check passes."""


class Outcome(StrEnum):
    """How an attempt ended."""

    PASSED = "passed"
    FAILED = "failed"
    """The check failed (or the agent reported failure)."""
    NO_PROGRESS = "no_progress"
    """Same tree and the same failure as the attempt before."""
    GATE_FAILED = "gate_failed"
    REJECTED = "rejected"
    """The check passed; the judge (a reviewer agent) rejected it, with a reason."""
    CONFLICT = "conflict"
    """Its work conflicted with base when it was to merge."""
    CANCELLED = "cancelled"


# Why a task ended `failed` (the reason's first words; the rest says which).
ATTEMPTS_USED_UP = "attempts used up"
NO_PROGRESS = "no progress"
BUDGET = "budget"
CONFLICT_UNRESOLVED = "conflict not resolved"


@dataclass(frozen=True)
class Attempt:
    number: int
    agent: str
    started_at: float
    ended_at: float | None = None
    cost_usd: float | None = None
    """Spent during this attempt (the agent's cost at its end minus at its start)."""
    check_exit: int | None = None
    """The check's exit code; None when it was not run, timed out or could not start."""
    check_tail: str = ""
    """The end of what the check printed."""
    tree: str | None = None
    """The worktree's tree id (uncommitted work included) when it was checked."""
    outcome: Outcome | None = None
    note: str = ""
    cost_at_start: float = 0.0
    """The agent's total cost when the attempt started (to tell this attempt's share)."""
    launched: bool = False
    """The agent was started (or sent its message) for this attempt: a missing agent then
    means it was killed, not that the autopilot died before starting it."""
    seen_busy: bool = False
    """The agent was seen working during this attempt (its turn began)."""
    restarts: int = 0
    """Times the autopilot restarted it after a crash during this attempt."""
    nudged: bool = False
    """The autopilot sent its one nudge while it looked stuck."""
    reported: str = ""
    """What the agent said of its own attempt (`workspace task done` / `fail`): "done",
    "fail", or ""."""
    reviewer: str = ""
    """The judge's agent, once the check passed and the task has a review preset."""
    review_started_at: float = 0.0
    verdict: str = ""
    """The judge's answer: "approve", "reject", or "" (none yet)."""
    verdict_reason: str = ""

    @property
    def done(self) -> bool:
        return self.outcome is not None

    def same_failure(self, other: Attempt) -> bool:
        """Failed the same way on the same tree: nothing changed between the two."""
        return (self.tree is not None and self.tree == other.tree
                and self.check_exit == other.check_exit and self.check_tail == other.check_tail)


@dataclass(frozen=True)
class TaskSpec:
    """What a person (or an agent) says when filing a task; the rest is the task's life."""

    title: str
    prompt: str = ""
    after: tuple[str, ...] = ()
    preset: str | None = None
    """None: the workspace's default preset."""
    base: str | None = None
    """None: the main checkout's branch when the task starts."""
    check: str = ""
    """A command line run by the person's shell in the task's worktree; exit 0 = done.
    Empty: the first turn that ends is done."""
    max_attempts: int = 3
    loop: LoopMode = LoopMode.CONTINUE
    merge: MergeMode = MergeMode.REVIEW
    budget_usd: float | None = None
    priority: int = 0
    unattended: bool = False
    """Run the preset's own unattended flags (its `unattended_args`), opted into per task."""
    review: str | None = None
    """The judge's preset: None for [tasks] review_preset, "" for no judge."""
    kind: str = "work"
    """"work", or "plan": worked by a planner that files the tasks of this part of a plan."""


@dataclass(frozen=True)
class Task:
    id: str
    spec: TaskSpec
    state: TaskState
    created_by: str
    """"person", or the name of the agent that filed it."""
    created_at: float
    updated_at: float
    reason: str = ""
    """Why it is in its state (failed: the reason; queued: what it waits on)."""
    agent: str | None = None
    """The agent working on it now, or the last one that did."""
    plan: str | None = None
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)
    counted_from: int = 0
    """Attempts before this index do not count against max_attempts (`task retry`)."""

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def after(self) -> tuple[str, ...]:
        return self.spec.after

    @property
    def current(self) -> Attempt | None:
        """The attempt under way (started, not ended)."""
        last = self.attempts[-1] if self.attempts else None
        return last if last is not None and not last.done else None

    @property
    def last_done(self) -> Attempt | None:
        """The last attempt that has ended."""
        return next((a for a in reversed(self.attempts) if a.done), None)

    @property
    def counted(self) -> tuple[Attempt, ...]:
        """The attempts since the last retry that count (not cancelled ones)."""
        return tuple(a for a in self.attempts[self.counted_from:]
                     if a.outcome != Outcome.CANCELLED)

    @property
    def attempts_used(self) -> int:
        return len(self.counted)

    @property
    def cost_usd(self) -> float | None:
        costs = [a.cost_usd for a in self.attempts if a.cost_usd is not None]
        return sum(costs) if costs else None

    def as_json(self) -> dict[str, object]:
        """The object `workspace task ls --json` prints."""
        s = self.spec
        return {
            "id": self.id, "title": s.title, "state": str(self.state), "reason": self.reason,
            "after": list(s.after), "preset": s.preset, "base": s.base, "agent": self.agent,
            "attempts": self.attempts_used, "max_attempts": s.max_attempts, "check": s.check,
            "loop": str(s.loop), "merge": str(s.merge), "budget_usd": s.budget_usd,
            "priority": s.priority, "unattended": s.unattended, "review": s.review,
            "kind": s.kind, "verdict": self.verdict, "cost_usd": self.cost_usd,
            "created_by": self.created_by, "plan": self.plan, "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    @property
    def verdict(self) -> dict[str, str] | None:
        """The judge's last verdict on this task: {verdict, reason, reviewer}."""
        judged = next((a for a in reversed(self.attempts) if a.verdict), None)
        if judged is None:
            return None
        return {"verdict": judged.verdict, "reason": judged.verdict_reason,
                "reviewer": judged.reviewer, "attempt": str(judged.number)}

    def attempts_json(self) -> list[dict[str, object]]:
        return [{"number": a.number, "agent": a.agent, "started_at": a.started_at,
                 "ended_at": a.ended_at, "cost_usd": a.cost_usd, "check_exit": a.check_exit,
                 "check_tail": a.check_tail, "tree": a.tree,
                 "outcome": str(a.outcome) if a.outcome else None, "note": a.note,
                 "reviewer": a.reviewer or None, "verdict": a.verdict or None,
                 "verdict_reason": a.verdict_reason or None}
                for a in self.attempts]


class PlanState(StrEnum):
    PLANNING = "planning"
    """Its planner is filing tasks."""
    PROPOSED = "proposed"
    """Its planner has finished its turn: the plan waits for the person's approval."""
    APPROVED = "approved"
    DONE = "done"
    """Approved, and every task of it merged, failed or cancelled."""
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Plan:
    id: str
    goal: str
    state: PlanState
    """As recorded: planning until approved or cancelled (see `PlanView` for the rest)."""
    preset: str | None
    agent: str | None
    """Its planner agent."""
    created_at: float
    updated_at: float
    auto_subplans: bool = False
    """Tasks that its sub-planners file are queued at once (the person allowed it)."""


def plan_state(plan: Plan, tasks: list[Task], planner_busy: bool) -> PlanState:
    """The plan's state as a person reads it: planning while its planner works, proposed
    once it stops, done once approved and every task ended."""
    if plan.state in (PlanState.CANCELLED,):
        return plan.state
    if plan.state == PlanState.APPROVED:
        ended = bool(tasks) and all(t.state.ended for t in tasks)
        return PlanState.DONE if ended else PlanState.APPROVED
    return PlanState.PLANNING if planner_busy else PlanState.PROPOSED


def plan_summary(tasks: list[Task]) -> str:
    """Which tasks merged, failed and were cancelled, with cost and attempts."""
    by_state: dict[str, list[str]] = {}
    for task in tasks:
        by_state.setdefault(str(task.state), []).append(task.id)
    costs = [t.cost_usd for t in tasks if t.cost_usd is not None]
    attempts = sum(t.attempts_used for t in tasks)
    parts = [f"{state} {', '.join(ids)}" for state, ids in by_state.items()]
    cost = f"${sum(costs):.2f}" if costs else "cost unknown"
    return f"{'; '.join(parts) or 'no tasks'} · {attempts} attempts · {cost}"


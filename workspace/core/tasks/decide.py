"""The autopilot's decisions, as a pure function of what is recorded and seen: which tasks
to start, whose turn has ended (run its check), who needs a restart, a nudge, a pause or the
person, and what follows a check. The service carries them out, recording each decision
before it acts, so a killed autopilot picks up where it stopped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from workspace.core.agent import Status
from workspace.core.status import StatusState
from workspace.core.tasks.graph import ready
from workspace.core.tasks.model import (
    ATTEMPTS_USED_UP,
    BUDGET,
    NO_PROGRESS,
    Attempt,
    LoopMode,
    MergeMode,
    Task,
    TaskState,
)

SETTLE = 5.0
"""Seconds of a quiet screen, after it changed, that end a turn of an agent with no hooks."""


@dataclass(frozen=True)
class AgentView:
    """A task's agent as the autopilot sees it."""

    name: str
    preset: str
    status: Status
    state: StatusState
    cost_usd: float | None = None


@dataclass(frozen=True)
class Limits:
    max_agents: int = 5
    preset_caps: Mapping[str, int] = field(default_factory=dict)
    default_preset: str = "claude"
    daily_budget_usd: float | None = None
    spent_today_usd: float = 0.0
    crash_restarts: int = 2
    review_timeout: float = 900.0

    @property
    def over_daily_budget(self) -> bool:
        return self.daily_budget_usd is not None and self.spent_today_usd >= self.daily_budget_usd


@dataclass(frozen=True)
class Dispatch:
    task: str


@dataclass(frozen=True)
class RunCheck:
    task: str


@dataclass(frozen=True)
class Restart:
    task: str


@dataclass(frozen=True)
class Nudge:
    task: str


@dataclass(frozen=True)
class Pause:
    task: str
    reason: str


@dataclass(frozen=True)
class Note:
    """The task stays as it is; its reason says what it waits on (often: the person)."""

    task: str
    reason: str


@dataclass(frozen=True)
class Busy:
    """The agent's turn began: remember it (turn ends are told from it)."""

    task: str


@dataclass(frozen=True)
class Finish:
    task: str
    state: TaskState
    reason: str = ""


@dataclass(frozen=True)
class Merge:
    task: str


@dataclass(frozen=True)
class Judge:
    """Start the task's judge (its check passed and it has a review preset)."""

    task: str


@dataclass(frozen=True)
class Judged:
    """The judge answered: carry its verdict out."""

    task: str


Action = (Dispatch | RunCheck | Restart | Nudge | Pause | Note | Busy | Finish | Merge | Judge
          | Judged)


def turn_ended(state: StatusState, status: Status, attempt: Attempt, now: float) -> bool:
    """Has the agent finished the turn it was asked for (since the attempt started)?"""
    since = attempt.started_at
    if status == Status.EXITED:
        return True
    if status != Status.WAITING:
        return False
    if state.strong == Status.WAITING and state.strong_at > since:
        return True  # its hook or transcript said so, after we asked
    if state.pane == Status.WAITING and state.pane_since > since:
        return True
    if attempt.seen_busy:
        return True
    # No structured source, no change of what the screen shows: it changed and went quiet.
    return state.activity_at > since and now - state.activity_at >= SETTLE


def spent(task: Task, agent: AgentView | None) -> float:
    """What the task has cost so far, its running attempt included."""
    done = sum(a.cost_usd or 0.0 for a in task.attempts if a.done)
    current = task.current
    if current is not None and agent is not None and agent.cost_usd is not None:
        done += max(agent.cost_usd - current.cost_at_start, 0.0)
    return done


def decide(tasks: list[Task], agents: Mapping[str, AgentView], limits: Limits, now: float,
           in_flight: frozenset[str] = frozenset()) -> list[Action]:
    """Everything to do now. `agents`: the tasks' agents by name; `in_flight`: tasks this
    autopilot is already checking or merging."""
    actions: list[Action] = []
    active = [t for t in tasks if t.state.active]
    for task in active:
        if task.id in in_flight:
            continue
        actions.extend(_look_after(task, agents, limits, now))
    # Start what is ready, within the caps and budgets.
    if limits.over_daily_budget:
        return actions
    running = len(active)
    by_preset: dict[str, int] = {}
    for task in active:
        preset = task.spec.preset or limits.default_preset
        by_preset[preset] = by_preset.get(preset, 0) + 1
    for task in ready(tasks):
        if task.spec.budget_usd is not None and spent(task, None) >= task.spec.budget_usd:
            actions.append(Finish(task.id, TaskState.FAILED,
                                  f"{BUDGET}: ${spent(task, None):.2f} of "
                                  f"${task.spec.budget_usd:.2f} spent"))
            continue
        if running >= limits.max_agents:
            break
        preset = task.spec.preset or limits.default_preset
        cap = limits.preset_caps.get(preset)
        if cap is not None and by_preset.get(preset, 0) >= cap:
            continue
        actions.append(Dispatch(task.id))
        running += 1
        by_preset[preset] = by_preset.get(preset, 0) + 1
    return actions


def _judging(task: Task, attempt: Attempt, judge: AgentView | None, limits: Limits,
             now: float) -> list[Action]:
    """The check passed; a reviewer agent judges it and answers with `task verdict`."""
    if attempt.verdict:
        return [Judged(task.id)]
    if not attempt.review_started_at:
        return [Judge(task.id)]  # decided, not started yet (or the autopilot died meanwhile)
    yours = "; review it yourself (workspace task approve, or retry)"
    if judge is None:
        return [Finish(task.id, TaskState.REVIEW, f"its judge {attempt.reviewer} is gone{yours}")]
    if now - attempt.review_started_at > limits.review_timeout:
        return [Finish(task.id, TaskState.REVIEW,
                       f"its judge {judge.name} gave no verdict within "
                       f"{limits.review_timeout:g}s{yours}")]
    asked = Attempt(attempt.number, judge.name, attempt.review_started_at, launched=True)
    if judge.status == Status.CRASHED or turn_ended(judge.state, judge.status, asked, now):
        return [Finish(task.id, TaskState.REVIEW,
                       f"its judge {judge.name} ended without a verdict{yours}")]
    if judge.status == Status.NEEDS_PERMISSION:
        return [Note(task.id, f"its judge {judge.name} asks permission: "
                              f"{judge.state.reason or 'see its pane'}")]
    return []


def _look_after(task: Task, agents: Mapping[str, AgentView], limits: Limits,
                now: float) -> list[Action]:
    agent = agents.get(task.agent or "")
    if task.state == TaskState.MERGING:
        if agent is not None and agent.status == Status.MERGED:
            return [Finish(task.id, TaskState.MERGED)]
        return [Merge(task.id)]
    if task.state == TaskState.CHECKING:
        current = task.current
        if current is not None and current.reviewer:
            return _judging(task, current, agents.get(current.reviewer), limits, now)
        return [RunCheck(task.id)]  # a check whose autopilot died: run it again
    attempt = task.current
    if attempt is None or not attempt.launched:
        # Running with no attempt under way: start the next one; or one was decided and
        # never started (the autopilot died in between).
        return [Dispatch(task.id)]
    if attempt.reported:
        return [RunCheck(task.id)]  # the agent said it is done (or that it cannot)
    if agent is None:
        return [Finish(task.id, TaskState.FAILED,
                       f"its agent {task.agent} is gone (killed?); 'workspace task retry "
                       f"{task.id}' starts it again")]
    status = agent.status
    budget = task.spec.budget_usd
    if budget is not None and spent(task, agent) >= budget and status != Status.PAUSED:
        return [Pause(task.id, f"{BUDGET} ${budget:.2f} reached (spent "
                               f"${spent(task, agent):.2f})")]
    if limits.over_daily_budget and status not in (Status.PAUSED,) and not status.ended:
        return [Pause(task.id, f"the workspace's daily {BUDGET} "
                               f"${limits.daily_budget_usd:.2f} is reached")]
    if status == Status.MERGED:
        return [Finish(task.id, TaskState.MERGED, "merged by hand")]
    if status == Status.CRASHED:
        if attempt.restarts < limits.crash_restarts:
            return [Restart(task.id)]
        return [Note(task.id, f"{agent.name} crashed {attempt.restarts + 1} times: "
                              f"{agent.state.reason or 'see its pane'}; needs you")]
    if turn_ended(agent.state, status, attempt, now):
        return [RunCheck(task.id)]
    out: list[Action] = []
    if status in (Status.WORKING, Status.NEEDS_PERMISSION, Status.STUCK) \
            and not attempt.seen_busy:
        out.append(Busy(task.id))
    if status == Status.STUCK:
        out.append(Note(task.id, f"{agent.name} looks stuck; needs you") if attempt.nudged
                   else Nudge(task.id))
    elif status == Status.NEEDS_PERMISSION:
        out.append(Note(task.id, f"{agent.name} asks permission: "
                                 f"{agent.state.reason or 'see its pane'}"))
    elif status in (Status.ERROR, Status.RATE_LIMITED):
        out.append(Note(task.id, f"{agent.name}: {status.value.replace('_', ' ')}: "
                                 f"{agent.state.reason}"))
    return out


# -- after a check ----------------------------------------------------------------------


@dataclass(frozen=True)
class Next:
    """What follows a finished attempt: a state, and for a new attempt the loop mode."""

    state: TaskState
    reason: str = ""
    loop: LoopMode | None = None


def after_check(task: Task, attempt: Attempt, passed: bool) -> Next:
    """`attempt` is the one just checked (already ended, with its outcome). The no-progress
    breaker: a failure on the same tree, failing the same way as the attempt before, ends the
    task rather than trying again."""
    if passed:
        if task.spec.merge == MergeMode.AUTO:
            return Next(TaskState.MERGING)
        return Next(TaskState.REVIEW, "check passed; waiting for your review")
    earlier = [a for a in task.counted if a.done and a.number < attempt.number]
    if earlier and attempt.same_failure(earlier[-1]):
        return Next(TaskState.FAILED,
                    f"{NO_PROGRESS}: attempt {attempt.number} left the worktree as attempt "
                    f"{earlier[-1].number} did and failed the same way")
    used = 1 + len(earlier)
    if used >= task.spec.max_attempts:
        return Next(TaskState.FAILED, f"{ATTEMPTS_USED_UP} ({used} of {task.spec.max_attempts})")
    return Next(TaskState.RUNNING, f"attempt {used} failed; trying again", task.spec.loop)

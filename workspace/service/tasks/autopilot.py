"""The autopilot: deterministic code that keeps the fleet busy. Each tick it asks the pure
`decide()` what to do and does it: start ready tasks as agents, run checks when turns end,
loop failed attempts (continue or fresh), restart crashed agents, nudge stuck ones once, pause
at budgets, merge what passed, and leave real decisions to the person.

Every decision is recorded in the store before it is acted on, and every action is safe to do
again, so an autopilot killed at any instant and started again continues with no duplicate
agent for a task, no task merged twice and no attempt lost. Checks and merges run in threads
so one slow check never holds up the others."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError
from workspace.core.names import slugify
from workspace.core.status import StatusState
from workspace.core.tasks.decide import (
    Action,
    AgentView,
    Busy,
    Dispatch,
    Finish,
    Judge,
    Judged,
    Limits,
    Merge,
    Note,
    Nudge,
    Pause,
    Restart,
    RunCheck,
    after_check,
    decide,
)
from workspace.core.tasks.model import Attempt, LoopMode, Outcome, Task
from workspace.core.tasks.model import TaskState as S
from workspace.core.tasks.prompts import (
    continue_message,
    first_prompt,
    fresh_prompt,
    nudge_message,
    planner_prompt,
)
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.merge import Merger
from workspace.service.messaging import Messenger
from workspace.service.review import Review
from workspace.service.tasks.checks import Say, run_check
from workspace.service.tasks.judging import Judging
from workspace.service.tasks.landing import Landing

MERGE_RETRY = 15.0
"""Seconds between tries of a merge that was refused for a reason that may pass."""



class Autopilot:
    def __init__(self, ctx: Context, agents: Agents, messenger: Messenger, merger: Merger,
                 review: Review, say: Say | None = None) -> None:
        self.ctx = ctx
        self._agents = agents
        self._messenger = messenger
        self._merger = merger
        self._review = review
        self.say: Say = say or (lambda _: None)
        self._jobs: dict[str, threading.Thread] = {}
        self._merge_tried: dict[str, float] = {}
        # Their lines go through self.say, which the foreground autopilot sets later.
        self.judging = Judging(ctx, agents, lambda line: self.say(line))
        self.landing = Landing(ctx, agents, merger, review, lambda line: self.say(line),
                               self._note)

    # -- one look -------------------------------------------------------------------------

    def tick(self, now: float | None = None, agents: Sequence[Agent] | None = None
             ) -> list[Action]:
        """`agents`: the fleet as the poll that ran just before read it (the process's loop:
        one read of every agent fewer per tick); None reads them."""
        now = time.time() if now is None else now
        # The jobs under way, taken before the tasks are read: one that ends after this is
        # still skipped, one that ended before has written all it will. Taken after, a job
        # ending in between left its task as read (checking; an attempt not launched) yet
        # not in flight: checked, or told, twice.
        in_flight = self.in_flight()
        store = self.ctx.store
        tasks = store.tasks.live()  # not every attempt of every task ever filed
        by_name = {a.name: a for a in (store.agents() if agents is None else agents)}
        watched = [t.agent for t in tasks if t.agent in by_name and t.state.active]
        for t in tasks:  # judges at work
            judge = t.current.reviewer if t.current is not None else ""
            if judge in by_name and t.state == S.CHECKING:
                watched.append(judge)
        # Their states in one query, not one each.
        states = store.tasks.agent_states([by_name[name].id for name in watched])
        views = {name: self._view(by_name[name], states[by_name[name].id])
                 for name in watched if by_name[name].id in states}
        actions = decide(tasks, views, self._limits(now), now, in_flight)
        by_id = {t.id: t for t in tasks}
        for action in actions:
            task = by_id[action.task]
            try:
                self._do(action, task, by_name.get(task.agent or ""))
            except UsageError as exc:
                self._note(task, f"could not {type(action).__name__.lower()}: {exc}")
            except Exception as exc:  # a bug must not stop the fleet: say it, go on
                self._note(task, f"{type(action).__name__.lower()} failed: {exc!r}")
        return actions

    def in_flight(self) -> frozenset[str]:
        return frozenset(k for k, job in self._jobs.items() if job.is_alive())

    def merge_now(self, task: Task) -> Task:
        """Merge a task the person approved, here and now (no autopilot needs to run)."""
        return self.landing.merge_now(task)

    def wait(self, timeout: float | None = None) -> None:
        """Let the checks and merges under way finish."""
        for job in list(self._jobs.values()):
            job.join(timeout)

    @staticmethod
    def _view(agent: Agent, state: StatusState) -> AgentView:
        return AgentView(agent.name, agent.preset, agent.status, state, agent.cost_usd)

    def _limits(self, now: float) -> Limits:
        settings = self.ctx.settings
        daily = settings.tasks.daily_budget_usd
        midnight = datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0,
                                                       microsecond=0).timestamp()
        return Limits(
            max_agents=settings.tasks.max_agents,
            preset_caps={p.name: p.max_agents for p in settings.presets if p.max_agents},
            default_preset=settings.workspace.default_preset,
            daily_budget_usd=daily if daily > 0 else None,
            spent_today_usd=self.ctx.store.spent_since(midnight) if daily > 0 else 0.0,
            crash_restarts=settings.tasks.crash_restarts,
            review_timeout=settings.tasks.review_timeout,
        )

    def _do(self, action: Action, task: Task, agent: Agent | None) -> None:
        tasks = self.ctx.store.tasks
        match action:
            case Dispatch():
                if agent is not None and task.last_done is not None:
                    # The next attempt on the same agent: a message (its paste waits out the
                    # CLI's submit delay) or a fresh start (ends the old process, with a
                    # grace). In a thread, as checks are: done in the tick, one agent's
                    # message held up every other agent's turn end by that wait.
                    self._start_job(task, lambda t: self._dispatch(t, agent), "next attempt")
                else:
                    self._dispatch(task, agent)
            case RunCheck():
                self._start_job(task, self._check)
            case Judge():
                self._start_job(task, self.judging.start)
            case Judged():
                self.judging.judged(task)
            case Merge():
                if time.time() - self._merge_tried.get(task.id, 0.0) >= MERGE_RETRY:
                    self._merge_tried[task.id] = time.time()
                    self._start_job(task, self.landing.merge)
            case Restart():
                current = task.current
                assert current is not None and agent is not None
                tasks.put_attempt(task.id, replace(current, restarts=current.restarts + 1),
                                  event="restart", detail=agent.status_reason)
                self._agents.restart(agent.name)
                self.say(f"{task.id}: restarted {agent.name} after it crashed")
            case Nudge():
                current = task.current
                assert current is not None and agent is not None
                tasks.put_attempt(task.id, replace(current, nudged=True), event="nudged")
                self._messenger.send(agent.name, nudge_message(task))
                self.say(f"{task.id}: nudged {agent.name} (it looked stuck)")
            case Pause(reason=reason):
                assert agent is not None
                self._agents.pause(agent.name, detail=reason)
                self._note(task, f"paused: {reason}")
            case Busy():
                current = task.current
                assert current is not None
                tasks.put_attempt(task.id, replace(current, seen_busy=True))
            case Note(reason=reason):
                self._note(task, reason)
            case Finish(state=state, reason=reason):
                tasks.update(task.id, state=state, reason=reason, event=str(state),
                             detail=reason)
                self.say(f"{task.id}: {state}{': ' + reason if reason else ''}")

    def _note(self, task: Task, reason: str) -> None:
        if task.reason != reason:
            self.ctx.store.tasks.update(task.id, reason=reason, event="note", detail=reason)
            self.say(f"{task.id}: {reason}")

    def _start_job(self, task: Task, job: Callable[[Task], None], what: str = "") -> None:
        if task.id in self.in_flight():
            return

        def run() -> None:
            try:
                job(task)
            except UsageError as exc:
                self._note(task, str(exc))
            except Exception as exc:  # a bug must not stop the fleet: say it, keep going
                self._note(task, f"{what or job.__name__.strip('_')} failed: {exc!r}")

        thread = threading.Thread(target=run, name=f"autopilot-{task.id}", daemon=True)
        self._jobs[task.id] = thread
        thread.start()

    # -- starting an attempt --------------------------------------------------------------

    def _dispatch(self, task: Task, agent: Agent | None) -> None:
        """Start the task's next attempt (or the one decided and not yet started): a new agent
        for the first, then the same agent told what failed (continue) or started again with
        fresh context (fresh). Recorded first, marked launched once done."""
        tasks = self.ctx.store.tasks
        current = task.current
        name = task.agent if task.agent else self._agent_name(task)
        if current is None:
            number = len(task.attempts) + 1
            cost = agent.cost_usd or 0.0 if agent else 0.0
            current = Attempt(number, name, time.time(), cost_at_start=cost)
            tasks.put_attempt(task.id, current, state=S.RUNNING, agent=name,
                              reason=f"attempt {number}", event="attempt", detail=str(number))
            task = replace(task, attempts=(*task.attempts, current), agent=name)
        last = task.last_done
        progress = self.ctx.progress_file(task.id)
        if agent is not None and last is None:
            # The first attempt's spawn ran before the autopilot died: it took its prompt if it
            # completed; a spawn cut short is ended (nothing is lost: kill keeps any work) and
            # made again.
            if agent.spawn_complete and agent.status != Status.CRASHED:
                tasks.put_attempt(task.id, replace(current, launched=True))
                return
            self._agents.kill(agent.name)
            agent = None
        if agent is None:
            if task.spec.kind == "plan":
                prompt = planner_prompt(task.title, task.plan or task.id, part=task)
            elif last is None:
                prompt = first_prompt(task, str(progress))
            else:
                prompt = fresh_prompt(task, last, _read(progress), str(progress))
            try:
                self._agents.spawn(name, preset=task.spec.preset, base=task.spec.base,
                                   prompt=prompt, budget_usd=None, task_id=task.id,
                                   unattended=task.spec.unattended,
                                   env={"WORKSPACE_PLAN": task.plan} if task.plan else None)
            except UsageError as exc:
                if self.ctx.store.agent_by_name(name) is None:  # not merely there already
                    tasks.put_attempt(task.id, replace(current, outcome=Outcome.CANCELLED,
                                                       ended_at=time.time(), note=str(exc)),
                                      state=S.FAILED, reason=f"could not start: {exc}",
                                      event="failed", detail=str(exc))
                    self.say(f"{task.id}: could not start: {exc}")
                    return
            self.say(f"{task.id}: started {name} (attempt {current.number})")
        else:
            assert last is not None
            alive = not agent.status.ended
            if task.spec.loop == LoopMode.CONTINUE and alive:
                self._messenger.send(name, continue_message(task, last))
                self.say(f"{task.id}: told {name} what failed (attempt {current.number})")
            else:
                self._agents.relaunch_fresh(
                    name, fresh_prompt(task, last, _read(progress), str(progress)))
                self.say(f"{task.id}: started {name} afresh (attempt {current.number})")
        tasks.put_attempt(task.id, replace(current, launched=True, started_at=time.time()))

    def _agent_name(self, task: Task) -> str:
        stem = f"{task.id}-{slugify(task.title, limit=24)}".rstrip("-")
        taken = {a.name for a in self.ctx.store.agents()}
        name, n = stem, 1
        while name in taken or self.ctx.repo.branch_exists(self.ctx.branch_for(name)):
            n += 1
            name = f"{stem}-{n}"
        return name

    # -- checks ---------------------------------------------------------------------------

    def _planned(self, task: Task, current: Attempt, agent: Agent) -> None:
        """A sub-planner's turn ended: its part is planned once it has filed tasks (they
        join the plan); it has nothing to merge, so the task is done."""
        filed = [t.id for t in self.ctx.store.tasks.all() if t.created_by == agent.name]
        if not filed:
            failed = replace(current, ended_at=time.time(), outcome=Outcome.FAILED,
                             note="The planner filed no tasks")
            nxt = after_check(task, failed, False)
            self.ctx.store.tasks.put_attempt(task.id, failed, state=nxt.state,
                                             reason=nxt.reason, event="checked",
                                             detail="filed no tasks")
            return
        done = replace(current, ended_at=time.time(), outcome=Outcome.PASSED, check_exit=0)
        self.ctx.store.tasks.put_attempt(task.id, done, state=S.MERGED,
                                         reason=f"planned: filed {', '.join(filed)}",
                                         event="planned", detail=", ".join(filed))
        self._agents.kill(agent.name)  # keeps its worktree if it changed anything
        self.say(f"{task.id}: planned its part: {', '.join(filed)}")

    def _check(self, task: Task) -> None:
        tasks = self.ctx.store.tasks
        current = task.current
        agent = self.ctx.store.agent_by_name(task.agent or "")
        if current is None or agent is None:
            return
        if task.spec.kind == "plan":
            self._planned(task, current, agent)
            return
        tasks.update(task.id, state=S.CHECKING, reason=f"checking attempt {current.number}",
                     event="checking", detail=str(current.number))
        worktree = Path(agent.worktree)
        try:
            # Its tree alone (what the no-progress breaker compares): no snapshot commit.
            tree: str | None = self.ctx.repo.worktree_tree(worktree)
        except Exception:
            tree = None  # the worktree is gone or broken: the check says what that means
        if current.reported == "fail":
            passed, code, tail, note = False, None, "", current.note
        else:
            result = run_check(task, worktree, self.ctx.settings.tasks.check_timeout)
            passed, code, tail, note = result.passed, result.exit_code, result.tail, result.note
        cost = max((agent.cost_usd or 0.0) - current.cost_at_start, 0.0) \
            if agent.cost_usd is not None else None
        checked = replace(current, ended_at=time.time(), cost_usd=cost, check_exit=code,
                          check_tail=tail, tree=tree, note=note or current.note,
                          outcome=Outcome.PASSED if passed else Outcome.FAILED)
        fresh = self.ctx.store.tasks.get(task.id) or task
        judge = self.judging.preset(fresh)
        if passed and judge:
            # Passed its check: a judge looks before it merges or waits for the person.
            checked = replace(checked, outcome=None, reviewer=self.judging.name_for(fresh))
            tasks.put_attempt(task.id, checked, state=S.CHECKING, event="checked",
                              detail="exit 0", reason=f"check passed; its judge "
                              f"{checked.reviewer} ({judge}) looks at it")
            self.say(f"{task.id}: check passed -> judged by {checked.reviewer}")
            return
        attempts = tuple(checked if a.number == checked.number else a for a in fresh.attempts)
        nxt = after_check(replace(fresh, attempts=attempts), checked, passed)
        if nxt.state == S.FAILED and not passed and "no progress" in nxt.reason:
            checked = replace(checked, outcome=Outcome.NO_PROGRESS)
        tasks.put_attempt(task.id, checked, state=nxt.state, reason=nxt.reason,
                          event="checked", detail=f"exit {code}" if code is not None else note)
        verdict = "passed" if passed else f"failed (exit {code})" if code is not None else \
            f"failed ({note})"
        self.say(f"{task.id}: check {verdict} -> {nxt.state}"
                 + (f": {nxt.reason}" if nxt.reason else ""))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-20_000:]
    except OSError:
        return ""

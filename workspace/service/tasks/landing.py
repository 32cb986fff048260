"""Landing a task: its merge through the merge queue (gate, strategy, uncommitted work
committed first), a conflict with base sent back to its agent as a rebase request (an
attempt), a failing gate counted as a failed attempt, and a refusal the person must fix
moved to review.

With `[merge] batch` above 1 the tasks waiting to merge go through the refinery instead: one
job takes them in the queue's order (core/tasks/refinery.py: dependency, priority, age) and
lands them batch after batch (service/merge/batch.py: stacked, gated once on the tip,
bisected on a failure) until none is left; every outcome of a member is the one a task
merged alone would have (landed, conflict, gate failure, refusal), the culprit's gate failure
included. Its progress goes to the merge queue's state for `merge --queue` and the TUI."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from workspace.adapters.repo_trust import GATE
from workspace.core.agent import Status
from workspace.core.errors import UsageError
from workspace.core.review.queue import REFINERY, QueueItem, QueueItemState, QueueState
from workspace.core.tasks.decide import after_check
from workspace.core.tasks.model import CONFLICT_UNRESOLVED, Attempt, Outcome, Task
from workspace.core.tasks.model import TaskState as S
from workspace.core.tasks.refinery import merge_queue, next_batch
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.merge import (
    Batcher,
    GateFailed,
    GateUnprepared,
    MergeBusy,
    MergeConflict,
    MergeQueue,
    Merger,
    MergeResult,
    NothingToMerge,
    RoundReport,
)
from workspace.service.review import Review
from workspace.service.tasks.checks import Say

SHOWN_DONE = 16
"""Items of this drain that ended (merged, sent back) kept on the queue's display."""


class Landing:
    def __init__(self, ctx: Context, agents: Agents, merger: Merger, review: Review,
                 say: Say, note: Callable[[Task, str], None]) -> None:
        self.ctx = ctx
        self._agents = agents
        self._merger = merger
        self._review = review
        self.say = say
        self._note = note
        self._batcher = Batcher(ctx, merger)
        self._queue = MergeQueue(ctx, merger)
        self._refining = threading.Lock()

    def merge_now(self, task: Task) -> Task:
        """Merge a task the person approved, here and now (no autopilot needs to run)."""
        self._merge_one(task)
        found = self.ctx.store.tasks.get(task.id)
        assert found is not None
        return found

    def merge(self, task: Task) -> None:
        """The autopilot's merge job for a task in state merging."""
        if self.ctx.settings.merge.batch > 1:
            self.refine()
        else:
            self._merge_one(task)

    def _merge_one(self, task: Task) -> None:
        name = task.agent or ""
        if self._agent_gone(task) is None:
            return
        try:
            # A repository's gate runs only once trusted: until then its merge waits for you.
            self.ctx.check_trusted(GATE)
            result = self._merger.merge(name, gate=True, commit_wip=True,
                                        cleanup=self.ctx.settings.tasks.cleanup, wait=30)
        except UsageError as exc:
            self._refused(task, exc)
            return
        self._merged(task, result)

    def _agent_gone(self, task: Task) -> Task | None:
        """The task, or None once it is failed because its agent is gone."""
        name = task.agent or ""
        if self.ctx.store.agent_by_name(name) is not None:
            return task
        self.ctx.store.tasks.update(task.id, state=S.FAILED, reason=f"its agent {name} is gone "
                                    "before merging; 'workspace task retry' starts again",
                                    event="failed")
        return None

    def _merged(self, task: Task, result: MergeResult) -> None:
        self.ctx.store.tasks.update(task.id, state=S.MERGED, reason=result.summary(),
                                    event="merged", detail=result.new_base)
        self.say(f"{task.id}: {result.summary()}")

    def _refused(self, task: Task, exc: UsageError) -> None:
        """What a merge that was not made means for its task."""
        tasks = self.ctx.store.tasks
        if isinstance(exc, NothingToMerge):
            tasks.update(task.id, state=S.MERGED, reason=f"nothing to merge: {exc}",
                         event="merged", detail="nothing to merge")
        elif isinstance(exc, MergeBusy):
            self._note(task, f"waiting to merge: {exc}")
        elif isinstance(exc, MergeConflict):
            self._conflict(task, exc)
        elif isinstance(exc, GateFailed):
            self._gate_failed(task, exc)
        else:
            # Refused for a reason the person must fix (their checkout, base, git itself):
            # theirs to decide, so it waits in review rather than being retried blindly.
            tasks.update(task.id, state=S.REVIEW, event="merge_refused", detail=str(exc),
                         reason=f"merge refused: {exc}; fix it, then 'workspace task approve "
                                f"{task.id}'")
            self.say(f"{task.id}: merge refused -> review: {exc}")

    # -- the refinery ---------------------------------------------------------------------

    def refine(self) -> None:
        """Land every task waiting to merge, batch after batch, until none is left. One
        drain at a time: another task's merge job finds it running and leaves its task to
        it (it takes the tasks that join the queue meanwhile)."""
        if not self._refining.acquire(blocking=False):
            return
        try:
            _Drain(self).run()
        finally:
            self._refining.release()

    def _gate_failed(self, task: Task, exc: GateFailed) -> None:
        """The merge gate is the last check: its failure is an attempt's failure."""
        last = task.last_done
        if last is None:
            # No attempt to count it against (approved with none checked): yours to decide,
            # rather than gated again and again.
            self.ctx.store.tasks.update(
                task.id, state=S.REVIEW, event="gate_failed", detail=str(exc),
                reason=f"the merge gate failed: {str(exc).split(';')[0]}; fix it, then "
                       f"'workspace task approve {task.id}'")
            self.say(f"{task.id}: the merge gate failed -> review")
            return
        failed = replace(last, outcome=Outcome.GATE_FAILED, check_exit=exc.gate.returncode,
                         check_tail=exc.gate.output[-8000:], note=str(exc).split(";")[0])
        attempts = tuple(failed if a.number == last.number else a for a in task.attempts)
        nxt = after_check(replace(task, attempts=attempts), failed, False)
        self.ctx.store.tasks.put_attempt(task.id, failed, state=nxt.state, reason=nxt.reason,
                                         event="gate_failed", detail=str(exc))
        self.say(f"{task.id}: the merge gate failed -> {nxt.state}")

    def _conflict(self, task: Task, exc: MergeConflict) -> None:
        """Base moved on under the task: its agent is asked to rebase (an attempt), and the
        task merges again once its check passes on the rebased work."""
        tasks = self.ctx.store.tasks
        used = task.attempts_used
        if used >= task.spec.max_attempts:
            tasks.update(task.id, state=S.FAILED, event="failed",
                         reason=f"{CONFLICT_UNRESOLVED}: {exc.result.describe(limit=3)}")
            return
        name = task.agent or ""
        number = len(task.attempts) + 1
        agent = self.ctx.store.agent_by_name(name)
        started = Attempt(number, name, time.time(), launched=False,
                          cost_at_start=(agent.cost_usd or 0.0) if agent else 0.0)
        reason = f"asked to rebase onto {exc.base}: conflicts in {exc.result.describe(limit=3)}"
        tasks.put_attempt(task.id, started, state=S.RUNNING, reason=reason, event="conflict",
                          detail=exc.result.describe())
        if agent is not None and not agent.status.ended:
            self._review.ask_to_rebase(name)
        else:
            self._agents.relaunch_fresh(name, f"{task.title}: {reason}. Rebase your branch onto "
                                              f"{exc.base}, resolve the conflicts, commit.")
        tasks.put_attempt(task.id, replace(started, launched=True))
        self.say(f"{task.id}: {reason}")


class _Drain:
    """One run of the refinery, and what it shows of itself on the merge queue."""

    def __init__(self, landing: Landing) -> None:
        self.landing = landing
        self.ctx = landing.ctx
        self.size = self.ctx.settings.merge.batch
        self.state = QueueState(running=True, started_at=time.time(), pid=os.getpid(),
                                kind=REFINERY, batch=self.size)
        self.done: list[QueueItem] = []
        self.queue: list[tuple[str, str, Task]] = []
        self.flight: tuple[str, ...] = ()
        self.left: set[str] = set()
        """Tasks this drain leaves queued (a refusal that may pass later: a busy lock)."""

    def run(self) -> None:
        try:
            while self._look():
                names = next_batch([(n, b) for n, b, _ in self.queue], self.size)
                by_name = {n: t for n, _, t in self.queue}
                self.flight = tuple(names)
                self._show()
                report = self.landing._batcher.round(
                    names, gate=True, commit_wip=True, wait=30,
                    cleanup=self.ctx.settings.tasks.cleanup, on_step=self._stepped)
                self.flight = ()
                unprepared = isinstance(report.busy, GateUnprepared)
                self.state = replace(self.state, step="",
                                     gate_runs=self.state.gate_runs + report.gate_runs,
                                     stopped=str(report.busy) if unprepared else "")
                self._apply(report, by_name)
                if not report.progressed:
                    self.left.update(by_name[n].id for n in names)
                self._settled(names, report)
        finally:
            self.state = replace(self.state, running=False, step="")
            self.queue = []
            self._show()

    def _look(self) -> bool:
        """The tasks waiting now (those it cannot merge are settled on the way); False when
        there are none, or when none may be merged yet."""
        landing, store = self.landing, self.ctx.store
        self.queue = []
        for task in merge_queue(store.tasks.live()):
            if task.id in self.left or landing._agent_gone(task) is None:
                continue
            agent = store.agent_by_name(task.agent or "")
            assert agent is not None
            if agent.status == Status.MERGED:  # landed already (a batch finished on open)
                store.tasks.update(task.id, state=S.MERGED, event="merged", reason="merged")
                continue
            self.queue.append((agent.name, agent.base, task))
        if not self.queue:
            return False
        try:
            self.ctx.check_trusted(GATE)
        except UsageError as exc:
            for _, _, task in self.queue:
                landing._refused(task, exc)
            return False
        return True

    def _apply(self, report: RoundReport, by_name: dict[str, Task]) -> None:
        landing = self.landing
        for result in report.landed:
            landing._merged(by_name[result.name], result)
            self._ended(result.name, QueueItemState.MERGED, result.summary(), by_name)
        if report.culprit is not None:
            landing._refused(by_name[report.culprit.name], report.culprit)
            self._ended(report.culprit.name, QueueItemState.CULPRIT, str(report.culprit),
                        by_name)
        for exc in report.refused:
            task = by_name.get(exc.name)
            if task is None:
                continue
            landing._refused(task, exc)
            if isinstance(exc, MergeBusy):
                self.left.add(task.id)
                continue
            how = QueueItemState.REBASE if isinstance(exc, MergeConflict) else \
                QueueItemState.MERGED if isinstance(exc, NothingToMerge) else \
                QueueItemState.FAILED
            self._ended(exc.name, how, str(exc), by_name)
        if report.busy is not None:
            for name in report.held:
                if name in by_name:
                    landing._note(by_name[name], f"waiting to merge: {report.busy}")

    def _settled(self, names: list[str], report: RoundReport) -> None:
        """A member the round decided about that is still waiting to merge (its outcome left
        it there) is not taken again by this drain: no batch is gated twice for nothing."""
        for name in names:
            task = next((t for n, _, t in self.queue if n == name), None)
            if task is None or name in report.held:
                continue
            now = self.ctx.store.tasks.get(task.id)
            if now is not None and now.state == S.MERGING:
                self.left.add(task.id)

    def _ended(self, name: str, how: QueueItemState, detail: str,
               by_name: dict[str, Task]) -> None:
        self.done = [*self.done, QueueItem(name, how, detail, by_name[name].id)][-SHOWN_DONE:]

    def _stepped(self, step: str) -> None:
        self.state = replace(self.state, step=step)
        self._show()

    def _show(self) -> None:
        waiting = tuple(QueueItem(n, QueueItemState.MERGING if n in self.flight else
                                  QueueItemState.QUEUED,
                                  f"in a batch of {len(self.flight)}" if n in self.flight else "",
                                  t.id) for n, _, t in self.queue)
        shown = {i.name for i in waiting}
        items = tuple(i for i in self.done if i.name not in shown) + waiting
        self.state = self.landing._queue.publish(replace(self.state, items=items))

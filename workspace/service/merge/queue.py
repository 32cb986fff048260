"""The merge queue: agents merged in order, each checked against base as the previous merge
left it. Kept in <state>/merge-queue.json so any front end (another process too) can show it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from workspace.adapters.files import read_json, write_json
from workspace.adapters.proc import alive
from workspace.core.agent import Status
from workspace.core.errors import UsageError
from workspace.core.review.queue import REFINERY, QueueItem, QueueItemState, QueueState
from workspace.core.tasks.refinery import merge_queue
from workspace.service.context import Context
from workspace.service.merge.apply import DEFAULT_LOCK_WAIT, Merger
from workspace.service.merge.batch import Batcher
from workspace.service.merge.errors import MergeBusy
from workspace.service.merge.gate_tree import GateUnprepared
from workspace.service.merge.results import MergeResult, QueueReport

QUEUE_FILE = "merge-queue.json"


def _interrupted(state: QueueState) -> QueueState:
    items = tuple(QueueItem(i.name, QueueItemState.INTERRUPTED, i.detail)
                  if i.state == QueueItemState.MERGING else i for i in state.items)
    return replace(state, running=False, items=items)


class MergeQueue:
    def __init__(self, ctx: Context, merger: Merger) -> None:
        self.ctx = ctx
        self._merger = merger

    @property
    def path(self) -> Path:
        return self.ctx.state_dir / QUEUE_FILE

    def state(self) -> QueueState:
        """The merge queue as last written (by any process); a queue whose process died
        shows its current item as interrupted."""
        state = QueueState.from_dict(read_json(self.path) or {})
        if state.running and not (state.pid > 0 and alive(state.pid)):
            state = _interrupted(state)
        return state

    def _save(self, state: QueueState) -> QueueState:
        state = replace(state, updated_at=time.time())
        write_json(self.path, state.to_dict())
        return state

    def publish(self, state: QueueState) -> QueueState:
        """The refinery's state, for every front end to show; left unwritten while a
        person's queue runs in another process (that one is shown until it ends)."""
        current = self.state()
        if current.running and current.kind != REFINERY and current.pid != os.getpid():
            return state
        return self._save(state)

    def view(self) -> QueueState:
        """The queue as a person reads it (`merge --queue`, the TUI's bar): the last run's
        state and, after its items, the tasks waiting to merge (in the queue's order) that it
        does not list as queued or in flight."""
        waiting = [(t.agent, t.id) for t in merge_queue(self.ctx.store.tasks.all()) if t.agent]
        return self.state().with_waiting(waiting)

    def ready(self, commit_wip: bool = False) -> list[str]:
        """Agents whose turn is over (waiting or exited) with work not on base (and, unless
        commit_wip, a clean worktree), oldest first: what `merge --all-ready` queues."""
        ready = []
        for agent in self.ctx.store.agents():
            if agent.status not in (Status.WAITING, Status.EXITED) or not agent.spawn_complete:
                continue
            try:
                check = self._merger.planner.check(agent.name, commit_wip=commit_wip)
            except UsageError:
                continue
            if check.ok:
                ready.append(agent.name)
        return ready

    def run(
        self,
        names: list[str],
        *,
        strategy: str | None = None,
        gate: bool = True,
        cleanup: bool | None = None,
        commit_wip: bool = False,
        wait: float = DEFAULT_LOCK_WAIT,
        on_progress: Callable[[QueueState], None] | None = None,
        batch: int | None = None,
    ) -> QueueReport:
        """Merge agents in order. Stops at the first refusal (conflict, gate failure...); the
        rest stay queued. `batch` (default [merge] batch): above 1, up to that many at a time
        are stacked and gated once (batch.py); a failing batch lands the merges before its
        culprit and stops at the culprit."""
        if not names:
            raise UsageError("nothing to merge: name at least one agent")
        if len(set(names)) != len(names):
            raise UsageError("an agent is named twice in the merge queue")
        size = batch or self.ctx.settings.merge.batch
        if size < 1:
            raise UsageError(f"--batch {size}: give 1 or more")
        self._merger.planner.strategy(strategy)
        for name in names:
            self.ctx.agent(name)
        current = self.state()
        if current.running:
            raise MergeBusy(f"a merge queue is already running (pid {current.pid}: "
                            f"{', '.join(current.queued) or 'finishing'}); wait for it")
        state = QueueState(tuple(QueueItem(n) for n in names), running=True,
                           started_at=time.time(), pid=os.getpid(), batch=size)
        results: list[MergeResult] = []
        failed, error = None, ""

        def save(new: QueueState) -> QueueState:
            nonlocal state
            state = self._save(new)
            if on_progress is not None:
                on_progress(state)
            return state

        save(state)
        try:
            if size == 1:
                for name in names:
                    save(state.with_item(name, QueueItemState.MERGING))
                    try:
                        done = self._merger.merge(name, strategy=strategy, gate=gate,
                                                  cleanup=cleanup, commit_wip=commit_wip,
                                                  wait=wait)
                    except UsageError as exc:
                        failed, error = name, str(exc)
                        save(state.with_item(name, QueueItemState.FAILED, error))
                        break
                    results.append(done)
                    save(state.with_item(name, QueueItemState.MERGED, done.summary()))
            else:
                failed, error = self._batches(names, size, strategy, gate, cleanup, commit_wip,
                                              wait, results, lambda: state, save)
        except BaseException:
            save(_interrupted(state))
            raise
        save(replace(state, running=False, step=""))
        return QueueReport(tuple(results), state, failed, error)

    def _batches(self, names: list[str], size: int, strategy: str | None, gate: bool,
                 cleanup: bool | None, commit_wip: bool, wait: float,
                 results: list[MergeResult], now: Callable[[], QueueState],
                 save: Callable[[QueueState], QueueState]) -> tuple[str | None, str]:
        """A person's queue in batches: stops at the first refusal or culprit."""
        batcher = Batcher(self.ctx, self._merger)
        pending = list(names)

        def stepped(step: str) -> None:
            save(replace(now(), step=step))

        while pending:
            chunk = pending[:size]
            for name in chunk:
                save(now().with_item(name, QueueItemState.MERGING))
            report = batcher.round(
                chunk, strategy=strategy, gate=gate, commit_wip=commit_wip, cleanup=cleanup,
                stop=True, wait=wait, on_step=stepped)
            state = replace(now(), gate_runs=now().gate_runs + report.gate_runs, step="")
            for done in report.landed:
                results.append(done)
                state = state.with_item(done.name, QueueItemState.MERGED, done.summary())
            for name in report.held:
                state = state.with_item(name, QueueItemState.QUEUED)
            if isinstance(report.busy, GateUnprepared):
                # Nobody's fault among them: every one stays queued, the queue says why.
                for exc in report.refused:
                    state = state.with_item(exc.name or chunk[0], QueueItemState.FAILED, str(exc))
                save(replace(state, stopped=str(report.busy)))
                return chunk[0], str(report.busy)
            stopped: tuple[str, str, QueueItemState] | None = None
            if report.culprit is not None:
                stopped = (report.culprit.name, str(report.culprit), QueueItemState.CULPRIT)
            elif report.refused:
                first = report.refused[0]
                stopped = (first.name or chunk[0], str(first), QueueItemState.FAILED)
            elif report.busy is not None:
                stopped = (chunk[0], str(report.busy), QueueItemState.FAILED)
            if stopped is not None:
                name, why, how = stopped
                save(state.with_item(name, how, why))
                return name, why
            save(state)
            landed = {r.name for r in report.landed}
            if not landed:
                return chunk[0], f"{chunk[0]} could not be merged in a batch"
            pending = [n for n in pending if n not in landed]
        return None, ""

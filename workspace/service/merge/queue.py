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
from workspace.core.review.queue import QueueItem, QueueItemState, QueueState
from workspace.service.context import Context
from workspace.service.merge.apply import DEFAULT_LOCK_WAIT, Merger
from workspace.service.merge.errors import MergeBusy
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
    ) -> QueueReport:
        """Merge agents in order. Stops at the first refusal (conflict, gate failure...); the
        rest stay queued."""
        if not names:
            raise UsageError("nothing to merge: name at least one agent")
        if len(set(names)) != len(names):
            raise UsageError("an agent is named twice in the merge queue")
        self._merger.planner.strategy(strategy)
        for name in names:
            self.ctx.agent(name)
        current = self.state()
        if current.running:
            raise MergeBusy(f"a merge queue is already running (pid {current.pid}: "
                            f"{', '.join(current.queued) or 'finishing'}); wait for it")
        state = QueueState(tuple(QueueItem(n) for n in names), running=True,
                           started_at=time.time(), pid=os.getpid())
        results: list[MergeResult] = []
        failed, error = None, ""

        def save(new: QueueState) -> QueueState:
            new = self._save(new)
            if on_progress is not None:
                on_progress(new)
            return new

        state = save(state)
        try:
            for name in names:
                state = save(state.with_item(name, QueueItemState.MERGING))
                try:
                    done = self._merger.merge(name, strategy=strategy, gate=gate,
                                              cleanup=cleanup, commit_wip=commit_wip, wait=wait)
                except UsageError as exc:
                    failed, error = name, str(exc)
                    state = save(state.with_item(name, QueueItemState.FAILED, error))
                    break
                results.append(done)
                state = save(state.with_item(name, QueueItemState.MERGED, done.summary()))
        except BaseException:
            save(_interrupted(state))
            raise
        state = save(replace(state, running=False))
        return QueueReport(tuple(results), state, failed, error)

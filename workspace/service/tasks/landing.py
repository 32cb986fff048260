"""Landing a task: its merge through the merge queue (gate, strategy, uncommitted work
committed first), a conflict with base sent back to its agent as a rebase request (an
attempt), a failing gate counted as a failed attempt, and a refusal the person must fix
moved to review."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from workspace.adapters.repo_trust import GATE
from workspace.core.errors import UsageError
from workspace.core.tasks.decide import after_check
from workspace.core.tasks.model import CONFLICT_UNRESOLVED, Attempt, Outcome, Task
from workspace.core.tasks.model import TaskState as S
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.merge import GateFailed, MergeBusy, MergeConflict, Merger, NothingToMerge
from workspace.service.review import Review
from workspace.service.tasks.checks import Say


class Landing:
    def __init__(self, ctx: Context, agents: Agents, merger: Merger, review: Review,
                 say: Say, note: Callable[[Task, str], None]) -> None:
        self.ctx = ctx
        self._agents = agents
        self._merger = merger
        self._review = review
        self.say = say
        self._note = note

    def merge_now(self, task: Task) -> Task:
        """Merge a task the person approved, here and now (no autopilot needs to run)."""
        self.merge(task)
        found = self.ctx.store.tasks.get(task.id)
        assert found is not None
        return found

    def merge(self, task: Task) -> None:
        tasks = self.ctx.store.tasks
        name = task.agent or ""
        agent = self.ctx.store.agent_by_name(name)
        if agent is None:
            tasks.update(task.id, state=S.FAILED, reason=f"its agent {name} is gone before "
                         "merging; 'workspace task retry' starts again", event="failed")
            return
        try:
            # A repository's gate runs only once trusted: until then its merge waits for you.
            self.ctx.check_trusted(GATE)
            result = self._merger.merge(name, gate=True, commit_wip=True,
                                        cleanup=self.ctx.settings.tasks.cleanup, wait=30)
        except NothingToMerge as exc:
            tasks.update(task.id, state=S.MERGED, reason=f"nothing to merge: {exc}",
                         event="merged", detail="nothing to merge")
            return
        except MergeBusy as exc:
            self._note(task, f"waiting to merge: {exc}")
            return
        except MergeConflict as exc:
            self._conflict(task, exc)
            return
        except GateFailed as exc:
            self._gate_failed(task, exc)
            return
        except UsageError as exc:
            # Refused for a reason the person must fix (their checkout, base, git itself):
            # theirs to decide, so it waits in review rather than being retried blindly.
            tasks.update(task.id, state=S.REVIEW, event="merge_refused", detail=str(exc),
                         reason=f"merge refused: {exc}; fix it, then 'workspace task approve "
                                f"{task.id}'")
            self.say(f"{task.id}: merge refused -> review: {exc}")
            return
        tasks.update(task.id, state=S.MERGED, reason=result.summary(), event="merged",
                     detail=result.new_base)
        self.say(f"{task.id}: {result.summary()}")

    def _gate_failed(self, task: Task, exc: GateFailed) -> None:
        """The merge gate is the last check: its failure is an attempt's failure."""
        last = task.last_done
        if last is None:
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

"""The judge: once a task's check passes and it has a review preset, a reviewer agent looks at
the work (its own branch at a snapshot of the worker's worktree, so it changes nothing of it)
and answers with `workspace task verdict`. A rejection is a failed attempt whose reason the
worker is told; an approval merges or waits for the person."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from workspace.core.tasks.decide import after_check
from workspace.core.tasks.model import Outcome, Task
from workspace.core.tasks.model import TaskState as S
from workspace.core.tasks.prompts import judge_prompt
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.tasks.board import JUDGE
from workspace.service.tasks.checks import Say


class Judging:
    def __init__(self, ctx: Context, agents: Agents, say: Say) -> None:
        self.ctx = ctx
        self.agents = agents
        self.say = say

    def preset(self, task: Task) -> str:
        review = task.spec.review
        return self.ctx.settings.tasks.review_preset if review is None else review

    def name_for(self, task: Task) -> str:
        stem = f"{task.id}-judge"
        taken = {a.name for a in self.ctx.store.agents()}
        name, n = stem, 1
        while name in taken or self.ctx.repo.branch_exists(self.ctx.branch_for(name)):
            n += 1
            name = f"{stem}-{n}"
        return name

    def start(self, task: Task) -> None:
        """Start the judge: its own branch at a snapshot of the worker's worktree (uncommitted
        work included), so it sees exactly what was checked and changes nothing of it."""
        current = task.current
        worker = self.ctx.store.agent_by_name(task.agent or "")
        if current is None or worker is None:
            return
        if self.ctx.store.agent_by_name(current.reviewer) is None:
            snap = self.ctx.repo.snapshot(Path(worker.worktree))
            stat = self.ctx.repo.diff_stat_between(worker.base_sha, snap.commit)
            changes = (f"{stat.files} files, +{stat.added} -{stat.removed}" if stat.files
                       else "none")
            prompt = judge_prompt(task, current, worker.base, changes)
            self.agents.spawn(current.reviewer, preset=self.preset(task),
                               base=worker.base, prompt=prompt, task_id=task.id,
                               start_at=snap.commit, role=JUDGE)
        self.ctx.store.tasks.put_attempt(task.id, replace(current,
                                                          review_started_at=time.time()),
                                         event="judging", detail=current.reviewer)
        self.say(f"{task.id}: its judge {current.reviewer} looks at attempt {current.number}")

    def judged(self, task: Task) -> None:
        """Carry the verdict out: approve -> merge or review; reject -> a failed attempt whose
        reason the worker is told. The judge's branch and worktree go (never merged; a
        recovery ref keeps anything it wrote)."""
        tasks = self.ctx.store.tasks
        current = task.current
        assert current is not None
        if self.ctx.store.agent_by_name(current.reviewer) is not None:
            self.agents.kill(current.reviewer, discard=True)
        reason = current.verdict_reason
        if current.verdict == "approve":
            done = replace(current, outcome=Outcome.PASSED)
            nxt = after_check(task, done, True)
            why = f"approved by its judge: {reason}"
            tasks.put_attempt(task.id, done, state=nxt.state, event="approved",
                              detail=reason, reason=why if nxt.state == S.REVIEW else
                              f"{why}; merging")
            self.say(f"{task.id}: approved by {current.reviewer} -> {nxt.state}")
            return
        rejected = replace(current, outcome=Outcome.REJECTED,
                           note=f"The judge rejected it: {reason}")
        attempts = tuple(rejected if a.number == rejected.number else a for a in task.attempts)
        nxt = after_check(replace(task, attempts=attempts), rejected, False)
        tasks.put_attempt(task.id, rejected, state=nxt.state, reason=nxt.reason,
                          event="rejected", detail=reason)
        self.say(f"{task.id}: rejected by {current.reviewer} -> {nxt.state}: {reason}")

"""Making a merge, never half-done, one at a time.

Order (nothing is written before every check has passed):
1. the checks of plan.py, which read only;
2. the gate command, in the agent's worktree, with a timeout;
3. under the merge lock (<state>/merge.lock): the same checks again against base as it is
   now, the commit of the agent's uncommitted work built (only with commit_wip) and the
   result commit with commit-tree; then the merge's intent written durably (intent.py), and
   its steps (steps.py): the agent's branch moved to the commit of its uncommitted work, base
   moved with compare-and-swap, the main checkout's files brought along (two-way
   `read-tree -m -u`) when base is checked out there, the merge recorded. If a step fails,
   what was done is undone (base moved back); if the process dies, the next command finishes
   or undoes it (`Merger.recover`).
Every method may run in a worker thread.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from workspace.adapters import runner
from workspace.adapters.files import LockBusy, hold_lock, read_json
from workspace.adapters.git import GitError, without_untracked
from workspace.core.agent import Agent, Status
from workspace.core.command import CommandResult
from workspace.core.errors import UsageError
from workspace.core.review.drafts import draft_wip_message
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.merge.batch_steps import BatchSteps
from workspace.service.merge.errors import GateFailed, MergeBusy, MergeRefused
from workspace.service.merge.intent import BatchIntent, Intent, Wip, digest, new_guard
from workspace.service.merge.plan import MergePlan, Planner
from workspace.service.merge.results import CleanupReport, MergeResult
from workspace.service.merge.steps import Steps, record_path
from workspace.service.poller import Poller
from workspace.service.review import Review

DEFAULT_LOCK_WAIT = 10.0
"""Seconds a merge waits for another one to finish before it refuses."""
LOCK_FILE = "merge.lock"

StepCallback = Callable[[str], None]


class Merger:
    def __init__(self, ctx: Context, planner: Planner, review: Review, poller: Poller,
                 agents: Agents) -> None:
        self.ctx = ctx
        self.planner = planner
        self._review = review
        self._poller = poller
        self._agents = agents
        self.steps = Steps(ctx, poller)

    def merge(
        self,
        name: str,
        *,
        strategy: str | None = None,
        gate: bool = True,
        cleanup: bool | None = None,
        message: str | None = None,
        commit_wip: bool = False,
        wait: float = DEFAULT_LOCK_WAIT,
        on_step: StepCallback | None = None,
    ) -> MergeResult:
        """Merge the agent's branch into its base (see the module docstring).

        strategy: squash | merge | rebase (default: settings.merge.strategy).
        gate: run settings.merge.gate first. cleanup: True ends the agent and removes its
        worktree and branch after the merge, False keeps them, None follows
        settings.merge.cleanup ('ask' sets `cleanup_offered`). message: the commit message
        of the squash or merge commit and of the commit of uncommitted work (default: drafted
        from the agent's task). commit_wip: commit uncommitted work first instead of
        refusing. wait: seconds to wait for another merge to finish. on_step: told each step
        ('checking', 'gate', 'waiting', 'committing', 'updating base', 'updating checkout',
        'cleaning up')."""
        step = on_step or (lambda _: None)
        strategy = self.planner.strategy(strategy)
        self.recover()  # a merge killed in another process: its intent first
        agent = self.ctx.agent(name)
        step("checking")
        first = self.planner.plan(agent, strategy, commit_wip, message)
        self._review.clear_conflict(agent)
        gate_result = None
        leave: frozenset[str] = frozenset()
        if gate and self.ctx.settings.merge.gate:
            step("gate")
            gate_result = self.run_gate(agent, first.worktree)
            leave = self._made_by_gate(first)
        step("waiting")
        with self.lock(wait, name):
            self.recover_locked()  # one killed while our gate ran
            step("checking")
            agent = self.ctx.agent(name)
            plan = self.planner.plan(agent, strategy, commit_wip, message, leave)
            if gate_result is not None and plan.tip != first.tip:
                raise MergeRefused(f"{name}'s branch moved while the gate ran; merge again",
                                   name)
            result = self._apply(plan, message, step)
        result = replace(result, gate=gate_result)
        choice = self.ctx.settings.merge.cleanup
        if cleanup or (cleanup is None and choice == "always"):
            step("cleaning up")
            try:
                result = replace(result, cleanup=self.cleanup_merged(name))
            except UsageError as exc:
                # The merge is made: say why the clean-up was not, rather than fail the merge.
                result = replace(result, cleanup_error=str(exc))
        elif cleanup is None and choice == "ask":
            result = replace(result, cleanup_offered=True)
        return result

    def _apply(self, plan: MergePlan, message: str | None, step: StepCallback) -> MergeResult:
        repo, agent = self.ctx.repo, plan.agent
        new, tip, wip, index = plan.new, plan.tip, None, None
        try:
            if plan.status.dirty:
                step("committing")
                made = self.wip_commit(plan, message)
                if made is not None:
                    wip, index = made
                    tip = wip.commit
                    commits = tuple(repo.commits(f"{plan.base_sha}..{tip}", reverse=True))
                    new, tree = self.planner.build(agent, plan.strategy, plan.base_sha, tip,
                                                   commits, message)
                    if tree != plan.new_tree and plan.checkout is not None:
                        # The agent wrote more while we looked: check the checkout again.
                        self.planner.base_checkout(agent, plan.base_sha, tree)
        except GitError as exc:
            raise MergeRefused(f"git failed while merging {agent.name}: {exc}",
                               agent.name) from None
        intent = Intent(
            agent_id=agent.id, agent=agent.name, branch=agent.branch,
            worktree=str(plan.worktree), base=agent.base, ref=f"refs/heads/{agent.base}",
            old=plan.base_sha, new=new, strategy=plan.strategy, tip=tip,
            left=tuple(sorted(plan.leave)),
            checkout=str(plan.checkout) if plan.checkout else None,
            guard=new_guard(), pid=os.getpid(), at=time.time(), wip=wip)
        try:
            self.steps.begin(intent, index)
        except (GitError, OSError) as exc:
            self.steps.clear(intent)  # nothing has moved
            raise MergeRefused(f"could not record the merge of {agent.name} before making it "
                               f"({exc}); nothing was changed", agent.name) from None
        self._make(intent, step)
        self.steps.complete(intent)
        gained = tuple(c.oneline for c in repo.commits(f"{plan.base_sha}..{new}", reverse=True))
        return MergeResult(
            name=agent.name, strategy=plan.strategy, branch=agent.branch, base=agent.base,
            old_base=plan.base_sha, new_base=new, commits=gained,
            stat=self.planner.stat(plan.base_sha, new), wip_commit=wip.commit if wip else None,
            checkout=str(plan.checkout) if plan.checkout else None,
        )

    def _make(self, intent: Intent, step: StepCallback) -> None:
        """Steps 1 to 3 (steps.py); a failure undoes what was done and refuses."""
        repo, name, base = self.ctx.repo, intent.agent, intent.base
        steps = self.steps
        try:
            if intent.wip is not None:
                intent = steps.move_branch(intent)
            step("updating base")
            if not steps.move_base(intent):
                now = repo.rev(intent.ref)
                where = f"is now at {now[:10]}" if now else "was deleted"
                kept = steps.undo(intent, moved=False).note
                raise MergeRefused(f"{base} moved while merging (it {where}, was "
                                   f"{intent.old[:10]}); nothing was changed; merge again{kept}",
                                   name)
        except (GitError, OSError) as exc:
            kept = steps.undo(intent, moved=False).note
            raise MergeRefused(f"git failed while merging {name}: {exc}{kept}", name) from None
        if intent.checkout is None:
            return
        step("updating checkout")
        try:
            steps.bring_checkout(intent)
        except (GitError, OSError) as exc:
            undone = steps.undo(intent)
            what = f"{base} was put back at {intent.old[:10]}" if undone.base_back else \
                f"{base} moved again meanwhile, so it was left as it is now"
            raise MergeRefused(f"could not update {intent.checkout} to the merged {base}, so "
                               f"{what}: {exc}{undone.note}", name) from None

    def wip_commit(self, plan: MergePlan, message: str | None
                    ) -> tuple[Wip, bytes | None] | None:
        """The commit of the agent's uncommitted work (but what the gate made), built without
        moving its branch; and its index bytes as they are, to put back on undo. None when
        there is nothing to commit."""
        repo, agent, worktree = self.ctx.repo, plan.agent, plan.worktree
        index = repo.read_index(worktree)
        status = without_untracked(repo.status(worktree), plan.leave)
        if not status.dirty or status.head is None:
            return None
        tree = repo.worktree_tree(worktree, status, plan.leave)
        if tree == repo.tree_of(status.head):
            return None
        text = message or draft_wip_message(agent.name, self.ctx.task_text(agent))
        commit = repo.commit_tree(tree, [status.head], text)
        return Wip(commit, status.head, digest(index)), index

    def batch_steps(self, batch: BatchIntent) -> BatchSteps:
        """The steps of landing a batch (batch.py) under this merger's lock."""
        return BatchSteps(self.ctx, self._poller, batch)

    # -- a merge a killed process left half-made -------------------------------------------

    def recover(self) -> str | None:
        """Finish or undo a merge whose process died half-way (steps.py), unless another
        merge is under way (then it is alive, and finishes its own). Returns what was done,
        in one line, or None. Cheap when there is nothing to do: one stat."""
        if not self.steps.file.exists():
            return None
        try:
            with self.lock(0, "recovery"):
                return self.recover_locked()
        except MergeBusy:
            return None

    def recover_locked(self) -> str | None:
        if not self.steps.file.exists():
            return None
        try:
            intent = self.steps.load()
            if intent is None:
                return None
            if isinstance(intent, BatchIntent):
                return BatchSteps(self.ctx, self._poller, intent).recover_batch()
            return self.steps.recover(intent)
        except (GitError, OSError) as exc:
            raise MergeRefused(f"a merge interrupted earlier could not be finished or undone: "
                               f"{exc}; merge again once that is fixed") from None

    def _made_by_gate(self, before: MergePlan) -> frozenset[str]:
        """Untracked files that appeared in the agent's worktree while the gate ran (caches,
        build output): what was gated is what is merged, so they are left out of it."""
        try:
            now = self.ctx.repo.status(before.worktree)
        except GitError:
            return frozenset()
        return frozenset(now.untracked) - set(before.status.paths)

    # -- the record of the last merge -----------------------------------------------------

    def merge_record(self, name: str) -> dict[str, object] | None:
        """What the last merge of this agent recorded (tip merged, base sha, strategy)."""
        return read_json(record_path(self.ctx, self.ctx.agent(name).id))

    # -- the gate -------------------------------------------------------------------------

    def run_gate(self, agent: Agent, worktree: Path) -> CommandResult:
        """Run settings.merge.gate in the agent's worktree; raise GateFailed unless it
        passes within settings.merge.gate_timeout."""
        settings = self.ctx.settings.merge
        result = runner.run_command(settings.gate, worktree, settings.gate_timeout)
        if result.ok:
            return result
        what = result.describe(settings.gate_timeout)
        fix = "fix [merge] gate in your config" if result.missing else "fix what it reports"
        raise GateFailed(f"{what}, so {agent.name} was not merged; {fix}, or pass --no-gate",
                         agent.name, result)

    # -- one merge at a time --------------------------------------------------------------

    @contextmanager
    def lock(self, wait: float, name: str) -> Iterator[None]:
        path = self.ctx.state_dir / LOCK_FILE
        holder: dict[str, object] = {"pid": os.getpid(), "agent": name, "at": time.time()}
        try:
            with hold_lock(path, wait, holder):
                yield
        except LockBusy:
            raise MergeBusy(self._busy_message(path, wait), name) from None

    @staticmethod
    def _busy_message(path: Path, wait: float) -> str:
        holder = read_json(path) or {}
        who = ""
        if holder.get("agent"):
            at = holder.get("at")
            since = time.time() - (float(at) if isinstance(at, int | float) else time.time())
            who = f" (merging {holder['agent']}, pid {holder.get('pid')}, for {since:.0f}s)"
        waited = f"waited {wait:g}s; " if wait > 0 else ""
        return f"another merge is under way{who}; {waited}retry when it has finished"

    # -- after a merge --------------------------------------------------------------------

    def cleanup_merged(self, name: str) -> CleanupReport:
        """End a merged agent (its processes and session) and remove its worktree and branch.
        Refused if it has changed since the merge; the branch's own commits stay reachable
        from a recovery ref when base got them squashed or rebased."""
        repo = self.ctx.repo
        agent = self.ctx.agent(name)
        record = self.merge_record(name)
        if record is None or agent.status != Status.MERGED:
            raise UsageError(f"{name} has not been merged by workspace; end it with "
                             f"'workspace kill {name}' (kill keeps unmerged work)")
        tip = repo.rev(f"refs/heads/{agent.branch}")
        if tip is not None and tip != record.get("tip"):
            raise UsageError(f"{name} has new commits since it was merged; merge again, or "
                             f"'workspace kill {name}' (keeps them)")
        worktree = Path(agent.worktree)
        left = record.get("left")
        gate_made = frozenset(left) if isinstance(left, list) else frozenset()
        if worktree.is_dir() and repo.is_linked_worktree(worktree) and \
                without_untracked(repo.status(worktree), gate_made).dirty:
            # (what the gate made is kept in the recovery ref that kill saves)
            raise UsageError(f"{name} has uncommitted changes since it was merged; merge again "
                             f"with --commit-wip, or 'workspace kill {name}' (keeps them)")
        report = self._agents.kill(name, discard=True)
        return CleanupReport(name, report.worktree, report.branch, report.removed,
                             report.recovery_ref)

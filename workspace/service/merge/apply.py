"""Making a merge, never half-done, one at a time.

Order (nothing is written before every check has passed):
1. the checks of plan.py, which read only;
2. the gate command, in the agent's worktree, with a timeout;
3. under the merge lock (<state>/merge.lock): the same checks again against base as it is
   now, the agent's uncommitted work committed (only with commit_wip), the result commit
   built with commit-tree, base moved with compare-and-swap (`git update-ref ref new old`),
   and the main checkout's files brought along (two-way `read-tree -m -u`) when base is
   checked out there; if that last step fails, base is moved back.
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
from workspace.adapters.files import LockBusy, hold_lock, read_json, write_json
from workspace.adapters.git import GitError, without_untracked
from workspace.core.agent import Agent, Status
from workspace.core.command import CommandResult
from workspace.core.errors import UsageError
from workspace.core.review.drafts import draft_wip_message
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.merge.errors import GateFailed, MergeBusy, MergeRefused
from workspace.service.merge.plan import MergePlan, Planner
from workspace.service.merge.results import CleanupReport, MergeResult
from workspace.service.poller import Poller
from workspace.service.review import Review

DEFAULT_LOCK_WAIT = 10.0
"""Seconds a merge waits for another one to finish before it refuses."""
LOCK_FILE = "merge.lock"
MERGE_RECORD = "merge.json"

StepCallback = Callable[[str], None]


class Merger:
    def __init__(self, ctx: Context, planner: Planner, review: Review, poller: Poller,
                 agents: Agents) -> None:
        self.ctx = ctx
        self.planner = planner
        self._review = review
        self._poller = poller
        self._agents = agents

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
        with self._lock(wait, name):
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
        new, tip, wip = plan.new, plan.tip, None
        index: bytes | None = None
        try:
            if plan.status.dirty:
                step("committing")
                index = repo.read_index(plan.worktree)
                text = message or draft_wip_message(agent.name, self.ctx.task_text(agent))
                wip = repo.commit_wip(plan.worktree, agent.branch, text, plan.leave)
                if wip is not None:
                    tip = wip
                    commits = tuple(repo.commits(f"{plan.base_sha}..{tip}", reverse=True))
                    new, tree = self.planner.build(agent, plan.strategy, plan.base_sha, tip,
                                                   commits, message)
                    if tree != plan.new_tree and plan.checkout is not None:
                        # The agent wrote more while we looked: check the checkout again.
                        self.planner.base_checkout(agent, plan.base_sha, tree)
            step("updating base")
            ref = f"refs/heads/{agent.base}"
            if not repo.update_ref(ref, new, plan.base_sha,
                                   f"workspace: merge {agent.branch} ({plan.strategy})"):
                now = repo.rev(ref)
                where = f"is now at {now[:10]}" if now else "was deleted"
                raise MergeRefused(
                    f"{agent.base} moved while merging (it {where}, was {plan.base_sha[:10]}); "
                    f"nothing was changed; merge again", agent.name)
            if plan.checkout is not None:
                step("updating checkout")
                self._update_checkout(plan, ref, new)
        except (MergeRefused, GitError) as exc:
            kept = self._undo_wip(plan, wip, index)
            if isinstance(exc, MergeRefused):
                if kept:
                    raise MergeRefused(f"{exc}{kept}", agent.name) from None
                raise
            raise MergeRefused(f"git failed while merging {agent.name}: {exc}{kept}",
                               agent.name) from None
        gained = tuple(c.oneline for c in repo.commits(f"{plan.base_sha}..{new}", reverse=True))
        self._write_record(agent, tip, new, plan.strategy, plan.leave)
        self.ctx.record(agent, "merged")
        self._poller.update_diff(self.ctx.agent(agent.name))
        return MergeResult(
            name=agent.name, strategy=plan.strategy, branch=agent.branch, base=agent.base,
            old_base=plan.base_sha, new_base=new, commits=gained,
            stat=self.planner.stat(plan.base_sha, new), wip_commit=wip,
            checkout=str(plan.checkout) if plan.checkout else None,
        )

    def _update_checkout(self, plan: MergePlan, ref: str, new: str) -> None:
        """Bring base's checkout along; if it cannot be, move base back."""
        assert plan.checkout is not None
        repo, agent = self.ctx.repo, plan.agent
        try:
            repo.update_checkout(plan.checkout, plan.base_sha, new)
        except GitError as exc:
            back = repo.update_ref(ref, plan.base_sha, new,
                                   "workspace: undo merge (checkout could not update)")
            what = f"{agent.base} was put back at {plan.base_sha[:10]}" if back else \
                f"{agent.base} moved again meanwhile, so it was left as it is now"
            raise MergeRefused(f"could not update {plan.checkout} to the merged {agent.base}, "
                               f"so {what}: {exc}", agent.name) from None

    def _undo_wip(self, plan: MergePlan, wip: str | None, index: bytes | None) -> str:
        """After a failed merge, take back the commit made of the agent's uncommitted work:
        its branch and index as they were (its files were never touched). Returns '' when
        undone (or there was none), else a note for the error saying where the work is."""
        if wip is None:
            return ""
        agent = plan.agent
        try:
            if self.ctx.repo.uncommit_wip(plan.worktree, agent.branch, wip, plan.tip, index):
                return ""
        except (GitError, OSError):
            pass
        return (f" ({agent.name}'s uncommitted work was committed on {agent.branch} as "
                f"{wip[:10]} and is still there)")

    def _made_by_gate(self, before: MergePlan) -> frozenset[str]:
        """Untracked files that appeared in the agent's worktree while the gate ran (caches,
        build output): what was gated is what is merged, so they are left out of it."""
        try:
            now = self.ctx.repo.status(before.worktree)
        except GitError:
            return frozenset()
        return frozenset(now.untracked) - set(before.status.paths)

    # -- the record of the last merge -----------------------------------------------------

    def _record_path(self, agent: Agent) -> Path:
        return self.ctx.paths(agent.id).dir / MERGE_RECORD

    def _write_record(self, agent: Agent, tip: str, new: str, strategy: str,
                      left: frozenset[str] = frozenset()) -> None:
        write_json(self._record_path(agent), {
            "tip": tip, "base": agent.base, "base_sha": new, "strategy": strategy,
            "at": time.time(), "left": sorted(left)})

    def merge_record(self, name: str) -> dict[str, object] | None:
        """What the last merge of this agent recorded (tip merged, base sha, strategy)."""
        return read_json(self._record_path(self.ctx.agent(name)))

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
    def _lock(self, wait: float, name: str) -> Iterator[None]:
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

"""Every check of a merge, and the commit base would move to, without changing anything:
the agent's worktree and branch, uncommitted work, the base branch, a trial merge
(`git merge-tree --write-tree`, no worktree touched), where base is checked out and whether
that checkout is clean where the merge changes it. Writes only objects (trees and
unreferenced commits), never a ref, index or file."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from workspace.adapters.git import CommitInfo, GitError, WorktreeStatus, without_untracked
from workspace.core.agent import Agent, DiffStat
from workspace.core.errors import UsageError
from workspace.core.format import listing, plural
from workspace.core.review.drafts import draft_merge_message, draft_wip_message
from workspace.core.review.mergetree import MergeTreeResult
from workspace.core.settings import MERGE_STRATEGIES
from workspace.service.context import Context
from workspace.service.merge.errors import (
    CheckoutBlocked,
    MergeConflict,
    MergeRefused,
    NothingToMerge,
)
from workspace.service.merge.results import MergeCheck
from workspace.service.review import Review


@dataclass(frozen=True)
class MergePlan:
    agent: Agent
    strategy: str
    worktree: Path
    status: WorktreeStatus
    tip: str
    """The branch tip (the worktree's HEAD)."""
    source: str
    """The commit merged: `tip`, or a snapshot of the worktree on it (uncommitted work)."""
    base_sha: str
    new: str
    """The commit base would move to."""
    new_tree: str
    commits: tuple[CommitInfo, ...]
    checkout: Path | None
    leave: frozenset[str] = frozenset()
    """Untracked files the gate made: left where they are, not merged or committed."""


class Planner:
    def __init__(self, ctx: Context, review: Review) -> None:
        self.ctx = ctx
        self.review = review

    def check(self, name: str, strategy: str | None = None,
              commit_wip: bool = False) -> MergeCheck:
        """A dry run of a merge (no gate): what would happen, or the refusal in `problem`.
        Changes nothing but the agent's conflict note."""
        agent = self.ctx.agent(name)
        strategy = self.strategy(strategy)
        empty = MergeCheck(name, agent.base, agent.branch, strategy)
        try:
            plan = self.plan(agent, strategy, commit_wip, message=None)
        except MergeConflict as exc:
            return replace(empty, problem=str(exc), conflicts=exc.result)
        except CheckoutBlocked as exc:
            return replace(empty, problem=str(exc), blockers=exc.blockers)
        except UsageError as exc:
            return replace(empty, problem=str(exc))
        self.review.clear_conflict(agent)
        return replace(
            empty,
            commits=tuple(c.oneline for c in plan.commits),
            uncommitted=plan.status.paths,
            wip_message=draft_wip_message(agent.name, self.ctx.task_text(agent))
            if plan.status.paths else "",
            stat=self.stat(plan.base_sha, plan.new),
            checkout=str(plan.checkout) if plan.checkout else None,
        )

    def strategy(self, strategy: str | None) -> str:
        chosen = strategy or self.ctx.settings.merge.strategy
        if chosen not in MERGE_STRATEGIES:
            raise UsageError(f"unknown merge strategy {chosen!r}; use one of: "
                             f"{', '.join(MERGE_STRATEGIES)}")
        return chosen

    def stat(self, old: str, new: str) -> DiffStat:
        return self.ctx.repo.diff_stat_between(old, new)

    def _agent_status(self, agent: Agent, worktree: Path, commit_wip: bool,
                      leave: frozenset[str] = frozenset()) -> WorktreeStatus:
        status = without_untracked(self.ctx.repo.status(worktree), leave)
        if status.branch != agent.branch:
            on = f"branch {status.branch}" if status.branch else "a detached HEAD"
            raise MergeRefused(
                f"{agent.name}'s worktree {worktree} is on {on}, not its branch {agent.branch}; "
                f"switch it back (git -C {worktree} switch {agent.branch}) and retry",
                agent.name)
        if status.unmerged:
            raise MergeRefused(
                f"{agent.name}'s worktree has unresolved conflicts in "
                f"{listing(status.unmerged)}; resolve and commit them first", agent.name)
        if status.dirty and not commit_wip:
            raise MergeRefused(
                f"{agent.name} has uncommitted changes in {plural(len(status.paths), 'file')}"
                f" ({listing(status.paths)}); commit them first, or pass --commit-wip to "
                "commit them as part of the merge", agent.name)
        return status

    def plan(self, agent: Agent, strategy: str, commit_wip: bool,
             message: str | None, leave: frozenset[str] = frozenset(),
             onto: str | None = None) -> MergePlan:
        """Every check of a merge, and the commit base would move to. `onto`: a commit to
        build on instead of base's tip (a batch's previous merge; where base is checked out
        is then for the batch to check, against its own tip)."""
        repo = self.ctx.repo
        worktree = self.review.agent_worktree(agent)
        try:
            status = self._agent_status(agent, worktree, commit_wip, leave)
            base_sha = onto or self.review.base_tip(agent)
            assert status.head is not None
            snap = repo.snapshot(worktree, leave) if status.dirty else None
            source = snap.commit if snap else status.head
            if repo.is_ancestor(source, base_sha):
                raise NothingToMerge(
                    f"{agent.name} has nothing to merge: its branch {agent.branch} has no "
                    f"commits that are not on {agent.base}, and its worktree is clean",
                    agent.name)
            commits = tuple(repo.commits(f"{base_sha}..{status.head}", reverse=True))
            new, new_tree = self.build(agent, strategy, base_sha, source, commits, message)
            if new_tree == repo.tree_of(base_sha):
                raise NothingToMerge(
                    f"{agent.name}'s changes are already on {agent.base}: merging would change "
                    f"nothing; end it with 'workspace kill {agent.name} --discard'", agent.name)
            checkout = self.base_checkout(agent, base_sha, new_tree) if onto is None else None
        except GitError as exc:
            raise MergeRefused(f"git failed while checking {agent.name}: {exc}",
                               agent.name) from None
        return MergePlan(agent, strategy, worktree, status, status.head, source, base_sha, new,
                         new_tree, commits, checkout, leave)

    def build(self, agent: Agent, strategy: str, base_sha: str, source: str,
              commits: tuple[CommitInfo, ...], message: str | None) -> tuple[str, str]:
        """The commit base would move to, and its tree: built with merge-tree and
        commit-tree, so no worktree is touched. Raises MergeConflict."""
        repo = self.ctx.repo
        if strategy == "rebase":
            return self._replay(agent, base_sha, source)
        result = repo.merge_tree(base_sha, source)
        if not result.clean:
            raise self._conflict(agent, result, f"merging {agent.branch} into {agent.base}")
        text = message or draft_merge_message(
            agent.name, agent.branch, agent.base, self.ctx.task_text(agent),
            [c.oneline for c in commits], strategy)
        parents = [base_sha, source] if strategy == "merge" else [base_sha]
        return repo.commit_tree(result.tree, parents, text), result.tree

    def _replay(self, agent: Agent, base_sha: str, source: str) -> tuple[str, str]:
        """Rebase, then fast-forward: the branch's commits replayed one by one on base,
        keeping their authors and messages (commits that become empty are dropped)."""
        repo = self.ctx.repo
        if repo.is_ancestor(base_sha, source):
            return source, repo.tree_of(source)
        current = base_sha
        current_tree = repo.tree_of(base_sha)
        for commit in repo.rebase_commits(base_sha, source):
            result = repo.pick_onto(current, commit)
            if not result.clean:
                raise self._conflict(agent, result,
                                     f"replaying {commit.oneline!r} onto {agent.base}")
            if result.tree == current_tree:
                continue
            current = repo.replay_commit(result.tree, current, commit)
            current_tree = result.tree
        return current, current_tree

    def _conflict(self, agent: Agent, result: MergeTreeResult, doing: str) -> MergeConflict:
        self.review.note_conflict(agent, result)
        return MergeConflict(
            f"{agent.name} conflicts with {agent.base} ({doing}) in {result.describe()}; "
            f"nothing was changed: ask it to rebase ('workspace ask-rebase {agent.name}') "
            "or resolve the conflicts in its worktree",
            agent.name, agent.base, result)

    def base_checkout(self, agent: Agent, base_sha: str, new_tree: str) -> Path | None:
        """Where base is checked out: the main checkout (returned, when clean where the merge
        changes it), nowhere (None), or a refusal."""
        repo = self.ctx.repo
        base = agent.base
        worktrees = repo.worktrees()
        main = next((w for w in worktrees if Path(w.path).resolve() == repo.top), None)
        busy = repo.operation_in_progress(repo.common_dir)
        if main is not None and main.branch is None:
            doing = f" ({busy} is in progress)" if busy else ""
            raise MergeRefused(
                f"the main checkout {repo.top} is on a detached HEAD{doing}; "
                f"{'finish it, then ' if busy else ''}switch it to a branch "
                f"(git switch {base}) and retry", agent.name)
        rebasing = repo.being_rebased(base)
        if rebasing is not None:
            raise MergeRefused(f"{base} is being rebased in {rebasing}; finish or abort that "
                               "rebase, then retry", agent.name)
        for wt in worktrees:
            if wt.branch == base and Path(wt.path).resolve() != repo.top:
                raise MergeRefused(
                    f"{base} is checked out in another worktree, {wt.path}; moving it would "
                    f"leave that checkout behind. Switch that worktree to another branch "
                    f"(git -C {wt.path} switch --detach) and retry", agent.name)
        if main is None or main.branch != base:
            return None
        if busy:
            raise MergeRefused(f"{busy} is in progress in the main checkout {repo.top}; "
                               "finish or abort it, then retry", agent.name)
        blockers = tuple(repo.checkout_blockers(repo.top, base_sha, new_tree))
        if blockers:
            raise CheckoutBlocked(
                f"{base} is checked out in {repo.top}, which has changes where the merge "
                f"would write: {listing(blockers, 4)}; commit or stash them there and retry",
                agent.name, blockers)
        return repo.top

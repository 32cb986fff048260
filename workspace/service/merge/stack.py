"""A batch's merges stacked: each agent's merge built onto the one before it (base's tip for the
first), with merge-tree and commit-tree like one merge (plan.py), so nothing but objects is
written. What does not stack is said: refused (conflicts with base itself, nothing to merge,
a checkout in the way...) or held (it only conflicts with an earlier merge of the stack, it is
onto another base, or the stack stopped before it): a held merge waits for the next batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.service.context import Context
from workspace.service.merge.apply import Merger
from workspace.service.merge.errors import MergeConflict, MergeRefused, NothingToMerge
from workspace.service.merge.intent import Wip
from workspace.service.merge.plan import MergePlan


@dataclass(frozen=True)
class Member:
    plan: MergePlan
    """Its checks, built onto the previous member's commit (`plan.base_sha`)."""
    new: str
    """Its commit in the stack."""
    tree: str
    wip: Wip | None = None
    """The commit of its uncommitted work (a stack built to land)."""
    index: bytes | None = None
    """Its worktree's index bytes before that commit (to put back on undo)."""

    @property
    def name(self) -> str:
        return self.plan.agent.name

    @property
    def agent(self) -> Agent:
        return self.plan.agent

    @property
    def tip(self) -> str:
        """The commit merged: its branch tip, or the commit of its uncommitted work."""
        return self.wip.commit if self.wip is not None else self.plan.tip


@dataclass(frozen=True)
class Stack:
    base: str
    base_sha: str
    members: tuple[Member, ...] = ()
    refused: tuple[MergeRefused, ...] = ()
    held: tuple[str, ...] = ()
    checkout: Path | None = None

    def tip(self, k: int) -> str:
        """The commit of the stack's first k merges (base's tip for none)."""
        return self.members[k - 1].new if k else self.base_sha

    def tree(self, k: int) -> str:
        return self.members[k - 1].tree if k else ""

    def names(self, k: int | None = None) -> tuple[str, ...]:
        return tuple(m.name for m in self.members[:k])


class Stacker:
    def __init__(self, ctx: Context, merger: Merger) -> None:
        self.ctx = ctx
        self._merger = merger
        self._planner = merger.planner

    def build(self, names: Sequence[str], *, strategy: str, commit_wip: bool,
              stop: bool = False, to_land: bool = False) -> Stack:
        """Stack the agents' merges in order. `stop`: the first one that is refused or held
        ends the stack (a person's queue stops there). `to_land`: uncommitted work gets the
        commit it will land as (its index bytes kept), not a snapshot."""
        members: list[Member] = []
        refused: list[MergeRefused] = []
        held: list[str] = []
        base, base_sha, checkout = "", "", None
        for name in names:
            if stop and (refused or held):
                held.append(name)
                continue
            try:
                agent = self.ctx.agent(name)
                if not base:
                    base = agent.base
                    base_sha = self._planner.review.base_tip(agent)
                if agent.base != base:
                    held.append(name)
                    continue
                parent = members[-1].new if members else base_sha
                member = self._member(agent, strategy, commit_wip, parent, to_land)
                checkout = self._planner.base_checkout(agent, base_sha, member.tree)
            except NothingToMerge as exc:
                # Its work may be in an earlier merge of the stack: only base can tell.
                if members:
                    held.append(name)
                else:
                    refused.append(exc)
                continue
            except MergeConflict as exc:
                found = self._on_base(agent, strategy, commit_wip, base_sha) if members else exc
                if found is None:
                    held.append(name)  # with an earlier merge only: the next batch sees
                else:
                    refused.append(found)
                continue
            except MergeRefused as exc:
                refused.append(exc)
                continue
            except UsageError as exc:
                refused.append(MergeRefused(str(exc), name))
                continue
            members.append(member)
        return Stack(base, base_sha, tuple(members), tuple(refused), tuple(held), checkout)

    def _member(self, agent: Agent, strategy: str, commit_wip: bool, parent: str,
                to_land: bool) -> Member:
        repo, planner = self.ctx.repo, self._planner
        plan = planner.plan(agent, strategy, commit_wip, None, onto=parent)
        if not (to_land and plan.status.dirty):
            return Member(plan, plan.new, plan.new_tree)
        made = self._merger.wip_commit(plan, None)
        if made is None:
            return Member(plan, plan.new, plan.new_tree)
        wip, index = made
        commits = tuple(repo.commits(f"{parent}..{wip.commit}", reverse=True))
        new, tree = planner.build(agent, strategy, parent, wip.commit, commits, None)
        return Member(plan, new, tree, wip, index)

    def _on_base(self, agent: Agent, strategy: str, commit_wip: bool,
                 base_sha: str) -> MergeRefused | None:
        """How the agent's merge fares onto base alone: None when it builds (it conflicts
        with the stack only; the note a trial onto the stack left on its row is cleared),
        else the refusal base gives (what its agent is asked to rebase onto)."""
        try:
            self._planner.plan(agent, strategy, commit_wip, None, onto=base_sha)
        except MergeRefused as found:
            return found
        self._planner.review.clear_conflict(agent)
        return None

"""What a merge did, or would do."""

from __future__ import annotations

from dataclasses import dataclass, field

from workspace.core.agent import DiffStat
from workspace.core.command import CommandResult
from workspace.core.format import plural
from workspace.core.review.mergetree import MergeTreeResult
from workspace.core.review.queue import QueueState


@dataclass(frozen=True)
class CleanupReport:
    name: str
    worktree: str
    branch: str
    removed: bool
    recovery_ref: str | None = None

    def summary(self) -> str:
        if not self.removed:
            return f"ended {self.name}; kept its worktree {self.worktree} and branch {self.branch}"
        kept = f"; its original commits are kept at {self.recovery_ref}" \
            if self.recovery_ref else ""
        return f"ended {self.name}, removed its worktree {self.worktree} and branch " \
               f"{self.branch}{kept}"


@dataclass(frozen=True)
class MergeResult:
    name: str
    strategy: str
    branch: str
    base: str
    old_base: str
    new_base: str
    commits: tuple[str, ...] = ()
    """The commits base gained, oldest first ('<sha> <subject>')."""
    stat: DiffStat = field(default_factory=DiffStat)
    """What base gained."""
    wip_commit: str | None = None
    """The commit made of the agent's uncommitted work (commit_wip), if any."""
    gate: CommandResult | None = None
    checkout: str | None = None
    """The checkout whose files were brought up to date (base checked out there)."""
    cleanup: CleanupReport | None = None
    cleanup_offered: bool = False
    """settings.merge.cleanup is 'ask': offer `cleanup_merged(name)`."""
    cleanup_error: str = ""
    """Why the clean-up asked for was not done (the merge itself was made)."""
    batch: int = 0
    """Landed in a batch of this many (base moved once for all of them); 0 alone."""

    def summary(self) -> str:
        how = f"{self.strategy}, in a batch of {self.batch}" if self.batch > 1 else self.strategy
        text = (f"merged {self.name} into {self.base} ({how}): "
                f"{plural(len(self.commits), 'commit')}, {plural(self.stat.files, 'file')} "
                f"+{self.stat.added} -{self.stat.removed}; {self.base} is now "
                f"{self.new_base[:10]}")
        if self.checkout:
            text += f"; updated {self.checkout}"
        if self.cleanup_error:
            text += f"; not cleaned up: {self.cleanup_error}"
        return text


@dataclass(frozen=True)
class MergeCheck:
    """What merging an agent now would do, or why it would be refused (`problem`)."""

    name: str
    base: str
    branch: str
    strategy: str
    problem: str = ""
    commits: tuple[str, ...] = ()
    """Commits on the branch that are not on base ('<sha> <subject>')."""
    uncommitted: tuple[str, ...] = ()
    wip_message: str = ""
    """The drafted message of the commit made of `uncommitted` (commit_wip), if any."""
    stat: DiffStat = field(default_factory=DiffStat)
    """What base would gain."""
    conflicts: MergeTreeResult | None = None
    blockers: tuple[str, ...] = ()
    """Changes in the checkout of base that the merge would overwrite."""
    checkout: str | None = None
    """Where base is checked out (its files are updated by the merge)."""

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class QueueReport:
    results: tuple[MergeResult, ...]
    state: QueueState
    failed: str | None = None
    """The agent the queue stopped at."""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.failed is None

    @property
    def queued(self) -> tuple[str, ...]:
        """Agents still waiting their turn (after a stop)."""
        return self.state.queued

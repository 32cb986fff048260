"""Merge: an agent's work into its base branch, never half-done, one merge at a time.

Order of a merge (nothing is written before every check has passed):
1. checks that read only: the agent's worktree and branch, uncommitted work, the base branch,
   a trial merge (`git merge-tree --write-tree`, no worktree touched), where base is checked
   out and whether that checkout is clean where the merge changes it;
2. the gate command, in the agent's worktree, with a timeout;
3. under the merge lock (flock on <state>/merge.lock): the same checks again against base as
   it is now, the agent's uncommitted work committed (only with commit_wip), the result
   commit built with commit-tree, base moved with compare-and-swap (`git update-ref ref new
   old`), and the main checkout's files brought along (two-way `read-tree -m -u`) when base
   is checked out there; if that last step fails, base is moved back.
Every refusal is a MergeRefused (a UsageError): one line saying what and how to fix it.
Every method may run in a worker thread.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from workspace.adapters import runner
from workspace.adapters.git import CommitInfo, GitError, WorktreeStatus, without_untracked
from workspace.adapters.proc import alive
from workspace.core.agent import Agent, DiffStat, Status
from workspace.core.command import CommandResult
from workspace.core.diffstat import parse_numstat_z, summarize
from workspace.core.errors import UsageError
from workspace.core.review import (
    FAILED,
    INTERRUPTED,
    MERGED,
    MERGING,
    MergeTreeResult,
    QueueItem,
    QueueState,
    draft_merge_message,
    draft_pr,
    draft_wip_message,
    gh_pr_argv,
)
from workspace.core.settings import MERGE_STRATEGIES
from workspace.service.review import ReviewMixin

DEFAULT_LOCK_WAIT = 10.0
"""Seconds a merge waits for another one to finish before it refuses."""
LOCK_FILE = "merge.lock"
QUEUE_FILE = "merge-queue.json"
MERGE_RECORD = "merge.json"

StepCallback = Callable[[str], None]


# -- refusals -------------------------------------------------------------------------------


class MergeRefused(UsageError):
    """The merge was not made and nothing was changed."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.name = name


class NothingToMerge(MergeRefused):
    pass


class MergeConflict(MergeRefused):
    def __init__(self, message: str, name: str, base: str, result: MergeTreeResult) -> None:
        super().__init__(message, name)
        self.base = base
        self.result = result

    @property
    def files(self) -> tuple[str, ...]:
        return self.result.conflicted


class CheckoutBlocked(MergeRefused):
    def __init__(self, message: str, name: str, blockers: tuple[str, ...]) -> None:
        super().__init__(message, name)
        self.blockers = blockers


class GateFailed(MergeRefused):
    def __init__(self, message: str, name: str, gate: CommandResult) -> None:
        super().__init__(message, name)
        self.gate = gate


class MergeBusy(MergeRefused):
    pass


# -- results --------------------------------------------------------------------------------


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

    def summary(self) -> str:
        count = len(self.commits)
        what = f"{count} commit{'s' if count != 1 else ''}"
        text = (f"merged {self.name} into {self.base} ({self.strategy}): {what}, "
                f"{self.stat.files} file{'s' if self.stat.files != 1 else ''} "
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


@dataclass(frozen=True)
class PrPlan:
    name: str
    remote: str
    branch: str
    base: str
    title: str
    body: str
    push_argv: tuple[str, ...]
    create_argv: tuple[str, ...]


@dataclass(frozen=True)
class PrResult:
    plan: PrPlan
    url: str
    output: str


@dataclass(frozen=True)
class _Plan:
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


# -- the mixin ------------------------------------------------------------------------------


class MergeMixin(ReviewMixin):
    # -- checks -------------------------------------------------------------------------

    def check_merge(self, name: str, strategy: str | None = None,
                    commit_wip: bool = False) -> MergeCheck:
        """A dry run of `merge` (no gate): what would happen, or the refusal in `problem`.
        Changes nothing but the agent's conflict note."""
        agent = self.agent(name)
        strategy = self._strategy(strategy)
        empty = MergeCheck(name, agent.base, agent.branch, strategy)
        try:
            plan = self._plan(agent, strategy, commit_wip, message=None)
        except MergeConflict as exc:
            return replace(empty, problem=str(exc), conflicts=exc.result)
        except CheckoutBlocked as exc:
            return replace(empty, problem=str(exc), blockers=exc.blockers)
        except UsageError as exc:
            return replace(empty, problem=str(exc))
        self.clear_conflict(agent)
        return replace(
            empty,
            commits=tuple(c.oneline for c in plan.commits),
            uncommitted=plan.status.paths,
            stat=self._stat(plan.base_sha, plan.new),
            checkout=str(plan.checkout) if plan.checkout else None,
        )

    def _strategy(self, strategy: str | None) -> str:
        chosen = strategy or self.settings.merge.strategy
        if chosen not in MERGE_STRATEGIES:
            raise UsageError(f"unknown merge strategy {chosen!r}; use one of: "
                             f"{', '.join(MERGE_STRATEGIES)}")
        return chosen

    def _stat(self, old: str, new: str) -> DiffStat:
        out = self.repo.git("diff", "--numstat", "-z", "-M", "--no-ext-diff", old, new, "--")
        return summarize(parse_numstat_z(out))

    def _agent_status(self, agent: Agent, worktree: Path, commit_wip: bool,
                      leave: frozenset[str] = frozenset()) -> WorktreeStatus:
        status = without_untracked(self.repo.status(worktree), leave)
        if status.branch != agent.branch:
            on = f"branch {status.branch}" if status.branch else "a detached HEAD"
            raise MergeRefused(
                f"{agent.name}'s worktree {worktree} is on {on}, not its branch {agent.branch}; "
                f"switch it back (git -C {worktree} switch {agent.branch}) and retry",
                agent.name)
        if status.unmerged:
            raise MergeRefused(
                f"{agent.name}'s worktree has unresolved conflicts in "
                f"{_some(status.unmerged)}; resolve and commit them first", agent.name)
        if status.dirty and not commit_wip:
            count = len(status.paths)
            raise MergeRefused(
                f"{agent.name} has uncommitted changes in {count} file{'s' if count != 1 else ''}"
                f" ({_some(status.paths)}); commit them first, or pass --commit-wip to commit "
                "them as part of the merge", agent.name)
        return status

    def _plan(self, agent: Agent, strategy: str, commit_wip: bool,
              message: str | None, leave: frozenset[str] = frozenset()) -> _Plan:
        """Every check of a merge, and the commit base would move to. Writes only objects
        (trees and unreferenced commits), never a ref, index or file."""
        worktree = self.agent_worktree(agent)
        try:
            status = self._agent_status(agent, worktree, commit_wip, leave)
            base_sha = self.base_tip(agent)
            assert status.head is not None
            snap = self.repo.snapshot(worktree, leave) if status.dirty else None
            source = snap.commit if snap else status.head
            if self.repo.is_ancestor(source, base_sha):
                raise NothingToMerge(
                    f"{agent.name} has nothing to merge: its branch {agent.branch} has no "
                    f"commits that are not on {agent.base}, and its worktree is clean",
                    agent.name)
            commits = tuple(self.repo.commits(f"{base_sha}..{status.head}", reverse=True))
            new, new_tree = self._build(agent, strategy, base_sha, source, commits, message)
            if new_tree == self.repo.tree_of(base_sha):
                raise NothingToMerge(
                    f"{agent.name}'s changes are already on {agent.base}: merging would change "
                    f"nothing; end it with 'workspace kill {agent.name} --discard'", agent.name)
            checkout = self._base_checkout(agent, base_sha, new_tree)
        except GitError as exc:
            raise MergeRefused(f"git failed while checking {agent.name}: {exc}",
                               agent.name) from None
        return _Plan(agent, strategy, worktree, status, status.head, source, base_sha, new,
                     new_tree, commits, checkout, leave)

    def _build(self, agent: Agent, strategy: str, base_sha: str, source: str,
               commits: tuple[CommitInfo, ...], message: str | None) -> tuple[str, str]:
        """The commit base would move to, and its tree: built with merge-tree and
        commit-tree, so no worktree is touched. Raises MergeConflict."""
        if strategy == "rebase":
            return self._replay(agent, base_sha, source)
        result = self.repo.merge_tree(base_sha, source)
        if not result.clean:
            raise self._conflict(agent, result, f"merging {agent.branch} into {agent.base}")
        text = message or draft_merge_message(
            agent.name, agent.branch, agent.base, agent.task, [c.oneline for c in commits],
            strategy)
        parents = [base_sha, source] if strategy == "merge" else [base_sha]
        return self.repo.commit_tree(result.tree, parents, text), result.tree

    def _replay(self, agent: Agent, base_sha: str, source: str) -> tuple[str, str]:
        """Rebase, then fast-forward: the branch's commits replayed one by one on base,
        keeping their authors and messages (commits that become empty are dropped)."""
        if self.repo.is_ancestor(base_sha, source):
            return source, self.repo.tree_of(source)
        current = base_sha
        current_tree = self.repo.tree_of(base_sha)
        for commit in self.repo.rebase_commits(base_sha, source):
            result = self.repo.pick_onto(current, commit)
            if not result.clean:
                raise self._conflict(agent, result,
                                     f"replaying {commit.oneline!r} onto {agent.base}")
            if result.tree == current_tree:
                continue
            env = {"GIT_AUTHOR_NAME": commit.author_name,
                   "GIT_AUTHOR_EMAIL": commit.author_email,
                   "GIT_AUTHOR_DATE": commit.author_date}
            current = self.repo.commit_tree(result.tree, [current], commit.message.strip(),
                                            env=env)
            current_tree = result.tree
        return current, current_tree

    def _conflict(self, agent: Agent, result: MergeTreeResult, doing: str) -> MergeConflict:
        self.note_conflict(agent, result)
        return MergeConflict(
            f"{agent.name} conflicts with {agent.base} ({doing}) in {result.describe()}; "
            f"nothing was changed: ask it to rebase ('workspace ask-rebase {agent.name}') "
            "or resolve the conflicts in its worktree",
            agent.name, agent.base, result)

    def _base_checkout(self, agent: Agent, base_sha: str, new_tree: str) -> Path | None:
        """Where base is checked out: the main checkout (returned, when clean where the merge
        changes it), nowhere (None), or a refusal."""
        base = agent.base
        worktrees = self.repo.worktrees()
        main = next((w for w in worktrees if Path(w.path).resolve() == self.repo.top), None)
        busy = self.repo.operation_in_progress(self.repo.common_dir)
        if main is not None and main.branch is None:
            doing = f" ({busy} is in progress)" if busy else ""
            raise MergeRefused(
                f"the main checkout {self.repo.top} is on a detached HEAD{doing}; "
                f"{'finish it, then ' if busy else ''}switch it to a branch "
                f"(git switch {base}) and retry", agent.name)
        rebasing = self.repo.being_rebased(base)
        if rebasing is not None:
            raise MergeRefused(f"{base} is being rebased in {rebasing}; finish or abort that "
                               "rebase, then retry", agent.name)
        for wt in worktrees:
            if wt.branch == base and Path(wt.path).resolve() != self.repo.top:
                raise MergeRefused(
                    f"{base} is checked out in another worktree, {wt.path}; moving it would "
                    f"leave that checkout behind. Switch that worktree to another branch "
                    f"(git -C {wt.path} switch --detach) and retry", agent.name)
        if main is None or main.branch != base:
            return None
        if busy:
            raise MergeRefused(f"{busy} is in progress in the main checkout {self.repo.top}; "
                               "finish or abort it, then retry", agent.name)
        blockers = tuple(self.repo.checkout_blockers(self.repo.top, base_sha, new_tree))
        if blockers:
            raise CheckoutBlocked(
                f"{base} is checked out in {self.repo.top}, which has changes where the merge "
                f"would write: {_some(blockers, 4)}; commit or stash them there and retry",
                agent.name, blockers)
        return self.repo.top

    # -- the merge ------------------------------------------------------------------------

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
        strategy = self._strategy(strategy)
        agent = self.agent(name)
        step("checking")
        first = self._plan(agent, strategy, commit_wip, message)
        self.clear_conflict(agent)
        gate_result = None
        leave: frozenset[str] = frozenset()
        argv = self.settings.merge.gate
        if gate and argv:
            step("gate")
            gate_result = self.run_gate(agent, first.worktree)
            leave = self._made_by_gate(first)
        step("waiting")
        with self._merge_lock(wait, name):
            step("checking")
            agent = self.agent(name)
            plan = self._plan(agent, strategy, commit_wip, message, leave)
            if gate_result is not None and plan.tip != first.tip:
                raise MergeRefused(f"{name}'s branch moved while the gate ran; merge again",
                                   name)
            result = self._apply(plan, message, step)
        result = replace(result, gate=gate_result)
        choice = self.settings.merge.cleanup
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

    def _apply(self, plan: _Plan, message: str | None, step: StepCallback) -> MergeResult:
        agent = plan.agent
        new, tip, wip = plan.new, plan.tip, None
        index: bytes | None = None
        try:
            if plan.status.dirty:
                step("committing")
                index = self.repo.read_index(plan.worktree)
                text = message or draft_wip_message(agent.name, agent.task)
                wip = self.repo.commit_wip(plan.worktree, agent.branch, text, plan.leave)
                if wip is not None:
                    tip = wip
                    commits = tuple(self.repo.commits(f"{plan.base_sha}..{tip}", reverse=True))
                    new, tree = self._build(agent, plan.strategy, plan.base_sha, tip, commits,
                                            message)
                    if tree != plan.new_tree and plan.checkout is not None:
                        # The agent wrote more while we looked: check the checkout again.
                        self._base_checkout(agent, plan.base_sha, tree)
            step("updating base")
            ref = f"refs/heads/{agent.base}"
            if not self.repo.update_ref(ref, new, plan.base_sha,
                                        f"workspace: merge {agent.branch} ({plan.strategy})"):
                now = self.repo.rev(ref)
                where = f"is now at {now[:10]}" if now else "was deleted"
                raise MergeRefused(
                    f"{agent.base} moved while merging (it {where}, was {plan.base_sha[:10]}); "
                    f"nothing was changed; merge again", agent.name)
            if plan.checkout is not None:
                step("updating checkout")
                try:
                    self.repo.update_checkout(plan.checkout, plan.base_sha, new)
                except GitError as exc:
                    back = self.repo.update_ref(
                        ref, plan.base_sha, new, "workspace: undo merge (checkout could not "
                        "update)")
                    what = f"{agent.base} was put back at {plan.base_sha[:10]}" if back else \
                        f"{agent.base} moved again meanwhile, so it was left as it is now"
                    raise MergeRefused(
                        f"could not update {plan.checkout} to the merged {agent.base}, so "
                        f"{what}: {exc}", agent.name) from None
        except (MergeRefused, GitError) as exc:
            kept = self._undo_wip(plan, wip, index)
            if isinstance(exc, MergeRefused):
                if kept:
                    raise MergeRefused(f"{exc}{kept}", agent.name) from None
                raise
            raise MergeRefused(f"git failed while merging {agent.name}: {exc}{kept}",
                               agent.name) from None
        gained = tuple(c.oneline for c in self.repo.commits(f"{plan.base_sha}..{new}",
                                                            reverse=True))
        self._write_record(agent, tip, new, plan.strategy, plan.leave)
        self._record(agent, "merged")
        self.update_diff(self.agent(agent.name))
        return MergeResult(
            name=agent.name, strategy=plan.strategy, branch=agent.branch, base=agent.base,
            old_base=plan.base_sha, new_base=new, commits=gained,
            stat=self._stat(plan.base_sha, new), wip_commit=wip,
            checkout=str(plan.checkout) if plan.checkout else None,
        )

    def _undo_wip(self, plan: _Plan, wip: str | None, index: bytes | None) -> str:
        """After a failed merge, take back the commit made of the agent's uncommitted work:
        its branch and index as they were (its files were never touched). Returns '' when
        undone (or there was none), else a note for the error saying where the work is."""
        if wip is None:
            return ""
        agent = plan.agent
        try:
            if self.repo.uncommit_wip(plan.worktree, agent.branch, wip, plan.tip, index):
                return ""
        except (GitError, OSError):
            pass
        return (f" ({agent.name}'s uncommitted work was committed on {agent.branch} as "
                f"{wip[:10]} and is still there)")

    def _made_by_gate(self, before: _Plan) -> frozenset[str]:
        """Untracked files that appeared in the agent's worktree while the gate ran (caches,
        build output): what was gated is what is merged, so they are left out of it."""
        try:
            now = self.repo.status(before.worktree)
        except GitError:
            return frozenset()
        return frozenset(now.untracked) - set(before.status.paths)

    def _write_record(self, agent: Agent, tip: str, new: str, strategy: str,
                      left: frozenset[str] = frozenset()) -> None:
        path = self.paths(agent.id).dir / MERGE_RECORD
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"tip": tip, "base": agent.base, "base_sha": new,
                                   "strategy": strategy, "at": time.time(),
                                   "left": sorted(left)}))
        tmp.replace(path)

    def merge_record(self, name: str) -> dict[str, object] | None:
        """What the last merge of this agent recorded (tip merged, base sha, strategy)."""
        agent = self.agent(name)
        try:
            data = json.loads((self.paths(agent.id).dir / MERGE_RECORD).read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    # -- the gate -------------------------------------------------------------------------

    def run_gate(self, agent: Agent, worktree: Path) -> CommandResult:
        """Run settings.merge.gate in the agent's worktree; raise GateFailed unless it
        passes within settings.merge.gate_timeout."""
        settings = self.settings.merge
        result = runner.run_command(settings.gate, worktree, settings.gate_timeout)
        if result.ok:
            return result
        what = result.describe(settings.gate_timeout)
        fix = "fix [merge] gate in your config" if result.missing else \
            "fix what it reports"
        raise GateFailed(f"{what}, so {agent.name} was not merged; {fix}, or pass --no-gate",
                         agent.name, result)

    # -- one merge at a time --------------------------------------------------------------

    @contextmanager
    def _merge_lock(self, wait: float, name: str) -> Iterator[None]:
        path = self.state_dir / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + max(wait, 0.0)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise MergeBusy(self._busy_message(path, wait), name) from None
                    time.sleep(0.1)
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({"pid": os.getpid(), "agent": name,
                                      "at": time.time()}).encode(), 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)
        finally:
            os.close(fd)

    @staticmethod
    def _busy_message(path: Path, wait: float) -> str:
        try:
            holder = json.loads(path.read_text() or "{}")
        except (OSError, ValueError):
            holder = {}
        who = ""
        if isinstance(holder, dict) and holder.get("agent"):
            since = time.time() - float(holder.get("at", time.time()))
            who = f" (merging {holder['agent']}, pid {holder.get('pid')}, for {since:.0f}s)"
        waited = f"waited {wait:g}s; " if wait > 0 else ""
        return f"another merge is under way{who}; {waited}retry when it has finished"

    # -- after a merge --------------------------------------------------------------------

    def cleanup_merged(self, name: str) -> CleanupReport:
        """End a merged agent (its processes and session) and remove its worktree and branch.
        Refused if it has changed since the merge; the branch's own commits stay reachable
        from a recovery ref when base got them squashed or rebased."""
        agent = self.agent(name)
        record = self.merge_record(name)
        if record is None or agent.status != Status.MERGED:
            raise UsageError(f"{name} has not been merged by workspace; end it with "
                             f"'workspace kill {name}' (kill keeps unmerged work)")
        tip = self.repo.rev(f"refs/heads/{agent.branch}")
        if tip is not None and tip != record.get("tip"):
            raise UsageError(f"{name} has new commits since it was merged; merge again, or "
                             f"'workspace kill {name}' (keeps them)")
        worktree = Path(agent.worktree)
        left = record.get("left")
        gate_made = frozenset(left) if isinstance(left, list) else frozenset()
        if worktree.is_dir() and self.repo.is_linked_worktree(worktree) and \
                without_untracked(self.repo.status(worktree), gate_made).dirty:
            # (what the gate made is kept in the recovery ref that kill saves)
            raise UsageError(f"{name} has uncommitted changes since it was merged; merge again "
                             f"with --commit-wip, or 'workspace kill {name}' (keeps them)")
        report = self.kill(name, discard=True)
        return CleanupReport(name, report.worktree, report.branch, report.removed,
                             report.recovery_ref)

    # -- the merge queue ------------------------------------------------------------------

    def queue_path(self) -> Path:
        return self.state_dir / QUEUE_FILE

    def queue_state(self) -> QueueState:
        """The merge queue as last written (by any process); a queue whose process died
        shows its current item as interrupted."""
        try:
            data = json.loads(self.queue_path().read_text())
        except (OSError, ValueError):
            return QueueState()
        state = QueueState.from_dict(data if isinstance(data, dict) else {})
        if state.running and not (state.pid > 0 and alive(state.pid)):
            items = tuple(QueueItem(i.name, INTERRUPTED, i.detail) if i.state == MERGING else i
                          for i in state.items)
            state = replace(state, running=False, items=items)
        return state

    def _save_queue(self, state: QueueState) -> None:
        state = replace(state, updated_at=time.time())
        tmp = self.queue_path().with_suffix(".tmp")
        tmp.write_text(json.dumps(state.to_dict()))
        tmp.replace(self.queue_path())

    def clear_queue(self) -> None:
        if self.queue_state().running:
            raise UsageError("the merge queue is running; wait for it to finish")
        self.queue_path().unlink(missing_ok=True)

    def ready_to_merge(self, commit_wip: bool = False) -> list[str]:
        """Agents whose turn is over (waiting or exited) with work not on base (and, unless
        commit_wip, a clean worktree), oldest first: what `merge --all-ready` queues."""
        ready = []
        for agent in self.agents():
            if agent.status not in (Status.WAITING, Status.EXITED) or not agent.spawn_complete:
                continue
            try:
                check = self.check_merge(agent.name, commit_wip=commit_wip)
            except UsageError:
                continue
            if check.ok:
                ready.append(agent.name)
        return ready

    def merge_queue(
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
        """Merge agents in order, each checked against base as the previous merge left it.
        Stops at the first refusal (conflict, gate failure...); the rest stay queued. The
        queue is kept in <state>/merge-queue.json (`queue_state()`) for any UI to show."""
        if not names:
            raise UsageError("nothing to merge: name at least one agent")
        if len(set(names)) != len(names):
            raise UsageError("an agent is named twice in the merge queue")
        self._strategy(strategy)
        for name in names:
            self.agent(name)
        current = self.queue_state()
        if current.running:
            raise MergeBusy(f"a merge queue is already running (pid {current.pid}: "
                            f"{', '.join(current.queued) or 'finishing'}); wait for it")
        state = QueueState(tuple(QueueItem(n) for n in names), running=True,
                           started_at=time.time(), pid=os.getpid())
        results: list[MergeResult] = []
        failed, error = None, ""

        def save(new: QueueState) -> QueueState:
            self._save_queue(new)
            if on_progress is not None:
                on_progress(new)
            return new

        state = save(state)
        try:
            for name in names:
                state = save(state.with_item(name, MERGING))
                try:
                    done = self.merge(name, strategy=strategy, gate=gate, cleanup=cleanup,
                                      commit_wip=commit_wip, wait=wait)
                except UsageError as exc:
                    failed, error = name, str(exc)
                    state = save(state.with_item(name, FAILED, error))
                    break
                results.append(done)
                state = save(state.with_item(name, MERGED, done.summary()))
        except BaseException:
            interrupted = tuple(QueueItem(i.name, INTERRUPTED, i.detail)
                                if i.state == MERGING else i for i in state.items)
            save(replace(state, items=interrupted, running=False))
            raise
        state = save(replace(state, running=False))
        return QueueReport(tuple(results), state, failed, error)

    # -- push and pull request ------------------------------------------------------------

    def pr_plan(self, name: str, remote: str | None = None, title: str | None = None,
                body: str | None = None, draft: bool = False) -> PrPlan:
        """What `create_pr` would run: the push and the `gh pr create` argv."""
        agent = self.agent(name)
        remotes = self.repo.remotes()
        chosen = remote or self.repo.upstream_remote(agent.base) or (
            "origin" if "origin" in remotes else (remotes[0] if remotes else ""))
        if not chosen or chosen not in remotes:
            known = ", ".join(remotes) or "none"
            raise UsageError(f"no remote {chosen!r} to push to (remotes: {known}); add one "
                             "(git remote add origin URL) or pass --remote")
        tip = self.repo.rev(f"refs/heads/{agent.branch}")
        if tip is None:
            raise UsageError(f"{name}'s branch {agent.branch} is gone; nothing to push")
        base_sha = self.repo.rev(f"refs/heads/{agent.base}") or agent.base_sha
        commits = [c.oneline for c in self.repo.commits(f"{base_sha}..{tip}", reverse=True)]
        auto_title, auto_body = draft_pr(agent.name, agent.branch, agent.task, commits)
        title, body = title or auto_title, body or auto_body
        push = ("git", "push", "--set-upstream", chosen,
                f"refs/heads/{agent.branch}:refs/heads/{agent.branch}")
        create = tuple(gh_pr_argv(agent.base, agent.branch, title, body, draft))
        return PrPlan(name, chosen, agent.branch, agent.base, title, body, push, create)

    def pr_problem(self) -> str:
        """Why pull requests cannot be opened from here ('' when gh is installed and signed
        in), saying how to enable them."""
        gh = runner.find_program("gh")
        if gh is None:
            return ("pull requests need the GitHub CLI (gh): install it "
                    "(https://cli.github.com), run 'gh auth login', and retry")
        if not runner.run_command([gh, "auth", "status"], self.repo.top, 30).ok:
            return "gh is not signed in to GitHub; run 'gh auth login' and retry"
        return ""

    def create_pr(self, name: str, remote: str | None = None, title: str | None = None,
                  body: str | None = None, draft: bool = False) -> PrResult:
        """Push the agent's branch and open a pull request with the GitHub CLI (`gh`),
        title and body drawn from its task and commits. Needs gh installed and signed in;
        refuses otherwise before pushing anything."""
        agent = self.agent(name)
        problem = self.pr_problem()
        if problem:
            raise UsageError(f"{problem}; or push yourself: git push -u origin {agent.branch}")
        gh = runner.find_program("gh") or "gh"
        worktree = Path(agent.worktree)
        if worktree.is_dir() and self.repo.is_linked_worktree(worktree):
            status = self.repo.status(worktree)
            if status.dirty:
                raise UsageError(
                    f"{name} has uncommitted changes ({_some(status.paths)}); they would not be "
                    "in the pull request: commit them first")
        plan = self.pr_plan(name, remote, title, body, draft)
        base_sha = self.repo.rev(f"refs/heads/{agent.base}") or agent.base_sha
        tip = self.repo.rev(f"refs/heads/{agent.branch}")
        if tip is None or self.repo.is_ancestor(tip, base_sha):
            raise UsageError(f"{name} has no commits that are not on {agent.base}; nothing to "
                             "put in a pull request")
        try:
            self.repo.push_branch(plan.remote, plan.branch)
        except GitError as exc:
            raise UsageError(f"could not push {plan.branch} to {plan.remote}: {exc}") from None
        done = runner.run_command([gh, *plan.create_argv[1:]], self.repo.top, 120)
        if not done.ok:
            last = done.output.strip().splitlines()[-1:] or ["no output"]
            raise UsageError(f"pushed {plan.branch}, but gh pr create failed: {last[0]}")
        urls = [w for w in done.output.split() if w.startswith(("https://", "http://"))]
        return PrResult(plan, urls[-1] if urls else "", done.output)


def _some(items: tuple[str, ...] | list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")

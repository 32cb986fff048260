"""Review: an agent's diff (uncommitted work, or the whole branch against base), the conflict
radar across agents, asking an agent to rebase, and file-change events for diff refreshes.

Nothing here writes an index or a file: git reads run with GIT_OPTIONAL_LOCKS=0 and the trees
of uncommitted work are built in copies of the index in temp dirs (see adapters/git/index.py). Every
method may run in a worker thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterator
from pathlib import Path

from workspace.adapters.git import GitError
from workspace.adapters.watch import watch_worktrees
from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError
from workspace.core.lru import LRU
from workspace.core.review.diff import (
    BRANCH,
    DIFF_MODES,
    WIP,
    Diff,
    mark_files,
    parse_unified_diff,
)
from workspace.core.review.drafts import rebase_request
from workspace.core.review.mergetree import MergeTreeResult
from workspace.core.review.radar import PredictedConflict, Radar, find_overlaps, pairs_to_check
from workspace.service.context import Context
from workspace.service.messaging import Messenger

CACHE_LIMIT = 2000
"""Entries kept per radar cache (keys are commit ids: a dropped entry is merely recomputed)."""


class Review:
    def __init__(self, ctx: Context, messenger: Messenger) -> None:
        self.ctx = ctx
        self._messenger = messenger
        self._lock = threading.Lock()
        """Guards the caches: the radar worker and a merge check may look at once."""
        self._snapshots: dict[str, str] = {}
        """Agent id -> the commit standing for its worktree at the last fresh look."""
        self._files: LRU[tuple[str, str], tuple[str, ...]] = LRU(CACHE_LIMIT)
        self._merges: LRU[tuple[str, str], MergeTreeResult] = LRU(CACHE_LIMIT)
        self._bases: LRU[tuple[str, str], str | None] = LRU(CACHE_LIMIT)

    # -- an agent's worktree and base ---------------------------------------------------

    def agent_worktree(self, agent: Agent) -> Path:
        """The agent's worktree, or a UsageError saying it is gone."""
        worktree = Path(agent.worktree)
        if not worktree.is_dir() or not self.ctx.repo.is_linked_worktree(worktree):
            what = "is gone" if not worktree.exists() else "is no longer a git worktree"
            raise UsageError(
                f"{agent.name}'s worktree {worktree} {what} (changed outside workspace); its "
                f"commits are still on branch {agent.branch} ('git log {agent.base}.."
                f"{agent.branch}'); end the agent with 'workspace kill {agent.name}'"
            )
        return worktree

    def base_tip(self, agent: Agent) -> str:
        """The commit the agent's base branch points at, or a UsageError if it is gone."""
        sha = self.ctx.repo.rev(f"refs/heads/{agent.base}")
        if sha is None:
            raise UsageError(
                f"{agent.name}'s base branch {agent.base!r} no longer exists; recreate it "
                f"(git branch {agent.base} {agent.base_sha[:12]}) and retry"
            )
        return sha

    # -- diffs ----------------------------------------------------------------------------

    def diff(self, name: str, mode: str = BRANCH) -> Diff:
        """The agent's changes as a parsed diff. `wip`: uncommitted work (staged, unstaged
        and untracked) against its worktree's HEAD. `branch`: everything (committed,
        uncommitted, untracked) against the merge-base with its base branch."""
        if mode not in DIFF_MODES:
            raise UsageError(f"unknown diff mode {mode!r}; use one of: {', '.join(DIFF_MODES)}")
        repo = self.ctx.repo
        agent = self.ctx.agent(name)
        worktree = self.agent_worktree(agent)
        try:
            status = repo.status(worktree)
            if status.head is None:
                raise UsageError(f"{name}'s worktree has no commit yet; nothing to diff")
            tree = repo.worktree_tree(worktree, status)
            if mode == WIP:
                against, label = status.head, "HEAD"
            else:
                against = repo.diff_base(worktree, agent.base, agent.base_sha)
                label = (f"merge-base with {agent.base}" if repo.branch_exists(agent.base)
                         else f"{agent.base_sha[:10]}, where it started ({agent.base} is gone)")
            text = repo.diff_trees(against, tree)
        except GitError as exc:
            raise UsageError(f"git could not diff {name}'s worktree: {exc}") from None
        files = mark_files(parse_unified_diff(text), status.untracked, status.paths)
        return Diff(agent=name, mode=mode, against=against, against_label=label,
                    head=status.head, files=files, text=text)

    def watch_changes(self, agents: list[Agent], stop: threading.Event) -> Iterator[set[str]]:
        """Ids of agents whose worktree files or branch changed, one set per debounced burst."""
        worktrees = {a.id: Path(a.worktree) for a in agents}
        refs = {a.id: self.ctx.repo.common_dir / "refs" / "heads" / a.branch for a in agents}
        yield from watch_worktrees(worktrees, refs, stop)

    # -- conflict radar -------------------------------------------------------------------

    def radar(self, changed: Collection[str] | None = None) -> Radar:
        """Files touched by more than one agent, and predicted conflicts between agents'
        branches and with their base, uncommitted work included.

        `changed`: ids or names of agents whose worktrees changed since the last call (the
        file watcher's news); the others reuse their cached snapshot. None looks at all.
        Merge results are cached by commit ids, so an unchanged fleet costs one `git status`
        per looked-at agent and no merge."""
        agents = [a for a in self.ctx.store.agents()
                  if a.spawn_complete and a.status != Status.MERGED]
        tips: dict[str, str] = {}
        bases: dict[str, str] = {}
        files: dict[str, tuple[str, ...]] = {}
        problems: dict[str, str] = {}
        heads = self.ctx.repo.branch_tips() if agents else {}
        for agent in agents:
            fresh = changed is None or agent.id in changed or agent.name in changed
            try:
                tip = self._radar_tip(agent, fresh)
            except (GitError, UsageError) as exc:
                problems[agent.name] = str(exc)
                continue
            if tip is None:
                problems[agent.name] = f"its worktree and branch {agent.branch} are gone"
                continue
            base = heads.get(agent.base) or agent.base_sha
            mb = self._merge_base(base, tip) or agent.base_sha
            tips[agent.name], bases[agent.name] = tip, base
            files[agent.name] = self._changed_files(mb, tip)
        overlaps = find_overlaps({n: f for n, f in files.items() if f})
        conflicts: list[PredictedConflict] = []
        for a, b in pairs_to_check(files):
            result = self._merge(tips[a], tips[b])
            if result is not None and not result.clean:
                conflicts.append(PredictedConflict(a, b, result.conflicted, result.describe()))
        by_name = {a.name: a for a in agents}
        for name, tip in tips.items():
            base = bases[name]
            if not files[name] or self._merge_base(base, tip) == base:
                continue  # base has not moved past the branch: it merges cleanly
            result = self._merge(base, tip)
            if result is not None and not result.clean:
                conflicts.append(PredictedConflict(name, by_name[name].base, result.conflicted,
                                                   result.describe(), with_base=True))
        return Radar(at=time.time(), files=files, ids={a.name: a.id for a in agents},
                     overlaps=overlaps, conflicts=tuple(conflicts), problems=problems)

    def _radar_tip(self, agent: Agent, fresh: bool) -> str | None:
        """The commit standing for the agent's work: a snapshot of its worktree (uncommitted
        work included), or its branch tip when the worktree is gone."""
        worktree = Path(agent.worktree)
        if not worktree.is_dir() or not self.ctx.repo.is_linked_worktree(worktree):
            return self.ctx.repo.rev(f"refs/heads/{agent.branch}")
        with self._lock:
            cached = self._snapshots.get(agent.id)
        if cached is not None and not fresh:
            return cached
        commit = self.ctx.repo.snapshot(worktree).commit
        with self._lock:
            self._snapshots[agent.id] = commit
        return commit

    def _merge_base(self, a: str, b: str) -> str | None:
        """Merge-bases never change for the same two commits: an unchanged fleet costs the
        radar no git process for them."""
        with self._lock:
            found, value = self._bases.lookup((a, b))
        if found:
            return value
        value = self.ctx.repo.merge_base(a, b)
        with self._lock:
            self._bases.put((a, b), value)
        return value

    def _changed_files(self, mb: str, tip: str) -> tuple[str, ...]:
        with self._lock:
            found = self._files.get((mb, tip))
        if found is None:
            found = tuple(sorted(self.ctx.repo.changed_paths(mb, tip)))
            with self._lock:
                self._files.put((mb, tip), found)
        return found

    def _merge(self, a: str, b: str) -> MergeTreeResult | None:
        with self._lock:
            found = self._merges.get((a, b))
        if found is None:
            try:
                found = self.ctx.repo.merge_tree(a, b)
            except GitError:
                return None  # unrelated histories and the like: nothing to predict
            with self._lock:
                self._merges.put((a, b), found)
        return found

    # -- conflicts with base --------------------------------------------------------------

    def conflicts_with_base(self, name: str) -> MergeTreeResult:
        """A trial merge of the agent's work (uncommitted included) into its base, as it is
        now. Touches no worktree, index or ref."""
        agent = self.ctx.agent(name)
        worktree = self.agent_worktree(agent)
        base = self.base_tip(agent)
        try:
            tip = self.ctx.repo.snapshot(worktree).commit
            return self.ctx.repo.merge_tree(base, tip)
        except GitError as exc:
            raise UsageError(f"git could not check {name} against {agent.base}: {exc}") from None

    def ask_to_rebase(self, name: str) -> str:
        """Send the agent a message asking it to rebase onto its base and resolve the
        conflicts, naming the files. Returns the message as sent (cleaned)."""
        agent = self.ctx.agent(name)
        result = self.conflicts_with_base(name)
        if result.clean:
            raise UsageError(f"{name}'s work merges cleanly into {agent.base}; no rebase needed")
        text = rebase_request(name, agent.branch, agent.base, result.conflicted)
        # What was typed: a file name may hold control characters, cleaned out of both.
        sent = self._messenger.send(name, text).text
        self.note_conflict(agent, result)
        return sent

    def clear_conflict(self, agent: Agent) -> None:
        state = self.ctx.store.state_of(agent.id)
        if state is not None and state.conflict:
            self.ctx.record(agent, "merge_clean")

    def note_conflict(self, agent: Agent, result: MergeTreeResult) -> None:
        """Let the agent's row say why it does not merge (or stop saying it)."""
        if result.clean:
            self.clear_conflict(agent)
            return
        state = self.ctx.store.state_of(agent.id)
        if state is None:
            return
        detail = f"conflicts with {agent.base}: {result.describe(limit=3)}"
        if state.conflict != detail:
            self.ctx.record(agent, "merge_conflict", detail)

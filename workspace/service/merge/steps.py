"""The steps of a merge once its checks have passed, each one safe to run again, and the
recovery that finishes or undoes a merge a killed process left half-made.

After the intent is written (intent.py), in this order:
1. with uncommitted work: the agent's branch moved to the commit made of it (guarded), then
   its index written as a mixed reset to that commit would leave it;
2. base moved from old to new (guarded compare-and-swap);
3. the main checkout brought along: a two-way `read-tree -m -u old new`, which changes nothing
   when it was already done;
4. the merge record written and the agent marked merged;
5. the guard deleted and the intent cleared.

Recovery runs under the merge lock (a merge still alive holds it), takes the intent over (the
old guard deleted first, then a guard of its own), and looks at base:
- at new: finish (the agent's index if step 1 stopped half-way, then steps 3 to 5); if the
  checkout cannot be brought along (a person's edit in the way), undo instead;
- at old: undo: the commit of uncommitted work taken back (its index bytes, then its branch);
- elsewhere (moved by someone since): touch nothing, clear the intent, say so.
Undo moves base back from new to old only while the checkout is still at old (step 3 failed),
so base, the checkout's index and files, and the agent's status always agree."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from workspace.adapters.files import write_json
from workspace.adapters.git import GitError
from workspace.core.agent import Agent
from workspace.service.context import Context
from workspace.service.merge.intent import (
    BatchIntent,
    Intent,
    IntentFile,
    digest,
    new_guard,
    pause,
    with_guard,
    with_reset,
)
from workspace.service.poller import Poller

NO_COMMIT = "0" * 40
"""As the old value of a ref move: the ref must not exist yet; as the new one: delete it."""
RETRIES = 20
"""Attempts at a step another git process holds a lock for (git's own retry is 100 ms): a git
that a killed merge left running finishes within that."""

T = TypeVar("T")


def record_path(ctx: Context, agent_id: str) -> Path:
    return ctx.merge_record(agent_id)


@dataclass(frozen=True)
class Undone:
    """What undoing left: base put back (or never moved), and a note when not all of it."""

    base_back: bool
    note: str = ""


class Steps:
    def __init__(self, ctx: Context, poller: Poller) -> None:
        self.ctx = ctx
        self.file = IntentFile(ctx.state_dir)
        self._poller = poller

    # -- the steps ------------------------------------------------------------------------

    def begin(self, intent: Intent, index: bytes | None) -> None:
        """Write the intent durably, then create its guard: nothing has moved yet."""
        self.file.save(intent, index)
        self.make_guard(intent.guard, intent.new)
        pause("after-intent")

    def move_branch(self, intent: Intent) -> Intent:
        """The agent's branch to the commit of its uncommitted work, then its index."""
        wip = intent.wip
        assert wip is not None
        if not self.ctx.repo.update_ref_while(
                f"refs/heads/{intent.branch}", wip.commit, wip.head, intent.guard, intent.new,
                "workspace: commit uncommitted work before merging"):
            raise GitError(f"branch {intent.branch} moved while its work was being committed")
        pause("after-branch")
        return self._reset_index(intent)

    def _reset_index(self, intent: Intent) -> Intent:
        assert intent.wip is not None
        worktree = Path(intent.worktree)
        data = self.ctx.repo.index_at(worktree, intent.wip.commit)
        intent = with_reset(intent, data)
        self._save(intent)  # first: an undo recognises these bytes as the merge's own
        _retrying(lambda: self.ctx.repo.write_index(worktree, data))
        pause("after-index")
        return intent

    def move_base(self, intent: Intent) -> bool:
        moved = self.ctx.repo.update_ref_while(
            intent.ref, intent.new, intent.old, intent.guard, intent.new,
            f"workspace: merge {intent.branch} ({intent.strategy})")
        if moved:
            pause("after-base")
        return moved

    def bring_checkout(self, intent: Intent) -> None:
        """Bring the main checkout from old to new, if it is still on base."""
        repo, checkout = self.ctx.repo, intent.checkout
        if checkout is None or repo.current_branch(checkout) != intent.base:
            return
        _retrying(lambda: repo.update_checkout(Path(checkout), intent.old, intent.new))
        pause("after-checkout")

    def complete(self, intent: Intent) -> None:
        """The merge record, the agent marked merged, the intent cleared."""
        self.mark_merged(intent)
        pause("after-merged")
        self.clear(intent)

    def mark_merged(self, intent: Intent) -> None:
        """The merge record and the agent marked merged (safe to do again)."""
        agent = self._agent(intent)
        if agent is not None:
            write_json(record_path(self.ctx, agent.id), {
                "tip": intent.tip, "base": intent.base, "base_sha": intent.new,
                "strategy": intent.strategy, "at": time.time(), "left": list(intent.left)})
            self.ctx.record(agent, "merged")
            self._poller.update_diff(self.ctx.agent(agent.name))

    def _save(self, intent: Intent) -> None:
        """The intent as it stands now, durably (a batch's steps save the whole batch)."""
        self.file.save(intent)

    def _saved_index(self, intent: Intent) -> bytes | None:
        return self.file.saved_index(intent)

    def undo(self, intent: Intent, moved: bool = True) -> Undone:
        """Base back from new to old (the checkout could not follow), the commit of
        uncommitted work taken back, the intent cleared. When base is elsewhere (moved by
        someone since) nothing is touched, unless `moved` is False: the caller knows this
        merge never moved base (its compare-and-swap failed)."""
        repo = self.ctx.repo
        now = repo.rev(intent.ref)
        if moved and now == intent.new:
            now = intent.old if repo.update_ref_while(
                intent.ref, intent.old, intent.new, intent.guard, intent.new,
                "workspace: undo merge (checkout could not update)") else repo.rev(intent.ref)
        if moved and now != intent.old:
            note = self._wip_kept(intent) if intent.wip is not None else ""
            self.clear(intent)
            return Undone(False, note)
        note = self._undo_wip(intent) if intent.wip is not None else ""
        self.clear(intent)
        return Undone(True, note)

    def _undo_wip(self, intent: Intent) -> str:
        """The index bytes back, then the branch back: killed in between, the next undo finds
        the branch still on the commit and does the same again."""
        wip, repo = intent.wip, self.ctx.repo
        assert wip is not None
        worktree = Path(intent.worktree)
        branch = f"refs/heads/{intent.branch}"
        now = repo.rev(branch)
        if now == wip.head:
            return ""  # never moved (the index moves only after it), or already undone
        if now != wip.commit:
            # The agent committed on top of it since (keep both), or it never got there.
            landed = now is not None and repo.is_ancestor(wip.commit, now)
            return self._wip_kept(intent) if landed else ""
        try:
            current = digest(repo.read_index(worktree))
            saved = self._saved_index(intent)
            if current not in (wip.index, wip.reset) or (wip.index and saved is None):
                return self._wip_kept(intent)  # the agent's own index since: keep it
            if saved is not None and current != wip.index:
                _retrying(lambda: repo.write_index(worktree, saved))
            if repo.update_ref_while(branch, wip.head, wip.commit, intent.guard, intent.new,
                                     "workspace: undo the commit of uncommitted work (no merge)"):
                return ""
        except (GitError, OSError):
            pass
        return self._wip_kept(intent)

    @staticmethod
    def _wip_kept(intent: Intent) -> str:
        assert intent.wip is not None
        return (f" ({intent.agent}'s uncommitted work was committed on {intent.branch} as "
                f"{intent.wip.commit[:10]} and is still there)")

    def clear(self, intent: Intent) -> None:
        self.ctx.repo.update_ref(intent.guard, NO_COMMIT, intent.new,
                                 "workspace: merge intent done")
        self.file.clear()

    # -- recovery -------------------------------------------------------------------------

    def load(self) -> Intent | BatchIntent | None:
        """The intent a merge left, if any; OSError when the file is not one."""
        try:
            return self.file.load()
        except ValueError as exc:
            raise OSError(f"{self.file.path} is not a merge intent ({exc}); check base and the "
                          "main checkout, then remove it") from None

    def recover(self, intent: Intent) -> str:
        """Finish or undo the merge whose intent is left (the caller holds the merge lock).
        Returns what was done, in one line. Raises GitError or OSError when it could not
        (the intent stays for the next command)."""
        intent = self._take_over(intent)
        pause("recover-claimed")
        now = self.ctx.repo.rev(intent.ref)
        what = f"the interrupted merge of {intent.agent} into {intent.base}"
        if now == intent.new:
            self._finish_index(intent)
            try:
                self.bring_checkout(intent)
            except GitError as exc:
                undone = self.undo(intent)
                back = f"{intent.base} was put back at {intent.old[:10]}" if undone.base_back \
                    else f"{intent.base} moved again meanwhile, so it was left as it is now"
                return self._noted(intent, f"{what} was undone: {intent.checkout} could not be "
                                           f"brought along ({exc}), so {back}{undone.note}; "
                                           f"merge again")
            self.complete(intent)
            return f"finished {what} ({intent.base} is at {intent.new[:10]})"
        if now == intent.old:
            undone = self.undo(intent)
            return self._noted(intent, f"{what} was undone ({intent.base} had not moved)"
                                       f"{undone.note}; merge again")
        undone = self.undo(intent)
        where = f"is now at {now[:10]}" if now else "was deleted"
        landed = now is not None and self.ctx.repo.is_ancestor(intent.new, now)
        return self._noted(intent, (
            f"{intent.base} moved since {what} ({intent.base} {where}; the merge was moving it "
            f"from {intent.old[:10]} to {intent.new[:10]}"
            f"{', which is in its history' if landed else ''}); nothing was changed"
            f"{undone.note}: check {intent.base} and merge again"))

    def _take_over(self, intent: Intent) -> Intent:
        """Delete the dead merge's guard, so no ref move it started can land from now on
        (one that holds it now finishes first: hence the retries), then use a guard of our
        own. The intent names the new guard before it exists: killed in between, the next
        recovery finds it missing, which stops nothing and needs nothing."""
        self.drop_guard(intent.guard, intent.new)
        intent = with_guard(intent, new_guard())
        self.file.save(intent)
        self.make_guard(intent.guard, intent.new)
        return intent

    def drop_guard(self, guard: str, value: str) -> None:
        """Delete a dead merge's guard, waiting for a transaction that holds it."""
        repo = self.ctx.repo
        for _ in range(RETRIES):
            repo.update_ref(guard, NO_COMMIT, value, "workspace: merge intent taken over")
            if repo.rev(guard) is None:
                return
            time.sleep(0.1)
        raise GitError(f"{guard} stays locked; is a git process of the interrupted merge "
                       "still running?")

    def make_guard(self, guard: str, value: str) -> None:
        if not self.ctx.repo.update_ref(guard, value, NO_COMMIT, "workspace: merge intent"):
            raise GitError(f"could not create {guard}")

    def _finish_index(self, intent: Intent) -> None:
        """Step 1's index, when the merge was killed after moving the branch and before
        writing the index (it still holds the bytes from before)."""
        wip = intent.wip
        if wip is None or self.ctx.repo.rev(f"refs/heads/{intent.branch}") != wip.commit:
            return
        if digest(self.ctx.repo.read_index(Path(intent.worktree))) == wip.index:
            self._reset_index(intent)

    def _noted(self, intent: Intent, line: str) -> str:
        """Shown on the agent too (its reason column) until its next merge."""
        agent = self._agent(intent)
        if agent is not None:
            self.ctx.record(agent, "merge_conflict", line)
        return line

    def _agent(self, intent: Intent) -> Agent | None:
        found = self.ctx.store.agent_by_name(intent.agent)
        if found is not None and found.id == intent.agent_id:
            return found
        return next((a for a in self.ctx.store.agents() if a.id == intent.agent_id), None)


def _retrying(action: Callable[[], T]) -> T:
    """Run `action`, again while it fails on an index lock another git process holds."""
    for attempt in range(RETRIES):
        try:
            return action()
        except (GitError, FileExistsError) as exc:
            locked = isinstance(exc, FileExistsError) or (
                "index.lock" in str(exc) and "File exists" in str(exc))
            if not locked or attempt == RETRIES - 1:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")

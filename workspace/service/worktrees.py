"""Removing what an agent made: its worktree and its branch. The one place that deletes them,
so the rules hold everywhere: only worktrees this tool made, only linked worktrees of this
repository, and only once what they hold is on base or kept in a recovery ref."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters import proc
from workspace.adapters.files import read_json
from workspace.adapters.git import GitError, UnsavedWork
from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError
from workspace.core.format import plural
from workspace.service.context import Context
from workspace.service.place import unlinked_problem

"""In the agent's state dir: what its last merge recorded (written by merge/apply.py)."""


@dataclass(frozen=True)
class KillReport:
    name: str
    worktree: str
    branch: str
    unsaved: UnsavedWork
    removed: bool
    """The worktree and branch were removed (nothing unsaved, or discarded)."""
    recovery_ref: str | None = None
    kept_because: str = ""
    """Why they were kept although nothing would be lost (in use, cut off by a move...)."""
    gone: str = ""
    """What of them was already gone before the kill ('worktree', 'branch', both)."""

    def summary(self) -> str:
        if not self.removed:
            if self.kept_because:
                return f"killed {self.name}; kept worktree {self.worktree}: {self.kept_because}"
            kept = (f"worktree {self.worktree}" if "branch" in self.gone else
                    f"branch {self.branch}" if "worktree" in self.gone else
                    f"worktree {self.worktree} and branch {self.branch}")
            gone = f"; its {self.gone} is gone" if self.gone else ""
            return f"killed {self.name}; kept {kept} ({self.unsaved.describe()}{gone})"
        if self.recovery_ref and not self.unsaved.empty:
            return (f"killed {self.name}; discarded {self.unsaved.describe()}, "
                    f"recoverable from {self.recovery_ref}")
        if self.gone == "worktree and branch":
            return f"killed {self.name}; its worktree and branch were gone already"
        if self.gone:
            left = "branch" if self.gone == "worktree" else "worktree"
            return (f"killed {self.name}; removed its {left} (nothing that is not on base; "
                    f"its {self.gone} was gone already)")
        if self.unsaved.in_base:
            count = len(self.unsaved.in_base)
            kept = f"; the originals are kept at {self.recovery_ref}" if self.recovery_ref else ""
            return (f"killed {self.name}; removed its worktree and branch (its "
                    f"{plural(count, 'commit')} {'is' if count == 1 else 'are'} on base by "
                    f"content: squashed or rebased{kept})")
        return f"killed {self.name}; removed its worktree and branch (nothing that is not on base)"


def is_ours(ctx: Context, worktree: Path) -> bool:
    """A worktree this tool recorded making, and a linked worktree of this repository."""
    return ctx.store.is_known_worktree(str(worktree)) and ctx.repo.is_linked_worktree(worktree)


def users_of(ctx: Context, worktree: Path, ignore_agent: str = "") -> list[str]:
    """Who works in the worktree now: sessions of the private server started in it, and
    this user's processes whose working directory is in it (a shell, an agent whose row was
    lost), but for the agent `ignore_agent`'s own, which its kill has just ended."""
    if not worktree.is_dir():
        return []
    target = os.path.realpath(worktree)
    found = [f"tmux session {name!r}" for name, path in ctx.tmux.session_paths().items()
             if os.path.realpath(path) == target or path.startswith(target + os.sep)]
    found += [f"pid {pid} ({name})" for pid, name in proc.using(worktree, ignore_agent)]
    return found


def check_unused(ctx: Context, worktree: Path, ignore_agent: str = "") -> None:
    """Refuse, in one line, to remove a worktree someone works in."""
    users = users_of(ctx, worktree, ignore_agent)
    if users:
        shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
        raise UsageError(f"{worktree} is in use by {shown}; end them (or 'workspace adopt' "
                         "an agent that runs there) and retry")


def remove_worktree_and_branch(ctx: Context, worktree: Path, branch: str,
                               ignore_agent: str = "") -> None:
    """Remove the worktree (or prune git's record of it when its folder is gone) and the
    branch, and forget the record. Callers check first that nothing would be lost; a
    worktree in use (see `users_of`) is refused here, the one place that removes them."""
    check_unused(ctx, worktree, ignore_agent)
    ctx.repo.remove_worktree(worktree)
    if ctx.repo.branch_exists(branch):
        ctx.repo.delete_branch(branch)
    ctx.store.forget_worktree(str(worktree))


def try_remove(ctx: Context, worktree: Path, branch: str, ignore_agent: str = "") -> bool:
    """remove_worktree_and_branch, but False instead of an error (undoing a failed spawn)."""
    try:
        remove_worktree_and_branch(ctx, worktree, branch, ignore_agent)
    except (GitError, UsageError):
        return False
    return True


def _merged_tips(ctx: Context, agent: Agent) -> list[str]:
    """The branch tip the tool recorded merging, when the agent is merged."""
    if agent.status != Status.MERGED:
        return []
    tip = (read_json(ctx.merge_record(agent.id)) or {}).get("tip")
    return [tip] if isinstance(tip, str) else []


def release_worktree(ctx: Context, agent: Agent, discard: bool) -> KillReport:
    """After a kill: remove the agent's worktree and branch if nothing would be lost (or
    `discard`, after a recovery ref), else keep them and say why."""
    worktree = Path(agent.worktree)
    gone = " and ".join(part for part, missing in (
        ("worktree", not worktree.is_dir()),
        ("branch", not ctx.repo.branch_exists(agent.branch))) if missing)

    def kept(unsaved: UnsavedWork, because: str = "") -> KillReport:
        return KillReport(agent.name, agent.worktree, agent.branch, unsaved, False,
                          kept_because=because, gone=gone)

    nothing = UnsavedWork((), ())
    if worktree.is_dir():
        cut_off = unlinked_problem(ctx, worktree, "it")
        if cut_off:
            return kept(nothing, f"{cut_off}, then 'workspace cleanup {worktree}'")
    try:
        unsaved = ctx.repo.unsaved_work(worktree, agent.branch, agent.base,
                                        _merged_tips(ctx, agent))
    except GitError as exc:
        return kept(nothing, f"git cannot read it ({exc}); see 'workspace cleanup'")
    if not unsaved.empty and not discard:
        return kept(unsaved)
    if worktree.exists() and not is_ours(ctx, worktree):
        return kept(unsaved, "not a worktree this tool made")  # never remove it
    users = users_of(ctx, worktree, agent.id)
    if users:
        return kept(unsaved, f"in use by {', '.join(users[:3])}; remove it with "
                    f"'workspace cleanup {worktree}' once they are done")
    ref = None
    if not unsaved.empty or unsaved.in_base:
        # Commits base has only in content keep their own history reachable too.
        ref = ctx.repo.save_recovery_ref(worktree, agent.branch, agent.name)
        if ref is None and not unsaved.empty:
            raise UsageError(f"could not save a recovery ref for {agent.name}; kept its work")
    remove_worktree_and_branch(ctx, worktree, agent.branch, agent.id)
    return KillReport(agent.name, agent.worktree, agent.branch, unsaved, True, ref,
                      gone=gone)

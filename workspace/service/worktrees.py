"""Removing what an agent made: its worktree and its branch. The one place that deletes them,
so the rules hold everywhere: only worktrees this tool made, only linked worktrees of this
repository, and only once what they hold is on base or kept in a recovery ref."""

from __future__ import annotations

from pathlib import Path

from workspace.adapters.git import GitError
from workspace.service.context import Context


def is_ours(ctx: Context, worktree: Path) -> bool:
    """A worktree this tool recorded making, and a linked worktree of this repository."""
    return ctx.store.is_known_worktree(str(worktree)) and ctx.repo.is_linked_worktree(worktree)


def remove_worktree_and_branch(ctx: Context, worktree: Path, branch: str) -> None:
    """Remove the worktree (or prune git's record of it when its folder is gone) and the
    branch, and forget the record. Callers check first that nothing would be lost."""
    ctx.repo.remove_worktree(worktree)
    if ctx.repo.branch_exists(branch):
        ctx.repo.delete_branch(branch)
    ctx.store.forget_worktree(str(worktree))


def try_remove(ctx: Context, worktree: Path, branch: str) -> bool:
    """remove_worktree_and_branch, but False instead of an error (undoing a failed spawn)."""
    try:
        remove_worktree_and_branch(ctx, worktree, branch)
    except GitError:
        return False
    return True

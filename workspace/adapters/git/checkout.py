"""Moving a checkout that has its branch checked out (the main checkout, after a merge moved
its branch): what would be in the way, and the move itself."""

from __future__ import annotations

from pathlib import Path

from workspace.adapters.git.diffs import changed_paths
from workspace.adapters.git.index import read_index, temporary_index
from workspace.adapters.git.runner import Git
from workspace.adapters.git.worktrees import status as worktree_status


def checkout_blockers(git: Git, checkout: Path, old: str, new: str) -> list[str]:
    """What in `checkout` (whose HEAD is at `old`) an update to `new` would overwrite:
    uncommitted changes and untracked or ignored files in paths the update changes, or
    git's own objection. Read-only: the dry run works on a copy of the index."""
    changes = changed_paths(git, old, new)
    status = worktree_status(git, checkout)
    dirty = set(status.paths)
    blockers = []
    untracked = set(status.untracked)
    for path, kind in changes.items():
        if path in untracked:
            blockers.append(f"{path} (untracked file in the way)")
        elif path in dirty:
            blockers.append(f"{path} (uncommitted change)")
        elif kind == "A" and ((checkout / path).is_symlink() or (checkout / path).exists()):
            blockers.append(f"{path} (untracked or ignored file in the way)")
    under = [p for p in dirty if any(p.startswith(c + "/") or c.startswith(p + "/")
                                     for c in changes)]
    blockers += [f"{p} (uncommitted, in the way of a directory change)" for p in under]
    if blockers:
        return blockers
    with temporary_index(git, checkout, seed=read_index(git, checkout)) as index:
        git.run("update-index", "-q", "--refresh", cwd=checkout, env=index.env)
        result = git.run("read-tree", "-m", "-u", "-n", old, new, cwd=checkout, env=index.env)
    if not result.ok:
        return [line.strip() for line in result.err.strip().splitlines() if line.strip()][:10] \
            or ["git read-tree refused the update"]
    return []


def update_checkout(git: Git, checkout: Path, old: str, new: str) -> None:
    """Bring the checkout's index and files from `old` to `new` (a two-way merge: paths
    the change does not touch keep their staged and unstaged changes)."""
    git.run("update-index", "-q", "--refresh", cwd=checkout)
    result = git.run("read-tree", "-m", "-u", old, new, cwd=checkout)
    if not result.ok:
        raise result.error("git read-tree failed")

"""A worktree's uncommitted work: its tree, snapshot commits of it, recovery refs, and
committing it onto the agent's branch (and undoing that). Trees are built in temporary
indexes: a worktree's own index is only read, except by `commit_wip`, which resets it to the
commit it made, and `uncommit_wip`, which puts its bytes back."""

from __future__ import annotations

import os
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters.git.commits import SNAPSHOT_IDENT, WORKSPACE_IDENT, commit_tree
from workspace.adapters.git.index import read_index, temporary_index, write_index
from workspace.adapters.git.refs import is_ancestor, rev, set_ref, tree_of, update_ref
from workspace.adapters.git.runner import Git, GitError
from workspace.adapters.git.worktrees import status as worktree_status
from workspace.core.gitparse import WorktreeStatus, without_untracked

RECOVERY_PREFIX = "refs/workspace/recovery"


@dataclass(frozen=True)
class WorktreeSnapshot:
    """A worktree as it is: HEAD, the tree of every file in it (committed, uncommitted and
    untracked), and a commit of that tree on HEAD (HEAD itself when nothing is uncommitted)."""

    head: str
    tree: str
    commit: str
    status: WorktreeStatus


def worktree_tree(git: Git, worktree: Path, status: WorktreeStatus | None = None,
                  leave: Collection[str] = ()) -> str:
    """The tree of every file in the worktree as it is (tracked, staged, unstaged and
    untracked, ignored files left out), built in a copy of its index: the real index is only
    read, so its stat data spares re-hashing unchanged files.
    `leave`: untracked paths to leave out too."""
    status = without_untracked(status or worktree_status(git, worktree), leave)
    if status.head and not status.dirty:
        return tree_of(git, status.head)
    try:
        seed = read_index(git, worktree)
    except OSError:
        seed = None  # unreadable: HEAD's tree is a slower start to the same result
    with temporary_index(git, worktree, seed=seed, head=status.head) as index:
        git.out("add", "-A", "--", ".", cwd=worktree, env=index.env)
        left = [p for p in leave if p not in status.changed]
        if left:
            listed = index.file.with_name("leave")
            listed.write_bytes(b"".join(os.fsencode(p) + b"\0" for p in left))
            git.out("rm", "--cached", "-q", "--ignore-unmatch",
                    f"--pathspec-from-file={listed}", "--pathspec-file-nul", cwd=worktree,
                    env={**index.env, "GIT_LITERAL_PATHSPECS": "1"})
        return git.out("write-tree", cwd=worktree, env=index.env).strip()


def snapshot(git: Git, worktree: Path, leave: Collection[str] = ()) -> WorktreeSnapshot:
    """See WorktreeSnapshot. The commit has a fixed identity and date, so it is the same commit
    for the same worktree content. `leave`: untracked paths to leave out."""
    status = without_untracked(worktree_status(git, worktree), leave)
    if status.head is None:
        raise GitError(f"{worktree} has no commits")
    tree = worktree_tree(git, worktree, status, leave)
    if tree == tree_of(git, status.head):
        return WorktreeSnapshot(status.head, tree, status.head, status)
    commit = commit_tree(git, tree, [status.head], "workspace: snapshot of uncommitted work",
                         env=SNAPSHOT_IDENT)
    return WorktreeSnapshot(status.head, tree, commit, status)


def save_recovery_ref(git: Git, worktree: Path | None, branch: str, label: str) -> str | None:
    """Keep the branch tip and every uncommitted or untracked file reachable under
    refs/workspace/recovery/<label>-<time>, without touching the worktree or its index.
    Returns the ref, or None when there is nothing to keep."""
    tip = rev(git, f"refs/heads/{branch}")
    commit = tip
    if worktree is not None and worktree.is_dir():
        # The worktree's HEAD may hold commits its branch does not (a detached HEAD, or
        # the branch deleted under it): the recovery commit sits on HEAD, or is HEAD.
        head = git.out("rev-parse", "--verify", "-q", "HEAD", cwd=worktree, check=False)
        commit = (_recovery_commit(git, worktree, f"workspace: recovery of {label}")
                  or head.strip() or tip)
    if commit is None:
        return None
    if tip is not None and tip != commit and not is_ancestor(git, tip, commit):
        # HEAD and the branch went separate ways: one commit keeps both reachable.
        commit = commit_tree(git, tree_of(git, commit), [commit, tip],
                             f"workspace: recovery of {label} (its HEAD and its branch)",
                             env=WORKSPACE_IDENT)
    ref = f"{RECOVERY_PREFIX}/{label}-{time.strftime('%Y%m%d-%H%M%S')}"
    set_ref(git, ref, commit)
    return ref


def _recovery_commit(git: Git, worktree: Path, message: str) -> str | None:
    """A commit of the worktree as it is (tracked changes and untracked files), parented on
    its HEAD, built in a temporary index from HEAD's tree. None when nothing is uncommitted."""
    head = git.out("rev-parse", "--verify", "-q", "HEAD", cwd=worktree, check=False).strip()
    if not git.out("status", "--porcelain", "--untracked-files=all", cwd=worktree).strip():
        return None
    with temporary_index(git, worktree, head=head or None) as index:
        git.out("add", "-A", "--", ".", cwd=worktree, env=index.env)
        tree = git.out("write-tree", cwd=worktree, env=index.env).strip()
    return commit_tree(git, tree, [head] if head else [], message, env=WORKSPACE_IDENT)


def commit_wip(git: Git, worktree: Path, branch: str, message: str,
               leave: Collection[str] = ()) -> str | None:
    """Commit everything uncommitted in the agent's worktree (but the untracked paths in
    `leave`) onto its branch: the commit is built in a temp index, the branch moves only
    if it is still where it was, then the worktree's index is reset to the new commit
    (its files are not touched). Returns the commit, or None if there was nothing to
    commit."""
    status = without_untracked(worktree_status(git, worktree), leave)
    if not status.dirty or status.head is None:
        return None
    tree = worktree_tree(git, worktree, status, leave)
    if tree == tree_of(git, status.head):
        return None
    commit = commit_tree(git, tree, [status.head], message)
    if not update_ref(git, f"refs/heads/{branch}", commit, status.head,
                      "workspace: commit uncommitted work before merging"):
        raise GitError(f"branch {branch} moved while its work was being committed")
    # HEAD is the new commit now: a mixed reset makes the index match it (files stay).
    git.out("reset", "-q", cwd=worktree)
    return commit


def uncommit_wip(git: Git, worktree: Path, branch: str, wip: str, head: str,
                 index: bytes | None) -> bool:
    """Undo `commit_wip`: the branch back from `wip` to `head` (only if it is still at
    `wip`) and the worktree's index back to the bytes it had. False if the branch had
    moved on (then nothing is undone)."""
    if not update_ref(git, f"refs/heads/{branch}", head, wip,
                      "workspace: undo the commit of uncommitted work (no merge)"):
        return False
    if index is not None:
        write_index(git, worktree, index)
    return True

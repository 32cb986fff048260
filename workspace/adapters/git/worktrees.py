"""Checkouts: the linked worktrees this tool adds and removes, how each one stands, and what
removing one with its branch would lose."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters.git.commits import merge_tree
from workspace.adapters.git.refs import rev, tree_of
from workspace.adapters.git.runner import Git, GitError
from workspace.core.format import plural
from workspace.core.gitparse import (
    WorktreeInfo,
    WorktreeStatus,
    parse_status_v2,
    parse_worktree_list,
)


@dataclass(frozen=True)
class UnsavedWork:
    """What removing a worktree and its branch would lose."""

    uncommitted: tuple[str, ...]
    """`git status --porcelain` lines (modified, staged and untracked files)."""
    commits: tuple[str, ...]
    """One-line summaries of commits on the branch (or the worktree's HEAD) that are not on
    base, neither by history nor by content."""
    in_base: tuple[str, ...] = ()
    """Commits not on base by history whose content base has all the same (a squash or
    rebase merge, or an identical tree): removing them loses nothing."""

    @property
    def empty(self) -> bool:
        return not self.uncommitted and not self.commits

    def describe(self) -> str:
        parts = []
        if self.uncommitted:
            parts.append(plural(len(self.uncommitted), "uncommitted file"))
        if self.commits:
            parts.append(f"{plural(len(self.commits), 'commit')} not on base")
        return " and ".join(parts) or "nothing"


def worktrees(git: Git) -> list[WorktreeInfo]:
    return parse_worktree_list(git.out("worktree", "list", "--porcelain", "-z"))


def add_worktree(git: Git, path: Path, branch: str, base_sha: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    git.out("worktree", "add", "--quiet", "-b", branch, str(path), base_sha)


def add_detached_worktree(git: Git, path: Path, commit: str) -> None:
    """A worktree on no branch, at `commit` (where the refinery runs a gate)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    git.out("worktree", "add", "--quiet", "--detach", str(path), commit)


def is_linked_worktree(git: Git, path: Path) -> bool:
    """True only for a linked worktree of this repository (its .git is a file pointing
    into our common dir), never for the main checkout or an unrelated directory."""
    dotgit = path / ".git"
    if not dotgit.is_file():
        return False
    try:
        text = dotgit.read_text().strip()
    except OSError:
        return False
    if not text.startswith("gitdir:"):
        return False
    gitdir = Path(text.removeprefix("gitdir:").strip())
    if not gitdir.is_absolute():
        gitdir = (path / gitdir).resolve()
    return gitdir.resolve().parent == git.worktrees_dir


def remove_worktree(git: Git, path: Path) -> None:
    """Remove a linked worktree. Callers first save what is unsaved (recovery ref)."""
    if not is_linked_worktree(git, path):
        if path.exists():
            raise GitError(f"{path} is not a linked worktree of this repository; not removed")
        # Already gone from disk: only git's record of it is left to drop.
        git.out("worktree", "prune")
        return
    git.out("worktree", "remove", "--force", str(path))


def status(git: Git, worktree: Path) -> WorktreeStatus:
    out = git.out("status", "--porcelain=v2", "-z", "--branch", "--untracked-files=all",
                  "--ignore-submodules=dirty", cwd=worktree)
    return parse_status_v2(out)


def unsaved_work(git: Git, worktree: Path | None, branch: str, base: str,
                 merged_tips: Collection[str] = ()) -> UnsavedWork:
    """What removing the worktree and the branch would lose: uncommitted files, and commits
    of the branch or of the worktree's HEAD (a detached HEAD, a branch deleted under it)
    that base has neither by history nor by content. Content counts: a tip in
    `merged_tips` (the tool recorded merging it), or one whose merge into base would change
    nothing (a squash or rebase merge, an identical tree), is on base."""
    uncommitted: tuple[str, ...] = ()
    tips: list[str] = []
    if worktree is not None and worktree.is_dir():
        out = git.out("status", "--porcelain=v1", "--untracked-files=all", cwd=worktree)
        uncommitted = tuple(line for line in out.splitlines() if line.strip())
        head = git.out("rev-parse", "--verify", "-q", "HEAD", cwd=worktree, check=False)
        tips += [head.strip()] if head.strip() else []
    tip = rev(git, f"refs/heads/{branch}")
    if tip is not None and tip not in tips:
        tips.insert(0, tip)
    if not tips:
        return UnsavedWork(uncommitted, ())
    base_ref = base if rev(git, base) else None
    # Base gone: what no other branch has is what would be lost.
    range_args = [*tips, "--not", base_ref] if base_ref else [
        *tips, "--not", "--exclude=refs/heads/" + branch, "--branches"
    ]
    out = git.out("log", "--format=%h %s", *range_args, check=False)
    commits = tuple(line for line in out.splitlines() if line.strip())
    if commits and base_ref and all(t in merged_tips or _content_in(git, base_ref, t)
                                    for t in tips):
        return UnsavedWork(uncommitted, (), commits)
    return UnsavedWork(uncommitted, commits)


def _content_in(git: Git, base: str, tip: str) -> bool:
    """Merging `tip` into `base` would change nothing: base has its content already."""
    try:
        result = merge_tree(git, base, tip)
    except GitError:
        return False  # no common history, say: nothing shows that base has it
    return result.clean and result.tree == tree_of(git, base)


def git_dirs(git: Git) -> list[tuple[Path, Path | None]]:
    """(git dir, checkout path) of the main checkout and every linked worktree."""
    found: list[tuple[Path, Path | None]] = [(git.common_dir, git.top)]
    admin = git.common_dir / "worktrees"
    if admin.is_dir():
        for entry in sorted(admin.iterdir()):
            gitdir_file = entry / "gitdir"
            try:
                checkout = Path(gitdir_file.read_text().strip()).parent
            except OSError:
                checkout = None
            found.append((entry, checkout))
    return found


def operation_in_progress(git_dir: Path) -> str | None:
    """A merge, rebase, cherry-pick, revert or bisect under way in that checkout."""
    for name, what in (("rebase-merge", "a rebase"), ("rebase-apply", "a rebase or am"),
                       ("MERGE_HEAD", "a merge"), ("CHERRY_PICK_HEAD", "a cherry-pick"),
                       ("REVERT_HEAD", "a revert"), ("BISECT_LOG", "a bisect")):
        if (git_dir / name).exists():
            return what
    return None


def being_rebased(git: Git, branch: str) -> Path | None:
    """The checkout in which `branch` is being rebased, if any."""
    for git_dir, checkout in git_dirs(git):
        for sub in ("rebase-merge", "rebase-apply"):
            try:
                head = (git_dir / sub / "head-name").read_text().strip()
            except OSError:
                continue
            if head == f"refs/heads/{branch}":
                return checkout or git_dir
    return None

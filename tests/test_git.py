"""The git adapter on real repositories: worktrees, diff stats that touch no index, what a
removal would lose, recovery refs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitrepo import commit_all, git, make_repo
from workspace.adapters.git import GitRepo
from workspace.core.errors import UsageError


@pytest.fixture
def repo_with_worktree(repo: Path, tmp_path: Path) -> tuple[GitRepo, Path, str]:
    g = GitRepo.discover(repo)
    base = g.rev("main")
    assert base
    wt = tmp_path / "wt"
    g.add_worktree(wt, "ws/a", base)
    return g, wt, base


def index_bytes(worktree: Path) -> bytes:
    gitdir = Path(git(worktree, "rev-parse", "--git-dir").strip())
    if not gitdir.is_absolute():
        gitdir = worktree / gitdir
    return (gitdir / "index").read_bytes()


def test_discover_from_a_worktree_finds_the_main_checkout(repo_with_worktree: tuple[GitRepo, Path, str]) -> None:
    g, wt, _ = repo_with_worktree
    again = GitRepo.discover(wt / "src")
    assert again.top == g.top and again.common_dir == g.common_dir


def test_not_a_repo(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not inside a git repository"):
        GitRepo.discover(tmp_path)


def test_diff_stat_counts_committed_staged_unstaged_and_untracked(
        repo_with_worktree: tuple[GitRepo, Path, str]) -> None:
    g, wt, base = repo_with_worktree
    (wt / "src" / "app.py").write_text("print('hi')\nprint('more')\n")
    commit_all(wt, "one")
    (wt / "README.md").write_text("# sample\nstaged\n")
    git(wt, "add", "README.md")
    (wt / "src" / "app.py").write_text("print('changed')\nprint('more')\n")
    (wt / "new.txt").write_text("a\nb\nc")
    (wt / "blob.bin").write_bytes(b"\0\1\2")
    before = index_bytes(wt)
    main_before = (g.top / ".git" / "index").read_bytes()
    stat = g.diff_stat(wt, "main", base)
    assert (stat.files, stat.added, stat.removed) == (4, 2 + 1 + 3, 1)
    assert index_bytes(wt) == before
    assert (g.top / ".git" / "index").read_bytes() == main_before


def test_unsaved_work_and_recovery_ref(repo_with_worktree: tuple[GitRepo, Path, str]) -> None:
    g, wt, _ = repo_with_worktree
    assert g.unsaved_work(wt, "ws/a", "main").empty
    (wt / "kept.txt").write_text("precious\n")
    commit_all(wt, "a commit")
    (wt / "dirty.txt").write_text("uncommitted\n")
    unsaved = g.unsaved_work(wt, "ws/a", "main")
    assert unsaved.commits and unsaved.uncommitted
    before = index_bytes(wt)
    ref = g.save_recovery_ref(wt, "ws/a", "a")
    assert ref and ref.startswith("refs/workspace/recovery/a-")
    assert index_bytes(wt) == before
    files = git(g.top, "ls-tree", "-r", "--name-only", ref).split()
    assert {"kept.txt", "dirty.txt"} <= set(files)
    assert git(g.top, "show", f"{ref}:dirty.txt") == "uncommitted\n"


def test_only_linked_worktrees_of_this_repo_are_removable(
        repo_with_worktree: tuple[GitRepo, Path, str], tmp_path: Path) -> None:
    g, wt, _ = repo_with_worktree
    assert g.is_linked_worktree(wt)
    assert not g.is_linked_worktree(g.top)
    other = make_repo(tmp_path / "other")
    other_g = GitRepo.discover(other)
    other_wt = tmp_path / "other-wt"
    base = other_g.rev("main")
    assert base
    other_g.add_worktree(other_wt, "x", base)
    assert not g.is_linked_worktree(other_wt)

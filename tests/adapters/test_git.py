"""The git adapter on real repositories: the runner, temporary indexes, worktrees, diff stats and
snapshots that touch no index, what a removal would lose, recovery refs, replayed commits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.gitrepo import commit_all, git, make_repo
from workspace.adapters.git import GitError, GitRepo
from workspace.adapters.git.index import temporary_index
from workspace.adapters.git.runner import Git, run, run_git
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


def test_the_runner_takes_no_optional_locks_and_says_what_failed(repo: Path) -> None:
    printed = run(repo, ["-c", "alias.locks=!printenv GIT_OPTIONAL_LOCKS", "locks"])
    assert printed.ok and printed.out.strip() == "0"
    failed = run(repo, ["rev-parse", "--verify", "no-such-ref"])
    assert not failed.ok and failed.status != 0 and failed.err
    with pytest.raises(GitError) as raised:
        run_git(repo, "rev-parse", "--verify", "no-such-ref")
    assert raised.value.stderr == failed.err
    assert run_git(repo, "rev-parse", "--verify", "no-such-ref", check=False) == ""


def test_git_missing_from_path_is_a_usage_error(repo: Path, tmp_path: Path) -> None:
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    with pytest.raises(UsageError, match="git is not installed"):
        run(repo, ["status"], env={"PATH": str(empty)})


def test_temporary_index_starts_from_a_copy_from_head_or_empty(
        repo_with_worktree: tuple[GitRepo, Path, str]) -> None:
    g, wt, base = repo_with_worktree
    (wt / "README.md").write_text("# staged\n")
    git(wt, "add", "README.md")
    runner = Git(g.top, g.common_dir)
    real = index_bytes(wt)
    dirs = []
    for seed, head, expected in ((real, None, "README.md\nsrc/app.py\n"),
                                 (None, base, "README.md\nsrc/app.py\n"),
                                 (None, None, "")):
        with temporary_index(runner, wt, seed=seed, head=head) as index:
            dirs.append(index.file.parent)
            assert runner.out("ls-files", cwd=wt, env=index.env) == expected
            runner.out("rm", "--cached", "-q", "--ignore-unmatch", "README.md", cwd=wt,
                       env=index.env)
    # What the temp indexes dropped is still staged in the real one.
    assert index_bytes(wt) == real and git(wt, "diff", "--cached", "--name-only") == "README.md\n"
    assert not any(d.exists() for d in dirs)


def test_snapshot_is_the_same_commit_for_the_same_content_and_touches_no_index(
        repo_with_worktree: tuple[GitRepo, Path, str]) -> None:
    g, wt, base = repo_with_worktree
    clean = g.snapshot(wt)
    assert clean.commit == clean.head == base
    (wt / "src" / "app.py").write_text("print('changed')\n")
    (wt / "new.txt").write_text("new\n")
    before = index_bytes(wt)
    first, again = g.snapshot(wt), g.snapshot(wt)
    assert first == again and first.commit != base and first.head == base
    assert index_bytes(wt) == before
    assert git(g.top, "show", f"{first.commit}:new.txt") == "new\n"
    assert git(g.top, "log", "-1", "--format=%an %ad", "--date=raw", first.commit).strip() \
        == "workspace 1700000000 +0000"
    left_out = g.snapshot(wt, leave=["new.txt"])
    assert "new.txt" not in git(g.top, "ls-tree", "--name-only", left_out.tree).split()


def test_replay_commit_keeps_the_author_and_the_message(
        repo_with_worktree: tuple[GitRepo, Path, str]) -> None:
    g, wt, base = repo_with_worktree
    (wt / "ada.txt").write_text("by ada\n")
    git(wt, "add", "ada.txt")
    git(wt, "commit", "-q", "--author=Ada <ada@example.com>", "--date=1600000000 +0200",
        "-m", "ada's change\n\nwith a body")
    [original] = g.rebase_commits(base, "ws/a")
    picked = g.pick_onto(base, original)
    assert picked.clean
    replayed = g.replay_commit(picked.tree, base, original)
    shown = git(g.top, "log", "-1", "--format=%an <%ae> %ad|%cn|%B", "--date=raw", replayed)
    assert shown.strip() == "Ada <ada@example.com> 1600000000 +0200|Test Person|" \
        "ada's change\n\nwith a body"
    assert g.tree_of(replayed) == g.tree_of(original.sha)


def test_removing_a_worktree_already_gone_drops_git_record_of_it(
        repo_with_worktree: tuple[GitRepo, Path, str]) -> None:
    g, wt, _ = repo_with_worktree
    assert [w.branch for w in g.worktrees()] == ["main", "ws/a"]
    shutil.rmtree(wt)
    g.remove_worktree(wt)
    assert [w.branch for w in g.worktrees()] == ["main"]
    with pytest.raises(GitError, match="not a linked worktree"):
        g.remove_worktree(g.top)


def test_push_branch_runs_the_push_a_dry_run_shows(
        repo_with_worktree: tuple[GitRepo, Path, str], tmp_path: Path) -> None:
    g, wt, _ = repo_with_worktree
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(g.top, "remote", "add", "origin", str(remote))
    assert g.remotes() == ["origin"] and g.upstream_remote("ws/a") is None
    assert g.push_command("origin", "ws/a") == (
        "git", "push", "--set-upstream", "origin", "refs/heads/ws/a:refs/heads/ws/a")
    (wt / "w.txt").write_text("w\n")
    tip = commit_all(wt, "work")
    g.push_branch("origin", "ws/a")
    assert git(remote, "rev-parse", "refs/heads/ws/a").strip() == tip
    assert g.upstream_remote("ws/a") == "origin"
    with pytest.raises(GitError):
        g.push_branch("nowhere", "ws/a")

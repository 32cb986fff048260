"""Diffs and diff statistics, read-only: an agent's work against its base, trees against
trees. Nothing here writes an index."""

from __future__ import annotations

from pathlib import Path

from workspace.adapters.git.refs import merge_base, rev
from workspace.adapters.git.runner import Git
from workspace.core.agent import DiffStat
from workspace.core.diffstat import FileStat, count_text_lines, parse_numstat_z, summarize
from workspace.core.gitparse import parse_name_status

_DIFF_ARGS = ("-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff",
              "--no-textconv", "--no-relative", "-M", "--src-prefix=a/", "--dst-prefix=b/")


def diff_files(git: Git, worktree: Path, against: str) -> list[FileStat]:
    """Files changed in the worktree against commit `against`: committed, staged,
    unstaged and untracked, with +/- line counts."""
    out = git.out("diff", "--numstat", "-z", "-M", "--no-color", "--no-ext-diff", against,
                  "--", cwd=worktree)
    return parse_numstat_z(out) + untracked_files(git, worktree)


def untracked_files(git: Git, worktree: Path) -> list[FileStat]:
    out = git.out("ls-files", "--others", "--exclude-standard", "-z", cwd=worktree)
    files: list[FileStat] = []
    for rel in out.split("\0"):
        if not rel:
            continue
        try:
            data = (worktree / rel).read_bytes()
        except OSError:
            continue
        lines = count_text_lines(data)
        files.append(FileStat(rel, lines or 0, 0, binary=lines is None, status="U"))
    return files


def diff_base(git: Git, worktree: Path, base: str, base_sha: str) -> str:
    """The commit to diff an agent's work against: the merge-base of its HEAD with its
    base branch, or the commit it started from if the base branch is gone."""
    if rev(git, base):
        found = merge_base(git, base, "HEAD", cwd=worktree)
        if found:
            return found
    return base_sha


def diff_stat(git: Git, worktree: Path, base: str, base_sha: str) -> DiffStat:
    if not worktree.is_dir():
        return DiffStat()
    return summarize(diff_files(git, worktree, diff_base(git, worktree, base, base_sha)))


def diff_stat_between(git: Git, old: str, new: str) -> DiffStat:
    """What changes from commit `old` to commit `new` (renames found)."""
    out = git.out("diff", "--numstat", "-z", "-M", "--no-ext-diff", old, new, "--")
    return summarize(parse_numstat_z(out))


def diff_trees(git: Git, against: str, tree: str) -> str:
    """The unified diff from commit or tree `against` to `tree` (no worktree, no index)."""
    return git.out(*_DIFF_ARGS, against, tree, "--")


def changed_paths(git: Git, a: str, b: str) -> dict[str, str]:
    """Path -> A/M/D/T between two trees or commits, renames as delete + add."""
    out = git.out("diff", "--name-status", "-z", "--no-renames", "--no-ext-diff",
                  "--no-relative", a, b, "--")
    return parse_name_status(out)

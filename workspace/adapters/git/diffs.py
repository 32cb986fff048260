"""Diffs and diff statistics, read-only: an agent's work against its base, trees against
trees. Nothing here writes an index."""

from __future__ import annotations

import os
from collections.abc import Mapping
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
    """What `diff_files(diff_base(...))` counts, in two git processes rather than four (`ls`
    asks it of many agents): the diff against the merge-base in one (`--merge-base`), the
    untracked files in the other."""
    if not worktree.is_dir():
        return DiffStat()
    result = git.run("diff", "--numstat", "-z", "-M", "--no-color", "--no-ext-diff",
                     "--merge-base", base, "--", cwd=worktree)
    if result.ok:
        return summarize(parse_numstat_z(result.out) + untracked_files(git, worktree))
    # The base branch is gone, or shares no history: against the commit it started from.
    return summarize(diff_files(git, worktree, base_sha))


def diff_key(worktree: Path, tips: Mapping[str, str]) -> str:
    """A fingerprint of what a linked worktree's diff statistics depend on, read without
    running git: the commit its HEAD names (`tips`: every branch's commit, one for-each-ref
    for all agents), its index file and its top folder (stat). '' when it cannot be read.
    A tracked file changed in place is not seen here: the caller adds what it knows of who
    may be writing (the agent's pane)."""
    # os.path on strings, not Path objects: `ls` asks this of every agent.
    top = str(worktree)
    try:
        with open(os.path.join(top, ".git"), encoding="utf-8") as dotgit:  # noqa: PTH118
            gitdir = dotgit.read().removeprefix("gitdir:").strip()
        gitdir = os.path.join(top, gitdir)  # noqa: PTH118 (an absolute one stays as it is)
        with open(os.path.join(gitdir, "HEAD"), encoding="utf-8") as head_file:  # noqa: PTH118
            head = head_file.read().strip()
        folder = os.stat(top)  # noqa: PTH116
        try:
            index = os.stat(os.path.join(gitdir, "index"))  # noqa: PTH116,PTH118
            staged = f"{index.st_mtime_ns}:{index.st_size}:{index.st_ino}"
        except FileNotFoundError:
            staged = "-"
    except (OSError, UnicodeDecodeError):
        return ""
    if head.startswith("ref: refs/heads/"):
        commit = tips.get(head.removeprefix("ref: refs/heads/"))
        if commit is None:
            return ""
    elif head.startswith("ref:"):
        return ""
    else:
        commit = head
    return f"{commit}:{staged}:{folder.st_mtime_ns}"


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

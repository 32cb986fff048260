"""Refs, branches and how commits relate: reads, and the few moves (compare-and-swap only)."""

from __future__ import annotations

from pathlib import Path

from workspace.adapters.git.runner import Git


def has_commits(git: Git) -> bool:
    return bool(git.out("rev-parse", "--verify", "-q", "HEAD", check=False).strip())


def current_branch(git: Git, worktree: str | Path | None = None) -> str | None:
    out = git.out("symbolic-ref", "-q", "--short", "HEAD", cwd=worktree, check=False)
    return out.strip() or None


def rev(git: Git, ref: str) -> str | None:
    """The commit `ref` names; None when it names none."""
    out = git.out("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
    return out.strip() or None


def branch_exists(git: Git, branch: str) -> bool:
    return rev(git, f"refs/heads/{branch}") is not None


def check_branch_name(git: Git, branch: str) -> bool:
    return bool(git.out("check-ref-format", "--branch", branch, check=False).strip())


def branch_tips(git: Git) -> dict[str, str]:
    """Every local branch and the commit it points at, in one git process."""
    out = git.out("for-each-ref", "--format=%(refname:short)%00%(objectname)", "refs/heads")
    return dict(line.split("\0", 1) for line in out.splitlines() if "\0" in line)


def refs_under(git: Git, prefix: str) -> dict[str, str]:
    """Every ref under `prefix` (refs/workspace/batch, ...) and its commit."""
    out = git.out("for-each-ref", "--format=%(refname)%00%(objectname)", prefix)
    return dict(line.split("\0", 1) for line in out.splitlines() if "\0" in line)


def branch_names(git: Git) -> list[str]:
    out = git.out("for-each-ref", "--format=%(refname:short)", "refs/heads/")
    return [b for b in out.splitlines() if b]


def delete_branch(git: Git, branch: str) -> None:
    git.out("branch", "-D", "--", branch)


def merge_base(git: Git, a: str, b: str, cwd: Path | None = None) -> str | None:
    return git.out("merge-base", a, b, cwd=cwd, check=False).strip() or None


def is_ancestor(git: Git, a: str, b: str) -> bool:
    return git.run("merge-base", "--is-ancestor", a, b).ok


def tree_of(git: Git, commit: str) -> str:
    return git.out("rev-parse", f"{commit}^{{tree}}").strip()


def set_ref(git: Git, ref: str, commit: str) -> None:
    """Point `ref` at `commit`, whatever it pointed at (for refs only this tool writes)."""
    git.out("update-ref", ref, commit)


def update_ref(git: Git, ref: str, new: str, old: str, message: str) -> bool:
    """Move `ref` from `old` to `new` atomically; False if it was not at `old`."""
    return git.run("update-ref", "-m", message, ref, new, old).ok


def update_ref_while(git: Git, ref: str, new: str, old: str, guard: str, guard_value: str,
                     message: str) -> bool:
    """Move `ref` from `old` to `new` only while `guard` points at `guard_value`, as one git
    transaction (both refs locked together): once `guard` is deleted, no such move started
    earlier, by a process since killed, can still land. False if either was not as said."""
    lines = f"update {ref} {new} {old}\nverify {guard} {guard_value}\n"
    return git.run("update-ref", "-m", message, "--stdin", stdin=lines.encode()).ok

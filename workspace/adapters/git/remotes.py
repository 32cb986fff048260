"""Remotes: which there are, which a branch tracks, and pushing a branch to one."""

from __future__ import annotations

from workspace.adapters.git.runner import Git, GitError


def remotes(git: Git) -> list[str]:
    return [r for r in git.out("remote").split() if r]


def upstream_remote(git: Git, branch: str) -> str | None:
    return git.out("config", "--get", f"branch.{branch}.remote", check=False).strip() or None


def push_command(remote: str, branch: str) -> tuple[str, ...]:
    """The push `push_branch` makes, as a person would type it (what a dry run shows)."""
    return ("git", "push", "--set-upstream", remote, f"refs/heads/{branch}:refs/heads/{branch}")


def push_branch(git: Git, remote: str, branch: str) -> None:
    _, verb, *rest = push_command(remote, branch)
    # Exactly what a dry run shows, plus --porcelain.
    result = git.run(verb, "--porcelain", *rest)
    if not result.ok:
        last = [line for line in result.err.strip().splitlines() if line.strip()]
        raise GitError(last[-1] if last else f"git push to {remote} failed", result.err)

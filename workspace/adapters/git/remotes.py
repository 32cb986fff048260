"""Remotes: which there are, which a branch tracks, and pushing a branch to one."""

from __future__ import annotations

from workspace.adapters.git.runner import Git, GitError


def remotes(git: Git) -> list[str]:
    return [r for r in git.out("remote").split() if r]


def upstream_remote(git: Git, branch: str) -> str | None:
    return git.out("config", "--get", f"branch.{branch}.remote", check=False).strip() or None


def push_branch(git: Git, remote: str, branch: str) -> None:
    result = git.run("push", "--porcelain", "--set-upstream", remote,
                     f"refs/heads/{branch}:refs/heads/{branch}")
    if not result.ok:
        last = [line for line in result.err.strip().splitlines() if line.strip()]
        raise GitError(last[-1] if last else f"git push to {remote} failed", result.err)

"""Submodules of an agent's worktree: `git worktree add` leaves them empty, so a spawn
initialises them, and a look says which are still not."""

from __future__ import annotations

from pathlib import Path

from workspace.adapters.git.runner import Git

INIT_TIMEOUT = 300.0
"""Seconds a spawn waits for submodules to be cloned (they may come over a network)."""


def has_submodules(worktree: Path) -> bool:
    return (worktree / ".gitmodules").is_file()


def init_submodules(git: Git, worktree: Path) -> str:
    """`git submodule update --init --recursive` in the worktree. Returns '' when done, else
    why not (git's last line), for the agent's row: a spawn does not fail for it."""
    result = git.run("submodule", "update", "--init", "--recursive", cwd=worktree,
                     timeout=INIT_TIMEOUT)
    if result.ok:
        return ""
    lines = [line for line in result.err.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"git submodule update failed with status {result.status}"


def uninitialised_submodules(git: Git, worktree: Path) -> list[str]:
    """Paths of the worktree's submodules that are not checked out ('-' in `git submodule
    status`)."""
    out = git.out("submodule", "status", cwd=worktree)
    missing = []
    for line in out.splitlines():
        if line.startswith("-"):
            # "-<sha> <path>": no description follows a submodule that is not checked out.
            parts = line[1:].split(" ", 1)
            if len(parts) > 1:
                missing.append(parts[1])
    return missing

"""Helpers for the refinery's batch tests: agents with a commit each, a gate that logs its
runs, and what a batch must never leave behind."""

from __future__ import annotations

from pathlib import Path

from tests.support.gitrepo import git
from tests.support.review import commit, spawn_shell, write
from workspace.service import Workspace


def with_commit(ws: Workspace, name: str, text: str = "", path: str = "") -> Path:
    wt = spawn_shell(ws, name, f"Task of {name}")
    write(wt, path or f"{name}.txt", text or f"{name}\n")
    commit(wt, f"{name} commit")
    return wt


def runs(log: Path) -> int:
    """How many times a gate that appends a line to `log` per run has run."""
    return len(log.read_text().splitlines()) if log.exists() else 0


def all_refs(repo: Path) -> str:
    return git(repo, "for-each-ref", "--format=%(refname) %(objectname)")


def nothing_left(repo: Path, ws: Workspace) -> None:
    """No batch ref, merge guard or temporary worktree of a batch is left."""
    assert git(repo, "for-each-ref", "refs/workspace/batch", "refs/workspace/merging") == ""
    batches = ws.ctx.state_dir / "batches"
    assert not batches.exists() or not any(batches.iterdir())
    listed = git(repo, "worktree", "list", "--porcelain")
    assert "detached" not in listed, listed

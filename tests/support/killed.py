"""Merges killed for real (SIGKILL of the `workspace merge` process) at some instant, and what
must hold once the next command has run: base is at the old commit or at the new one; at the
new one, the main checkout's HEAD, index and files are the new tree and the agent is merged,
with its merge record; at the old one, nothing changed (refs, files, index bytes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.gitrepo import git
from tests.support.review import Picture, assert_unchanged, commit, picture, rev, spawn_shell, write
from workspace.service import Workspace
from workspace.service.merge.intent import GUARD_PREFIX, INTENT_FILE, PAUSE_ENV


def agent_with_work(ws: Workspace, name: str, *, wip: bool) -> Path:
    """An agent with a commit of its own; with `wip`, also a staged file, an unstaged change
    and an untracked file (what --commit-wip commits)."""
    wt = spawn_shell(ws, name, f"Task of {name}")
    write(wt, f"{name}.txt", f"{name} committed\n")
    commit(wt, f"{name} commit")
    if wip:
        write(wt, f"{name}-staged.txt", "staged\n")
        git(wt, "add", f"{name}-staged.txt")
        write(wt, f"{name}.txt", f"{name} committed\nand more, not committed\n")
        write(wt, f"{name}-new.txt", "untracked\n")
    return wt


@dataclass(frozen=True)
class Before:
    name: str
    worktree: Path
    wip: bool
    base: str
    tip: str
    files: dict[str, bytes]
    picture: Picture


def before_merge(repo: Path, name: str, wt: Path, wip: bool) -> Before:
    files = {p: (wt / p).read_bytes() for p in (f"{name}.txt", f"{name}-staged.txt",
                                                 f"{name}-new.txt") if (wt / p).exists()}
    return Before(name, wt, wip, rev(repo, "main"), rev(repo, f"ws/{name}"), files,
                  picture(repo, wt))


def merge_argv(name: str, strategy: str, wip: bool) -> list[str]:
    return ["merge", name, "--strategy", strategy, "--no-gate",
            *(["--commit-wip"] if wip else [])]


def start(repo: Path, argv: list[str], pause: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ}
    if pause:
        env[PAUSE_ENV] = pause
    return subprocess.Popen([sys.executable, "-m", "workspace", *argv], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_paused(proc: subprocess.Popen[str], point: str) -> None:
    assert proc.stderr is not None
    line = proc.stderr.readline()
    if line.strip() != f"paused at {point}":
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"did not pause at {point}: {line}{err}{out}")


def kill(proc: subprocess.Popen[str]) -> None:
    proc.kill()  # SIGKILL
    proc.communicate()


def state_dir(repo: Path) -> Path:
    return repo / ".git" / "workspace"


def ls(repo: Path) -> tuple[dict[str, str], str]:
    """The next command: every agent's status, and what it said on stderr."""
    done = run_cli("ls", "--json", cwd=repo)
    assert done.returncode == 0, done.stderr
    return {a["name"]: a["status"] for a in json.loads(done.stdout)}, done.stderr


def outcome(repo: Path, ws: Workspace, before: Before) -> str:
    """Run the next command and check every invariant; 'old' or 'new', where base is."""
    statuses, _ = ls(repo)
    assert not (state_dir(repo) / INTENT_FILE).exists(), "the intent is still there"
    assert git(repo, "for-each-ref", GUARD_PREFIX) == "", "a guard ref is left"
    base = rev(repo, "main")
    if base == before.base:
        assert statuses[before.name] != "merged"
        assert_unchanged(before.picture, picture(repo, before.worktree))
        return "old"
    assert_merged(repo, ws, before, statuses[before.name])
    return "new"


def assert_merged(repo: Path, ws: Workspace, before: Before, status: str) -> None:
    base = rev(repo, "main")
    assert git(repo, "merge-base", "--is-ancestor", before.base, base) == ""
    assert status == "merged"
    record = ws.merger.merge_record(before.name)
    assert record is not None and record["base_sha"] == base
    # the main checkout: on main, its index and files are main's tree (no staged deletions)
    assert git(repo, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(repo, "diff", "--cached", "--name-status") == ""
    for path, data in before.files.items():
        assert (repo / path).read_bytes() == data, path
    # the agent: its branch is what was merged, its index and files agree with it
    wt, tip = before.worktree, rev(repo, f"ws/{before.name}")
    assert record["tip"] == tip
    if before.wip:
        assert rev(repo, f"ws/{before.name}~1") == before.tip
    else:
        assert tip == before.tip
    assert git(wt, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(wt, "diff", "--cached", "--name-status") == ""

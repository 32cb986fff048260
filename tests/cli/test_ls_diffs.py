"""`ls` is asked often by scripts and agents, so it runs git only where an agent's diff may have
changed since it was last computed (its worktree key moved: HEAD, index, top folder, base, the
agent's screen); the rest of the time its processes do not grow with the number of agents.
`ls --fresh` computes every diff anew."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.gitrepo import git
from tests.support.wait import wait_for


def diffs(repo: Path, *options: str) -> dict[str, dict[str, int]]:
    result = run_cli("ls", "--json", *options, cwd=repo)
    assert result.returncode == 0, result.stderr
    return {a["name"]: a["diff"] for a in json.loads(result.stdout)}


def spawn_shells(repo: Path, *names: str) -> None:
    """Spawn shell agents and wait until every agent waits at its prompt."""
    for name in names:
        assert run_cli("spawn", name, "--preset", "shell", cwd=repo).returncode == 0
    wait_for(lambda: {a["status"] for a in json.loads(
        run_cli("ls", "--json", cwd=repo).stdout)} == {"waiting"}, 30)


def test_what_changes_a_diff_is_seen_and_fresh_sees_the_rest(repo: Path) -> None:
    spawn_shells(repo, "a", "b")
    worktree = repo.parent / "repo-worktrees"
    assert diffs(repo) == {"a": {"files": 0, "added": 0, "removed": 0},
                           "b": {"files": 0, "added": 0, "removed": 0}}
    # The agent writes a file: its screen moves.
    assert run_cli("send", "a", "printf 'x\\ny\\n' > two.txt", cwd=repo).returncode == 0
    wait_for(lambda: diffs(repo)["a"] == {"files": 1, "added": 2, "removed": 0}, 20)
    # A commit made behind the agent's back: its HEAD moved.
    (worktree / "b" / "README.md").write_text("# sample\nmore\n")
    git(worktree / "b", "commit", "-q", "-am", "behind its back")
    assert diffs(repo)["b"] == {"files": 1, "added": 1, "removed": 0}
    # Staged: its index moved.
    (worktree / "b" / "new.txt").write_text("1\n2\n3\n")
    git(worktree / "b", "add", "new.txt")
    assert diffs(repo)["b"] == {"files": 2, "added": 4, "removed": 0}
    # A tracked file changed in place, the agent's screen still: --fresh computes it, and
    # what it computed is what `ls` shows from then on.
    with open(worktree / "b" / "new.txt", "r+") as handle:
        handle.write("1\n2\n3\n4\n")
    fresh = diffs(repo, "--fresh")
    assert fresh["b"] == {"files": 2, "added": 5, "removed": 0}
    assert diffs(repo) == fresh


def test_processes_of_ls_do_not_grow_with_agents(repo: Path, tmp_path: Path) -> None:
    shims = tmp_path / "shims"
    shims.mkdir()
    for name in ("git", "tmux"):
        real = shutil.which(name)
        (shims / name).write_text(f'#!/bin/sh\necho "$*" >> {shims}/{name}.log\n'
                                  f'exec {real} "$@"\n')
        (shims / name).chmod(0o755)

    def runs(name: str) -> int:
        log = shims / f"{name}.log"
        return len(log.read_text().splitlines()) if log.exists() else 0

    def counted() -> tuple[int, int]:
        for log in shims.glob("*.log"):
            log.unlink()
        result = run_cli("ls", "--json", cwd=repo,
                         env={"PATH": f"{shims}{os.pathsep}{os.environ['PATH']}"})
        assert result.returncode == 0, result.stderr
        return runs("git"), runs("tmux")

    spawn_shells(repo, "one")
    diffs(repo)  # computes and keeps each diff's key
    alone = counted()
    spawn_shells(repo, "two", "three")
    diffs(repo)
    assert counted() == alone
    git_runs, tmux_runs = alone
    # git: find the repository, every branch's tip; tmux: its version, list-panes, one
    # chained capture.
    assert git_runs <= 2 and tmux_runs <= 3, alone

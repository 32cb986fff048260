"""`ls` is asked often by scripts and agents, so it runs git only where an agent's diff may have
changed since it was last computed (its worktree key moved: HEAD, index, top folder, base, the
agent's screen); the rest of the time its processes do not grow with the number of agents.
Where only the screen moved, a diff at most `[workspace] diff_max_age` seconds old is shown
again, with its age. `ls --fresh` computes every diff anew."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.counting import ProcessCounter
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
    counter = ProcessCounter(tmp_path / "shims")

    def counted() -> tuple[int, int]:
        return counter.run("ls", "--json", cwd=repo)

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


PRINTING = "while :; do echo tick; sleep 0.2; done"
"""A shell agent that prints without writing a file: its screen moves, its worktree does not."""
EDITED = {"files": 1, "added": 1, "removed": 0}
"""README.md ("# sample") with a line more."""


def ls_json(repo: Path, *options: str) -> dict[str, dict[str, object]]:
    result = run_cli("ls", "--json", *options, cwd=repo)
    assert result.returncode == 0, result.stderr
    return {a["name"]: a for a in json.loads(result.stdout)}


def edit_in_place(repo: Path, name: str) -> None:
    """A tracked file changed where it is: no key of the worktree (HEAD, index, top folder)
    moves, only what the file holds."""
    (repo.parent / "repo-worktrees" / name / "README.md").write_text("# sample\nmore\n")


def test_a_printing_agent_shows_its_recent_diff_again_with_its_age(repo: Path,
                                                                 tmp_path: Path) -> None:
    write_user_config("[workspace]\ndiff_max_age = 3600\n")
    counter = ProcessCounter(tmp_path / "shims")
    spawn_shells(repo, "p", "q")
    for name in ("p", "q"):
        assert run_cli("send", name, PRINTING, cwd=repo).returncode == 0
    edit_in_place(repo, "p")
    before = ls_json(repo)
    # Their screens move, their worktrees' keys do not: the diffs computed before are
    # shown, each with its age, and no git runs for them.
    assert before["p"]["diff"] == {"files": 0, "added": 0, "removed": 0}
    assert isinstance(before["p"]["diff_age_s"], float)
    git_runs, _ = counter.run("ls", "--json", cwd=repo)
    assert git_runs <= 2, counter.calls("git")  # the repository, the branch tips: no diff
    # The table says so too.
    table = run_cli("ls", cwd=repo)
    assert table.returncode == 0, table.stderr
    assert "2 diffs up to" in table.stdout and "their agents' screens moved" in table.stdout, \
        table.stdout
    # --fresh computes them; what it computed is shown from then on.
    fresh = ls_json(repo, "--fresh")
    assert fresh["p"]["diff"] == EDITED
    assert ls_json(repo)["p"]["diff"] == EDITED


@pytest.mark.parametrize("max_age", [0, 1])
def test_past_the_bound_a_printing_agents_diff_is_computed_again(repo: Path,
                                                                 max_age: int) -> None:
    write_user_config(f"[workspace]\ndiff_max_age = {max_age}\n")
    spawn_shells(repo, "p")
    assert run_cli("send", "p", PRINTING, cwd=repo).returncode == 0
    edit_in_place(repo, "p")
    wait_for(lambda: ls_json(repo)["p"]["diff"] == EDITED, 20,
             what=f"the edit seen by ls with diff_max_age = {max_age}")

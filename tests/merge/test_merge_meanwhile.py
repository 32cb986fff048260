"""Merges that meet a change made while they run: base moved during the gate or between the
last check and moving base, the main checkout dirtied just before its files are brought along,
two `workspace merge` processes at once. Each failure is proven to leave refs, files and index
bytes as they were at that moment, including the commit made of the agent's uncommitted work,
which is taken back."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.gitrepo import git
from tests.support.review import (
    Picture,
    assert_unchanged,
    commit,
    picture,
    rev,
    spawn_shell,
    write,
)
from workspace.core.agent import Status
from workspace.service import MergeConflict, MergeRefused, Workspace


def at_step(name: str, action: Callable[[], None]) -> Callable[[str], None]:
    """An on_step callback doing `action` when the merge reaches step `name` (once)."""
    done: list[str] = []

    def step(current: str) -> None:
        if current == name and not done:
            done.append(current)
            action()

    return step


def agent_with_work(ws: Workspace, name: str, *, wip: bool) -> Path:
    wt = spawn_shell(ws, name, f"Task of {name}")
    write(wt, f"{name}.txt", "committed\n")
    commit(wt, name)
    if wip:
        write(wt, "staged.txt", "staged\n")
        git(wt, "add", "staged.txt")  # the index holds something of its own
        write(wt, f"{name}.txt", "committed\nand more, not committed\n")
        write(wt, "untracked.txt", "new\n")
    return wt


@pytest.mark.parametrize("wip", [False, True], ids=["clean", "commit-wip"])
def test_base_moving_just_before_it_is_moved_changes_nothing(
        open_ws: Callable[[str], Workspace], repo: Path, wip: bool) -> None:
    ws = open_ws("")
    wt = agent_with_work(ws, "late", wip=wip)
    pictures: list[Picture] = []

    def someone_commits_to_base() -> None:
        write(repo, "theirs.txt", "someone else's\n")
        commit(repo, "someone else commits to main")
        pictures.append(picture(repo, wt))

    # With commit_wip the work is committed after "committing": move base before that, so
    # the picture is of the agent's branch and index as they were.
    step = at_step("committing" if wip else "updating base", someone_commits_to_base)
    with pytest.raises(MergeRefused, match="main moved while merging") as caught:
        ws.merge("late", commit_wip=wip, on_step=step)
    assert "nothing was changed" in str(caught.value)
    assert "still there" not in str(caught.value)
    assert_unchanged(pictures[0], picture(repo, wt))
    if wip:
        assert "staged.txt" in git(wt, "diff", "--cached", "--name-only")
    assert ws.agent("late").status != Status.MERGED
    # merging again goes on top of what was committed meanwhile
    ws.merge("late", commit_wip=wip)
    assert (repo / "theirs.txt").exists() and (repo / "late.txt").exists()


@pytest.mark.parametrize("wip", [False, True], ids=["clean", "commit-wip"])
def test_checkout_that_cannot_be_updated_puts_base_back(
        open_ws: Callable[[str], Workspace], repo: Path, wip: bool) -> None:
    ws = open_ws("")
    wt = agent_with_work(ws, "blocked", wip=wip)
    pictures: list[Picture] = []

    def person_edits_the_checkout() -> None:
        # After the checks: the file the merge brings is now in the way in the main checkout.
        write(repo, "blocked.txt", "the person's own file\n")
        pictures.append(picture(repo, wt))

    with pytest.raises(MergeRefused, match="main was put back at") as caught:
        ws.merge("blocked", commit_wip=wip,
                 on_step=at_step("committing" if wip else "updating base",
                                 person_edits_the_checkout))
    assert "still there" not in str(caught.value)
    assert_unchanged(pictures[0], picture(repo, wt))
    assert (repo / "blocked.txt").read_text() == "the person's own file\n"


def test_base_moved_during_the_gate_into_a_conflict(open_ws: Callable[[str], Workspace],
                                                    repo: Path) -> None:
    # The gate stands for a slow test run during which someone commits to base.
    script = (f"printf 'base edit\\n' > {shlex.quote(str(repo / 'README.md'))} && "
              f"git -C {shlex.quote(str(repo))} commit -qam 'base edits readme meanwhile'")
    ws = open_ws(f"gate = {json_list(['sh', '-c', script])}\n")
    wt = spawn_shell(ws, "gated", "Edit the readme")
    write(wt, "README.md", "# agent's readme\n")
    commit(wt, "agent edits readme")
    pictures: list[Picture] = []
    with pytest.raises(MergeConflict) as caught:
        ws.merge("gated", on_step=at_step("waiting", lambda: pictures.append(
            picture(repo, wt))))
    assert caught.value.files == ("README.md",)
    assert git(repo, "log", "-1", "--format=%s", "main").strip() == "base edits readme meanwhile"
    assert_unchanged(pictures[0], picture(repo, wt))


def test_base_moved_during_the_gate_without_conflict_still_merges(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    script = (f"printf 'x\\n' > {shlex.quote(str(repo / 'meanwhile.txt'))} && "
              f"git -C {shlex.quote(str(repo))} add meanwhile.txt && "
              f"git -C {shlex.quote(str(repo))} commit -qm 'base moves on meanwhile'")
    ws = open_ws(f"gate = {json_list(['sh', '-c', script])}\n")
    wt = spawn_shell(ws, "gated", "Own file")
    write(wt, "own.txt", "own\n")
    commit(wt, "own")
    result = ws.merge("gated")
    assert git(repo, "log", "-2", "--format=%s", "main").splitlines() == [
        "Own file", "base moves on meanwhile"]
    assert result.old_base == rev(repo, "main~1")
    assert (repo / "own.txt").exists() and (repo / "meanwhile.txt").exists()
    assert git(repo, "status", "--porcelain") == ""


def test_two_merge_processes_at_once_never_interleave(open_ws: Callable[[str], Workspace],
                                                      repo: Path) -> None:
    # A gate makes both processes run at the same time before they reach the lock.
    ws = open_ws('gate = ["sh", "-c", "sleep 1"]\n')
    names = ["pa", "pb", "pc"]
    for name in names:
        wt = spawn_shell(ws, name, f"Work {name}")
        write(wt, f"{name}.txt", f"{name}\n")
        commit(wt, name)
    old = rev(repo, "main")
    procs = [subprocess.Popen([sys.executable, "-m", "workspace", "merge", name], cwd=repo,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in names]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    chain = git(repo, "rev-list", "--first-parent", f"{old}..main").split()
    assert len(chain) == 3  # three squash commits, each on the one before: none was lost
    assert sorted(git(repo, "log", "--format=%s", f"{old}..main").splitlines()) == [
        f"Work {n}" for n in names]
    assert all((repo / f"{n}.txt").exists() for n in names)
    assert git(repo, "status", "--porcelain") == ""
    assert all(ws.agent(n).status == Status.MERGED for n in names)


def json_list(items: list[str]) -> str:
    """A TOML array of strings (TOML basic strings are JSON strings)."""
    import json

    return json.dumps(items)

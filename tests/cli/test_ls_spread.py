"""Diffs that `ls` computed together do not all expire in one later call: past part of
`[workspace] diff_max_age` they are computed once the listing is out (by a child `ls` leaves
behind: a script's loop does not wait for it); one past the bound is computed before it is
shown, as before. And a diff the TUI's watcher computed is stored with its key, so `ls` does
not compute it again."""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.counting import ProcessCounter
from tests.support.wait import wait_for
from workspace.adapters.store import Store
from workspace.service import Workspace

PRINTING = "while :; do echo tick; sleep 0.2; done"
"""A shell agent that prints without writing a file: its screen moves, its worktree does not."""
BOUND = 3600
SOFT_AGE = 3000.0
"""Past SOFT_SHARE (0.75) of the bound (2700 s), within it."""


def ls_json(repo: Path) -> dict[str, dict[str, object]]:
    result = run_cli("ls", "--json", cwd=repo)
    assert result.returncode == 0, result.stderr
    return {a["name"]: a for a in json.loads(result.stdout)}


def printing_shells(repo: Path, *names: str) -> None:
    for name in names:
        assert run_cli("spawn", name, "--preset", "shell", cwd=repo).returncode == 0
    wait_for(lambda: {a["status"] for a in ls_json(repo).values()} == {"waiting"}, 30)
    for name in names:
        assert run_cli("send", name, PRINTING, cwd=repo).returncode == 0


def store_of(repo: Path) -> Store:
    return Store(repo / ".git" / "workspace" / "state.db")


def age_diffs(repo: Path, ages: dict[str, float]) -> float:
    """Make each named agent's stored diff `age` seconds old (its key as `ls` left it)."""
    store = store_of(repo)
    now = time.time()
    marks = store.diff_marks()
    for agent in store.agents():
        if agent.name in ages:
            store.set_diff(agent.id, agent.diff, marks[agent.id].key, at=now - ages[agent.name])
    store.close()
    return now


def computed_at(repo: Path) -> dict[str, float]:
    store = store_of(repo)
    names = {a.id: a.name for a in store.agents()}
    times = {names[aid]: mark.at for aid, mark in store.diff_marks().items()
             if mark.at is not None}
    store.close()
    return times


def computed_since(repo: Path, names: tuple[str, ...], since: float) -> bool:
    times = computed_at(repo)
    return all(times[name] > since for name in names)


def test_the_due_diffs_are_computed_after_the_listing(repo: Path) -> None:
    write_user_config(f"[workspace]\ndiff_max_age = {BOUND}\n")
    printing_shells(repo, "a", "b", "c", "d")
    ls_json(repo)  # every diff computed, with its key
    # A few rounds: what the child stores must stay stored once `ls` has exited (its
    # connection closed before the child was made).
    for _ in range(3):
        now = age_diffs(repo, {"a": SOFT_AGE + 200, "b": SOFT_AGE + 100, "c": SOFT_AGE,
                               "d": 10.0})
        shown = ls_json(repo)
        # All four shown as they were, with their ages: none computed before the listing.
        assert all(isinstance(a["diff_age_s"], float) and a["diff_age_s"] >= 10.0
                   for a in shown.values()), shown
        # Then the due ones (past 0.75 of the bound) are computed: by the child `ls` left.
        wait_for(partial(computed_since, repo, ("a", "b", "c"), now), 20,
                 what="the due diffs computed after ls")
        assert computed_at(repo)["d"] < now  # not due: as it was


def test_a_diff_past_the_bound_is_computed_before_it_is_shown(repo: Path) -> None:
    write_user_config(f"[workspace]\ndiff_max_age = {BOUND}\n")
    printing_shells(repo, "a", "b", "c", "d")
    ls_json(repo)
    age_diffs(repo, {"a": BOUND + 400.0, "b": SOFT_AGE, "c": SOFT_AGE, "d": SOFT_AGE})
    shown = ls_json(repo)
    age = shown["a"]["diff_age_s"]
    assert isinstance(age, float) and age < BOUND, shown["a"]
    # The due ones are shown as they were (computed once the listing is out).
    ages = [shown[name]["diff_age_s"] for name in ("b", "c", "d")]
    assert all(isinstance(age, float) and age >= SOFT_AGE for age in ages), shown


def test_a_diff_the_watcher_computed_is_not_computed_again_by_ls(repo: Path,
                                                                 tmp_path: Path) -> None:
    # Bound 0: only a key unchanged since lets `ls` show a stored diff.
    write_user_config("[workspace]\ndiff_max_age = 0\n")
    assert run_cli("spawn", "w", "--preset", "shell", cwd=repo).returncode == 0
    wait_for(lambda: ls_json(repo)["w"]["status"] == "waiting", 30)
    ws = Workspace.open(repo)
    try:
        ws.refresh()  # the TUI's tick: it has seen the agent's screen
        # A tracked file edited in place, as the TUI's watcher sees it: its diff is
        # computed there.
        (repo.parent / "repo-worktrees" / "w" / "README.md").write_text("# sample\nmore\n")
        assert ws.update_diff(ws.agent("w")).added == 1
    finally:
        ws.close()
    counter = ProcessCounter(tmp_path / "shims")
    git_runs, _ = counter.run("ls", "--json", cwd=repo)
    assert git_runs <= 2, counter.calls("git")  # the repository, the branch tips: no diff
    assert ls_json(repo)["w"]["diff"] == {"files": 1, "added": 1, "removed": 0}

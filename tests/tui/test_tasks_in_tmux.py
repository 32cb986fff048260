"""The real TUI in tmux, as a person uses it: two tasks added by keys in the Tasks view, the
autopilot turned on with A, both tasks merged while the person watches; quitting the TUI
leaves the autopilot running."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.fleet import write_fleet_config
from tests.support.gitrepo import git
from tests.support.terminal import Terminal
from tests.support.wait import wait_for

pytestmark = pytest.mark.tui


def add_task_by_keys(term: Terminal, title: str, check: str) -> None:
    term.keys("T")
    term.wait_text("New task", "Check: a command")
    term.type(title)
    term.keys("Tab", "Tab")  # the prompt, then the check
    term.type(check)
    term.keys("C-s")
    term.wait_text(title)


def test_add_two_tasks_turn_the_autopilot_on_and_watch_them_merge(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"t1": ["write:one.txt:1"], "t2": ["write:two.txt:2"]}))
    monkeypatch.setenv("SCRIPT_PLAN", str(plan))
    write_fleet_config(poll_interval=0.5, tasks='merge = "auto"\n')
    term = Terminal()
    try:
        term.start_workspace(repo)
        term.wait_text("No agents yet")
        term.keys("t")
        term.wait_text("No tasks yet")
        add_task_by_keys(term, "Write one", "test -f one.txt")
        add_task_by_keys(term, "Write two", "test -f two.txt")
        term.wait_text("autopilot off", "2 queued")
        term.keys("A")
        term.wait_text("autopilot on", timeout=20)
        screen = term.wait_text("── merged (2)", timeout=90)
        assert "Write one" in screen and "Write two" in screen
        term.keys("Escape")
        term.wait_text("autopilot on")
        term.keys("q")
        wait_for(lambda: term.dead, 15, what="the TUI to quit")
        status = json.loads(run_cli("autopilot", "--status", "--json", cwd=repo).stdout)
        assert status["running"] is True and status["tasks"] == {"merged": 2}
    finally:
        run_cli("autopilot", "--stop", cwd=repo)
        term.close()
    files = git(repo, "ls-tree", "--name-only", "HEAD").split()
    assert {"one.txt", "two.txt"} <= set(files)

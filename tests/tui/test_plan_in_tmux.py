"""The real TUI in tmux: a plan filed by a scripted planner, opened from the Tasks view,
approved by key, the autopilot turned on by key, and its tasks merged while the person
watches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.fleet import write_fleet_config
from tests.support.terminal import Terminal

pytestmark = pytest.mark.tui


def test_approve_a_plan_by_keys_and_watch_it_land(repo: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({
        "p1:planner": ["file:Write one;check=test -f one.txt;merge=auto"
                       "+file:Write two;check=test -f two.txt;after=@1;merge=auto"],
        "t1": ["write:one.txt:1"], "t2": ["write:two.txt:2"]}))
    monkeypatch.setenv("SCRIPT_PLAN", str(plan))
    write_fleet_config(poll_interval=0.5)
    assert run_cli("plan", "Two files", cwd=repo).stdout == "p1\n"
    term = Terminal()
    try:
        term.start_workspace(repo)
        term.keys("t")
        term.wait_text("── proposed (2)", "Write two")
        term.keys("p")
        term.wait_text("Plan p1", "proposed", "a approves the whole plan")
        term.keys("a")
        term.wait_text("p1 approved", timeout=15)
        term.keys("Escape")
        term.wait_text("── queued (2)")
        term.keys("A")
        screen = term.wait_text("── merged (2)", timeout=90)
        assert "Write one" in screen and "Write two" in screen
    finally:
        run_cli("autopilot", "--stop", cwd=repo)
        term.close()

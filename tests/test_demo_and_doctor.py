"""`workspace demo` sets up a sample repository with demo agents; `workspace doctor` reports."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run_cli
from tests.support.wait import wait_for
from workspace.adapters.locations import data_dir
from workspace.core.agent import Status
from workspace.service import Workspace


def test_demo_sets_up_a_sample_repo_with_working_agents(tmp_path: Path) -> None:
    result = run_cli("demo", "--no-tui", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    repo = data_dir() / "demo-repo"
    assert "3 demo agent(s) started" in result.stdout and str(repo) in result.stdout
    ws = Workspace.open(repo)
    assert sorted(a.name for a in ws.agents()) == ["add-caching", "fix-parser", "write-docs"]
    assert ws.settings.workspace.default_preset == "demo"
    wait_for(lambda: ws.refresh() and all(a.status != Status.STARTING for a in ws.agents()), 30)
    again = run_cli("demo", "--no-tui", cwd=tmp_path)
    assert "0 demo agent(s) started" in again.stdout  # the same agents, still there


def test_doctor_lists_tools_and_presets(repo: Path) -> None:
    result = run_cli("doctor", cwd=repo)
    assert result.returncode == 0, result.stdout
    out = result.stdout
    assert "[ok  ] tmux" in out and "[ok  ] git" in out and "[ok  ] repository" in out
    assert "[ok  ] preset demo" in out and "[ok  ] preset shell" in out
    assert ("[warn] preset codex" in out) != ("[ok  ] preset codex" in out)
    assert "tmux server: tmux -L workspace-" in out


def test_tui_refuses_without_a_terminal(repo: Path) -> None:
    result = run_cli(cwd=repo)
    assert result.returncode == 2
    assert "the TUI needs a terminal" in result.stderr

"""`workspace demo` sets up a sample repository with demo agents; `workspace doctor` reports."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.wait import wait_for
from workspace.adapters.locations import data_dir
from workspace.core.agent import Status
from workspace.service import Severity, Workspace, doctor_report


def test_demo_sets_up_a_sample_repo_with_working_agents(tmp_path: Path) -> None:
    # The agents alone (the demo's tasks have a test of their own below).
    result = run_cli("demo", "--no-tui", "--no-tasks", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    repo = data_dir() / "demo-repo"
    assert "3 demo agent(s) started" in result.stdout and str(repo) in result.stdout
    ws = Workspace.open(repo)
    assert sorted(a.name for a in ws.agents()) == ["add-caching", "fix-parser", "write-docs"]
    assert ws.settings.workspace.default_preset == "demo"
    wait_for(lambda: ws.refresh() and all(a.status != Status.STARTING for a in ws.agents()), 30)
    again = run_cli("demo", "--no-tui", "--no-tasks", cwd=tmp_path)
    assert "0 demo agent(s) started" in again.stdout  # the same agents, still there


def test_doctor_lists_tools_and_presets(repo: Path) -> None:
    result = run_cli("doctor", cwd=repo)
    assert result.returncode == 0, result.stdout
    out = result.stdout
    assert "[ok  ] tmux" in out and "[ok  ] git" in out and "[ok  ] repository" in out
    assert "[ok  ] preset demo" in out and "[ok  ] preset shell" in out
    assert ("[warn] preset codex" in out) != ("[ok  ] preset codex" in out)
    assert "tmux server: tmux -L workspace-" in out


def test_doctor_report_is_data_the_cli_prints(repo: Path) -> None:
    report = doctor_report(repo)
    assert report.failures == 0
    seen = {f.what: f for f in report.findings}
    for what in ("workspace", "tmux", "git", "repository", "state", "config", "preset demo"):
        assert seen[what].severity == Severity.OK, seen[what]
    assert str(repo) in seen["repository"].detail


def test_doctor_outside_a_repository_still_reports(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    result = run_cli("doctor", cwd=tmp_path / "plain")
    assert result.returncode == 0, result.stdout
    assert result.stderr == ""
    assert "[warn] repository     " in result.stdout
    assert "not inside a git repository" in result.stdout
    assert "] state" not in result.stdout  # no repository, no state dir to name
    assert "[ok  ] tmux" in result.stdout and "[ok  ] preset demo" in result.stdout


def test_doctor_without_tmux_fails_and_reports_the_rest(repo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "nobin"
    folder.mkdir()
    for tool in ("git", "sh"):
        (folder / tool).symlink_to(subprocess.check_output(["which", tool], text=True).strip())
    result = run_cli("doctor", cwd=repo, env={"PATH": str(folder)})
    assert result.returncode == 1, result.stdout
    assert result.stderr == ""  # a report, not a traceback
    assert "[FAIL] tmux           tmux is not installed or not on PATH" in result.stdout
    assert "[ok  ] git" in result.stdout and "[ok  ] repository" in result.stdout


def test_doctor_with_a_bad_config_fails_and_still_lists_presets(repo: Path) -> None:
    (repo / ".workspace.toml").write_text("[workspace]\nnope = 1\n")
    result = run_cli("doctor", cwd=repo)
    assert result.returncode == 1, result.stdout
    assert "[FAIL] config" in result.stdout and "workspace.nope: unknown key" in result.stdout
    assert "[ok  ] preset demo" in result.stdout and "preset claude" in result.stdout


def test_tui_refuses_without_a_terminal(repo: Path) -> None:
    result = run_cli(cwd=repo)
    assert result.returncode == 2
    assert "the TUI needs a terminal" in result.stderr


def test_the_demo_tasks_flow_from_queued_to_merged(tmp_path: Path) -> None:
    result = run_cli("demo", "--no-tui", "--agents", "0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "filed 4 demo tasks" in result.stdout and "the autopilot is on" in result.stdout
    repo = data_dir() / "demo-repo"
    ws = Workspace.open(repo)
    try:
        wait_for(lambda: [t.state.value for t in ws.tasks()] ==
                 ["merged", "merged", "merged", "review"], 150,
                 what="the demo tasks to merge (the last waits for review)")
        first = ws.task("t1")
        # Its check wanted two notes: it failed once, then passed after the autopilot's word.
        assert [a.outcome for a in first.attempts] == ["failed", "passed"]
        assert "needs 2" in first.attempts[0].check_tail
    finally:
        run_cli("autopilot", "--stop", cwd=repo)
        ws.close()


def test_the_demo_plan_is_filed_approved_judged_and_merged(tmp_path: Path) -> None:
    result = run_cli("demo", "--no-tui", "--plan", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "started demo plan p1" in result.stdout and "0 demo agent(s) started" in result.stdout
    repo = data_dir() / "demo-repo"
    ws = Workspace.open(repo)
    try:
        wait_for(lambda: ws.refresh() and ws.plan("p1").state.value == "proposed" and
                 len(ws.plan("p1").tasks) == 3, 60, what="the demo planner's plan")
        assert all(t.state.value == "proposed" for t in ws.plan("p1").tasks)
        approved = run_cli("plan", "approve", "p1", cwd=repo)
        assert approved.stdout == "p1 approved: 3 tasks queued\n"
        wait_for(lambda: [t.state.value for t in ws.plan("p1").tasks] ==
                 ["merged", "merged", "review"], 180, what="the plan to land")
        picky = ws.task("t2")
        # The demo judge rejected its first attempt with a reason the worker then met.
        assert [(a.outcome, a.verdict) for a in picky.attempts] == [
            ("rejected", "reject"), ("passed", "approve")]
        assert "no example" in picky.attempts[0].verdict_reason
        assert ws.task("t3").verdict is not None
    finally:
        run_cli("autopilot", "--stop", cwd=repo)
        ws.close()

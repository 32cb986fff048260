"""The autopilot as a process: one per workspace, killed at any instant and started again
with no duplicate agent, no double merge and no attempt lost; detached, it outlives the
commands that started it; a budget pauses without killing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.fleet import Fleet
from tests.support.gitrepo import git
from tests.support.wait import wait_for
from workspace.core.agent import Status
from workspace.core.tasks.model import LoopMode, MergeMode, TaskSpec, TaskState


def test_killed_at_many_instants_it_continues_without_doubling(
        fleet: Callable[..., Fleet], repo: Path) -> None:
    f = fleet(max_agents=2)
    ids = [f.ws.add_task(TaskSpec(f"Part {i}", check=f'test "$(cat p{i}.txt)" = ok',
                                  loop=LoopMode.FRESH, merge=MergeMode.AUTO)).id
           for i in range(4)]
    f.plan({t: [f"sleep:0.5+write:p{i}.txt:no", f"sleep:0.3+write:p{i}.txt:ok"]
            for i, t in enumerate(ids)})
    for delay in (0.3, 0.9, 1.6, 2.4, 3.1, 0.5, 4.0):
        child = subprocess.Popen([sys.executable, "-m", "workspace", "autopilot"], cwd=repo,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
    done = run_cli("autopilot", "--until-done", cwd=repo, timeout=180)
    assert done.returncode == 0, done.stderr
    log = git(repo, "log", "--format=%s", "main").splitlines()
    for i, task_id in enumerate(ids):
        task = f.ws.task(task_id)
        assert task.state == TaskState.MERGED, (task_id, task.state, task.reason)
        assert sum(1 for s in log if s.startswith(f"Task {task_id}:")) == 1  # merged once
        numbers = [a.number for a in task.attempts]
        assert numbers == list(range(1, len(numbers) + 1))  # none lost, none doubled
        assert Path(repo, f"p{i}.txt").read_text() == "ok\n"
    branches = git(repo, "branch", "--format=%(refname:short)", "--list", "ws/*").split()
    for task_id in ids:  # one agent per task ever: one branch (kept by cleanup = never)
        assert len([b for b in branches if b.startswith(f"ws/{task_id}-")]) <= 1, branches


def test_one_autopilot_per_workspace(fleet: Callable[..., Fleet], repo: Path) -> None:
    fleet()
    first = subprocess.Popen([sys.executable, "-m", "workspace", "autopilot"], cwd=repo,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: run_cli("autopilot", "--status", cwd=repo).stdout.startswith(
            "autopilot on"), 20, what="the first autopilot to run")
        second = run_cli("autopilot", cwd=repo)
        assert second.returncode == 2
        assert second.stderr.startswith("workspace: the autopilot is already running (pid ")
        assert second.stderr.count("\n") == 1
        assert second.stdout == ""  # it did not say it was on before refusing
    finally:
        first.send_signal(signal.SIGTERM)
        out, _ = first.communicate(timeout=20)
    assert first.returncode == 0 and "autopilot off" in out


def test_detached_it_keeps_going_after_the_command_that_started_it(
        fleet: Callable[..., Fleet], repo: Path) -> None:
    f = fleet()
    task = f.ws.add_task(TaskSpec("Detached", check="test -f d.txt", merge=MergeMode.AUTO))
    f.plan({task.id: ["sleep:1+write:d.txt:1"]})
    started = run_cli("autopilot", "--start", cwd=repo)
    assert started.returncode == 0, started.stderr
    assert "autopilot started (pid " in started.stdout
    try:
        wait_for(lambda: f.ws.task(task.id).state == TaskState.MERGED, 60,
                 what="the detached autopilot to merge the task")
        status = run_cli("autopilot", "--status", "--json", cwd=repo)
        assert '"running": true' in status.stdout
        assert "_autopilot" not in run_cli("ls", cwd=repo).stdout + \
            run_cli("ls", cwd=repo).stderr  # its session is not an agent
    finally:
        stopped = run_cli("autopilot", "--stop", cwd=repo)
    assert stopped.stdout.strip() == "autopilot stopped"
    assert '"running": false' in run_cli("autopilot", "--status", "--json", cwd=repo).stdout


def test_a_budget_pauses_the_agent_and_starts_no_new_attempt(
        fleet: Callable[..., Fleet], repo: Path) -> None:
    f = fleet()
    task = f.ws.add_task(TaskSpec("Costly", preset="demo", prompt="Write notes [slow] [noask]",
                                  check="false", budget_usd=0.000001))
    pilot = f.ws.new_autopilot()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        f.ws.refresh()
        pilot.tick()
        agent = f.ws.ctx.store.agent_by_name(f.ws.task(task.id).agent or "")
        if agent is not None and agent.status == Status.PAUSED:
            break
        time.sleep(0.3)
    done = f.ws.task(task.id)
    agent = f.ws.agent(done.agent or "")
    assert agent.status == Status.PAUSED and "budget" in agent.status_reason
    assert done.state == TaskState.RUNNING and "budget" in done.reason
    assert len(done.attempts) == 1  # paused, not killed; no new attempt
    pane = f.ws.ctx.pane(agent)
    assert pane is not None and not pane.dead
    os.kill(pane.pid, 0)  # its process is still there


def test_a_running_autopilot_follows_trust_given_after_it_started(
        fleet: Callable[..., Fleet], repo: Path) -> None:
    """The repository's gate waits for trust (the merge waits in review for the person); the
    person trusts it from another command while the detached autopilot runs and approves the
    task, and it merges without the autopilot being restarted."""
    (repo / ".workspace.toml").write_text('[merge]\ngate = ["test", "-f", "t.txt"]\n')
    git(repo, "add", ".workspace.toml")
    git(repo, "commit", "-q", "-m", "a gate of the repository")
    f = fleet()
    task = f.ws.add_task(TaskSpec("Gated", check="test -f t.txt", merge=MergeMode.AUTO))
    f.plan({task.id: ["write:t.txt:1"]})
    assert run_cli("autopilot", "--start", cwd=repo).returncode == 0
    try:
        wait_for(lambda: "workspace trust" in f.ws.task(task.id).reason, 60,
                 what="the merge to wait for trust of the repository's gate")
        assert f.ws.task(task.id).state == TaskState.REVIEW
        trusted = run_cli("trust", "--yes", cwd=repo)
        assert trusted.returncode == 0, trusted.stderr
        assert run_cli("task", "approve", task.id, cwd=repo).returncode == 0
        wait_for(lambda: f.ws.task(task.id).state == TaskState.MERGED, 60,
                 what="the running autopilot to merge once the gate is trusted")
    finally:
        run_cli("autopilot", "--stop", cwd=repo)

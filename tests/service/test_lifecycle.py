"""Spawn, status, usage, send, pause, kill and restart with real tmux, git and the demo agent."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.support.gitrepo import git
from tests.support.wait import status_of, wait_for, wait_status
from workspace.adapters import proc
from workspace.core.agent import Status
from workspace.core.errors import UsageError
from workspace.service import Workspace

NASTY = "Fix 'quotes' \"double\" $(rm -rf ~) `whoami` $HOME; echo pwned && ls *\nsecond line\ttab [noask]"


def user_messages(ws: Workspace, name: str) -> list[str]:
    agent = ws.agent(name)
    path = ws.ctx.paths(agent.id).dir / "transcript.jsonl"
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r["message"]["content"] for r in records if r["type"] == "user"]


def test_spawn_makes_branch_worktree_and_session_then_works(ws: Workspace) -> None:
    agent = ws.spawn("one", preset="demo", prompt="add a note [noask]")
    assert agent.branch == "ws/one"
    assert Path(agent.worktree).is_dir()
    assert Path(agent.worktree).parent.name == "repo-worktrees"
    assert ws.ctx.tmux.has_session("one")
    assert git(ws.ctx.repo.top, "rev-parse", "ws/one").strip() == agent.base_sha
    wait_status(ws, "one", Status.WORKING, Status.WAITING)
    wait_status(ws, "one", Status.WAITING)
    ws.update_diffs()
    done = ws.agent("one")
    assert done.tokens.total > 0 and done.cost_usd is not None and done.cost_usd > 0
    assert done.diff.files >= 1 and done.diff.added > 0
    assert done.session_id and done.model == "claude-sonnet-4-5"
    assert done.context_pct is not None and 0 < done.context_pct < 100


def test_prompt_reaches_the_agent_exactly_on_the_command_line(ws: Workspace) -> None:
    ws.spawn("exact", preset="demo", prompt=NASTY)
    wait_for(lambda: user_messages(ws, "exact"), 20)
    assert user_messages(ws, "exact")[0] == NASTY


def test_prompt_starting_with_a_dash_is_not_an_option(ws: Workspace) -> None:
    ws.spawn("dash", preset="demo", prompt="--help me [noask]")
    wait_for(lambda: user_messages(ws, "dash"), 20)
    assert user_messages(ws, "dash")[0] == "--help me [noask]"


def test_100kb_prompt_and_a_longer_one_typed_in(ws: Workspace) -> None:
    big = "x" * 100_000 + " [noask]"
    ws.spawn("big", preset="demo", prompt=big)
    wait_for(lambda: user_messages(ws, "big"), 30)
    assert user_messages(ws, "big")[0] == big
    bigger = "y" * 150_000 + "\nend [noask]"
    ws.spawn("bigger", preset="demo", prompt=bigger)
    assert ws.pending_prompt("bigger") == bigger
    wait_for(lambda: ws.refresh() and user_messages(ws, "bigger"), 40)
    assert user_messages(ws, "bigger")[0] == bigger
    assert ws.pending_prompt("bigger") == ""


def test_send_delivers_multiline_text_exactly(ws: Workspace) -> None:
    ws.spawn("talk", preset="demo", prompt="first [noask]")
    wait_status(ws, "talk", Status.WAITING)
    ws.send("talk", NASTY)
    wait_for(lambda: len(user_messages(ws, "talk")) == 2, 20)
    assert user_messages(ws, "talk")[1] == NASTY
    wait_status(ws, "talk", Status.WAITING)


def test_permission_approve_and_deny(ws: Workspace) -> None:
    ws.spawn("asker", preset="demo", prompt="write it [ask]")
    wait_status(ws, "asker", Status.NEEDS_PERMISSION)
    assert "Write" in ws.agent("asker").status_reason
    with pytest.raises(UsageError, match="waiting for a permission answer"):
        ws.send("asker", "hello")
    ws.approve("asker")
    wait_status(ws, "asker", Status.WAITING)
    ws.send("asker", "again [ask]")
    wait_status(ws, "asker", Status.NEEDS_PERMISSION)
    ws.deny("asker")
    wait_status(ws, "asker", Status.WAITING)
    with pytest.raises(UsageError, match="not asking for permission"):
        ws.approve("asker")


def agent_pids(ws: Workspace, name: str) -> list[int]:
    agent = ws.agent(name)
    pane = ws.ctx.pane(agent)
    assert pane is not None
    return proc.agent_processes(pane.pid, agent.id)


def proc_state(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rfind(")") + 2:].split()[0]


def test_pause_stops_the_tree_and_resume_continues_it(ws: Workspace) -> None:
    ws.spawn("sleepy", preset="demo", prompt="long one [slow] [noask]")
    wait_status(ws, "sleepy", Status.WORKING)
    pids = agent_pids(ws, "sleepy")
    launcher = pids[0]
    ws.pause("sleepy")
    assert ws.agent("sleepy").status == Status.PAUSED
    time.sleep(0.5)  # tmux would SIGCONT a stopped pane process at once: prove it did not
    assert [proc_state(p) for p in pids[1:]] == ["T"] * (len(pids) - 1)
    assert proc_state(launcher) != "T"
    assert status_of(ws, "sleepy") == Status.PAUSED
    ws.resume("sleepy")
    assert all(proc_state(p) != "T" for p in pids)
    wait_status(ws, "sleepy", Status.WORKING)


def test_kill_of_a_clean_agent_removes_everything_and_leaves_no_process(ws: Workspace) -> None:
    agent = ws.spawn("clean", preset="demo", prompt="")
    wait_status(ws, "clean", Status.WAITING)
    pids = agent_pids(ws, "clean")
    report = ws.kill("clean")
    assert report.removed and report.recovery_ref is None
    assert not Path(agent.worktree).exists()
    assert not ws.ctx.repo.branch_exists("ws/clean")
    assert not ws.ctx.tmux.has_session("clean")
    assert not any(proc.alive(p) for p in pids)
    with pytest.raises(UsageError, match="no agent named 'clean'"):
        ws.kill("clean")


def test_kill_keeps_work_and_discard_saves_a_recovery_ref(ws: Workspace) -> None:
    agent = ws.spawn("worker", preset="demo", prompt="")
    wait_status(ws, "worker", Status.WAITING)
    (Path(agent.worktree) / "precious.txt").write_text("do not lose me\n")
    report = ws.kill("worker")
    assert not report.removed
    assert Path(agent.worktree, "precious.txt").read_text() == "do not lose me\n"
    assert ws.ctx.repo.branch_exists("ws/worker")
    leftovers = ws.leftovers()
    assert [r.path for r in leftovers] == [agent.worktree]
    assert "kept" in ws.cleanup(agent.worktree)
    assert Path(agent.worktree, "precious.txt").exists()
    message = ws.cleanup(agent.worktree, discard=True)
    assert "recoverable from refs/workspace/recovery/worker-" in message
    ref = message.rsplit(" ", 1)[-1]
    assert git(ws.ctx.repo.top, "show", f"{ref}:precious.txt") == "do not lose me\n"
    assert not Path(agent.worktree).exists() and not ws.ctx.repo.branch_exists("ws/worker")


def test_exit_crash_and_restart(ws: Workspace) -> None:
    ws.spawn("quitter", preset="demo", prompt="[exit]")
    wait_status(ws, "quitter", Status.EXITED)
    ws.spawn("crasher", preset="demo", prompt="[crash]")
    wait_status(ws, "crasher", Status.CRASHED)
    assert "status 3" in ws.agent("crasher").status_reason
    with pytest.raises(UsageError, match="restart"):
        ws.send("crasher", "hello")
    ws.restart("crasher")
    wait_status(ws, "crasher", Status.WAITING)
    with pytest.raises(UsageError, match="only an exited or crashed agent"):
        ws.restart("crasher")


def test_vanished_session_is_crashed(ws: Workspace) -> None:
    ws.spawn("ghost", preset="demo", prompt="")
    wait_status(ws, "ghost", Status.WAITING)
    ws.ctx.tmux.kill_server()
    wait_status(ws, "ghost", Status.CRASHED)
    assert "vanished" in ws.agent("ghost").status_reason


def test_shell_preset_types_the_first_prompt_when_ready(ws: Workspace) -> None:
    ws.spawn("sh", preset="shell", prompt="echo typed-in-$((40+2))")
    wait_for(lambda: ws.refresh() and "typed-in-42" in ws.preview_screen(ws.agent("sh").id), 20)
    wait_status(ws, "sh", Status.WAITING)


def test_budget_pauses_the_agent_and_says_why(ws: Workspace) -> None:
    ws.spawn("cheap", preset="demo", prompt="spend [noask]", budget_usd=0.001)
    wait_status(ws, "cheap", Status.PAUSED)
    agent = ws.agent("cheap")
    assert agent.status_reason.startswith("budget $0.00 reached")
    ws.resume("cheap")
    assert ws.agent("cheap").budget_usd == 0.0  # resuming past the budget lifts it


def test_agent_env_comes_from_the_spawner(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSPACE_TEST_MARK", "from-the-spawner")
    ws.spawn("envy", preset="shell", prompt="echo mark=$WORKSPACE_TEST_MARK")
    wait_for(lambda: ws.refresh() and "mark=from-the-spawner" in ws.preview_screen(
        ws.agent("envy").id), 20)
    spec = ws.ctx.paths(ws.agent("envy").id).launch_spec
    assert not spec.exists()  # deleted by the launcher: it held the environment
    assert os.environ["WORKSPACE_TEST_MARK"] == "from-the-spawner"


def test_ls_json_has_every_field_of_the_contract(ws: Workspace) -> None:
    from tests.support.cli import run_cli

    ws.spawn("listed", preset="demo", prompt="note [noask]")
    wait_status(ws, "listed", Status.WAITING)
    result = run_cli("ls", "--json", cwd=ws.ctx.repo.top)
    assert result.returncode == 0, result.stderr
    [item] = json.loads(result.stdout)
    for key in ("name", "preset", "status", "branch", "base", "worktree", "session_id", "tokens",
                "cost_usd", "diff"):
        assert key in item
    assert item["name"] == "listed" and item["status"] == "waiting" and item["base"] == "main"
    assert set(item["tokens"]) == {"input", "output", "cache_read", "cache_write", "total"}
    assert item["tokens"]["total"] == sum(v for k, v in item["tokens"].items() if k != "total") > 0
    assert isinstance(item["cost_usd"], float) and item["cost_usd"] > 0
    assert set(item["diff"]) == {"files", "added", "removed"} and item["diff"]["files"] >= 1
    shell = ws.spawn("plain", preset="shell", prompt="")
    wait_status(ws, "plain", Status.WAITING)
    items = {i["name"]: i for i in json.loads(run_cli("ls", "--json", cwd=ws.ctx.repo.top).stdout)}
    assert items[shell.name]["cost_usd"] is None  # a shell reports no usage: unknown, not $0

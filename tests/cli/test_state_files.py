"""State files hold prompts: the state dir is private (0700), its files 0600, and an older
state made under a loose umask is fixed when opened. `workspace demo` run again says which
demo agents are already there, on stdout, exit 0."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.state import listed, spawn_demo, wait_listed_status
from workspace.adapters import hook_sink
from workspace.adapters.locations import data_dir


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_dir_is_private_and_files_are_0600(repo: Path) -> None:
    old = os.umask(0o022)
    try:
        spawn_demo(repo, "quiet")
        wait_listed_status(repo, "quiet", "waiting")
    finally:
        os.umask(old)
    state = repo / ".git" / "workspace"
    assert mode(state) == 0o700
    assert mode(state / "state.db") == 0o600
    agent_dir = next((state / "agents").iterdir())
    for name in ("events.jsonl", "transcript.jsonl", "agent.json"):
        assert mode(agent_dir / name) == 0o600, name


def test_an_older_loose_state_is_fixed_on_open(repo: Path) -> None:
    assert run_cli("ls", cwd=repo).returncode == 0
    state = repo / ".git" / "workspace"
    state.chmod(0o755)
    (state / "state.db").chmod(0o644)
    assert run_cli("ls", cwd=repo).returncode == 0
    assert mode(state) == 0o700 and mode(state / "state.db") == 0o600


def test_demo_again_says_the_demo_agents_are_already_there(tmp_path: Path) -> None:
    first = run_cli("demo", "--no-tui", "--agents", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    demo = data_dir() / "demo-repo"
    again = run_cli("demo", "--no-tui", "--agents", "1", cwd=tmp_path)
    assert (again.returncode, again.stderr) == (0, "")
    assert "(0 demo agent(s) started; already there: add-caching)" in again.stdout
    worktree = Path(str(listed(demo)["add-caching"]["worktree"]))
    (worktree / "mine.txt").write_text("work of the person's own\n")
    killed = run_cli("kill", "add-caching", cwd=demo)
    assert "kept worktree" in killed.stdout  # it holds work: kept, its name stays taken
    third = run_cli("demo", "--no-tui", "--agents", "1", cwd=tmp_path)
    assert (third.returncode, third.stderr) == (0, "")
    assert "left by an earlier demo: add-caching ('workspace cleanup' lists them)" in third.stdout
    assert "add-caching" not in listed(demo)


def test_the_hook_sink_makes_its_event_file_private(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    old = os.umask(0o022)
    try:
        subprocess.run([sys.executable, "-I", "-S", hook_sink.__file__, str(events), "Stop",
                        "{}"], check=True)
    finally:
        os.umask(old)
    assert mode(events) == 0o600 and '"event": "Stop"' in events.read_text()

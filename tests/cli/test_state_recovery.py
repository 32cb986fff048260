"""A damaged, emptied or read-only state, two spawns racing for a name, and spawns killed
half-way: every verb says what and how in one line (exit 2), the doctor diagnoses and
repairs, nothing is deleted, and agents that still run are adopted back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.gitrepo import git
from tests.support.readonly import read_only
from tests.support.state import (
    listed,
    one_line_error,
    spawn_demo,
    state_db,
    wait_listed_status,
)
from tests.support.wait import wait_for


def has_session(repo: Path, name: str) -> bool:
    from workspace.service import Workspace

    ws = Workspace.open(repo)
    try:
        return ws.ctx.tmux.has_session(name)
    finally:
        ws.close()


def test_garbage_state_one_line_for_every_verb_then_repair_and_adopt(repo: Path) -> None:
    spawn_demo(repo, "one", "long one [slow] [noask]")
    spawn_demo(repo, "two")
    wait_listed_status(repo, "two", "waiting")
    path = state_db(repo)
    garbage = b"\x13not a database\x00" * 64
    path.write_bytes(garbage)
    for argv in (["ls"], ["spawn", "three", "--preset", "demo"], ["kill", "one"],
                 ["send", "one", "hello"], ["cleanup"]):
        one_line_error(run_cli(*argv, cwd=repo), str(path), "is damaged",
                       "workspace doctor --repair")

    doctor = run_cli("doctor", cwd=repo)
    assert doctor.returncode == 1
    assert f"[FAIL] state.db       {path} is damaged" in doctor.stdout

    repaired = run_cli("doctor", "--repair", cwd=repo)
    assert "[ok  ] repaired" in repaired.stdout and "[ok  ] state.db" in repaired.stdout
    kept = list(path.parent.glob("state.db.damaged-*"))
    assert [k.read_bytes() for k in kept if not k.name.endswith(("-wal", "-shm"))] == [garbage]

    fresh = run_cli("ls", cwd=repo)
    assert fresh.returncode == 0 and "no agents" in fresh.stdout
    assert fresh.stderr.strip() == ("workspace: 2 agents run with no row in the state "
                                    "(one, two); 'workspace adopt' brings them back")
    one_line_error(run_cli("kill", "one", cwd=repo), "its tmux session runs",
                   "'workspace adopt one'")
    assert has_session(repo, "one")  # the refusal ended nothing

    adopted = run_cli("adopt", cwd=repo)
    assert adopted.returncode == 0, adopted.stderr
    assert "adopted one (demo, branch ws/one" in adopted.stdout
    assert "adopted two (demo, branch ws/two" in adopted.stdout
    assert "(from its spawn record)" in adopted.stdout
    agents = listed(repo)
    assert sorted(agents) == ["one", "two"]
    assert agents["two"]["status"] == "waiting"
    assert agents["two"]["task"] == "note it [noask]"
    tokens = agents["two"]["tokens"]
    assert isinstance(tokens, dict) and tokens["total"] > 0  # read again from its transcript
    assert agents["one"]["status"] in ("working", "waiting")  # alive, not "crashed"
    assert run_cli("ls", cwd=repo).stderr == ""


@pytest.mark.parametrize("loss", ["emptied", "deleted"])
def test_a_lost_state_forgets_nothing_that_runs(repo: Path, loss: str) -> None:
    spawn_demo(repo, "busy", "long one [slow] [noask]")
    wait_listed_status(repo, "busy", "working", "waiting")
    if loss == "emptied":
        state_db(repo).write_bytes(b"")
    else:
        state_db(repo).unlink()
    worktree = repo.parent / "repo-worktrees" / "busy"
    listing = run_cli("cleanup", cwd=repo)
    assert str(worktree) in listing.stdout  # seen although no row owns it
    one_line_error(run_cli("cleanup", str(worktree), cwd=repo), str(worktree), "in use by",
                   "tmux session 'busy'")
    assert worktree.is_dir()
    # Without its record the row is rebuilt from tmux, git and the agent's command line.
    for record in (repo / ".git" / "workspace" / "agents").glob("*/agent.json"):
        record.unlink()
    adopted = run_cli("adopt", "busy", cwd=repo)
    assert adopted.returncode == 0, adopted.stderr
    assert "preset demo (from its command line)" in adopted.stdout
    assert "base main (the main checkout's branch)" in adopted.stdout
    assert "its first prompt and budget are not known" in adopted.stdout
    agent = listed(repo)["busy"]
    assert agent["worktree"] == str(worktree) and agent["branch"] == "ws/busy"
    killed = run_cli("kill", "busy", cwd=repo)
    assert killed.returncode == 0 and not worktree.exists()


def test_a_read_only_shm_left_behind_is_named_until_it_is_fixed(repo: Path) -> None:
    assert run_cli("ls", cwd=repo).returncode == 0
    path = state_db(repo)
    # A process that dies holding the database leaves its -wal and -shm files.
    script = ("import sqlite3, os, sys; db = sqlite3.connect(sys.argv[1], isolation_level=None);"
              "db.execute('PRAGMA journal_mode=WAL');"
              "db.execute(\"INSERT INTO meta VALUES ('left', 'behind')\"); os._exit(0)")
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    shm = path.with_name("state.db-shm")
    with read_only(shm):
        one_line_error(run_cli("ls", cwd=repo), f"{shm} is read-only")
        one_line_error(run_cli("spawn", "x", "--preset", "demo", cwd=repo), str(shm))
        doctor = run_cli("doctor", cwd=repo)
        assert f"[FAIL] state.db       {shm} is read-only" in doctor.stdout
    assert run_cli("ls", cwd=repo).returncode == 0


def test_an_immutable_state_folder_is_named(repo: Path) -> None:
    assert run_cli("ls", cwd=repo).returncode == 0
    folder = state_db(repo).parent
    with read_only(folder):
        one_line_error(run_cli("ls", cwd=repo), f"{folder} is read-only")
    assert run_cli("ls", cwd=repo).returncode == 0


def test_two_spawns_of_one_name_at_once_one_wins_the_other_leaves_nothing(repo: Path) -> None:
    assert run_cli("ls", cwd=repo).returncode == 0
    names = [f"race{i}" for i in range(4)]
    for name in names:
        argv = [sys.executable, "-m", "workspace", "spawn", name, "--preset", "demo",
                "--prompt", "x [noask]"]
        both = [subprocess.Popen(argv, cwd=repo, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [(p.wait(60), *p.communicate()) for p in both]
        assert sorted(code for code, _, _ in results) == [0, 2], results
        loser = next(r for r in results if r[0] == 2)
        assert loser[2].strip() == (f"workspace: an agent named {name!r} already exists; "
                                    "choose another name")
    assert sorted(listed(repo)) == names
    agent_dirs = list((repo / ".git" / "workspace" / "agents").iterdir())
    assert len(agent_dirs) == len(names)  # no state dir left by a loser
    assert len(git(repo, "worktree", "list").splitlines()) == 1 + len(names)


def test_a_spawn_killed_half_way_is_settled_by_the_next_verb(repo: Path, tmp_path: Path
                                                             ) -> None:
    assert run_cli("ls", cwd=repo).returncode == 0
    mark = tmp_path / "in-checkout"
    hook = repo / ".git" / "hooks" / "post-checkout"
    hook.write_text(f"#!/bin/sh\ntouch '{mark}'\nsleep 60\n")
    hook.chmod(0o755)
    spawn = subprocess.Popen([sys.executable, "-m", "workspace", "spawn", "cut", "--preset",
                              "demo"], cwd=repo, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(mark.exists, 30, what="the spawn to be inside git worktree add")
    os.killpg(spawn.pid, signal.SIGKILL)
    spawn.wait()
    hook.unlink()
    agent = listed(repo)["cut"]  # any verb settles it, not only the TUI's start
    assert agent["status"] == "crashed"
    assert "its spawn was interrupted" in str(agent["status_reason"])
    killed = run_cli("kill", "cut", cwd=repo)
    assert killed.returncode == 0, killed.stderr
    assert "cut" not in listed(repo)
    assert git(repo, "branch", "--list", "ws/cut").strip() == ""


def test_a_kept_worktree_is_adopted_as_a_crashed_agent_and_restarts(repo: Path) -> None:
    spawn_demo(repo, "kept")
    worktree = repo.parent / "repo-worktrees" / "kept"
    (worktree / "mine.txt").write_text("the person's own\n")
    assert "kept worktree" in run_cli("kill", "kept", cwd=repo).stdout
    one_line_error(run_cli("kill", "kept", cwd=repo), "its worktree", "'workspace adopt kept'")
    # No process runs to tell its preset, and its record went with the kill: asked for.
    one_line_error(run_cli("adopt", "kept", cwd=repo), "cannot tell which preset",
                   "--preset NAME")
    adopted = run_cli("adopt", "kept", "--preset", "demo", cwd=repo)
    assert adopted.returncode == 0, adopted.stderr
    assert listed(repo)["kept"]["status"] == "crashed"
    assert run_cli("restart", "kept", cwd=repo).returncode == 0
    wait_listed_status(repo, "kept", "working", "waiting", "needs_permission")
    assert (worktree / "mine.txt").read_text() == "the person's own\n"

"""Things that change behind the tool's back: a worktree or branch deleted, the repository
moved (its private server is found again, its worktrees are cut off until `git worktree
repair`), a worktree moved and repaired (the record follows git), a copy of the repository
(a server of its own), submodules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.gitrepo import git, make_repo
from tests.support.review import commit, spawn_shell, write
from tests.support.wait import wait_status
from workspace.core.agent import Status
from workspace.core.errors import UsageError
from workspace.service import Workspace


def test_a_deleted_worktree_and_branch_show_and_kill_says_so(ws: Workspace, repo: Path) -> None:
    worktree = spawn_shell(ws, "b2")
    git(repo, "worktree", "remove", "--force", str(worktree))
    git(repo, "branch", "-D", "ws/b2")
    ws.refresh()
    agent = ws.agent("b2")
    assert agent.problem == (f"worktree {worktree} is gone (moved? run: git -C {repo} worktree "
                             "repair NEW-PATH); branch ws/b2 is gone")
    assert agent.status_reason.startswith(agent.problem)
    listing = run_cli("ls", cwd=repo)
    assert "ws/b2 (!)" in listing.stdout
    assert f"(!) b2: worktree {worktree} is gone" in listing.stdout
    report = ws.kill("b2")
    assert report.summary() == "killed b2; its worktree and branch were gone already"


def test_a_deleted_branch_alone_keeps_the_worktree_and_restart_still_refuses_a_gone_one(
        ws: Workspace, repo: Path) -> None:
    worktree = spawn_shell(ws, "nob")
    git(worktree, "checkout", "-q", "--detach")
    git(repo, "branch", "-D", "ws/nob")
    ws.update_diffs()
    assert ws.agent("nob").problem == "branch ws/nob is gone"
    assert ws.kill("nob").summary() == ("killed nob; removed its worktree (nothing that is "
                                        "not on base; its branch was gone already)")
    gone = spawn_shell(ws, "gone")
    ws.ctx.tmux.kill_session("gone")
    shutil.rmtree(gone)
    wait_status(ws, "gone", Status.CRASHED)
    with pytest.raises(UsageError, match=r"worktree .* is gone; kill the agent"):
        ws.restart("gone")


def test_after_a_move_the_server_is_found_and_cut_off_worktrees_are_said(
        repo: Path, tmp_path: Path) -> None:
    ws = Workspace.open(repo)
    spawn_shell(ws, "stay")
    worktree = spawn_shell(ws, "cut")
    for name in ("stay", "cut"):  # launched (their launchers read their specs) before the move
        wait_status(ws, name, Status.WAITING)
    socket = ws.ctx.tmux.socket_name
    ws.close()
    moved = tmp_path / "moved"
    repo.rename(moved)
    ws = Workspace.open(moved)
    assert ws.ctx.tmux.socket_name == socket
    ws.update_diffs()
    agent = ws.agent("cut")
    assert agent.status not in (Status.CRASHED, Status.EXITED)  # its session is found
    assert agent.problem == (f"worktree {worktree} is not linked to this repository (did the "
                             f"repository move?); run: git -C {moved} worktree repair "
                             f"{worktree}")
    # The verbs as a person runs them: one line each, no traceback, nothing half-done.
    listing = run_cli("ls", cwd=moved)
    assert f"(!) cut: worktree {worktree} is not linked" in listing.stdout
    restart = run_cli("restart", "cut", cwd=moved)
    assert restart.returncode == 2 and "only an exited or crashed agent" in restart.stderr
    killed = run_cli("kill", "cut", cwd=moved)
    assert (killed.returncode, killed.stderr) == (0, "")
    assert killed.stdout.strip() == (
        f"killed cut; kept worktree {worktree}: it is not linked to this repository (did the "
        f"repository move?); run: git -C {moved} worktree repair {worktree}, then 'workspace "
        f"cleanup {worktree}'")
    assert worktree.is_dir() and not ws.ctx.tmux.has_session("cut")
    git(moved, "worktree", "repair", str(worktree), str(Path(ws.agent("stay").worktree)))
    ws.update_diffs()
    assert ws.agent("stay").problem == ""
    assert ws.cleanup(str(worktree)) == f"removed {worktree} and branch ws/cut"
    ws.close()


def test_a_worktree_moved_and_repaired_is_followed(ws: Workspace, repo: Path, tmp_path: Path
                                                   ) -> None:
    worktree = spawn_shell(ws, "wander")
    write(worktree, "w.txt", "w\n")
    commit(worktree, "w")
    ws.refresh()
    elsewhere = tmp_path / "elsewhere"
    worktree.rename(elsewhere)
    ws.refresh()
    assert ws.agent("wander").problem.startswith(f"worktree {worktree} is gone")
    git(repo, "worktree", "repair", str(elsewhere))
    ws.update_diffs()  # what `ls` does (and every command's opening)
    agent = ws.agent("wander")
    assert agent.worktree == str(elsewhere) and agent.problem == ""
    assert ws.ctx.store.is_known_worktree(str(elsewhere))  # still one the tool made
    assert "kept worktree" in ws.kill("wander").summary()  # its commit is kept, where it is


def test_a_copy_of_the_repository_gets_a_server_of_its_own(repo: Path, tmp_path: Path) -> None:
    ws = Workspace.open(repo)
    original = ws.ctx.tmux.socket_name
    ws.close()
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, symlinks=True)
    ws = Workspace.open(copy)
    assert ws.ctx.tmux.socket_name != original
    ws.close()
    again = Workspace.open(repo)
    assert again.ctx.tmux.socket_name == original
    again.close()


def test_submodules_are_initialised_or_the_row_says_they_are_not(
        tmp_path: Path, isolated_env: Path) -> None:
    lib = make_repo(tmp_path / "lib", {"lib.txt": "lib\n"})
    top = make_repo(tmp_path / "top")
    git(top, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "libs/lib")
    git(top, "commit", "-q", "-m", "a submodule")
    ws = Workspace.open(top)
    # git refuses local clones for submodules by default: the row says so, the agent runs.
    refused = ws.spawn("plain", preset="shell")
    assert refused.problem.startswith("submodules not initialised")
    assert "git -C" in refused.problem and "submodule update --init" in refused.problem
    with (isolated_env / ".gitconfig").open("a") as config:
        config.write('[protocol "file"]\n\tallow = always\n')
    agent = ws.spawn("subbed", preset="shell")
    assert (Path(agent.worktree) / "libs" / "lib" / "lib.txt").read_text() == "lib\n"
    assert agent.problem == ""
    git(Path(refused.worktree), "submodule", "update", "--init", "-q")
    ws.update_diffs()
    assert ws.agent("plain").problem == ""
    ws.close()

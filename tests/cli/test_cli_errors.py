"""Every mistake a person can make: one clear line on stderr, exit code 2, nothing half-made."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.gitrepo import git, make_repo


def assert_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("workspace: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def assert_nothing_made(repo: Path, name: str) -> None:
    assert not (repo.parent / f"{repo.name}-worktrees" / name).exists()
    assert git(repo, "branch", "--list", f"ws/{name}").strip() == ""
    listed = run_cli("ls", "--json", cwd=repo)
    if listed.returncode == 0:
        assert name not in listed.stdout


def fake_bin(tmp_path: Path, name: str, script: str) -> Path:
    folder = tmp_path / "fakebin"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return folder


def test_not_a_git_repo(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    assert_error(run_cli("ls", cwd=tmp_path / "plain"), "not inside a git repository", "git init")


def test_repo_with_no_commits(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "empty", commit=False)
    result = run_cli("spawn", "a", "--preset", "demo", cwd=repo)
    assert_error(result, "no commits yet", "git commit")
    assert_nothing_made(repo, "a")


def test_tmux_missing(repo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "nobin"
    folder.mkdir()
    for tool in ("git", "sh"):
        (folder / tool).symlink_to(subprocess.check_output(["which", tool], text=True).strip())
    result = run_cli("spawn", "a", "--preset", "demo", cwd=repo, env={"PATH": str(folder)})
    assert_error(result, "tmux is not installed", "install tmux")
    assert_nothing_made(repo, "a")


def test_tmux_too_old(repo: Path, tmp_path: Path) -> None:
    folder = fake_bin(tmp_path, "tmux", 'echo "tmux 2.6"\n')
    result = run_cli("ls", cwd=repo, env={"PATH": f"{folder}:{os.environ['PATH']}"})
    assert_error(result, "tmux 2.6 is too old", "3.2 or newer")


def test_preset_cli_missing(repo: Path) -> None:
    result = run_cli("spawn", "a", "--preset", "claude", cwd=repo,
                     env={"PATH": "/usr/bin:/bin"})
    assert_error(result, "'claude'", "not installed or not on PATH",
                 "npm install -g @anthropic-ai/claude-code")
    assert_nothing_made(repo, "a")


def test_unknown_preset(repo: Path) -> None:
    assert_error(run_cli("spawn", "a", "--preset", "nope", cwd=repo), "unknown preset 'nope'",
                 "demo")


@pytest.mark.parametrize("name", ["Bad Name", "a;b", "$(touch x)", "../escape", "-x", ""])
def test_invalid_agent_name(repo: Path, name: str) -> None:
    result = run_cli("spawn", "--preset", "demo", "--", name, cwd=repo)
    assert_error(result, "agent name")
    assert not (repo / "x").exists()


def test_duplicate_agent_name(repo: Path) -> None:
    assert run_cli("spawn", "twin", "--preset", "demo", cwd=repo).returncode == 0
    result = run_cli("spawn", "twin", "--preset", "demo", cwd=repo)
    assert_error(result, "an agent named 'twin' already exists")


def test_missing_base_branch(repo: Path) -> None:
    result = run_cli("spawn", "a", "--preset", "demo", "--base", "nope", cwd=repo)
    assert_error(result, "base branch 'nope' does not exist", "main")
    assert_nothing_made(repo, "a")


def test_detached_head_needs_a_base(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    assert_error(run_cli("spawn", "a", "--preset", "demo", cwd=repo), "detached HEAD", "--base")


@pytest.mark.parametrize("verb", ["send", "attach", "interrupt", "approve", "deny", "pause",
                                  "resume", "restart", "kill"])
def test_unknown_agent_in_a_verb(repo: Path, verb: str) -> None:
    args = [verb, "ghost", "hello"] if verb == "send" else [verb, "ghost"]
    assert_error(run_cli(*args, cwd=repo), "no agent named 'ghost'")


def test_kill_of_an_agent_already_gone(repo: Path) -> None:
    assert run_cli("spawn", "gone", "--preset", "demo", cwd=repo).returncode == 0
    assert run_cli("kill", "gone", cwd=repo).returncode == 0
    assert_error(run_cli("kill", "gone", cwd=repo), "no agent named 'gone'")


def test_bad_usage_is_exit_2(repo: Path) -> None:
    result = run_cli("spawn", cwd=repo)
    assert result.returncode == 2
    assert "the following arguments are required: name" in result.stderr


def test_empty_message(repo: Path) -> None:
    assert run_cli("spawn", "quiet", "--preset", "demo", cwd=repo).returncode == 0
    assert_error(run_cli("send", "quiet", "   ", cwd=repo), "message is empty")


def test_worktree_path_taken(repo: Path) -> None:
    (repo.parent / f"{repo.name}-worktrees" / "taken").mkdir(parents=True)
    result = run_cli("spawn", "taken", "--preset", "demo", cwd=repo)
    assert_error(result, "already exists")
    assert git(repo, "branch", "--list", "ws/taken").strip() == ""

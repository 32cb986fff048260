"""The review verbs as a person or a script runs them (`workspace` in a subprocess): results on
stdout, and every refusal exit code 2 with exactly one line on stderr, changing nothing."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.gitrepo import git
from tests.support.review import assert_unchanged, commit, picture, rev, spawn_shell, write
from tests.support.wait import wait_status
from workspace.core.agent import Status
from workspace.core.review.drafts import draft_wip_message
from workspace.service import Workspace


@pytest.fixture
def ws(repo: Path) -> Iterator[Workspace]:
    write_user_config('[merge]\ncleanup = "never"\n')
    opened = Workspace.open(repo)
    yield opened
    opened.close()


def refused(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    """The one line a refusal prints; it says each of `expected`."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("workspace: ")
    for text in expected:
        assert text in lines[0]
    return lines[0]


def agent_with_commit(ws: Workspace, name: str, path: str = "", text: str = "x\n") -> Path:
    wt = spawn_shell(ws, name, f"Task of {name}")
    write(wt, path or f"{name}.txt", text)
    commit(wt, f"{name} commit")
    return wt


def test_merge_prints_the_result_on_stdout_and_nothing_on_stderr(ws: Workspace,
                                                                 repo: Path) -> None:
    agent_with_commit(ws, "ok")
    result = run_cli("merge", "ok", "--strategy", "merge", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("merged ok into main (merge): 2 commits, 1 file +1 -0")
    # base gained the agent's commit and the merge commit
    assert "ok commit" in result.stdout
    assert len(git(repo, "rev-list", "--parents", "-n", "1", "main").split()) == 3
    assert ws.agent("ok").status == Status.MERGED


def test_uncommitted_work_is_refused_then_committed_with_a_message_from_the_task(
        ws: Workspace, repo: Path) -> None:
    wt = spawn_shell(ws, "wip", "Write the notes\n\nin notes.txt")
    write(wt, "notes.txt", "n\n")
    before = picture(repo, wt)
    refused(run_cli("merge", "wip", cwd=repo), "uncommitted changes", "--commit-wip")
    assert_unchanged(before, picture(repo, wt))
    done = run_cli("merge", "wip", "--commit-wip", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "committed its uncommitted work first" in done.stdout
    wip_message = git(repo, "log", "-1", "--format=%B", "ws/wip").strip()
    assert wip_message == draft_wip_message("wip", "Write the notes\n\nin notes.txt").strip()
    assert git(repo, "log", "-1", "--format=%s", "main").strip() == "Write the notes"


def test_commit_wip_with_a_message_of_ones_own(ws: Workspace, repo: Path) -> None:
    wt = spawn_shell(ws, "own", "Whatever")
    write(wt, "o.txt", "o\n")
    done = run_cli("merge", "own", "--commit-wip", "--message", "Add o.txt", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert git(repo, "log", "-1", "--format=%s", "ws/own").strip() == "Add o.txt"
    assert git(repo, "log", "-1", "--format=%s", "main").strip() == "Add o.txt"


def test_a_conflict_is_one_line_and_changes_nothing(ws: Workspace, repo: Path) -> None:
    wt = agent_with_commit(ws, "c", "README.md", "# agent's\n")
    write(repo, "README.md", "# base's\n")
    commit(repo, "base edits readme")
    write(wt, "more.txt", "uncommitted\n")
    before = picture(repo, wt)
    line = refused(run_cli("merge", "c", "--commit-wip", cwd=repo),
                   "c conflicts with main", "README.md", "nothing was changed")
    assert "ask-rebase" in line
    assert_unchanged(before, picture(repo, wt))


@pytest.mark.parametrize(("argv", "expected"), [
    (("merge",), "name the agent to merge, or pass --all-ready"),
    (("merge", "a", "--all-ready"), "not both"),
    (("merge", "nobody"), "no agent named 'nobody'"),
    (("merge", "a", "--strategy", "octopus"), "invalid choice: 'octopus'"),
    (("diff", "nobody"), "no agent named 'nobody'"),
    (("pr", "nobody"), "no agent named 'nobody'"),
    (("merge", "a"), "a has nothing to merge"),
])
def test_bad_input_is_one_line(ws: Workspace, repo: Path, argv: tuple[str, ...],
                               expected: str) -> None:
    wt = spawn_shell(ws, "a", "Idle")
    before = picture(repo, wt)
    refused(run_cli(*argv, cwd=repo), expected)
    assert_unchanged(before, picture(repo, wt))


def test_merge_cleanup_removes_worktree_and_branch(ws: Workspace, repo: Path) -> None:
    wt = agent_with_commit(ws, "tidy")
    done = run_cli("merge", "tidy", "--cleanup", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "removed its worktree" in done.stdout
    assert not wt.exists() and ws.ctx.repo.rev("refs/heads/ws/tidy") is None
    assert (repo / "tidy.txt").exists()


def test_diff_with_no_changes_says_so_on_stderr(ws: Workspace, repo: Path) -> None:
    spawn_shell(ws, "quiet")
    for argv in (("diff", "quiet"), ("diff", "quiet", "--wip"), ("diff", "quiet", "--stat")):
        result = run_cli(*argv, cwd=repo)
        assert result.returncode == 0 and result.stdout == ""
        assert "no changes" in result.stderr and len(result.stderr.splitlines()) == 1


def wait_ready(ws: Workspace, *names: str) -> None:
    for name in names:
        wait_status(ws, name, Status.WAITING)


def test_all_ready_stops_at_the_conflict_and_keeps_the_rest_queued(ws: Workspace,
                                                                  repo: Path) -> None:
    wts = [agent_with_commit(ws, name, path, text) for name, path, text in (
        ("q1", "shared.txt", "one\n"), ("q2", "shared.txt", "two\n"),
        ("q3", "own.txt", "three\n"))]
    wait_ready(ws, "q1", "q2", "q3")
    result = run_cli("merge", "--all-ready", cwd=repo)
    refused(result, "merge queue stopped at q2", "conflicts with main", "still queued: q3")
    assert result.stdout.splitlines()[0].startswith("merged q1 into main")
    assert "not merged: q2" in result.stdout and "still queued: q3" in result.stdout
    assert (repo / "shared.txt").read_text() == "one\n" and not (repo / "own.txt").exists()
    state = json.loads((ws.ctx.state_dir / "merge-queue.json").read_text())
    assert [(i["name"], i["state"]) for i in state["items"]] == [
        ("q1", "merged"), ("q2", "failed"), ("q3", "queued")]
    assert ws.queue_state().queued == ("q3",)
    assert rev(repo, "ws/q2") == git(wts[1], "rev-parse", "HEAD").strip()
    # the next run skips q2 (it conflicts) and merges the rest
    again = run_cli("merge", "--all-ready", cwd=repo)
    assert again.returncode == 0, again.stderr
    assert "merged q3 into main" in again.stdout and (repo / "own.txt").exists()


def test_all_ready_with_nothing_ready(ws: Workspace, repo: Path) -> None:
    spawn_shell(ws, "idle")
    result = run_cli("merge", "--all-ready", cwd=repo)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("no agent is ready to merge")


def without_gh(tmp_path: Path) -> dict[str, str]:
    """PATH with every program it has but gh (linked into one dir: gh may share /usr/bin with
    git and tmux)."""
    bin_dir = tmp_path / "bin-without-gh"
    bin_dir.mkdir()
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if not d or not Path(d).is_dir():
            continue
        for program in Path(d).iterdir():
            link = bin_dir / program.name
            if program.name != "gh" and not link.exists() and not link.is_symlink():
                link.symlink_to(program)
    return {"PATH": str(bin_dir)}


def test_pr_without_gh_says_how_to_enable_it(ws: Workspace, repo: Path, tmp_path: Path) -> None:
    agent_with_commit(ws, "p")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    env = without_gh(tmp_path)
    result = run_cli("pr", "p", cwd=repo, env=env)
    refused(result, "GitHub CLI (gh)", "https://cli.github.com", "gh auth login")
    assert git(remote, "branch", "--list") == ""  # nothing was pushed
    plan = run_cli("pr", "p", "--dry-run", "--title", "Add p", cwd=repo, env=env)
    assert plan.returncode == 0, plan.stderr
    assert plan.stdout.splitlines()[:3] == [
        "git push --set-upstream origin refs/heads/ws/p:refs/heads/ws/p",
        "gh pr create --base main --head ws/p", ""]
    assert "Add p" in plan.stdout and "p commit" in plan.stdout


def test_pr_with_no_remote_is_one_line(ws: Workspace, repo: Path) -> None:
    agent_with_commit(ws, "p")
    refused(run_cli("pr", "p", "--dry-run", cwd=repo), "no remote", "git remote add origin")


@pytest.mark.skipif(not any((Path(d) / "gh").exists()
                            for d in os.environ.get("PATH", "").split(os.pathsep) if d),
                    reason="the GitHub CLI (gh) is not installed")
def test_pr_with_gh_not_signed_in_says_how_to_enable_it(ws: Workspace, repo: Path,
                                                         tmp_path: Path) -> None:
    agent_with_commit(ws, "p")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    # HOME is a fresh dir per test: gh has no credentials there.
    result = run_cli("pr", "p", cwd=repo, env={"GH_TOKEN": "", "GITHUB_TOKEN": ""})
    refused(result, "gh is not signed in", "gh auth login")
    assert git(remote, "branch", "--list") == ""

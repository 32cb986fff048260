"""Steering many agents from the CLI: spawn several (numbered, or one per preset), then act on
several at once by name, --all or a filter. One line per agent on stdout, why not on stderr;
exit 0 when all succeeded, 1 when some failed, 2 for a mistake before acting."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.gitrepo import git
from tests.support.wait import wait_for


def ok(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result.stdout.splitlines()


def refused(result: subprocess.CompletedProcess[str], *says: str) -> None:
    """A mistake before acting: one line on stderr, exit 2."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    [line] = result.stderr.splitlines()
    assert line.startswith("workspace: "), line
    for text in says:
        assert text in line, line


def listed(repo: Path) -> dict[str, str]:
    result = run_cli("ls", "--json", cwd=repo)
    assert result.returncode == 0, result.stderr
    return {a["name"]: a["status"] for a in json.loads(result.stdout)}


def wait_statuses(repo: Path, wanted: dict[str, str]) -> None:
    wait_for(lambda: all(listed(repo).get(n) == s for n, s in wanted.items()), 60,
             what=f"statuses {wanted}")


def branches(repo: Path) -> list[str]:
    return git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/ws").split()


def test_spawn_count_numbers_as_the_form_and_presets_give_one_agent_each(repo: Path) -> None:
    lines = ok(run_cli("spawn", "fix", "--count", "3", "--preset", "demo", cwd=repo))
    assert [line.split()[1] for line in lines] == ["fix-1", "fix-2", "fix-3"]
    lines = ok(run_cli("spawn", "best", "--preset", "demo", "--preset", "shell", cwd=repo))
    assert [line.split()[1:3] for line in lines] == [["best-demo", "(demo)"],
                                                     ["best-shell", "(shell)"]]
    lines = ok(run_cli("spawn", "two", "-p", "demo", "-p", "shell", "-n", "2", cwd=repo))
    assert [line.split()[1] for line in lines] == ["two-demo-1", "two-demo-2", "two-shell-1",
                                                   "two-shell-2"]
    assert set(listed(repo)) == {"fix-1", "fix-2", "fix-3", "best-demo", "best-shell",
                                 "two-demo-1", "two-demo-2", "two-shell-1", "two-shell-2"}


def test_a_spawn_of_several_checks_them_all_before_making_any(repo: Path) -> None:
    ok(run_cli("spawn", "dup-2", "--preset", "demo", cwd=repo))
    refused(run_cli("spawn", "dup", "--count", "3", "--preset", "demo", cwd=repo),
            "an agent named 'dup-2' already exists")
    refused(run_cli("spawn", "mix", "--preset", "demo", "--preset", "nope", cwd=repo),
            "unknown preset 'nope'")
    refused(run_cli("spawn", "twice", "-p", "demo", "-p", "demo", cwd=repo),
            "--preset demo is given twice; use --count")
    refused(run_cli("spawn", "many", "--count", "51", cwd=repo), "--count must be from 1 to 50")
    assert set(listed(repo)) == {"dup-2"} and branches(repo) == ["ws/dup-2"]


def test_one_spawn_failing_says_why_and_the_others_go_on(repo: Path) -> None:
    # A post-checkout hook that fails in the second worktree only: `git worktree add` fails
    # there, after every check passed.
    hook = repo / ".git" / "hooks" / "post-checkout"
    hook.write_text('#!/bin/sh\ncase "$PWD" in *-2) echo "no, not here" >&2; exit 1;; esac\n')
    hook.chmod(0o755)
    result = run_cli("spawn", "hk", "--count", "3", "--preset", "demo", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["hk-1", "hk-3"]
    assert result.stderr.splitlines() == [
        "workspace: could not spawn 'hk-2': no, not here",
        "workspace: spawn: 2 of 3 done; 1 failed (hk-2)"]
    assert set(listed(repo)) == {"hk-1", "hk-3"} and branches(repo) == ["ws/hk-1", "ws/hk-3"]


def test_verbs_act_on_names_all_or_a_filter_and_say_each_outcome(repo: Path) -> None:
    ok(run_cli("spawn", "w", "--count", "3", "--preset", "demo", "--prompt", "note [noask]",
               cwd=repo))
    ok(run_cli("spawn", "sh", "--preset", "shell", cwd=repo))
    wait_statuses(repo, {"w-1": "waiting", "w-2": "waiting", "w-3": "waiting",
                         "sh": "waiting"})
    assert ok(run_cli("pause", "--preset", "demo", cwd=repo)) == ["paused w-1", "paused w-2",
                                                                  "paused w-3"]
    # An unknown name is a mistake before acting: nothing is resumed.
    refused(run_cli("resume", "w-1", "ghost", cwd=repo), "no agent named 'ghost'")
    assert listed(repo)["w-1"] == "paused"
    assert ok(run_cli("resume", "w-1", cwd=repo)) == ["resumed w-1"]
    # Some fail: the others are done, each refusal is a line, and the last says how many.
    result = run_cli("resume", "--all", cwd=repo)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["resumed w-2", "resumed w-3"]
    assert result.stderr.splitlines() == [
        "workspace: w-1 is not paused (it is waiting)",
        "workspace: sh is not paused (it is waiting)",
        "workspace: resume: 2 of 4 done; 2 failed (w-1, sh)"]
    assert ok(run_cli("send", "w-1", "w-3", "more [noask]", cwd=repo)) == ["sent to w-1",
                                                                          "sent to w-3"]
    assert ok(run_cli("interrupt", "--name", "w-*", "--status", "working,waiting",
                      cwd=repo)) == ["interrupted w-1", "interrupted w-2", "interrupted w-3"]
    refused(run_cli("deny", "--status", "needs_permission", cwd=repo),
            "no agent matches status:needs_permission")
    refused(run_cli("pause", "sh", "--preset", "demo", cwd=repo),
            "none of sh matches preset:demo")
    refused(run_cli("pause", cwd=repo), "say which agents to pause", "workspace pause --help")
    refused(run_cli("pause", "w-1", "--all", cwd=repo), "names or --all, not both")
    refused(run_cli("pause", "--status", "waitin", cwd=repo), "did you mean 'waiting'?")
    refused(run_cli("send", "--all", "  ", cwd=repo), "the message is empty")


def test_approve_every_agent_that_asks(repo: Path) -> None:
    ok(run_cli("spawn", "ask", "--count", "2", "--preset", "demo", "--prompt",
               "write it [ask]", cwd=repo))
    ok(run_cli("spawn", "calm", "--preset", "demo", "--prompt", "note [noask]", cwd=repo))
    wait_statuses(repo, {"ask-1": "needs_permission", "ask-2": "needs_permission",
                         "calm": "waiting"})
    assert ok(run_cli("approve", "--filter", "status:needs_permission", cwd=repo)) == [
        "approved ask-1's request", "approved ask-2's request"]
    wait_for(lambda: listed(repo)["ask-1"] != "needs_permission", 30)


def test_kill_of_several_lists_them_and_needs_yes(repo: Path) -> None:
    ok(run_cli("spawn", "k", "--count", "2", "--preset", "demo", "--prompt", "note [noask]",
               cwd=repo))
    ok(run_cli("spawn", "keep", "--preset", "shell", cwd=repo))
    wait_statuses(repo, {"k-1": "waiting", "k-2": "waiting"})
    refused(run_cli("kill", "--name", "k-*", cwd=repo),
            "kill would act on 2 agents (k-1, k-2); pass --yes to go ahead")
    refused(run_cli("restart", "--all", cwd=repo), "restart would act on 3 agents")
    assert set(listed(repo)) == {"k-1", "k-2", "keep"}
    result = run_cli("kill", "--name", "k-*", "--yes", cwd=repo)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # Each agent's work is kept by the never-lose-work rules, and said.
    for name in ("k-1", "k-2"):
        assert f"killed {name}; kept worktree" in out
        assert f"remove it later with 'workspace cleanup {repo.parent / 'repo-worktrees' / name}"\
            in out
    assert set(listed(repo)) == {"keep"} and "ws/k-1" in branches(repo)
    # One agent alone needs no --yes.
    assert ok(run_cli("kill", "--all", cwd=repo)) == [
        "killed keep; removed its worktree and branch (nothing that is not on base)"]


def test_plan_and_task_filters_choose_the_agents_working_for_them(repo: Path) -> None:
    ok(run_cli("spawn", "solo", "--preset", "shell", cwd=repo))
    [plan_id] = ok(run_cli("plan", "Tidy the docs", "--preset", "shell", cwd=repo))

    def names(*options: str) -> list[str]:
        result = run_cli("ls", "--json", *options, cwd=repo)
        assert result.returncode == 0, result.stderr
        return [a["name"] for a in json.loads(result.stdout)]

    planner = names("--plan", plan_id)
    assert len(planner) == 1 and planner[0] != "solo"
    assert names("--filter", f"plan:{plan_id} preset:shell") == planner
    assert names("--task", "t9") == []
    assert run_cli("ls", "--task", "t9", cwd=repo).stdout == "no agent matches task:t9\n"
    assert ok(run_cli("pause", "--plan", plan_id, cwd=repo)) == [f"paused {planner[0]}"]

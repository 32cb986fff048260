"""`workspace task ...` as scripts and agents use it: ids alone on stdout, JSON with the
fields the docs promise, and one line with exit 2 for every mistake."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.fleet import Fleet

FIELDS = {"id", "title", "state", "reason", "after", "preset", "agent", "attempts",
          "max_attempts", "check", "loop", "merge", "cost_usd", "created_by", "plan",
          "created_at", "updated_at"}


def test_add_prints_the_id_and_ls_json_has_every_field(fleet: Callable[..., Fleet],
                                                       repo: Path) -> None:
    fleet()
    first = run_cli("task", "add", "Write the parser", "--check", "true", cwd=repo)
    assert (first.returncode, first.stdout, first.stderr) == (0, "t1\n", "")
    second = run_cli("task", "add", "Use it", "--after", "t1", "--loop", "fresh", "--merge",
                     "auto", "--attempts", "5", "--priority", "2", "--prompt", "-", cwd=repo,
                     input_text="Call the parser\nfrom main.\n")
    assert second.stdout == "t2\n"
    listed = json.loads(run_cli("task", "ls", "--json", cwd=repo).stdout)
    assert [t["id"] for t in listed] == ["t1", "t2"]
    assert set(listed[1]) >= FIELDS
    assert listed[1]["after"] == ["t1"] and listed[1]["loop"] == "fresh"
    assert listed[1]["max_attempts"] == 5 and listed[1]["reason"] == "waiting on t1"
    assert listed[1]["created_by"] == "person" and listed[1]["plan"] is None
    shown = json.loads(run_cli("task", "show", "2", "--json", cwd=repo).stdout)
    assert shown["prompt"] == "Call the parser\nfrom main.\n"
    assert [e["kind"] for e in shown["events"]] == ["filed"]


def test_an_agent_files_a_proposed_task(fleet: Callable[..., Fleet], repo: Path) -> None:
    fleet()
    filed = run_cli("task", "add", "Follow-up", "--json", cwd=repo,
                    env={"WORKSPACE_AGENT": "t1-writer"})
    task = json.loads(filed.stdout)
    assert task["state"] == "proposed" and task["created_by"] == "t1-writer"
    approved = run_cli("task", "approve", task["id"], cwd=repo)
    assert approved.stdout == f"{task['id']} is queued\n"


@pytest.mark.parametrize(("argv", "message"), [
    (("task", "add", "x", "--after", "t9"), "no task 't9' to come after"),
    (("task", "add", "x", "--preset", "nosuch"), "unknown preset 'nosuch'"),
    (("task", "add", "x", "--check", "nosuch-program --flag"), "not on PATH"),
    (("task", "add", "x", "--check", "echo 'unclosed"), "not a valid command line"),
    (("task", "add", "  "), "a task needs a title"),
    (("task", "add", "x", "--attempts", "0"), "--attempts must be 1 or more"),
    (("task", "add", "x", "--budget", "nan"), "--budget must be more than 0 (USD)"),
    (("task", "add", "x", "--budget", "inf"), "--budget must be more than 0 (USD)"),
    (("task", "add", "x", "--budget", "-1"), "--budget must be more than 0 (USD)"),
    (("spawn", "x", "--preset", "shell", "--budget", "nan"), "--budget must be more than 0"),
    (("task", "show", "t42"), "no task 't42'"),
    (("task", "retry", "t1"), "only a failed or cancelled task can be retried"),
    (("task", "approve", "t1"), "only a proposed task (to run) or one in review"),
    (("task", "done"), "which task?"),
    (("task",), "say what to do with tasks"),
])
def test_mistakes_are_one_line_and_exit_2(fleet: Callable[..., Fleet], repo: Path,
                                          argv: tuple[str, ...], message: str) -> None:
    fleet()
    assert run_cli("task", "add", "the first", cwd=repo).returncode == 0
    result = run_cli(*argv, cwd=repo)
    assert result.returncode == 2, result
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


def test_a_cycle_is_refused_by_edit(fleet: Callable[..., Fleet], repo: Path) -> None:
    fleet()
    for argv in (("a",), ("b", "--after", "t1"), ("c", "--after", "t2")):
        assert run_cli("task", "add", *argv, cwd=repo).returncode == 0
    result = run_cli("task", "edit", "t1", "--after", "t3", cwd=repo)
    assert result.returncode == 2
    assert "would make a cycle: t1 -> t3 -> t2 -> t1" in result.stderr


def test_import_a_checklist(fleet: Callable[..., Fleet], repo: Path, tmp_path: Path) -> None:
    fleet()
    plan = tmp_path / "plan.md"
    plan.write_text("- [ ] Store\n  Use SQLite.\n  check: true\n- [ ] Login\n  after: Store\n"
                    "- [ ] Broken\n  after: Nothing like it\n")
    bad = run_cli("task", "import", str(plan), cwd=repo)
    assert bad.returncode == 2 and "names no earlier item" in bad.stderr
    assert run_cli("task", "ls", "--json", cwd=repo).stdout.strip() == "[]"  # all or none
    plan.write_text("- [ ] Store\n  Use SQLite.\n  check: true\n- [ ] Login\n  after: Store\n")
    good = run_cli("task", "import", str(plan), cwd=repo)
    assert (good.stdout, good.stderr) == ("t1\nt2\n", "filed 2 tasks\n")
    tasks = json.loads(run_cli("task", "ls", "--json", cwd=repo).stdout)
    assert tasks[1]["after"] == ["t1"] and tasks[0]["check"] == "true"


def test_a_title_reaches_no_terminal_as_control_bytes(fleet: Callable[..., Fleet],
                                                      repo: Path) -> None:
    """A title is shown in listings, the TUI and notifications: an escape sequence in it
    would act on whoever's terminal shows it (colours, a title, a hyperlink)."""
    fleet()
    filed = run_cli("task", "add", "Fix \x1b[31mred\x1b[0m\x07 and\ttabs\x04", cwd=repo)
    assert filed.returncode == 0, filed
    listed = run_cli("task", "ls", cwd=repo).stdout
    assert "\x1b" not in listed and "\x07" not in listed
    task = json.loads(run_cli("task", "show", "t1", "--json", cwd=repo).stdout)
    assert task["title"] == "Fix red\u2407 and tabs\u2404"
    edited = run_cli("task", "edit", "t1", "--title", "\x1b]0;owned\x07Renamed", cwd=repo)
    assert edited.returncode == 0, edited
    assert json.loads(run_cli("task", "show", "t1", "--json", cwd=repo).stdout)["title"] == (
        "Renamed")

"""The CLI's shape: each verb's group is known without loading the others, a mistyped verb or
option says the close one and points to `workspace VERB --help`, and a verb loads only what
it runs (scripts and agents call the CLI often)."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.terminal import Terminal
from tests.support.wait import wait_for
from workspace.cli.common import Parser
from workspace.cli.main import GROUPS, build_parser


def test_every_group_registers_exactly_its_verbs() -> None:
    for group, verbs in GROUPS.items():
        parser = Parser(prog="workspace")
        sub = parser.add_subparsers(parser_class=Parser)
        importlib.import_module(f"workspace.cli.{group}").register(sub)
        assert tuple(sub.choices) == verbs, group
    every = [v for verbs in GROUPS.values() for v in verbs]
    assert len(every) == len(set(every))
    sub_action = next(a for a in build_parser()._actions
                      if isinstance(a, argparse._SubParsersAction))
    assert list(sub_action.choices) == every


def test_a_verb_alone_builds_the_parser_of_its_own_group() -> None:
    sub_action = next(a for a in build_parser("approve")._actions
                      if isinstance(a, argparse._SubParsersAction))
    assert tuple(sub_action.choices) == GROUPS["steer"]


@pytest.mark.parametrize(("argv", "line"), [
    (["lss"], "workspace: unknown verb 'lss'; did you mean 'ls'? (see 'workspace --help')"),
    (["-C", ".", "aprove", "x"], "workspace: unknown verb 'aprove'; did you mean 'approve'? "
                                 "(see 'workspace --help')"),
    (["frobnicate"], "workspace: unknown verb 'frobnicate' (see 'workspace --help')"),
    (["task", "ad", "x"], "workspace: unknown verb 'ad'; did you mean 'add'? "
                          "(see 'workspace task --help')"),
    (["ls", "--stauts", "waiting"], "workspace: unrecognized arguments: --stauts waiting; did "
                                    "you mean --status? (see 'workspace ls --help')"),
    (["approve", "a", "--alll"], "workspace: unrecognized arguments: --alll; did you mean --all? "
                               "(see 'workspace approve --help')"),
    (["kill", "--bogus"], "workspace: unrecognized arguments: --bogus "
                          "(see 'workspace kill --help')"),
    (["task", "ls", "--state", "queud"], "did you mean 'queued'? (see 'workspace task ls "
                                         "--help')"),
    (["spawn"], "the following arguments are required: name (see 'workspace spawn --help')"),
])
def test_mistakes_in_verbs_and_options_say_the_close_one(tmp_path: Path, argv: list[str],
                                                         line: str) -> None:
    result = run_cli(*argv, cwd=tmp_path)
    assert result.returncode == 2
    [said] = result.stderr.splitlines()
    assert line in said, said


def test_version_says_the_same_with_or_without_the_parser(tmp_path: Path) -> None:
    fast = run_cli("--version", cwd=tmp_path)
    parsed = run_cli("-C", str(tmp_path), "--version", cwd=tmp_path)
    assert fast.returncode == parsed.returncode == 0
    assert fast.stdout == parsed.stdout and fast.stdout.startswith("workspace ")


def loaded_by(cwd: Path, *argv: str) -> set[str]:
    code = (
        "import sys, io, contextlib\n"
        "from workspace.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main({list(argv)!r})\n"
        "assert code == 0, code\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                         text=True, check=True)
    return set(out.stdout.split())


def test_ls_loads_neither_the_tui_nor_the_machinery_it_does_not_run(repo: Path) -> None:
    assert run_cli("spawn", "one", "--preset", "demo", cwd=repo).returncode == 0
    loaded = loaded_by(repo, "ls", "--json")
    assert "workspace.service.fleet" in loaded
    unused = ("textual", "git", "libtmux", "watchfiles", "genai_prices",
              "workspace.ui", "workspace.service.merge.apply", "workspace.service.review",
              "workspace.service.tasks.board", "workspace.service.tasks.autopilot",
              "workspace.service.doctor", "workspace.service.demo",
              "workspace.adapters.agents.gemini", "workspace.adapters.store.tasks",
              "workspace.cli.tasks", "workspace.cli.review")
    leaked = sorted(m for m in loaded if m in unused or m.startswith(tuple(f"{u}." for u
                                                                          in unused)))
    assert leaked == []


def test_kill_of_several_asks_at_a_terminal(term: Terminal, repo: Path) -> None:
    for name in ("t1", "t2"):
        assert run_cli("spawn", name, "--preset", "shell", cwd=repo).returncode == 0
    kill = f"{sys.executable} -m workspace kill --all"
    term.start(repo, "sh", "-c", f"{kill}; echo exit=$?; {kill}; echo exit=$?; read x")
    screen = term.wait_text("kill these 2 agents? [y/N]")
    assert "kill 2 agents:\n  t1 (" in screen and "\n  t2 (" in screen
    term.type("n")
    term.keys("Enter")
    term.wait_text("workspace: nothing killed\nexit=1")
    wait_for(lambda: term.text().count("kill these 2 agents? [y/N]") == 2, 30,
             what="the second kill's question")
    term.type("y")
    term.keys("Enter")
    screen = term.wait_text("exit=0", timeout=30)
    assert "killed t1; removed its worktree and branch" in screen
    assert "killed t2; removed its worktree and branch" in screen

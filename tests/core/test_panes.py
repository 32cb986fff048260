from __future__ import annotations

import pytest

from tests.support.paths import FIXTURES
from workspace.adapters.agents.rules import builtin_rule_names, load_rules
from workspace.core.agent import Status
from workspace.core.errors import UsageError
from workspace.core.panes import bottom_lines, parse_rules, strip_ansi


def test_strip_ansi() -> None:
    assert strip_ansi("\x1b[1;32mok\x1b[0m \x1b]0;title\x07x") == "ok x"


def test_bottom_lines_skip_blank_lines() -> None:
    assert bottom_lines("a\n\nb\n\n\n", 2) == ["a", "b"]


def test_only_the_bottom_of_the_screen_counts() -> None:
    rules = load_rules("demo")
    quoted = "the agent said: esc to interrupt\n" + "\n".join(f"line {i}" for i in range(20))
    assert rules.classify(quoted + "\ndemo> ") == (Status.WAITING, "waiting for your message")


@pytest.mark.parametrize(
    ("screen", "status"),
    [
        ("> task\n⠋ Thinking… (1s · esc to interrupt)", Status.WORKING),
        ("Allow demo to create demo/x.md?\n  y  yes     a  yes     n  no (esc)", Status.NEEDS_PERMISSION),
        ("Done.\nReady. Type a task and press enter (esc clears).\ndemo> ", Status.WAITING),
        ("something else entirely", None),
    ],
)
def test_demo_rules(screen: str, status: Status | None) -> None:
    assert load_rules("demo").classify(screen)[0] == status


def test_every_builtin_rules_file_loads() -> None:
    for name in builtin_rule_names():
        assert load_rules(name).rules


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"rule": [{"status": "bogus", "contains": ["x"]}]}, "unknown status"),
        ({"rule": [{"status": "working"}]}, "give 'contains' or 'regex'"),
        ({"rule": [{"status": "working", "regex": "("}]}, "bad regex"),
        ({"rule": [{"status": "working", "contains": ["x"], "colour": 1}]}, "unknown key"),
    ],
)
def test_bad_rules_name_the_problem(data: dict[str, object], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_rules("x", data, "rules.toml")


def test_unknown_rules_name() -> None:
    with pytest.raises(UsageError, match="no pane rules named"):
        load_rules("nope-not-here")


CLAUDE_SCREENS = FIXTURES / "panes" / "claude"


@pytest.mark.parametrize(("fixture", "status"), [
    ("waiting-fresh", Status.WAITING),
    ("working", Status.WORKING),
    ("needs-permission-create", Status.NEEDS_PERMISSION),
    ("working-after-approval", Status.WORKING),
    ("waiting-after-turn", Status.WAITING),
])
def test_claude_rules_on_real_screens(fixture: str, status: Status) -> None:
    """Screens captured from Claude Code 2.1.330 (see tests/fixtures/panes/claude/README.md)."""
    screen = (CLAUDE_SCREENS / f"{fixture}.txt").read_text()
    found, reason = load_rules("claude").classify(screen)
    assert found == status, reason
    if status == Status.NEEDS_PERMISSION:
        assert "Do you want to create hello.txt?" in reason

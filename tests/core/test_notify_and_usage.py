"""What a notification says and how the terminal is asked for one (pure), and usage grouped for
`workspace usage`."""

from __future__ import annotations

import json

import pytest

from workspace.core.agent import Agent, Status, Tokens
from workspace.core.notify import needs_you, needs_you_event, plain, task_event, terminal_sequence
from workspace.core.usage import NO_TASK, Figures, UsageRow, group, total

ESC, BEL = "\x1b", "\x07"


def agent(status: Status, reason: str = "", task_id: str | None = None) -> Agent:
    return Agent(id="a1", name="one", preset="demo", branch="ws/one", base="main",
                 base_sha="abc", worktree="/w", session="one", created_at=0.0, status=status,
                 status_reason=reason, task_id=task_id)


@pytest.mark.parametrize(("before", "now", "told"), [
    ("working", Status.WAITING, True),
    ("starting", Status.NEEDS_PERMISSION, True),
    ("waiting", Status.NEEDS_PERMISSION, True),  # another thing needs you
    ("waiting", Status.WAITING, False),
    ("waiting", Status.WORKING, False),
    ("working", Status.PAUSED, False),
    ("working", Status.CRASHED, True),
    ("working", Status.EXITED, False),
])
def test_which_changes_are_told(before: str, now: Status, told: bool) -> None:
    assert needs_you(before, now) is told


def test_text_from_an_agent_is_made_plain() -> None:
    assert plain(f"a {ESC}]0;title{BEL} b\r\n\tc{ESC}[31m d") == "a ]0;title b c [31m d"
    assert plain("x" * 400) == "x" * 299 + "…"


def test_a_needs_you_event_is_one_json_object() -> None:
    event = needs_you_event("shop", agent(Status.NEEDS_PERMISSION, f"wants{ESC}[2J Write",
                                          "t3"), "working", 0.0)
    assert json.loads(json.dumps(event)) == event
    assert event["reason"] == "wants [2J Write" and event["task"] == "t3"
    assert event["title"] == "one needs permission"
    assert event["message"] == "shop: one needs permission: wants [2J Write"


def test_a_task_event_names_the_task() -> None:
    event = task_event("shop", "t4", "failed", "check failed", 0.0, title="Dates",
                       state="failed", agent="t4-dates")
    assert (event["event"], event["kind"], event["task"], event["agent"]) == (
        "task", "failed", "t4", "t4-dates")
    assert event["message"] == "shop: task t4 failed (Dates): check failed"


def test_terminal_sequences_and_tmux_passthrough() -> None:
    assert terminal_sequence("off", "one waiting", "done", False) == ""
    assert terminal_sequence("osc9", "one waiting", "done", False) == (
        f"{ESC}]9;workspace: one waiting: done{BEL}")
    assert terminal_sequence("osc777", "a;b", f"x{BEL}y", False) == (
        f"{ESC}]777;notify;workspace: a,b;x y{BEL}")
    wrapped = terminal_sequence("osc9", "one", "", True)
    assert wrapped == f"{ESC}Ptmux;{ESC}{ESC}]9;workspace: one{BEL}{ESC}\\"


def row(day: str, name: str, preset: str, task: str | None, cost: float | None,
        tokens: int) -> UsageRow:
    return UsageRow(day, name, name, preset, task, name.startswith("gone"),
                    Figures(Tokens(output=tokens), cost, 1, 0 if cost is not None else 1))


def test_usage_grouped_by_day_preset_agent_and_task() -> None:
    rows = [row("2026-08-02", "a", "claude", "t1", 0.5, 100),
            row("2026-08-01", "gone", "codex", None, 1.0, 50),
            row("2026-08-02", "b", "claude", None, None, 10)]
    assert [g.key for g in group(rows, "day")] == ["2026-08-01", "2026-08-02"]
    presets = group(rows, "preset")
    assert [(g.key, g.figures.cost_usd, g.agents) for g in presets] == [
        ("codex", 1.0, ("gone",)), ("claude", 0.5, ("a", "b"))]
    assert presets[1].figures.unpriced == 1 and presets[1].figures.tokens.total == 110
    agents = group(rows, "agent")
    assert [(g.key, g.ended, g.preset) for g in agents] == [
        ("gone", True, "codex"), ("a", False, "claude"), ("b", False, "claude")]
    assert [g.key for g in group(rows, "task")] == [NO_TASK, "t1"]
    assert total(rows).cost_usd == 1.5 and total(rows).requests == 3

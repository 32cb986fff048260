"""The pure parts of steering a fleet (issue 11): the filter language, names cut where they
do not differ, the columns at 80 and 200 columns, what the table lists (filter, sort, groups,
folds), who needs you and the one line that says so, and what the footer keeps."""

from __future__ import annotations

import pytest

from workspace.core import format as fmt
from workspace.core.agent import Agent, DiffStat, Status
from workspace.core.errors import UsageError
from workspace.core.filters import parse_filter
from workspace.ui import footer_fit
from workspace.ui import view as views
from workspace.ui.attention import AttentionLog, say
from workspace.ui.table_columns import layout


def agent(name: str, status: Status = Status.WORKING, preset: str = "demo", task: str = "",
          task_id: str | None = None, since: float = 0.0, cost: float | None = None,
          diff: int = 0) -> Agent:
    return Agent(id=f"id-{name}", name=name, preset=preset, branch=f"ws/{name}", base="main",
                 base_sha="0" * 40, worktree=f"/w/{name}", session=name, created_at=0.0,
                 task=task, status=status, status_since=since, task_id=task_id, cost_usd=cost,
                 diff=DiffStat(1 if diff else 0, diff, 0))


FLEET = [
    agent("fix-login", Status.NEEDS_PERMISSION, "claude", "Fix the login loop", "t1", 10),
    agent("add-input-validation-to-1", Status.WAITING, "demo", "Validate", "t2", 20, 0.5, 3),
    agent("add-input-validation-to-2", Status.WORKING, "demo", "Validate", None, 0, 2.0, 30),
    agent("docs", Status.PAUSED, "codex", "Write the docs", None, 0, None, 0),
]
PLANS = {"id-fix-login": "p1", "id-add-input-validation-to-1": "p1"}


@pytest.mark.parametrize(("text", "names"), [
    ("", ["fix-login", "add-input-validation-to-1", "add-input-validation-to-2", "docs"]),
    ("login", ["fix-login"]),
    ("validation to-2", ["add-input-validation-to-2"]),  # ("2" alone is in task id t2 too)
    ("VALIDATE", ["add-input-validation-to-1", "add-input-validation-to-2"]),  # task text
    ("permission", ["fix-login"]),  # a free word matches the status too
    ("status:need", ["fix-login"]),  # the start of a status will do
    ("status:needs-permission", ["fix-login"]),
    ("status:waiting status:paused", ["add-input-validation-to-1", "docs"]),  # either
    ("preset:demo", ["add-input-validation-to-1", "add-input-validation-to-2"]),
    ("preset:demo status:working", ["add-input-validation-to-2"]),  # and
    ("task:t1", ["fix-login"]),
    ("task:t", []),  # ids are exact
    ("plan:p1", ["fix-login", "add-input-validation-to-1"]),
    ("plan:p1 validation", ["add-input-validation-to-1"]),
    ("status:", ["fix-login", "add-input-validation-to-1", "add-input-validation-to-2",
                 "docs"]),  # half typed: no term yet
    ("owner:me", []),  # not a key: a plain word, found nowhere
])
def test_the_filter_language(text: str, names: list[str]) -> None:
    flt = parse_filter(text, strict=False)
    assert [a.name for a in FLEET if flt.matches(a, PLANS.get(a.id))] == names


@pytest.mark.parametrize(("text", "says"), [
    ("owner:me", "unknown filter key 'owner:'"),
    ("status:", "'status:' needs a value"),
    ("status:sleeping", "unknown status 'sleeping'"),
])
def test_a_command_line_filter_is_strict(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        parse_filter(text, strict=True)
    assert parse_filter("status:waiting preset:demo task:t2", strict=True).task == ("t2",)


def test_names_are_cut_in_the_middle_where_they_do_not_differ() -> None:
    names = ["add-input-validation-to-1", "add-input-validation-to-2",
             "add-input-validation-to-3", "fix-a-very-long-thing-here-x",
             "fix-b-very-long-thing-here-x", "docs"]
    for width in (12, 16, 24):
        shown = fmt.short_names(names, width)
        assert len(set(shown.values())) == len(names), shown
        assert all(len(s) <= width for s in shown.values())
        assert shown["docs"] == "docs"
        assert [shown[f"add-input-validation-to-{i}"][-2:] for i in (1, 2, 3)] == \
            ["-1", "-2", "-3"]  # the end, where they differ, stays
        assert shown["fix-a-very-long-thing-here-x"].startswith("fix-a")
        assert "…" in shown["add-input-validation-to-1"]
    assert fmt.short_names(names, 40) == {n: n for n in names}
    assert fmt.cut_middle("abcdefghij", 5) == "ab…ij"


def test_columns_drop_by_priority_and_the_name_takes_what_it_needs() -> None:
    wide = layout(197, 25)
    assert [k for k, _ in wide.columns] == ["mark", "status", "name", "preset", "age", "diff",
                                            "tokens", "cost", "ctx", "task"]
    assert wide.width_of("name") == 25  # not cut at 24 any more
    narrow = layout(78, 25)  # an 80x24 terminal, less the scrollbar
    assert [k for k, _ in narrow.columns] == ["mark", "status", "name", "cost", "task"]
    assert narrow.width_of("name") == 25 and narrow.width_of("task") >= 20
    assert [k for k, _ in layout(100, 25).columns] == ["mark", "status", "name", "age", "diff",
                                                       "cost", "task"]
    long = layout(78, 40)
    assert long.width_of("name") < 40 and long.width_of("task") == 20  # then the name gives


def test_the_view_filters_sorts_groups_and_folds() -> None:
    fleet = tuple(FLEET)
    every = views.build(fleet)
    assert every.lines == tuple(a.id for a in fleet) and every.hidden == 0
    some = views.build(fleet, parse_filter("preset:demo", strict=False))
    assert some.hidden == 2 and len(some.shown) == 2
    by_name = views.build(fleet, sort="name")
    assert [line.removeprefix("id-") for line in by_name.lines] == [
        "add-input-validation-to-1", "add-input-validation-to-2", "docs", "fix-login"]
    assert views.build(fleet, sort="cost").lines[0] == "id-add-input-validation-to-2"
    assert views.build(fleet, sort="diff").lines[:2] == ("id-add-input-validation-to-2",
                                                         "id-add-input-validation-to-1")
    grouped = views.build(fleet, group="status")
    headers = [grouped.groups[line.removeprefix(views.GROUP)].label
               for line in grouped.lines if views.is_group(line)]
    assert headers == ["needs permission", "waiting for you", "working", "paused"]
    plan = views.build(fleet, group="plan", plans=PLANS, titles={"p1": "Harden login"})
    groups = list(plan.groups.values())
    assert [(g.label, len(g.ids), g.needing) for g in groups] == [
        ("plan p1 · Harden login", 2, 2), ("no task", 2, 0)]
    folded = views.build(fleet, group="plan", folded={"plan:p1"}, plans=PLANS)
    assert folded.lines == (views.group_line("plan:p1"), views.group_line("none"),
                            "id-add-input-validation-to-2", "id-docs")
    assert len(folded.shown) == 4  # folded agents are still shown (for marks and counts)
    assert views.cycle(views.GROUPS, "plan") == "none"


def test_who_needs_you_is_told_once_for_a_moment_of_news() -> None:
    log = AttentionLog(window=1.0, gap=5.0)
    old = agent("old", Status.WAITING, since=5.0)
    log.seen([old, agent("a"), agent("b"), agent("c")], now=100.0)
    assert log.due_at() is None  # what was there at the first look is no news
    log.seen([old, agent("a", Status.NEEDS_PERMISSION), agent("b", Status.NEEDS_PERMISSION),
              agent("c")], now=101.0)
    log.seen([old, agent("a", Status.NEEDS_PERMISSION), agent("b", Status.NEEDS_PERMISSION),
              agent("c", Status.WAITING)], now=101.5)
    assert log.take(101.9) == []  # not yet: others may join
    news = log.take(102.0)
    assert [n.name for n in news] == ["a", "b", "c"]
    assert say(news) == "3 need you: 2 permission, 1 waiting"
    assert [n.name for n in log.order()] == ["old", "a", "b", "c"]  # when they started
    log.seen([old, agent("a"), agent("b", Status.NEEDS_PERMISSION),
              agent("c", Status.WAITING), agent("d", Status.STUCK)], now=103.0)
    assert log.due_at() == 107.0  # at least `gap` after the last line
    assert [n.name for n in log.take(107.0)] == ["d"]
    assert [n.name for n in log.order()] == ["old", "b", "c", "d"]
    one = agent("e", Status.NEEDS_PERMISSION)
    assert say([n for n in [log.needs.get("id-d")] if n]) == "d stuck"
    log.seen([one], now=200.0)
    assert say(log.take(210.0)) == "e needs permission"


def test_the_footer_keeps_help_and_quit_when_narrow() -> None:
    items = [("spawn", "n", "New agent", 6), ("attach", "⏎", "Jump in", 7),
             ("send", "s", "Send", 8), ("next_attention", "g", "Next needing you", 4),
             ("approve", "y", "Approve", 3), ("deny", "N", "Deny", 9),
             ("filter", "/", "Filter", 5), ("help", "?", "Help", 1), ("quit", "q", "Quit", 2)]
    narrow = footer_fit.fit(items, 80)
    assert {"help", "quit", "approve", "next_attention"} <= narrow
    assert "deny" not in narrow
    assert footer_fit.fit(items, 200) == {i[0] for i in items}
    assert footer_fit.fit(items, 30) == {"help", "quit"}

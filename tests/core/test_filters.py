"""The query language that chooses agents (core/filters.py), as the CLI's verbs on several
agents and the TUI's / filter use it."""

from __future__ import annotations

import pytest

from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError
from workspace.core.filters import AgentFilter, parse_filter, term


def agent(name: str, status: Status = Status.WORKING, preset: str = "claude", task: str = "",
          task_id: str | None = None) -> Agent:
    return Agent(id=f"id-{name}", name=name, preset=preset, branch=f"ws/{name}", base="main",
                 base_sha="0" * 40, worktree=f"/w/{name}", session=name, created_at=0.0,
                 task=task, status=status, task_id=task_id)


FLEET = [
    agent("fix-login", Status.NEEDS_PERMISSION, "claude", "Fix the login redirect loop", "t3"),
    agent("fix-logout", Status.WAITING, "codex", "Fix logout: clear the cookie"),
    agent("docs", Status.WORKING, "claude", "Document the API", "t4"),
    agent("bench-1", Status.CRASHED, "demo"),
    agent("bench-2", Status.PAUSED, "demo"),
]
PLANS = {"id-fix-login": "p1", "id-docs": "p2"}


def names(query: str) -> list[str]:
    return [a.name for a in parse_filter(query).select(FLEET, PLANS)]


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["fix-login", "fix-logout", "docs", "bench-1", "bench-2"]),
    ("fix", ["fix-login", "fix-logout"]),  # a free word: a substring of the name...
    ("redirect", ["fix-login"]),  # ... or of the task
    ("CODEX", ["fix-logout"]),  # ... or of the preset, whatever the case
    ("permission", ["fix-login"]),  # ... or of the status, `needs permission` too
    ("t4", ["docs"]),  # ... or of the task id
    ("fix cookie", ["fix-logout"]),  # every word must hold
    ('"fix: login"', []),
    ('"logout: clear"', ["fix-logout"]),  # quoted: colon and spaces are part of the word
    ("status:waiting", ["fix-logout"]),
    ("status:waiting status:paused", ["fix-logout", "bench-2"]),  # a key twice: either
    ("status:waiting,paused", ["fix-logout", "bench-2"]),
    ("status:needs-permission", ["fix-login"]),
    ("status:needs_you", ["fix-login", "fix-logout", "bench-1"]),
    ("preset:demo", ["bench-1", "bench-2"]),
    ("preset:claude status:working", ["docs"]),  # keys: all must hold
    ("name:bench-*", ["bench-1", "bench-2"]),
    ("name:fix-log?n", ["fix-login"]),
    ("name:docs", ["docs"]),
    ("name:doc", []),  # a key's value matches whole, unless it is a glob
    ("task:t3", ["fix-login"]),
    ("plan:p1", ["fix-login"]),
    ("plan:p*", ["fix-login", "docs"]),
    ("Status:Crashed", ["bench-1"]),
])
def test_queries(query: str, expected: list[str]) -> None:
    assert names(query) == expected


@pytest.mark.parametrize(("query", "says"), [
    ("stauts:waiting", "unknown filter key 'stauts:'; did you mean 'status:'?"),
    ("colour:red", "unknown filter key 'colour:'; use name:, status:, preset:, task:, plan:"),
    ("status:waitin", "unknown status 'waitin'; did you mean 'waiting'?"),
    ("status:", "'status:' needs a value, e.g. status:waiting"),
    ("preset: x", "'preset:' needs a value"),
])
def test_mistakes_say_how_to_fix_them(query: str, says: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_filter(query)
    assert says in str(raised.value)


def test_a_query_typed_live_with_an_open_quote_still_parses() -> None:
    assert parse_filter('"fix the').words == ("fix the",)
    assert parse_filter('"').empty


def test_written_back_canonically_for_messages() -> None:
    written = str(parse_filter('Fix  "a b" status:waiting,needs-permission preset:Demo'))
    assert written == 'fix "a b" status:waiting,needs_permission preset:demo'
    assert parse_filter(written) == parse_filter(written)  # it parses again
    assert str(parse_filter("status:needs_you")) == "status:needs_you"


def test_filters_combine_and_say_whether_plans_are_needed() -> None:
    both = parse_filter("fix") & term("status", "waiting")
    assert [a.name for a in both.select(FLEET)] == ["fix-logout"]
    assert not both.uses_plans and parse_filter("plan:p1").uses_plans
    assert AgentFilter().empty and not both.empty
    assert both & AgentFilter() == both

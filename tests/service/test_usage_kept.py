"""Usage and cost stay when their agents go: the workspace's totals (today's and ever) survive
a kill and a merge's cleanup, and the report says who spent it, per day, preset, agent and
task. Real demo agents record real usage records."""

from __future__ import annotations

import time

import pytest

from tests.support.wait import wait_status
from workspace.core.agent import Status
from workspace.core.usage import NO_TASK, Figures
from workspace.service import Workspace


def same(a: Figures, b: Figures) -> bool:
    """Equal figures; the cost summed in another order may differ in its last bits."""
    return (a.tokens, a.requests, a.unpriced) == (b.tokens, b.requests, b.unpriced) and (
        a.cost_usd == pytest.approx(b.cost_usd))


def worked(ws: Workspace, name: str) -> None:
    ws.spawn(name, preset="demo", prompt="add a note [noask]")
    wait_status(ws, name, Status.WAITING)
    agent = ws.agent(name)
    assert agent.tokens.total > 0 and agent.cost_usd


def test_totals_survive_kill_and_cleanup(ws: Workspace) -> None:
    worked(ws, "gone")
    worked(ws, "merged")
    worked(ws, "stays")
    before = ws.usage_summary()
    live = {a.name: a for a in ws.agents()}
    spent = sum(a.cost_usd or 0.0 for a in live.values())
    tokens = sum(a.tokens.total for a in live.values())
    assert before.all.tokens.total == tokens == before.today.tokens.total
    assert before.all.cost_usd is not None and abs(before.all.cost_usd - spent) < 1e-9

    ws.kill("gone", discard=True)
    result = ws.merge("merged", cleanup=True, commit_wip=True)
    assert result.cleanup is not None and result.cleanup.removed
    assert [a.name for a in ws.agents()] == ["stays"]

    after = ws.usage_summary()
    assert same(after.all, before.all) and same(after.today, before.today)  # none forgotten
    by_agent = {g.key: g for g in ws.usage("agent").groups}
    assert set(by_agent) == {"gone", "merged", "stays"}
    assert by_agent["gone"].ended and by_agent["merged"].ended and not by_agent["stays"].ended
    assert by_agent["gone"].figures.tokens == live["gone"].tokens
    assert by_agent["gone"].preset == "demo" and by_agent["gone"].task == ""
    by_preset = ws.usage("preset").groups
    assert [g.key for g in by_preset] == ["demo"]
    assert set(by_preset[0].agents) == {"gone", "merged", "stays"}
    assert same(by_preset[0].figures, after.all)
    by_task = ws.usage("task").groups
    assert [g.key for g in by_task] == [NO_TASK]
    today = time.strftime("%Y-%m-%d")
    by_day = ws.usage("day").groups
    assert [g.key for g in by_day] == [today] and same(by_day[0].figures, after.all)
    assert same(ws.usage("day", since=today).total, after.all)
    assert ws.usage("day", since="2999-01-01").groups == ()


def test_an_agent_adopted_back_is_no_longer_ended(ws: Workspace) -> None:
    worked(ws, "back")
    agent = ws.agent("back")
    ws.ctx.store.delete_agent(agent.id)  # its row lost (a repaired state), its session runs
    assert [g.ended for g in ws.usage("agent").groups] == [True]
    ws.adopt(["back"])
    ws.refresh()  # its transcript read again from the start: counted once, not twice
    groups = ws.usage("agent").groups
    assert [(g.key, g.ended) for g in groups] == [("back", False)]
    assert groups[0].figures.tokens == agent.tokens

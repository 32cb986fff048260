"""The demo agent's cues ([ask], [noask], [slow]...) steer the simulator and never reach a
commit message or a pull request: the demo's integration drops them from the task before the
(cue-blind) drafts see it; every other integration hands the task over as it is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.gitrepo import git
from tests.support.paths import TOP
from tests.support.review import demo_task
from tests.support.wait import wait_for
from workspace.adapters.agents import integration_for
from workspace.adapters.agents.demo import CUES as INTEGRATION_CUES
from workspace.adapters.agents.presets import builtin_presets
from workspace.core.agent import Agent, Status
from workspace.core.review.drafts import draft_merge_message, draft_pr, task_subject
from workspace.demo.cues import CUES, strip_cues
from workspace.service import Workspace

PRESETS = {p.name: p for p in builtin_presets()}
DEMO = integration_for(PRESETS["demo"])


def test_the_integration_drops_exactly_the_cues_the_simulator_knows() -> None:
    # the rings keep adapters from importing the simulator: two lists, kept equal here
    assert set(INTEGRATION_CUES) == set(CUES)
    for cue in CUES:
        assert demo_task(f"Fix {cue}the parser{cue}") == "Fix the parser"
        assert strip_cues(f"a {cue} b") == "a  b"
    assert demo_task("Keep [docs] and [ASK] [ask ] as written") == \
        "Keep [docs] and [ASK] [ask ] as written"


@pytest.mark.parametrize("preset", sorted(set(PRESETS) - {"demo"}))
def test_other_agents_tasks_are_taken_as_given(preset: str) -> None:
    task = "Fix the parser [noask]\n\n[slow] keep it fast"
    assert integration_for(PRESETS[preset]).task_text(task) == task


def test_drafts_know_no_cues() -> None:
    task = "Fix the parser [noask]\n\nAnd its tests."
    assert task_subject(task, "fallback") == "Fix the parser [noask]"
    assert "Fix the parser [noask]" in draft_merge_message("a", "ws/a", "main", task, [],
                                                           "squash")
    assert "Fix the parser [noask]" in draft_pr("a", "ws/a", task, [])[1]
    core = TOP / "workspace" / "core"
    for source in core.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert not [cue for cue in CUES if cue in text], f"{source} knows the demo's cues"


def agent(preset: str, task: str) -> Agent:
    return Agent("id1", "one", preset, "ws/one", "main", "0" * 40, "/nowhere", "s", 0.0, task)


def test_the_service_asks_the_agents_integration(ws: Workspace) -> None:
    task = "Write the notes [noask]"
    assert ws.ctx.task_text(agent("demo", task)) == "Write the notes "
    assert ws.ctx.task_text(agent("shell", task)) == task
    # a preset no longer configured: the task as given, not an error
    assert ws.ctx.task_text(agent("gone", task)) == task


def test_a_demo_agents_merge_and_pull_request_leave_its_cues_out(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    agent = ws.spawn("cued", preset="demo", prompt="Write the notes [noask]")

    def finished() -> bool:
        ws.refresh()
        return ws.agent("cued").status == Status.WAITING

    wait_for(finished, 60, what="the demo agent to finish its turn")
    # uncommitted work for certain (the demo agent commits only sometimes)
    (Path(agent.worktree) / "more.txt").write_text("more\n", encoding="utf-8")
    check = ws.check_merge("cued", commit_wip=True)
    assert check.ok, check.problem
    assert check.wip_message.startswith("Write the notes\n\n")
    git(repo, "remote", "add", "origin", str(repo.parent / "nowhere.git"))
    plan = ws.pr_plan("cued")
    assert (plan.title, plan.body.split("\n\n")[:2]) == ("Write the notes",
                                                          ["## Task", "Write the notes"])
    ws.merge("cued", commit_wip=True)
    assert git(repo, "log", "-1", "--format=%s", "main").strip() == "Write the notes"

"""The autopilot's pure parts, table-tested: dependencies, what is ready, the decisions for
each kind of agent state, what follows a check (the no-progress breaker), task files."""

from __future__ import annotations

from dataclasses import replace

import pytest

from workspace.core.agent import Status
from workspace.core.errors import UsageError
from workspace.core.status import Source, StatusState
from workspace.core.tasks.decide import (
    AgentView,
    Busy,
    Dispatch,
    Finish,
    Limits,
    Merge,
    Note,
    Nudge,
    Pause,
    Restart,
    RunCheck,
    after_check,
    decide,
    turn_ended,
)
from workspace.core.tasks.graph import check_after, merge_order, normalize_id, ready, waiting_note
from workspace.core.tasks.importer import parse_markdown, parse_toml, resolve_refs
from workspace.core.tasks.model import (
    Attempt,
    LoopMode,
    MergeMode,
    Outcome,
    Task,
    TaskSpec,
    TaskState,
)
from workspace.core.tasks.prompts import continue_message, first_prompt, fresh_prompt


def task(id_: str, state: TaskState = TaskState.QUEUED, after: tuple[str, ...] = (),
         priority: int = 0, at: float = 0.0, **spec: object) -> Task:
    return Task(id_, TaskSpec(title=f"task {id_}", after=after, priority=priority,
                              **spec),  # type: ignore[arg-type]
                state, "person", at, at)


def running(id_: str, attempt: Attempt, agent: str = "a", **spec: object) -> Task:
    return replace(task(id_, TaskState.RUNNING, **spec),  # type: ignore[arg-type]
                   agent=agent, attempts=(attempt,))


def view(status: Status, state: StatusState | None = None, cost: float | None = None,
         name: str = "a") -> AgentView:
    return AgentView(name, "demo", status, state or StatusState(status=status), cost)


# -- graph ----------------------------------------------------------------------------


def test_ids_are_read_leniently() -> None:
    assert [normalize_id(x) for x in ("7", "t7", "#7", " T7 ")] == ["t7"] * 4


def test_after_must_exist_and_make_no_cycle() -> None:
    edges = {"t1": (), "t2": ("t1",), "t3": ("t2",)}
    assert check_after(None, ["1", "t2"], edges) == ("t1", "t2")
    with pytest.raises(UsageError, match="no task 't9'"):
        check_after(None, ["t9"], edges)
    with pytest.raises(UsageError, match=r"cycle: t1 -> t3 -> t2 -> t1"):
        check_after("t1", ["t3"], edges)
    with pytest.raises(UsageError, match="after itself"):
        check_after("t2", ["t2"], edges)


def test_ready_waits_for_merged_dependencies_then_orders_by_priority_and_age() -> None:
    tasks = [task("t1", TaskState.MERGED), task("t2", after=("t1",), at=2),
             task("t3", after=("t4",), at=1), task("t4", TaskState.RUNNING),
             task("t5", priority=5, at=3), task("t6", at=1)]
    assert [t.id for t in ready(tasks)] == ["t5", "t6", "t2"]
    by_id = {t.id: t for t in tasks}
    assert waiting_note(by_id["t3"], by_id) == "waiting on t4"
    dead = {**by_id, "t4": task("t4", TaskState.FAILED)}
    assert "blocked: t4 (failed)" in waiting_note(by_id["t3"], dead)


def test_merge_order_puts_dependencies_first() -> None:
    tasks = [task("t1", after=("t3",), priority=9), task("t2", at=1), task("t3", at=2)]
    assert [t.id for t in merge_order(tasks)] == ["t2", "t3", "t1"]


# -- decisions ------------------------------------------------------------------------


def test_dispatch_holds_the_cap_and_the_per_preset_caps() -> None:
    tasks = [task(f"t{i}", at=i, preset="claude" if i < 4 else "codex") for i in range(1, 7)]
    actions = decide(tasks, {}, Limits(max_agents=4, preset_caps={"claude": 2}), 10)
    assert actions == [Dispatch("t1"), Dispatch("t2"), Dispatch("t4"), Dispatch("t5")]


def test_nothing_starts_over_the_daily_budget() -> None:
    limits = Limits(daily_budget_usd=5.0, spent_today_usd=5.0)
    assert decide([task("t1")], {}, limits, 10) == []


def test_a_task_over_its_budget_fails_before_starting_again() -> None:
    spent = replace(task("t1", budget_usd=1.0), attempts=(
        Attempt(1, "a", 0.0, 1.0, cost_usd=1.5, outcome=Outcome.FAILED),))
    [action] = decide([spent], {}, Limits(), 10)
    assert isinstance(action, Finish) and action.state == TaskState.FAILED
    assert action.reason.startswith("budget")


ATTEMPT = Attempt(1, "a", started_at=100.0, launched=True)


@pytest.mark.parametrize(("agent", "attempt", "expected"), [
    # Turn ends: a hook's Stop after the attempt began, an exited one-shot command.
    (view(Status.WAITING, StatusState(Status.WAITING, strong=Status.WAITING, strong_at=120,
                                      strong_source=Source.HOOK)), ATTEMPT, [RunCheck("t1")]),
    (view(Status.EXITED), ATTEMPT, [RunCheck("t1")]),
    # Still waiting from before the message: not a turn end.
    (view(Status.WAITING, StatusState(Status.WAITING, strong=Status.WAITING, strong_at=90,
                                      activity_at=90)), ATTEMPT, []),
    (view(Status.WAITING), replace(ATTEMPT, seen_busy=True), [RunCheck("t1")]),
    (view(Status.WORKING), ATTEMPT, [Busy("t1")]),
    (view(Status.CRASHED), ATTEMPT, [Restart("t1")]),
    (view(Status.CRASHED), replace(ATTEMPT, restarts=2),
     [Note("t1", "a crashed 3 times: see its pane; needs you")]),
    (view(Status.STUCK), replace(ATTEMPT, seen_busy=True), [Nudge("t1")]),
    (view(Status.STUCK), replace(ATTEMPT, seen_busy=True, nudged=True),
     [Note("t1", "a looks stuck; needs you")]),
    (view(Status.NEEDS_PERMISSION), replace(ATTEMPT, seen_busy=True),
     [Note("t1", "a asks permission: see its pane")]),
    (view(Status.MERGED), ATTEMPT, [Finish("t1", TaskState.MERGED, "merged by hand")]),
    (None, replace(ATTEMPT, launched=False), [Dispatch("t1")]),
])
def test_looking_after_a_running_task(agent: AgentView | None, attempt: Attempt,
                                      expected: list[object]) -> None:
    agents = {"a": agent} if agent else {}
    assert decide([running("t1", attempt)], agents, Limits(), 200.0) == expected


def test_an_agent_killed_by_hand_fails_its_task_and_says_how_to_retry() -> None:
    [action] = decide([running("t1", ATTEMPT)], {}, Limits(), 200.0)
    assert isinstance(action, Finish) and action.state == TaskState.FAILED
    assert "task retry t1" in action.reason


def test_a_task_agent_over_budget_is_paused_not_killed() -> None:
    costly = running("t1", replace(ATTEMPT, cost_at_start=1.0), budget_usd=2.0)
    [action] = decide([costly], {"a": view(Status.WORKING, cost=3.5)}, Limits(), 200.0)
    assert isinstance(action, Pause) and "budget $2.00 reached (spent $2.50)" in action.reason


def test_in_flight_and_merging_tasks() -> None:
    merging = replace(task("t1", TaskState.MERGING), agent="a")
    assert decide([merging], {"a": view(Status.WAITING)}, Limits(), 1) == [Merge("t1")]
    assert decide([merging], {"a": view(Status.WAITING)}, Limits(), 1,
                  frozenset({"t1"})) == []
    assert decide([merging], {"a": view(Status.MERGED)}, Limits(), 1) == [
        Finish("t1", TaskState.MERGED)]


def test_a_quiet_screen_after_a_change_ends_a_turn_of_an_agent_without_hooks() -> None:
    state = StatusState(Status.WAITING, activity_at=150)
    assert not turn_ended(state, Status.WAITING, ATTEMPT, now=152)
    assert turn_ended(state, Status.WAITING, ATTEMPT, now=156)


# -- after a check --------------------------------------------------------------------


def checked(number: int, tree: str = "tree1", exit_: int = 1, tail: str = "1 failed",
            outcome: Outcome = Outcome.FAILED) -> Attempt:
    return Attempt(number, "a", 0, 1, check_exit=exit_, check_tail=tail, tree=tree,
                   outcome=outcome)


def test_a_passing_check_goes_to_review_or_merging() -> None:
    assert after_check(task("t1"), checked(1, exit_=0), True).state == TaskState.REVIEW
    auto = task("t1", merge=MergeMode.AUTO)
    assert after_check(auto, checked(1, exit_=0), True).state == TaskState.MERGING


def test_a_failing_check_loops_until_the_attempts_are_used_up() -> None:
    fresh = task("t1", loop=LoopMode.FRESH, max_attempts=2)
    first = checked(1)
    after_one = after_check(replace(fresh, attempts=(first,)), first, False)
    assert (after_one.state, after_one.loop) == (TaskState.RUNNING, LoopMode.FRESH)
    second = checked(2, tree="tree2")
    done = after_check(replace(fresh, attempts=(first, second)), second, False)
    assert done.state == TaskState.FAILED and done.reason == "attempts used up (2 of 2)"


def test_the_no_progress_breaker() -> None:
    first, second = checked(1), checked(2)  # same tree, same exit code, same output
    verdict = after_check(replace(task("t1"), attempts=(first, second)), second, False)
    assert verdict.state == TaskState.FAILED and verdict.reason.startswith("no progress")
    moved = checked(2, tree="tree2")
    assert after_check(replace(task("t1"), attempts=(first, moved)), moved,
                       False).state == TaskState.RUNNING


# -- prompts --------------------------------------------------------------------------


def test_prompts_carry_the_task_the_failure_and_the_note() -> None:
    t = replace(task("t3", check="pytest -q"), spec=TaskSpec(
        "Add login", "Write the form.", check="pytest -q", max_attempts=3))
    first = first_prompt(t, "/state/t3/progress.md")
    assert "Task t3: Add login" in first and "Write the form." in first
    assert "`pytest -q`" in first and "/state/t3/progress.md" in first
    last = checked(1, tail="E  assert 1 == 2\n1 failed")
    again = fresh_prompt(t, last, "tried X, Y is left", "/state/t3/progress.md")
    assert "attempt 2 of 3" in again and "exit code 1" in again
    assert "assert 1 == 2" in again and "tried X, Y is left" in again
    assert "assert 1 == 2" in continue_message(t, last)


# -- task files -----------------------------------------------------------------------


def test_a_markdown_checklist_becomes_tasks_with_dependencies() -> None:
    text = """# Plan
- [ ] Set up the store
  Use SQLite.
  check: pytest -q tests/test_store.py
- [x] Already done
- [ ] Add login
  The form posts to /login.

  Errors show inline.
  after: Set up the store
  loop: fresh
- [ ] Add logout
  after: 2, t9
"""
    filed = parse_markdown(text, "plan.md")
    assert [f.spec.title for f in filed] == ["Set up the store", "Add login", "Add logout"]
    assert filed[0].spec.check == "pytest -q tests/test_store.py"
    assert filed[0].spec.prompt == "Use SQLite."
    assert filed[1].spec.prompt == "The form posts to /login.\n\nErrors show inline."
    assert filed[1].spec.loop == LoopMode.FRESH
    resolved = resolve_refs(filed, {"t9"})
    assert [refs for _, refs in resolved] == [[], ["@0"], ["@1", "t9"]]
    with pytest.raises(UsageError, match="names no earlier item"):
        resolve_refs(filed, set())


def test_a_toml_file_of_tasks() -> None:
    filed = parse_toml('[[task]]\nname = "a"\ntitle = "One"\n[[task]]\ntitle = "Two"\n'
                       'after = ["a"]\nmerge = "auto"\nattempts = 5\n', "tasks.toml")
    assert [(f.spec.title, f.spec.max_attempts) for f in filed] == [("One", 3), ("Two", 5)]
    assert resolve_refs(filed, set())[1][1] == ["@0"]
    with pytest.raises(UsageError, match="unknown key 'colour'"):
        parse_toml('[[task]]\ntitle = "x"\ncolour = 1\n', "t.toml")

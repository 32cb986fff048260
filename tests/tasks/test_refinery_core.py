"""The refinery's pure parts, table-tested: the queue's order, the next batch, the bisection
that finds a failing batch's culprit, and the queue's state as the CLI and the TUI read it."""

from __future__ import annotations

import math

import pytest

from workspace.core.review.queue import REFINERY, QueueItem, QueueItemState, QueueState
from workspace.core.tasks.model import Task, TaskSpec, TaskState
from workspace.core.tasks.refinery import Bisect, merge_queue, next_batch

S = TaskState


def task(id_: str, state: TaskState = S.MERGING, after: tuple[str, ...] = (),
         priority: int = 0, at: float = 0.0) -> Task:
    return Task(id_, TaskSpec(title=f"task {id_}", after=after, priority=priority), state,
                "person", at, at)


def test_the_queue_holds_merging_tasks_in_dependency_then_priority_then_age_order() -> None:
    tasks = [
        task("t1", at=1.0),
        task("t2", at=2.0, priority=5),
        task("t3", at=3.0, after=("t4",), priority=9),  # after t4, whatever its priority
        task("t4", at=4.0),
        task("t5", S.RUNNING, at=0.5),
        task("t6", S.MERGED, at=0.1),
        task("t7", at=0.0, after=("t5",)),  # t5 is not merging: it does not hold t7 here
    ]
    assert [t.id for t in merge_queue(tasks)] == ["t2", "t7", "t1", "t4", "t3"]


@pytest.mark.parametrize(("queue", "size", "expected"), [
    ([], 4, []),
    ([("a", "main")], 4, ["a"]),
    ([("a", "main"), ("b", "main"), ("c", "main")], 2, ["a", "b"]),
    ([("a", "main"), ("b", "dev"), ("c", "main"), ("d", "main")], 3, ["a", "c", "d"]),
    ([("a", "dev"), ("b", "main"), ("c", "dev")], 4, ["a", "c"]),
    ([("a", "main"), ("b", "main")], 1, ["a"]),
    ([("a", "main")], 0, []),
])
def test_the_next_batch_is_the_first_few_onto_one_base(
        queue: list[tuple[str, str]], size: int, expected: list[str]) -> None:
    assert next_batch(queue, size) == expected


def run(size: int, culprit: int | None) -> tuple[Bisect, list[int]]:
    """Bisect a stack whose prefixes fail from the culprit's on (None: all pass)."""
    state, probes = Bisect(size), []
    while state.probe is not None:
        probes.append(state.probe)
        fails = culprit is not None and state.probe > culprit
        state = state.record(not fails)
    return state, probes


@pytest.mark.parametrize(("size", "culprit", "probes", "landing"), [
    (1, None, [1], 1),
    (1, 0, [1], 0),
    (4, None, [4], 4),
    (4, 0, [4, 2, 1], 0),
    (4, 1, [4, 2, 1], 1),
    (4, 2, [4, 2, 3], 2),
    (4, 3, [4, 2, 3], 3),
    (3, 2, [3, 1, 2], 2),
    (8, 5, [8, 4, 6, 5], 5),
])
def test_bisect_gates_the_tip_then_halves(size: int, culprit: int | None,
                                          probes: list[int], landing: int) -> None:
    state, seen = run(size, culprit)
    assert seen == probes
    assert state.done and state.culprit == culprit and state.landing == landing
    assert state.runs == len(probes)


@pytest.mark.parametrize("size", range(1, 17))
def test_bisect_finds_every_culprit_in_one_plus_log2_runs(size: int) -> None:
    for culprit in [None, *range(size)]:
        state, probes = run(size, culprit)
        assert state.culprit == culprit
        assert state.landing == (size if culprit is None else culprit)
        # base never gets a prefix that failed: what lands was gated and passed (or is empty)
        assert state.landing == 0 or state.landing in probes
        limit = 1 if culprit is None else 1 + math.ceil(math.log2(size))
        assert len(probes) <= limit, (culprit, probes)


def test_a_decided_bisection_takes_no_more_results() -> None:
    with pytest.raises(ValueError):
        Bisect(2).record(True).record(True)
    assert Bisect(0).done and Bisect(0).landing == 0


def test_the_queue_state_lists_what_waits_after_what_is_in_flight() -> None:
    m = QueueItemState
    state = QueueState((QueueItem("a", m.MERGED, task="t1"), QueueItem("b", m.MERGING, task="t2"),
                        QueueItem("c", m.CULPRIT, "the gate failed", task="t3"),
                        QueueItem("d", m.QUEUED, task="t4")),
                       running=True, kind=REFINERY, batch=4, step="gate on the tip of 2")
    view = state.with_waiting([("b", "t2"), ("d", "t4"), ("c", "t3"), ("e", "t5")])
    # c was sent back and is merging again: listed once more, as queued
    assert [(i.name, i.state) for i in view.items] == [
        ("a", m.MERGED), ("b", m.MERGING), ("d", m.QUEUED), ("c", m.QUEUED), ("e", m.QUEUED)]
    assert state.in_flight == ("b",) and state.culprit == state.items[2]
    assert state.failed == state.items[2]
    data = state.as_json()
    assert data["in_flight"] == ["b"] and data["culprit"] == "c" and data["kind"] == REFINERY
    assert QueueState.from_dict(state.to_dict()) == state
    # a person's queue writes the file as it did before batches
    assert set(QueueState((QueueItem("x"),)).to_dict()) == {
        "items", "running", "started_at", "updated_at", "pid"}


def test_the_bar_shows_the_batch_in_flight_first_and_hides_when_nothing_waits() -> None:
    from workspace.ui.widgets.merge_queue_bar import queue_line

    m = QueueItemState
    items = (QueueItem("t1-a", m.MERGED, task="t1"), QueueItem("t2-b", m.CULPRIT, task="t2"),
             QueueItem("t3-c", m.MERGING, task="t3"), QueueItem("t4-d", m.MERGING, task="t4"),
             *(QueueItem(f"t{i}-x", task=f"t{i}") for i in range(5, 10)))
    state = QueueState(items, running=True, kind=REFINERY, batch=4,
                       step="bisecting: gate on the first 1 of 2")
    line = queue_line(state)
    assert line is not None
    assert line.plain == ("refinery (batch 4): … bisecting: gate on the first 1 of 2: t3, t4 · "
                          "✗ t2 culprit · ◌ 5 queued: t5, t6, t7 +2 · ✓ 1 merged")
    done = QueueState((QueueItem("t1-a", m.MERGED, task="t1"),), kind=REFINERY, batch=4)
    assert queue_line(done) is None
    # a person's queue of single merges reads as before
    person = QueueState((QueueItem("a", m.MERGED), QueueItem("b", m.FAILED),
                         QueueItem("c")))
    shown = queue_line(person)
    assert shown is not None and shown.plain.startswith(
        "merge queue: ✓ a merged · ✗ b failed · ◌ c queued")

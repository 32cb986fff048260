"""What a poll tick asks of the state in one go (every agent's row with its state, every read
offset), its states written over the state each was folded from (a person's action that
landed meanwhile is not written over), and a diff stored after the listing never over a newer
one nor for an agent gone meanwhile."""

from __future__ import annotations

import time
from pathlib import Path

from workspace.adapters.store import Store, with_state
from workspace.core.agent import Agent, DiffStat, Status
from workspace.core.status import StatusState, initial_state


def agent(name: str) -> Agent:
    return Agent(id=f"id-{name}", name=name, preset="shell", branch=f"ws/{name}", base="main",
                 base_sha="abc", worktree=f"/tmp/{name}", session=name, created_at=time.time())


def store_with(tmp_path: Path, *names: str) -> Store:
    store = Store(tmp_path / "state.db")
    for name in names:
        store.insert_agent(agent(name), initial_state(1.0), {"pending_prompt": "hello"})
    return store


def test_every_row_comes_with_its_state_and_launch(tmp_path: Path) -> None:
    store = store_with(tmp_path, "a", "b")
    rows = store.agent_rows()
    assert [a.name for a, _ in rows] == [a.name for a in store.agents()]
    first, row = rows[0]
    assert row.state == store.state_of(first.id)
    assert row.launch_record() == {"pending_prompt": "hello"}
    assert row.state.status == first.status


def test_every_offset_in_one_read_without_the_diffs_rows(tmp_path: Path) -> None:
    store = store_with(tmp_path, "a", "b")
    store.set_source("id-a", "/x/events.jsonl", 10, {"k": 1})
    store.set_source("id-b", "transcript:/y.jsonl", 3, {})
    store.set_diff("id-a", DiffStat(1, 2, 3), "key|screen", at=5.0)
    assert store.all_sources() == {"id-a": {"/x/events.jsonl": (10, {"k": 1})},
                                   "id-b": {"transcript:/y.jsonl": (3, {})}}


def test_a_state_is_written_only_over_the_one_it_was_folded_from(tmp_path: Path) -> None:
    store = store_with(tmp_path, "a", "b")
    rows = {a.id: row for a, row in store.agent_rows()}
    # Another process (a person pausing "b") writes between the tick's read and its write.
    other = Store(tmp_path / "state.db")
    paused = StatusState.from_dict({**rows["id-b"].state.to_dict(), "paused": True})
    other.set_state("id-b", paused)
    working = StatusState.from_dict({**rows["id-a"].state.to_dict(), "status": "working"})
    moved = store.set_states([("id-a", working, rows["id-a"].stored),
                              ("id-b", working, rows["id-b"].stored)])
    assert moved == ["id-b"]
    assert store.state_of("id-a") == working
    assert store.state_of("id-b") == paused  # kept: the tick folds its signals into it again
    found = store.stored_state("id-b")
    assert found is not None and found[0] == paused
    assert store.set_states([("id-b", working, found[1])]) == []
    other.close()


def test_with_state_is_what_the_row_reads_once_written(tmp_path: Path) -> None:
    store = store_with(tmp_path, "a")
    a, row = store.agent_rows()[0]
    new = StatusState.from_dict({**row.state.to_dict(), "status": "waiting", "since": 7.0,
                                 "reason": "its turn ended", "place": "branch ws/a is gone"})
    store.set_state(a.id, new)
    assert with_state(a, new) == store.agents()[0]
    assert with_state(a, new).status == Status.WAITING


def test_a_diff_computed_later_never_replaces_a_newer_one(tmp_path: Path) -> None:
    store = store_with(tmp_path, "a")
    store.set_diff("id-a", DiffStat(2, 2, 0), "new|1", at=20.0)
    assert not store.set_diff("id-a", DiffStat(1, 1, 0), "old|0", at=10.0, unless_newer=True)
    assert store.diff_marks()["id-a"].key == "new|1"
    assert store.agents()[0].diff == DiffStat(2, 2, 0)
    assert store.set_diff("id-a", DiffStat(3, 3, 0), "newer|2", at=30.0, unless_newer=True)
    assert store.diff_marks()["id-a"].at == 30.0


def test_a_diff_for_an_agent_gone_meanwhile_leaves_nothing(tmp_path: Path) -> None:
    store = store_with(tmp_path, "a")
    store.delete_agent("id-a")
    assert not store.set_diff("id-a", DiffStat(1, 1, 0), "k|s", at=1.0)
    assert store.diff_marks() == {} and store.all_sources() == {}


def test_the_tick_can_tell_when_nothing_else_was_written(tmp_path: Path) -> None:
    store = store_with(tmp_path, "a")
    other = Store(tmp_path / "state.db")
    seen, written = store.data_version(), store.changes()
    assert (store.data_version(), store.changes()) == (seen, written)
    store.set_source("id-a", "/e", 1, {})
    assert store.changes() == written + 1 and store.data_version() == seen
    other.set_source("id-a", "/e", 2, {})
    assert store.data_version() != seen
    other.close()


def test_rows_read_are_still_the_stored_ones_until_anyone_writes(tmp_path: Path) -> None:
    store = store_with(tmp_path, "a")
    read = store.rows_read()
    assert [a.name for a, _ in read.rows] == ["a"] and store.still(read)
    store.set_source("id-a", "/e", 1, {})  # this connection writes
    assert not store.still(read)
    read = store.rows_read()
    other = Store(tmp_path / "state.db")
    other.set_state("id-a", initial_state(2.0))  # another one does
    assert not store.still(read)
    other.close()

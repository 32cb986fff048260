"""The state database's version: a new database is stamped with the version this code writes,
and one written by a newer workspace is refused with one line, not misread."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from workspace.adapters.store import SCHEMA_VERSION, Store
from workspace.core.errors import UsageError


def test_a_new_database_has_the_current_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.db")
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    again = Store(tmp_path / "state.db")  # opening twice migrates nothing and loses nothing
    assert again.schema_version == SCHEMA_VERSION
    again.close()


def test_a_database_from_a_newer_workspace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION + 5),))
    with pytest.raises(UsageError, match="written by a newer workspace"):
        Store(path)


def test_the_cli_says_so_in_one_line(repo: Path) -> None:
    assert run_cli("ls", cwd=repo).returncode == 0
    path = repo / ".git" / "workspace" / "state.db"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'schema'")
    result = run_cli("ls", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "upgrade workspace" in result.stderr, result.stderr


def test_a_version_1_database_is_migrated_and_keeps_its_agents(tmp_path: Path) -> None:
    from workspace.adapters.store.database import _SCHEMA, execute_script

    path = tmp_path / "state.db"
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        execute_script(db, _SCHEMA)
        db.execute("INSERT INTO meta (key, value) VALUES ('schema', '1')")
        db.execute("""INSERT INTO agents (id, name, preset, branch, base, base_sha, worktree,
            session, created_at, state) VALUES ('a1', 'old', 'shell', 'ws/old', 'main', 'abc',
            '/tmp/wt', 'old', 1.0, '{"status": "waiting"}')""")
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION == 3
    agent = store.agent_by_name("old")
    assert agent is not None and agent.task_id is None and agent.status.value == "waiting"
    assert store.tasks.all() == []
    store.close()


def test_a_version_2_database_is_migrated_without_replaying_its_past(tmp_path: Path) -> None:
    """Schema 3: what a version-2 database already holds counts as noticed (no flood of old
    task events, no agent's status told again), and usage from then on outlives its agent."""
    from workspace.adapters.store.database import _SCHEMA, MIGRATIONS, execute_script
    from workspace.core.agent import Tokens

    path = tmp_path / "state.db"
    with sqlite3.connect(path) as db:
        execute_script(db, _SCHEMA)
        execute_script(db, MIGRATIONS[2])
        db.execute("INSERT INTO meta (key, value) VALUES ('schema', '2')")
        db.execute("""INSERT INTO agents (id, name, preset, branch, base, base_sha, worktree,
            session, created_at, state) VALUES ('a1', 'old', 'shell', 'ws/old', 'main', 'abc',
            '/tmp/wt', 'old', 1.0, '{"status": "waiting"}')""")
        db.execute("INSERT INTO task_events (task_id, at, kind) VALUES ('t1', 1.0, 'filed')")
        db.execute("""INSERT INTO usage (agent_id, key, input, output, cache_read, cache_write,
            total, cost_usd, at) VALUES ('a1', 'r1', 1, 2, 3, 4, 10, 0.5, NULL)""")
    store = Store(path)
    try:
        assert store.schema_version == SCHEMA_VERSION == 3
        assert store.notices.claim_task_events() == []
        assert store.notices.claim_statuses({"a1": "waiting"}) == []
        assert store.notices.claim_statuses({"a1": "working"}) == [("a1", "waiting", "working")]
        store.add_usage("a1", "r2", None, Tokens(5, 5), 0.25, None)
        store.delete_agent("a1")
        rows = store.usage.rows()  # the old record's day is its agent's start: it had no time
        assert rows[0].day == time.strftime("%Y-%m-%d", time.localtime(1.0)) and len(rows) == 2
        assert {(r.agent, r.preset, r.ended) for r in rows} == {("old", "shell", True)}
        assert sum(r.figures.tokens.total for r in rows) == 20
        assert sum(r.figures.cost_usd or 0 for r in rows) == 0.75
    finally:
        store.close()


def _history(store: Store, seed: int) -> None:
    """Many tasks in every state, most of them long finished, with attempts and dependencies
    (some on finished tasks, some on live ones, one on a task since deleted)."""
    import random

    from workspace.core.tasks.model import Attempt, Outcome, TaskSpec, TaskState

    rng = random.Random(seed)
    tasks = store.tasks
    ids: list[str] = []
    states = [TaskState.MERGED] * 12 + [TaskState.FAILED] * 3 + [TaskState.CANCELLED] + [
        TaskState.QUEUED, TaskState.QUEUED, TaskState.RUNNING, TaskState.CHECKING,
        TaskState.MERGING, TaskState.REVIEW, TaskState.PROPOSED]
    for i in range(160):
        after = tuple(rng.sample(ids, rng.choice((0, 0, 1, 2)))) if ids else ()
        state = rng.choice(states)
        task = tasks.add(TaskSpec(f"task {i}", after=after, check="true",
                                  priority=rng.choice((0, 0, 1))), state, "person")
        ids.append(task.id)
        for n in range(1, rng.randint(0, 4) + 1):
            ended = state.ended or (n < 4 and rng.random() < 0.7)
            tasks.put_attempt(task.id, Attempt(
                n, f"agent-{i}", float(n), ended_at=float(n) + 1 if ended else None,
                cost_usd=0.01 * n, check_exit=1 if ended else None, check_tail="fail " * n,
                outcome=Outcome.FAILED if ended else None, launched=True))
    tasks.delete(ids[3])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_autopilots_read_sees_what_all_sees(tmp_path: Path, seed: int) -> None:
    """`live()` (a tick's read: tasks queued or under way, and the ones they come after) is
    `all()` less the finished history, and every decision made from it is the same; `some()`
    is `all()` filtered by id."""
    from workspace.core.tasks.decide import Limits, decide
    from workspace.core.tasks.graph import ready
    from workspace.core.tasks.refinery import merge_queue
    from workspace.service.tasks.process import finished

    store = Store(tmp_path / "state.db")
    try:
        _history(store, seed)
        every, live = store.tasks.all(), store.tasks.live()
        after = {dep for t in every if t.state.live for dep in t.after}
        assert live == [t for t in every if t.state.live or t.id in after]
        assert len(live) < len(every) / 2  # the history is not read
        for limits in (Limits(max_agents=2), Limits(max_agents=50)):
            assert decide(live, {}, limits, 10.0) == decide(every, {}, limits, 10.0)
        assert ready(live) == ready(every)
        assert merge_queue(live) == merge_queue(every)
        assert finished(live) == finished(every)
        # A poll's read of its agents' tasks: those, whatever their state, a gone one left out.
        wanted = {t.id for t in every[::7]} | {"t4", "t9999"}
        assert store.tasks.some(wanted) == [t for t in every if t.id in wanted]
        assert store.tasks.some([]) == []
    finally:
        store.close()


def test_the_autopilots_read_of_an_empty_or_finished_store(tmp_path: Path) -> None:
    from workspace.core.tasks.model import TaskSpec, TaskState

    store = Store(tmp_path / "state.db")
    try:
        assert store.tasks.live() == []
        done = store.tasks.add(TaskSpec("done"), TaskState.MERGED, "person")
        assert store.tasks.live() == []
        waiting = store.tasks.add(TaskSpec("next", after=(done.id,)), TaskState.QUEUED,
                                  "person")
        assert [t.id for t in store.tasks.live()] == [done.id, waiting.id]
        with store.tasks.db.transaction():  # inside a writer's transaction: its view
            store.tasks.update(waiting.id, state=TaskState.CANCELLED)
            assert store.tasks.live() == []
        assert store.tasks.live() == []
    finally:
        store.close()


def test_the_states_of_many_agents_in_one_read(tmp_path: Path) -> None:
    """`agent_states` (a tick's read of its agents) says what `state_of` says of each, and
    leaves out an agent that is gone."""
    store = Store(tmp_path / "state.db")
    try:
        with store.tasks.db.transaction() as db:
            for n, status in enumerate(("working", "waiting", "crashed")):
                db.execute("""INSERT INTO agents (id, name, preset, branch, base, base_sha,
                    worktree, session, created_at, state) VALUES (?, ?, 'demo', ?, 'main',
                    'abc', '/tmp/wt', ?, 1.0, ?)""", (f"a{n}", f"agent-{n}", f"ws/agent-{n}",
                                                      f"agent-{n}", f'{{"status": "{status}"}}'))
        states = store.tasks.agent_states(["a0", "a2", "gone"])
        assert states == {"a0": store.state_of("a0"), "a2": store.state_of("a2")}
        assert states["a2"].status.value == "crashed"
        assert store.tasks.agent_states([]) == {}
    finally:
        store.close()

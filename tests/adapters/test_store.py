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

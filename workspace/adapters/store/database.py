"""SQLite state in `<git-common-dir>/workspace/state.db`. Every change is one transaction, so a
process killed at any instant leaves a consistent picture (WAL journal). One connection per
thread; writers take turns (BEGIN IMMEDIATE)."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workspace.adapters.store.health import (
    PRIVATE_FILE,
    StateError,
    companions,
    newer_error,
    restrict,
    state_error,
)

SCHEMA_VERSION = 3
"""The version this code reads and writes. A database at an older version is migrated on open
(MIGRATIONS, in order, in one transaction); one at a newer version is refused."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    preset TEXT NOT NULL,
    branch TEXT NOT NULL,
    base TEXT NOT NULL,
    base_sha TEXT NOT NULL,
    worktree TEXT NOT NULL,
    session TEXT NOT NULL,
    created_at REAL NOT NULL,
    task TEXT NOT NULL DEFAULT '',
    session_id TEXT,
    pane_id TEXT,
    state TEXT NOT NULL,
    diff_files INTEGER NOT NULL DEFAULT 0,
    diff_added INTEGER NOT NULL DEFAULT 0,
    diff_removed INTEGER NOT NULL DEFAULT 0,
    budget_usd REAL,
    spawn_complete INTEGER NOT NULL DEFAULT 0,
    model TEXT,
    context_pct REAL,
    launch TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS usage (
    agent_id TEXT NOT NULL,
    key TEXT NOT NULL,
    model TEXT,
    input INTEGER NOT NULL,
    output INTEGER NOT NULL,
    cache_read INTEGER NOT NULL,
    cache_write INTEGER NOT NULL,
    total INTEGER NOT NULL,
    cost_usd REAL,
    at REAL,
    PRIMARY KEY (agent_id, key)
);
CREATE TABLE IF NOT EXISTS sources (
    agent_id TEXT NOT NULL,
    path TEXT NOT NULL,
    offset INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (agent_id, path)
);
CREATE TABLE IF NOT EXISTS worktrees (
    path TEXT PRIMARY KEY,
    branch TEXT NOT NULL,
    agent_name TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""

MIGRATIONS: dict[int, str] = {
    2: """
    CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        spec TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        agent TEXT,
        plan TEXT,
        counted_from INTEGER NOT NULL DEFAULT 0,
        created_by TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE attempts (
        task_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (task_id, number)
    );
    CREATE TABLE plans (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        goal TEXT NOT NULL,
        preset TEXT,
        agent TEXT,
        state TEXT NOT NULL,
        auto_subplans INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE task_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id TEXT NOT NULL,
        at REAL NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    ALTER TABLE agents ADD COLUMN task_id TEXT;
    """,
    3: """
    ALTER TABLE agents ADD COLUMN notified TEXT NOT NULL DEFAULT '';
    UPDATE agents SET notified = COALESCE(json_extract(state, '$.status'), '');
    ALTER TABLE usage ADD COLUMN recorded REAL;
    CREATE INDEX usage_at ON usage (at);
    CREATE TABLE ended_agents (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        preset TEXT NOT NULL,
        task_id TEXT,
        created_at REAL NOT NULL,
        ended_at REAL NOT NULL
    );
    INSERT OR REPLACE INTO meta (key, value)
        SELECT 'notified_event', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM task_events;
    """,
}
"""Version -> the SQL that brings a database from the version before it to that version.
2: tasks, their attempts and events, plans; agents know their task.
3: notifications (each agent's status last notified, the last task event notified); usage
outlives its agent (who it was in ended_agents; when a request with no time was recorded;
an index on its time, since the records of every day now stay)."""


class _Cursor(sqlite3.Cursor):
    """Reading rows can meet a damaged page too: said like any other state error."""

    def fetchone(self) -> Any:
        with _mapped(self.connection):
            return super().fetchone()

    def fetchall(self) -> list[Any]:
        with _mapped(self.connection):
            return super().fetchall()

    def __next__(self) -> Any:
        with _mapped(self.connection):
            return super().__next__()


class _Connection(sqlite3.Connection):
    """A connection whose every statement turns an error about the files (damaged, read-only,
    locked, disk full) into one StateError line naming the file and the fix, wherever in the
    program it is met: the agents' and the tasks' stores alike."""

    state_path: Path

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        with _mapped(self):
            return self.cursor(_Cursor).execute(sql, parameters)


@contextmanager
def _mapped(db: sqlite3.Connection) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        error = state_error(getattr(db, "state_path", Path("state.db")), exc)
        if error is None:
            raise
        raise error from None


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._private()
        try:
            with self.transaction() as db:
                execute_script(db, _SCHEMA)
                db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '1')")
                self._migrate(db)
        except BaseException:
            # SQLite shares what a process knows of a file among its connections (a -shm
            # found read-only stays so while one is open): a refused open keeps none.
            self.close()
            raise

    def _private(self) -> None:
        """The state holds prompts and environments: its files are this user's alone. SQLite
        gives its -wal and -shm files the database's mode, so making that one first is
        enough for new files; older ones are fixed here."""
        if not self.path.exists():
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
            except OSError:
                return  # not writable: opening says so, naming the file
        for file in companions(self.path):
            if file.exists():
                restrict(file)

    @property
    def connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                                 factory=_Connection)
            assert isinstance(db, _Connection)
            db.state_path = self.path
            db.row_factory = sqlite3.Row
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            except BaseException:
                db.close()
                raise
            self._local.db = db
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: concurrent writers (the TUI and a CLI verb) take turns."""
        db = self.connection
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            # Also when COMMIT failed (locked, disk full): a transaction left open would
            # swallow every later change of this connection.
            _rollback(db)
            raise

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = self._version(db)
        if version > SCHEMA_VERSION:
            raise newer_error(self.path, version, SCHEMA_VERSION)
        for step in range(version + 1, SCHEMA_VERSION + 1):
            execute_script(db, MIGRATIONS[step])
        if version < SCHEMA_VERSION:
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),))

    @staticmethod
    def _version(db: sqlite3.Connection) -> int:
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        return int(row["value"]) if row and str(row["value"]).isdigit() else 1

    @property
    def schema_version(self) -> int:
        return self._version(self.connection)

    def close(self) -> None:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def _rollback(db: sqlite3.Connection) -> None:
    if not db.in_transaction:
        return
    try:
        db.execute("ROLLBACK")
    except (sqlite3.Error, StateError):
        pass  # the error that led here is the one to tell


def execute_script(db: sqlite3.Connection, script: str) -> None:
    # Statement by statement: executescript() would COMMIT the open transaction.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)

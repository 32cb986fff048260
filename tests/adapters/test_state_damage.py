"""A state database that is damaged, truncated, read-only, locked or newer is refused with one
StateError line naming the file and the fix; the doctor's check tells the same without
changing it; a repair keeps a damaged file aside (never deletes it) and fixes modes."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.readonly import read_only
from workspace.adapters.store import SCHEMA_VERSION, Store
from workspace.adapters.store.health import (
    DAMAGED,
    LOCKED,
    NEWER,
    READ_ONLY,
    StateError,
    check,
    fix_modes,
    restrict,
    set_aside,
)
from workspace.core.agent import Agent
from workspace.core.status import initial_state


def a_store(tmp_path: Path) -> Path:
    path = tmp_path / "state" / "state.db"
    store = Store(path)
    store.insert_agent(Agent(id="a1", name="one", preset="demo", branch="ws/one", base="main",
                             base_sha="0" * 40, worktree=str(tmp_path / "wt"), session="one",
                             created_at=1.0), initial_state(1.0), {})
    store.close()
    return path


def refused(path: Path) -> StateError:
    with pytest.raises(StateError) as info:
        Store(path).agents()
    return info.value


def test_garbage_is_damaged_and_the_line_names_the_file_and_the_repair(tmp_path: Path) -> None:
    path = a_store(tmp_path)
    path.write_bytes(b"this is not a database at all" * 10)
    error = refused(path)
    assert error.kind == DAMAGED
    assert str(path) in str(error) and "workspace doctor --repair" in str(error)
    assert "\n" not in str(error)
    assert check(path, SCHEMA_VERSION).kind == DAMAGED


def test_a_truncated_file_is_damaged(tmp_path: Path) -> None:
    path = a_store(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert refused(path).kind == DAMAGED
    assert check(path, SCHEMA_VERSION).kind == DAMAGED


def test_a_read_only_file_names_itself(tmp_path: Path) -> None:
    path = a_store(tmp_path)
    with read_only(path):
        error = refused(path)
        assert error.kind == READ_ONLY and str(path) in str(error)
        assert check(path, SCHEMA_VERSION).kind == READ_ONLY
    Store(path).close()  # writable again: usable again


def test_an_immutable_folder_names_the_folder(tmp_path: Path) -> None:
    path = a_store(tmp_path)
    with read_only(path.parent):
        error = refused(path)
        assert error.kind == READ_ONLY
        assert f"{path.parent} is read-only" in str(error)


def test_a_read_only_shm_left_behind_is_named_after_the_database_is_fixed(
        tmp_path: Path) -> None:
    path = a_store(tmp_path)
    # A process that dies holding the database leaves its -wal and -shm files behind.
    script = ("import sqlite3, os, sys; db = sqlite3.connect(sys.argv[1], isolation_level=None);"
              "db.execute('PRAGMA journal_mode=WAL');"
              "db.execute(\"INSERT INTO meta VALUES ('left', 'behind')\"); os._exit(0)")
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    shm = path.with_name("state.db-shm")
    assert shm.exists()
    with read_only(shm):
        error = refused(path)
        assert error.kind == READ_ONLY and str(shm) in str(error), str(error)
    assert [a.name for a in Store(path).agents()] == ["one"]


def test_a_locked_database_says_who_to_wait_for(tmp_path: Path) -> None:
    path = a_store(tmp_path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        health = check(path, SCHEMA_VERSION)
        assert health.kind == LOCKED and "locked by another process" in health.detail
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_newer_database_is_diagnosed(tmp_path: Path) -> None:
    path = a_store(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION + 1),))
    assert refused(path).kind == NEWER
    assert check(path, SCHEMA_VERSION).kind == NEWER


def test_setting_aside_keeps_every_byte_and_a_fresh_state_starts(tmp_path: Path) -> None:
    path = a_store(tmp_path)
    path.write_bytes(b"garbage" * 100)
    kept = set_aside(path)
    assert not path.exists() and kept.read_bytes() == b"garbage" * 100
    assert kept.name.startswith("state.db.damaged-")
    assert Store(path).agents() == []
    assert check(path, SCHEMA_VERSION).kind is None


def test_a_new_database_is_private_and_modes_are_fixed_by_a_repair(tmp_path: Path) -> None:
    path = a_store(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    Store(path).close()  # opening takes others' access away, nothing else
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o400)
    restrict(path)  # what an open does: a read-only file stays read-only (said, not undone)
    assert stat.S_IMODE(path.stat().st_mode) == 0o400
    changes = fix_modes(path)
    assert any(str(path) in c for c in changes)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

"""The state database's version: a new database is stamped with the version this code writes,
and one written by a newer workspace is refused with one line, not misread."""

from __future__ import annotations

import sqlite3
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

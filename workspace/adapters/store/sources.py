"""Per agent, a place reached in something it reads (the `sources` table): the read offset and
parser state of its hook event file and transcripts, and its diff's key and time (rows of
their own in the same table: no schema change for a string and a time per agent)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

from workspace.adapters.store.database import Database
from workspace.core.agent import DiffStat
from workspace.core.diffmark import DiffMark

DIFF_KEY = "diff-key"
"""The sources-table key under which an agent's diff key is kept (no file has this path)."""
DIFF_AT = "diff-at"
"""... and when its diff was computed. A row of its own: a writer that knows only the key
(an older version) leaves it as it was, so the age it gives is never less than the truth."""

Offsets = Mapping[str, tuple[int, dict[str, object]]]
"""One agent's sources: path -> (offset, state), as `all_sources` read them."""


def _state(text: str) -> dict[str, object]:
    state = json.loads(text)
    return state if isinstance(state, dict) else {}


class SourceRows:
    """The sources table, for Store (agents.py)."""

    db: Database

    # -- incremental sources (hook event files, transcripts) ------------------------------

    def source(self, agent_id: str, path: str) -> tuple[int, dict[str, object]]:
        row = self.db.connection.execute(
            "SELECT offset, state FROM sources WHERE agent_id = ? AND path = ?", (agent_id, path)
        ).fetchone()
        if row is None:
            return 0, {}
        return int(row["offset"]), _state(row["state"])

    def sources_of(self, agent_id: str) -> list[str]:
        rows = self.db.connection.execute("SELECT path FROM sources WHERE agent_id = ?",
                                          (agent_id,))
        return [row["path"] for row in rows]

    def all_sources(self) -> dict[str, dict[str, tuple[int, dict[str, object]]]]:
        """Every agent's sources (not its diff's rows), one query: a poll tick reads them
        all rather than asking two or three queries per agent."""
        out: dict[str, dict[str, tuple[int, dict[str, object]]]] = {}
        rows = self.db.connection.execute(
            "SELECT agent_id, path, offset, state FROM sources WHERE path NOT IN (?, ?)",
            (DIFF_KEY, DIFF_AT)).fetchall()
        for row in rows:
            out.setdefault(row["agent_id"], {})[row["path"]] = (int(row["offset"]),
                                                                _state(row["state"]))
        return out

    def set_source(self, agent_id: str, path: str, offset: int, state: dict[str, object]) -> None:
        with self.db.transaction() as db:
            db.execute(
                """INSERT INTO sources (agent_id, path, offset, state) VALUES (?,?,?,?)
                ON CONFLICT (agent_id, path) DO UPDATE SET offset = excluded.offset,
                state = excluded.state""",
                (agent_id, path, offset, json.dumps(state)),
            )

    # -- the diff's key and time ----------------------------------------------------------

    def set_diff(self, agent_id: str, diff: DiffStat, key: str = "",
                 at: float | None = None, unless_newer: bool = False) -> bool:
        """Its diff statistics, `key`: the fingerprint of the worktree they were computed at
        (core/diffmark.py), so that `ls` computes them again only where it moved ('' when not
        known: then the next `ls` computes them), and `at`: when the computation began
        (default now). All in one transaction: a key never stands beside a diff it was not
        computed with. `unless_newer`: not over a diff whose computation began later (one
        computed after the listing was out may meet one computed since). Returns whether it
        was written (not for an agent gone meanwhile)."""
        at = time.time() if at is None else at
        with self.db.transaction() as db:
            if unless_newer:
                row = db.execute("SELECT state FROM sources WHERE agent_id = ? AND path = ?",
                                 (agent_id, DIFF_AT)).fetchone()
                stored = json.loads(row["state"]) if row is not None else None
                if isinstance(stored, int | float) and stored > at:
                    return False
            done = db.execute("UPDATE agents SET diff_files = ?, diff_added = ?, "
                              "diff_removed = ? WHERE id = ?",
                              (diff.files, diff.added, diff.removed, agent_id))
            if done.rowcount == 0:
                return False  # killed meanwhile: no marks left behind for no row
            marks: list[tuple[str, object]] = [(DIFF_AT, at)]
            if key:
                marks.append((DIFF_KEY, key))
            else:
                db.execute("DELETE FROM sources WHERE agent_id = ? AND path = ?",
                           (agent_id, DIFF_KEY))
            db.executemany("""INSERT INTO sources (agent_id, path, offset, state)
                VALUES (?, ?, 0, ?) ON CONFLICT (agent_id, path) DO UPDATE SET
                state = excluded.state""",
                           [(agent_id, path, json.dumps(value)) for path, value in marks])
        return True

    def diff_marks(self) -> dict[str, DiffMark]:
        """Agent id -> the key and time its stored diff was computed at (`set_diff`), one
        query; agents whose diff was never computed have none."""
        rows = self.db.connection.execute(
            "SELECT agent_id, path, state FROM sources WHERE path IN (?, ?)",
            (DIFF_KEY, DIFF_AT)).fetchall()
        keys: dict[str, str] = {}
        times: dict[str, float] = {}
        for row in rows:
            value = json.loads(row["state"])
            if row["path"] == DIFF_KEY and isinstance(value, str):
                keys[row["agent_id"]] = value
            elif row["path"] == DIFF_AT and isinstance(value, int | float):
                times[row["agent_id"]] = float(value)
        return {agent_id: DiffMark(keys.get(agent_id, ""), times.get(agent_id))
                for agent_id in keys.keys() | times.keys()}

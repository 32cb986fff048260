"""The agents' part of the state database: agent rows, usage records, read offsets (and diff
marks: sources.py), and the worktrees the tool made."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workspace.adapters.store.database import Database
from workspace.adapters.store.notices import Notices
from workspace.adapters.store.rows import AgentRow, RowsRead
from workspace.adapters.store.sources import SourceRows
from workspace.core.agent import Agent, DiffStat, Tokens
from workspace.core.errors import UsageError
from workspace.core.status import StatusState

if TYPE_CHECKING:
    from workspace.adapters.store.tasks import TaskStore
    from workspace.adapters.store.usage import UsageBook


@dataclass(frozen=True)
class UsageTotals:
    tokens: Tokens
    cost_usd: float | None
    model: str | None


@dataclass(frozen=True)
class WorktreeRecord:
    path: str
    branch: str
    agent_name: str
    created_at: float


class Store(SourceRows):
    """Agents, their usage and read offsets, and the worktrees the tool made; tasks are in
    `self.tasks` (tasks.py), the usage of every agent ever in `self.usage` (usage.py), what
    was notified in `self.notices` (notices.py). Opening migrates the database to the
    current version."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path)
        self.path = path
        self._tasks: TaskStore | None = None
        self._usage: UsageBook | None = None
        self.notices = Notices(self.db)

    @property
    def usage(self) -> UsageBook:
        # Made (and core/usage.py imported) on first use: `ls` and most verbs read none.
        if self._usage is None:
            from workspace.adapters.store.usage import UsageBook

            self._usage = UsageBook(self.db)
        return self._usage

    @property
    def tasks(self) -> TaskStore:
        # Made (and its module imported) on first use: most verbs read no task.
        if self._tasks is None:
            from workspace.adapters.store.tasks import TaskStore

            self._tasks = TaskStore(self.db)
        return self._tasks

    @property
    def _db(self) -> sqlite3.Connection:
        return self.db.connection

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.db.transaction() as db:
            yield db

    @property
    def schema_version(self) -> int:
        return self.db.schema_version

    def changes(self) -> int:
        """Rows this thread's connection has written since it opened (SQLite's count)."""
        return self._db.total_changes

    def data_version(self) -> int:
        """A number that moves whenever another connection (another process, or another
        thread here) has committed since this thread's last look."""
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self.db.close()

    # -- agents -------------------------------------------------------------------------

    def insert_agent(self, agent: Agent, state: StatusState, launch: dict[str, object]) -> None:
        """Raises UsageError when the name is taken, also by another process that got there
        a moment earlier (two spawns of one name at once: the row decides)."""
        try:
            self._insert_agent(agent, state, launch)
        except sqlite3.IntegrityError as exc:
            if "agents.name" not in str(exc):
                raise
            raise UsageError(f"an agent named {agent.name!r} already exists; choose another "
                             "name") from None

    def _insert_agent(self, agent: Agent, state: StatusState, launch: dict[str, object]
                      ) -> None:
        with self.transaction() as db:
            db.execute(
                """INSERT INTO agents (id, name, preset, branch, base, base_sha, worktree, session,
                created_at, task, session_id, pane_id, state, budget_usd, spawn_complete, launch,
                task_id, notified) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (
                    agent.id, agent.name, agent.preset, agent.branch, agent.base, agent.base_sha,
                    agent.worktree, agent.session, agent.created_at, agent.task,
                    agent.session_id, agent.pane_id, json.dumps(state.to_dict()),
                    agent.budget_usd, int(agent.spawn_complete), json.dumps(launch),
                    agent.task_id, state.status.value,
                ),
            )
            # An agent adopted back under its old id is no longer an ended one.
            db.execute("DELETE FROM ended_agents WHERE id = ?", (agent.id,))

    _UPDATABLE = frozenset(
        {"pane_id", "session_id", "spawn_complete", "model", "context_pct", "budget_usd",
         "base", "base_sha", "task", "launch", "task_id", "diff_files", "diff_added",
         "diff_removed", "worktree"}
    )

    def update_agent(self, agent_id: str, **values: object) -> None:
        bad = set(values) - self._UPDATABLE
        if bad:
            raise ValueError(f"not updatable: {sorted(bad)}")
        if not values:
            return
        columns = ", ".join(f"{k} = ?" for k in values)
        params = [json.dumps(v) if k == "launch" else v for k, v in values.items()]
        with self.transaction() as db:
            db.execute(f"UPDATE agents SET {columns} WHERE id = ?", (*params, agent_id))

    def set_state(self, agent_id: str, state: StatusState) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE agents SET state = ? WHERE id = ?", (json.dumps(state.to_dict()), agent_id)
            )

    def set_states(self, changes: list[tuple[str, StatusState, str]]) -> list[str]:
        """A poll tick's new states, (agent id, state, the state it was computed from as
        stored), in one transaction; each is written only if its row still holds the state
        it was computed from. Returns the ids that did not (another process, a person's
        action, wrote in between): the tick computes those again from what is there now."""
        moved: list[str] = []
        if not changes:
            return moved
        with self.transaction() as db:
            for agent_id, state, expected in changes:
                done = db.execute("UPDATE agents SET state = ? WHERE id = ? AND state = ?",
                                  (json.dumps(state.to_dict()), agent_id, expected))
                if done.rowcount == 0:
                    moved.append(agent_id)
        return moved

    def stored_state(self, agent_id: str) -> tuple[StatusState, str] | None:
        """Its state and that state as stored (for `set_states`)."""
        row = self._db.execute("SELECT state FROM agents WHERE id = ?", (agent_id,)).fetchone()
        if row is None:
            return None
        return StatusState.from_dict(json.loads(row["state"])), row["state"]

    def delete_agent(self, agent_id: str) -> None:
        """Its row and read offsets go; its usage stays (the workspace's totals and
        `workspace usage` count what ended agents cost), with who it was beside it."""
        with self.transaction() as db:
            db.execute(
                """INSERT OR REPLACE INTO ended_agents (id, name, preset, task_id, created_at,
                ended_at) SELECT id, name, preset, task_id, created_at, ? FROM agents
                WHERE id = ? AND EXISTS (SELECT 1 FROM usage WHERE agent_id = ?)""",
                (time.time(), agent_id, agent_id))
            db.execute("DELETE FROM agents WHERE id = ?", (agent_id,))
            db.execute("DELETE FROM sources WHERE agent_id = ?", (agent_id,))

    def state_of(self, agent_id: str) -> StatusState | None:
        row = self._db.execute("SELECT state FROM agents WHERE id = ?", (agent_id,)).fetchone()
        return None if row is None else StatusState.from_dict(json.loads(row["state"]))

    def launch_of(self, agent_id: str) -> dict[str, object]:
        row = self._db.execute("SELECT launch FROM agents WHERE id = ?", (agent_id,)).fetchone()
        if row is None:
            return {}
        value = json.loads(row["launch"])
        return value if isinstance(value, dict) else {}

    def launched_plans(self) -> dict[str, str]:
        """Agent id -> the plan its launch says it works for (WORKSPACE_PLAN in the extra
        environment of a plan's planner and workers), one query."""
        plans = {}
        for row in self._db.execute("SELECT id, launch FROM agents").fetchall():
            launch = json.loads(row["launch"])
            env = launch.get("env") if isinstance(launch, dict) else None
            plan = env.get("WORKSPACE_PLAN") if isinstance(env, dict) else None
            if isinstance(plan, str) and plan:
                plans[row["id"]] = plan
        return plans

    def agents(self) -> list[Agent]:
        totals = self.usage_totals()
        rows = self._db.execute("SELECT * FROM agents ORDER BY created_at").fetchall()
        return [self._agent(row, totals.get(row["id"])) for row in rows]

    def agent_rows(self) -> list[tuple[Agent, AgentRow]]:
        """`agents()`, each with its state and launch record from the same rows (a poll
        tick's one read of them)."""
        totals = self.usage_totals()
        rows = self._db.execute("SELECT * FROM agents ORDER BY created_at").fetchall()
        out = []
        for row in rows:
            state = StatusState.from_dict(json.loads(row["state"]))
            out.append((self._agent(row, totals.get(row["id"]), state),
                        AgentRow(state, row["state"], row["launch"])))
        return out

    def rows_read(self) -> RowsRead:
        """`agent_rows()` with what the state's counters were then, so that a later step can
        tell whether they are still the rows as stored (`still`)."""
        version = self.data_version()
        return RowsRead(self.agent_rows(), self.changes(), version)

    def still(self, read: RowsRead) -> bool:
        """Nothing was written since `read`, by this thread's connection or any other."""
        return self.changes() == read.changes and self.data_version() == read.version

    def incomplete_agents(self) -> list[Agent]:
        """Rows whose spawn has not finished (under way, or interrupted): one cheap query,
        asked by every command."""
        rows = self._db.execute(
            "SELECT * FROM agents WHERE spawn_complete = 0 ORDER BY created_at").fetchall()
        return [self._agent(row, None) for row in rows]

    def agent_by_name(self, name: str) -> Agent | None:
        row = self._db.execute("SELECT * FROM agents WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        return self._agent(row, self.usage_totals(row["id"]).get(row["id"]))

    @staticmethod
    def _agent(row: sqlite3.Row, usage: UsageTotals | None,
               state: StatusState | None = None) -> Agent:
        state = state or StatusState.from_dict(json.loads(row["state"]))
        return Agent(
            id=row["id"],
            name=row["name"],
            preset=row["preset"],
            branch=row["branch"],
            base=row["base"],
            base_sha=row["base_sha"],
            worktree=row["worktree"],
            session=row["session"],
            created_at=row["created_at"],
            task=row["task"],
            session_id=row["session_id"],
            pane_id=row["pane_id"],
            status=state.status,
            status_since=state.since,
            status_reason=state.reason,
            tokens=usage.tokens if usage else Tokens(),
            cost_usd=usage.cost_usd if usage else None,
            model=row["model"] or (usage.model if usage else None),
            context_pct=row["context_pct"],
            diff=DiffStat(row["diff_files"], row["diff_added"], row["diff_removed"]),
            budget_usd=row["budget_usd"],
            spawn_complete=bool(row["spawn_complete"]),
            task_id=row["task_id"],
            problem=state.place,
        )

    # -- usage --------------------------------------------------------------------------

    def add_usage(
        self, agent_id: str, key: str, model: str | None, tokens: Tokens,
        cost_usd: float | None, at: float | None,
    ) -> bool:
        """Record one request's usage; a repeated key keeps the copy with the larger total.
        Returns True if the stored figures changed."""
        with self.transaction() as db:
            cur = db.execute(
                """INSERT INTO usage (agent_id, key, model, input, output, cache_read,
                cache_write, total, cost_usd, at, recorded) VALUES (?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT (agent_id, key) DO UPDATE SET
                    model = excluded.model, input = excluded.input, output = excluded.output,
                    cache_read = excluded.cache_read, cache_write = excluded.cache_write,
                    total = excluded.total, cost_usd = excluded.cost_usd, at = excluded.at
                WHERE excluded.total > usage.total""",
                (
                    agent_id, key, model, tokens.input, tokens.output, tokens.cache_read,
                    tokens.cache_write, tokens.total, cost_usd, at, time.time(),
                ),
            )
            return cur.rowcount > 0

    def usage_totals(self, agent_id: str | None = None) -> dict[str, UsageTotals]:
        """Per agent: summed tokens, cost (None if any request has no price), and the model and
        prompt size of its latest request. Two queries whatever the number of agents."""
        # Live agents' only: ended agents' records stay (usage.py) but are not read per tick.
        where = "WHERE agent_id = ?" if agent_id else "WHERE agent_id IN (SELECT id FROM agents)"
        params: tuple[str, ...] = (agent_id,) if agent_id else ()
        rows = self._db.execute(
            f"""SELECT agent_id, SUM(input) i, SUM(output) o, SUM(cache_read) cr,
            SUM(cache_write) cw, SUM(cost_usd) cost,
            SUM(CASE WHEN cost_usd IS NULL AND total > 0 THEN 1 ELSE 0 END) unpriced
            FROM usage {where} GROUP BY agent_id""",
            params,
        ).fetchall()
        latest = {
            row["agent_id"]: row
            for row in self._db.execute(
                f"""SELECT agent_id, model, MAX(at)
                FROM usage {where} AND at IS NOT NULL
                GROUP BY agent_id""",
                params,
            )
        }
        out: dict[str, UsageTotals] = {}
        for row in rows:
            last = latest.get(row["agent_id"])
            out[row["agent_id"]] = UsageTotals(
                tokens=Tokens(row["i"] or 0, row["o"] or 0, row["cr"] or 0, row["cw"] or 0),
                cost_usd=None if row["unpriced"] else float(row["cost"] or 0.0),
                model=last["model"] if last else None,
            )
        return out

    def spent_since(self, since: float) -> float:
        """USD every agent's priced requests cost since `since` (the daily budget), ended
        agents' too."""
        row = self._db.execute("SELECT SUM(cost_usd) FROM usage WHERE at >= ?",
                               (since,)).fetchone()
        return float(row[0] or 0.0)

    def usage_series(self, agent_id: str, since: float) -> list[tuple[float, int, float | None]]:
        """(time, tokens, cost) per request since `since`, oldest first: the burn-rate data."""
        rows = self._db.execute(
            "SELECT at, total, cost_usd FROM usage WHERE agent_id = ? AND at >= ? ORDER BY at",
            (agent_id, since),
        ).fetchall()
        return [(row["at"], row["total"], row["cost_usd"]) for row in rows]

    # -- worktrees the tool created ------------------------------------------------------

    def record_worktree(self, path: str, branch: str, agent_name: str) -> None:
        with self.transaction() as db:
            db.execute(
                """INSERT OR REPLACE INTO worktrees (path, branch, agent_name, created_at)
                VALUES (?,?,?,?)""",
                (path, branch, agent_name, time.time()),
            )

    def move_worktree(self, old: str, new: str) -> None:
        """The worktree is at `new` now (git says so, after a `git worktree repair`)."""
        with self.transaction() as db:
            db.execute("UPDATE worktrees SET path = ? WHERE path = ?", (new, old))
            db.execute("UPDATE agents SET worktree = ? WHERE worktree = ?", (new, old))

    def forget_worktree(self, path: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM worktrees WHERE path = ?", (path,))

    def worktrees(self) -> list[WorktreeRecord]:
        rows = self._db.execute("SELECT * FROM worktrees ORDER BY created_at").fetchall()
        return [
            WorktreeRecord(row["path"], row["branch"], row["agent_name"], row["created_at"])
            for row in rows
        ]

    def is_known_worktree(self, path: str) -> bool:
        row = self._db.execute("SELECT 1 FROM worktrees WHERE path = ?", (path,)).fetchone()
        return row is not None


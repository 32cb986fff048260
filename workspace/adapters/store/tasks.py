"""The tasks' part of the state database: tasks, their attempts, and the events of their
lives (what the autopilot decided and when, for `task show` and notifications). Each change
is one transaction; the autopilot records a decision here before it acts on it."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from functools import lru_cache

from workspace.adapters.store.database import Database
from workspace.core.status import StatusState
from workspace.core.tasks.model import (
    Attempt,
    LoopMode,
    MergeMode,
    Outcome,
    Plan,
    PlanState,
    Task,
    TaskSpec,
    TaskState,
)


def _spec_json(spec: TaskSpec) -> str:
    data = asdict(spec)
    data["after"] = list(spec.after)
    return json.dumps(data)


# Parsed once per distinct text: a tick reads the same rows again and again, and what they
# parse to is frozen, so one copy serves every reader (and every thread).
@lru_cache(maxsize=1024)
def _spec(text: str) -> TaskSpec:
    data = json.loads(text)
    return TaskSpec(
        title=str(data["title"]), prompt=str(data.get("prompt", "")),
        after=tuple(str(a) for a in data.get("after", [])), preset=data.get("preset"),
        base=data.get("base"), check=str(data.get("check", "")),
        max_attempts=int(data.get("max_attempts", 3)),
        loop=LoopMode(data.get("loop", LoopMode.CONTINUE)),
        merge=MergeMode(data.get("merge", MergeMode.REVIEW)),
        budget_usd=data.get("budget_usd"), priority=int(data.get("priority", 0)),
        unattended=bool(data.get("unattended", False)), review=data.get("review"),
        kind=str(data.get("kind", "work")),
    )


def _attempt_json(attempt: Attempt) -> str:
    data = asdict(attempt)
    data["outcome"] = str(attempt.outcome) if attempt.outcome else None
    return json.dumps(data)


@lru_cache(maxsize=2048)
def _attempt(text: str) -> Attempt:
    data = json.loads(text)
    outcome = data.pop("outcome", None)
    known = set(Attempt.__dataclass_fields__)
    return Attempt(**{k: v for k, v in data.items() if k in known},
                   outcome=Outcome(outcome) if outcome else None)


_LIVE = tuple(str(state) for state in TaskState if state.live)
_LIVE_MARKS = ", ".join("?" for _ in _LIVE)
_BY_IDS = "SELECT * FROM tasks WHERE id IN (SELECT value FROM json_each(?))"
"""The ids as one JSON array: no limit on how many, one statement."""


@contextmanager
def _snapshot(db: sqlite3.Connection) -> Iterator[None]:
    """Several reads that see one state of the file (WAL: a reader never waits for a
    writer). Inside a transaction already: that one's."""
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")  # it only read: nothing to undo


class TaskStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, spec: TaskSpec, state: TaskState, created_by: str,
            plan: str | None = None) -> Task:
        now = time.time()
        with self.db.transaction() as db:
            seq = int(db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM tasks").fetchone()[0])
            task = Task(f"t{seq}", spec, state, created_by, now, now, plan=plan)
            db.execute(
                """INSERT INTO tasks (id, seq, spec, state, reason, agent, plan, created_by,
                created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)""",
                (task.id, seq, _spec_json(spec), str(state), "", None, plan, created_by, now,
                 now))
            self._event(db, task.id, "filed", f"{state} by {created_by}")
        return task

    def get(self, task_id: str) -> Task | None:
        db = self.db.connection
        row = db.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
        if row is None:
            return None
        rows = db.execute("SELECT data FROM attempts WHERE task_id = ? ORDER BY number",
                          (task_id,)).fetchall()
        return self._task(row, tuple(_attempt(r["data"]) for r in rows))

    def all(self) -> list[Task]:
        db = self.db.connection
        attempts: dict[str, list[Attempt]] = {}
        for row in db.execute("SELECT task_id, data FROM attempts ORDER BY task_id, number"):
            attempts.setdefault(row["task_id"], []).append(_attempt(row["data"]))
        return [self._task(row, tuple(attempts.get(row["id"], ())))
                for row in db.execute("SELECT * FROM tasks ORDER BY seq")]

    def live(self) -> list[Task]:
        """What a tick of the autopilot reads: the tasks it acts on now or may start (queued,
        running, checking, merging) with their attempts, and the tasks those come after (their
        state says whether a queued one may start), in filing order. `all()` parses every
        attempt ever recorded: its cost grows with the workspace's history, this one's with
        the work under way. One read transaction: the tasks and their attempts agree."""
        db = self.db.connection
        with _snapshot(db):
            rows = db.execute(f"SELECT * FROM tasks WHERE state IN ({_LIVE_MARKS}) ORDER BY seq",
                              _LIVE).fetchall()
            deps = sorted({dep for row in rows for dep in _spec(row["spec"]).after}
                          - {row["id"] for row in rows})
            if deps:
                rows += db.execute(_BY_IDS, (json.dumps(deps),)).fetchall()
                rows.sort(key=lambda row: row["seq"])
            return self._with_attempts(db, rows)

    def some(self, task_ids: Iterable[str]) -> list[Task]:
        """These tasks (a gone one left out) with their attempts, in filing order: what a
        poll reads of its agents' tasks, whatever the history holds."""
        db = self.db.connection
        with _snapshot(db):
            rows = db.execute(f"{_BY_IDS} ORDER BY seq",
                              (json.dumps(sorted(set(task_ids))),)).fetchall()
            return self._with_attempts(db, rows)

    def _with_attempts(self, db: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[Task]:
        attempts: dict[str, list[Attempt]] = {}
        for row in db.execute(
                "SELECT task_id, data FROM attempts WHERE task_id IN (SELECT value FROM "
                "json_each(?)) ORDER BY task_id, number",
                (json.dumps([row["id"] for row in rows]),)):
            attempts.setdefault(row["task_id"], []).append(_attempt(row["data"]))
        return [self._task(row, tuple(attempts.get(row["id"], ()))) for row in rows]

    def agent_states(self, agent_ids: list[str]) -> dict[str, StatusState]:
        """The status states of these agents (id -> state; a gone one is left out), in one
        query: what a tick of the autopilot looks at for each of its tasks' agents."""
        rows = self.db.connection.execute(
            "SELECT id, state FROM agents WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(agent_ids),)).fetchall()
        return {row["id"]: StatusState.from_dict(json.loads(row["state"])) for row in rows}

    @staticmethod
    def _task(row: sqlite3.Row, attempts: tuple[Attempt, ...]) -> Task:
        return Task(id=row["id"], spec=_spec(row["spec"]), state=TaskState(row["state"]),
                    created_by=row["created_by"], created_at=row["created_at"],
                    updated_at=row["updated_at"], reason=row["reason"], agent=row["agent"],
                    plan=row["plan"], attempts=attempts, counted_from=row["counted_from"])

    def update(self, task_id: str, *, state: TaskState | None = None, reason: str | None = None,
               agent: str | None = None, spec: TaskSpec | None = None,
               counted_from: int | None = None, event: str = "", detail: str = "") -> None:
        """Change a task's recorded state (and say why in its events), in one transaction."""
        values: dict[str, object] = {"updated_at": time.time()}
        if state is not None:
            values["state"] = str(state)
        if reason is not None:
            values["reason"] = reason
        if agent is not None:
            values["agent"] = agent
        if spec is not None:
            values["spec"] = _spec_json(spec)
        if counted_from is not None:
            values["counted_from"] = counted_from
        columns = ", ".join(f"{k} = ?" for k in values)
        with self.db.transaction() as db:
            db.execute(f"UPDATE tasks SET {columns} WHERE id = ?", (*values.values(), task_id))
            if event:
                self._event(db, task_id, event, detail)

    def put_attempt(self, task_id: str, attempt: Attempt, *, state: TaskState | None = None,
                    reason: str | None = None, agent: str | None = None, event: str = "",
                    detail: str = "") -> None:
        """Record an attempt (new or changed) with the task's new state, as one change."""
        with self.db.transaction() as db:
            db.execute(
                """INSERT INTO attempts (task_id, number, data) VALUES (?,?,?)
                ON CONFLICT (task_id, number) DO UPDATE SET data = excluded.data""",
                (task_id, attempt.number, _attempt_json(attempt)))
            self.update(task_id, state=state, reason=reason, agent=agent, event=event,
                        detail=detail)

    def change_attempt(self, task_id: str, number: int, **changes: object) -> None:
        with self.db.transaction():
            task = self.get(task_id)
            if task is None:
                return
            current = next((a for a in task.attempts if a.number == number), None)
            if current is not None:
                self.put_attempt(task_id, replace(current, **changes))  # type: ignore[arg-type]

    def events(self, task_id: str | None = None, since_id: int = 0
               ) -> list[tuple[int, str, float, str, str]]:
        """(event id, task id, time, kind, detail), oldest first."""
        where, params = ("WHERE id > ?", [since_id]) if task_id is None else \
            ("WHERE id > ? AND task_id = ?", [since_id, task_id])
        rows = self.db.connection.execute(
            f"SELECT id, task_id, at, kind, detail FROM task_events {where} ORDER BY id",
            params).fetchall()
        return [(r["id"], r["task_id"], r["at"], r["kind"], r["detail"]) for r in rows]

    def delete(self, task_id: str) -> None:
        with self.db.transaction() as db:
            db.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
            db.execute("DELETE FROM attempts WHERE task_id = ?", (task_id,))
            self._event(db, task_id, "deleted", "")

    @staticmethod
    def _event(db: sqlite3.Connection, task_id: str, kind: str, detail: str) -> None:
        db.execute("INSERT INTO task_events (task_id, at, kind, detail) VALUES (?,?,?,?)",
                   (task_id, time.time(), kind, detail))

    # -- plans ----------------------------------------------------------------------------

    def add_plan(self, goal: str, preset: str | None) -> Plan:
        now = time.time()
        with self.db.transaction() as db:
            seq = int(db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM plans").fetchone()[0])
            plan = Plan(f"p{seq}", goal, PlanState.PLANNING, preset, None, now, now)
            db.execute("""INSERT INTO plans (id, seq, goal, preset, agent, state, created_at,
                updated_at) VALUES (?,?,?,?,?,?,?,?)""",
                       (plan.id, seq, goal, preset, None, str(plan.state), now, now))
        return plan

    def plan(self, plan_id: str) -> Plan | None:
        row = self.db.connection.execute("SELECT * FROM plans WHERE id = ?",
                                         (plan_id,)).fetchone()
        return None if row is None else self._plan(row)

    def plans(self) -> list[Plan]:
        rows = self.db.connection.execute("SELECT * FROM plans ORDER BY seq").fetchall()
        return [self._plan(row) for row in rows]

    @staticmethod
    def _plan(row: sqlite3.Row) -> Plan:
        return Plan(row["id"], row["goal"], PlanState(row["state"]), row["preset"],
                    row["agent"], row["created_at"], row["updated_at"],
                    bool(row["auto_subplans"]))

    def update_plan(self, plan_id: str, *, state: PlanState | None = None,
                    agent: str | None = None, auto_subplans: bool | None = None) -> None:
        values: dict[str, object] = {"updated_at": time.time()}
        if state is not None:
            values["state"] = str(state)
        if agent is not None:
            values["agent"] = agent
        if auto_subplans is not None:
            values["auto_subplans"] = int(auto_subplans)
        columns = ", ".join(f"{k} = ?" for k in values)
        with self.db.transaction() as db:
            db.execute(f"UPDATE plans SET {columns} WHERE id = ?", (*values.values(), plan_id))


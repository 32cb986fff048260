"""Usage as the workspace's record, not only its live agents': every request's figures stay
after their agent is killed or cleaned up (who it was is kept in `ended_agents`), for the
header's totals and `workspace usage`."""

from __future__ import annotations

import sqlite3

from workspace.adapters.store.database import Database
from workspace.core.agent import Tokens
from workspace.core.usage import Figures, UsageRow, UsageSummary

LIVE = "SELECT id FROM agents"
WHEN = "COALESCE(u.at, u.recorded, a.created_at, e.created_at, 0)"
"""A request's time: as its record says, else when it was recorded, else its agent's start."""


class UsageBook:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._ended: tuple[tuple[object, ...], UsageSummary] | None = None
        """The ended agents' part of `summary` and what it was summed for."""

    def rows(self, since: float | None = None) -> list[UsageRow]:
        """Per agent and local day, every agent's requests (ended agents' too), since `since`.
        One query."""
        where = f"WHERE {WHEN} >= ?" if since is not None else ""
        params: tuple[float, ...] = (since,) if since is not None else ()
        found = self.db.connection.execute(
            f"""SELECT date({WHEN}, 'unixepoch', 'localtime') day, u.agent_id,
            COALESCE(a.name, e.name, u.agent_id) name, COALESCE(a.preset, e.preset, '') preset,
            COALESCE(a.task_id, e.task_id) task_id, a.id IS NULL ended,
            SUM(u.input) i, SUM(u.output) o, SUM(u.cache_read) cr, SUM(u.cache_write) cw,
            SUM(u.cost_usd) cost, COUNT(*) n,
            SUM(CASE WHEN u.cost_usd IS NULL AND u.total > 0 THEN 1 ELSE 0 END) unpriced
            FROM usage u LEFT JOIN agents a ON a.id = u.agent_id
            LEFT JOIN ended_agents e ON e.id = u.agent_id
            {where} GROUP BY day, u.agent_id ORDER BY day, name""",
            params,
        ).fetchall()
        return [UsageRow(r["day"], r["agent_id"], r["name"], r["preset"], r["task_id"],
                         bool(r["ended"]), _figures(r)) for r in found]

    def summary(self, day_start: float) -> UsageSummary:
        """Since `day_start` and ever. The live agents' records are summed each time (through
        the index, as every tick does); the ended agents' part, which grows with history but
        changes only when an agent ends (nothing records usage for an agent with no row) or
        a day begins, is summed again only then."""
        db = self.db.connection
        ids = tuple(r[0] for r in db.execute("SELECT id FROM agents ORDER BY id"))
        ended = db.execute("SELECT COUNT(*) FROM ended_agents").fetchone()[0]
        key = (day_start, ids, ended)
        if self._ended is None or self._ended[0] != key:
            self._ended = (key, self._sums(day_start, f"agent_id NOT IN ({LIVE})"))
        live = self._sums(day_start, f"agent_id IN ({LIVE})")
        old = self._ended[1]
        return UsageSummary(old.today + live.today, old.all + live.all)

    def _sums(self, day_start: float, where: str) -> UsageSummary:
        when = "COALESCE(at, recorded)"
        r = self.db.connection.execute(
            f"""SELECT SUM(input) i, SUM(output) o, SUM(cache_read) cr, SUM(cache_write) cw,
            SUM(cost_usd) cost, COUNT(*) n,
            SUM(CASE WHEN cost_usd IS NULL AND total > 0 THEN 1 ELSE 0 END) unpriced,
            SUM(CASE WHEN {when} >= ? THEN input END) ti,
            SUM(CASE WHEN {when} >= ? THEN output END) tout,
            SUM(CASE WHEN {when} >= ? THEN cache_read END) tcr,
            SUM(CASE WHEN {when} >= ? THEN cache_write END) tcw,
            SUM(CASE WHEN {when} >= ? THEN cost_usd END) tcost,
            SUM(CASE WHEN {when} >= ? THEN 1 ELSE 0 END) tn,
            SUM(CASE WHEN {when} >= ? AND cost_usd IS NULL AND total > 0 THEN 1 ELSE 0 END)
                tunpriced
            FROM usage WHERE {where}""",
            (day_start,) * 7,
        ).fetchone()
        today = Figures(Tokens(r["ti"] or 0, r["tout"] or 0, r["tcr"] or 0, r["tcw"] or 0),
                        _cost(r["tcost"]), r["tn"] or 0, r["tunpriced"] or 0)
        return UsageSummary(today, _figures(r))


def _cost(cost: float | None) -> float | None:
    """SQL's SUM of no priced request is NULL: None, nothing to sum."""
    return None if cost is None else float(cost)


def _figures(r: sqlite3.Row) -> Figures:
    return Figures(Tokens(r["i"] or 0, r["o"] or 0, r["cr"] or 0, r["cw"] or 0),
                   _cost(r["cost"]), r["n"] or 0, r["unpriced"] or 0)

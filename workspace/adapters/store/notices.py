"""What has been notified, claimed in the state so that two pollers (the TUI and the
autopilot, or a verb) never notify one change twice: each agent's status as last noticed
(`agents.notified`), and the last task event noticed (`meta.notified_event`). A claim is a
compare-and-set in one transaction: whoever moves it first notifies."""

from __future__ import annotations

from workspace.adapters.store.database import Database

EVENT_CURSOR = "notified_event"
HELD = "-"
"""`agents.notified` while the tool itself ends or restarts the agent: its death is no news."""


class Notices:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim_statuses(self, current: dict[str, str]) -> list[tuple[str, str, str]]:
        """Agent id -> its status now; returns (agent id, status before, status now) for each
        agent whose status this call was the first to notice. A status never noticed (an
        agent from before notifications) is noted silently. One read when nothing changed."""
        return self.claim(self.unnoticed(current))

    def unnoticed(self, current: dict[str, str]) -> list[tuple[str, str, str]]:
        """(agent id, status last noticed, status now) where they differ: what to claim."""
        rows = self.db.connection.execute("SELECT id, notified FROM agents")
        seen = {r["id"]: r["notified"] for r in rows}
        return [(aid, seen[aid], status) for aid, status in current.items()
                if aid in seen and seen[aid] not in (status, HELD)]

    def hold(self, agent_id: str) -> None:
        """Tell nothing of this agent until `release` (a kill, a fresh relaunch: a poll
        between ending its process and the next step would see it crash)."""
        with self.db.transaction() as tx:
            tx.execute("UPDATE agents SET notified = ? WHERE id = ?", (HELD, agent_id))

    def release(self, agent_id: str) -> None:
        """Its status is noticed again, from the next look on (silently, that once)."""
        with self.db.transaction() as tx:
            tx.execute("UPDATE agents SET notified = '' WHERE id = ?", (agent_id,))

    def claim(self, moves: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        """The moves still unclaimed, claimed now (compare-and-set, one transaction); a move
        another poller claimed meanwhile is left out."""
        if not moves:
            return []
        claimed: list[tuple[str, str, str]] = []
        with self.db.transaction() as tx:
            for aid, before, status in moves:
                cur = tx.execute("UPDATE agents SET notified = ? WHERE id = ? AND notified = ?",
                                 (status, aid, before))
                if cur.rowcount and before:
                    claimed.append((aid, before, status))
        return claimed

    def claim_task_events(self) -> list[tuple[int, str, float, str, str]]:
        """The task events no one has noticed yet, (id, task id, time, kind, detail), oldest
        first; they are noticed by this call."""
        db = self.db.connection
        newest = db.execute("SELECT MAX(id) FROM task_events").fetchone()[0] or 0
        if newest <= self._cursor():
            return []
        with self.db.transaction() as tx:
            cursor = self._cursor()
            rows = tx.execute(
                "SELECT id, task_id, at, kind, detail FROM task_events WHERE id > ? ORDER BY id",
                (cursor,)).fetchall()
            if not rows:
                return []
            tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                       (EVENT_CURSOR, str(rows[-1]["id"])))
        return [(r["id"], r["task_id"], r["at"], r["kind"], r["detail"]) for r in rows]

    def _cursor(self) -> int:
        row = self.db.connection.execute("SELECT value FROM meta WHERE key = ?",
                                         (EVENT_CURSOR,)).fetchone()
        return int(row["value"]) if row and str(row["value"]).isdigit() else 0

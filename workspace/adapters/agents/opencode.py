"""opencode (anomalyco/opencode, npm `opencode-ai`): sessions and messages in its SQLite database
`<XDG_DATA_HOME or ~/.local/share>/opencode/opencode.db` (legacy builds: JSON files under
`storage/`), found by the session's `directory` == the worktree; resume with `-s <session id>`.

The database is opened read-only. Each tick the messages of the agent's session that changed
since the last look are appended, one JSON object a line, to `opencode-messages.jsonl` in the
agent's state dir; that file is the transcript the pure parser (`core.transcripts.opencode`)
reads incrementally like every other CLI's. Messages of sub-agent sessions (`parent_id` = the
agent's session) are copied too, with `parentSessionID` added: they count for usage, not for
status. Nothing is written to opencode's config or data.
Permission prompts are not stored by opencode: they come from the pane text.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from workspace.adapters.agents.base import (
    AgentPaths,
    Generic,
    LaunchContext,
    LaunchPlan,
    TranscriptSource,
)
from workspace.adapters.files import write_json
from workspace.core.agent import Agent
from workspace.core.settings import PresetSpec
from workspace.core.status import Policy
from workspace.core.transcripts.opencode import OpencodeMessages

RESCAN_AFTER = 2.0
"""Seconds between looks for a session not found yet."""
EXPORT_FILE = "opencode-messages.jsonl"
EXPORT_STATE = "opencode-export.json"
MAX_MESSAGE = 4 * 1024 * 1024
"""A message row bigger than this is not copied (message info is small; parts hold content)."""


def data_dir(env: dict[str, str]) -> Path:
    """opencode's data dir: XDG_DATA_HOME from the preset's env, else ours, else the default."""
    value = env.get("XDG_DATA_HOME") or os.environ.get("XDG_DATA_HOME")
    base = Path(value).expanduser() if value else Path.home() / ".local" / "share"
    return base / "opencode"


def database(data: Path, env: dict[str, str]) -> Path | None:
    """The database opencode uses: `OPENCODE_DB` (absolute, or relative to the data dir) when
    set, else `opencode.db` (release builds), else the newest `opencode-<channel>.db`."""
    named = env.get("OPENCODE_DB") or os.environ.get("OPENCODE_DB")
    if named and named != ":memory:":
        path = data / Path(named).expanduser()
        return path if path.is_file() else None
    main = data / "opencode.db"
    if main.is_file():
        return main
    others = [p for p in data.glob("opencode*.db") if p.is_file()]
    return max(others, key=lambda p: p.stat().st_mtime) if others else None


def connect(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")}


def _as_seconds(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) / 1000.0 if value > 1e11 else float(value)
    return 0.0


def find_session_db(db: Path, worktree: str, since: float) -> str | None:
    """The first top-level session whose directory is the worktree, made since `since`."""
    wanted = sorted({worktree, os.path.realpath(worktree)})
    try:
        with closing(connect(db)) as conn:
            cols = _columns(conn, "session")
            if not {"id", "directory"} <= cols:
                return None
            created = "time_created" if "time_created" in cols else None
            parent = "AND parent_id IS NULL" if "parent_id" in cols else ""
            marks = ",".join("?" for _ in wanted)
            order = f"ORDER BY {created}" if created else ""
            select = f"SELECT id, {created or 0} FROM session"
            rows = conn.execute(f"{select} WHERE directory IN ({marks}) {parent} {order}",
                                wanted).fetchall()
    except sqlite3.Error:
        return None
    for session_id, made in rows:
        if not created or _as_seconds(made) >= since - 60:
            return str(session_id)
    return None


def find_session_files(data: Path, worktree: str, since: float) -> str | None:
    """Legacy storage: `storage/session/<project>/<session>.json` with a `directory`."""
    wanted = {worktree, os.path.realpath(worktree)}
    found: list[tuple[float, str]] = []
    for path in (data / "storage" / "session").glob("*/*.json"):
        try:
            if path.stat().st_mtime < since - 60:
                continue
            info = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        if not isinstance(info, dict) or info.get("directory") not in wanted \
                or info.get("parentID"):
            continue
        made = _as_seconds(info.get("time", {}).get("created")
                           if isinstance(info.get("time"), dict) else None)
        if made and made < since - 60:
            continue
        session_id = info.get("id")
        if isinstance(session_id, str) and session_id:
            found.append((made, session_id))
    return min(found)[1] if found else None


Row = tuple[str, str, float, dict[str, object]]
"""(message id, its session id, its update stamp, its info)"""


class Exporter:
    """Copies the messages of one session that changed since the last call to the end of the
    agent's transcript file. What was copied (message id -> its update time or file mtime) is
    kept beside it, so a restarted TUI copies only what changed meanwhile."""

    def __init__(self, paths: AgentPaths) -> None:
        self.out = paths.dir / EXPORT_FILE
        self._state_file = paths.dir / EXPORT_STATE
        self._seen: dict[str, float] = {}
        self._session = ""
        self._mark: tuple[str, tuple[int, int], tuple[int, int]] | None = None
        try:
            saved = json.loads(self._state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
        if isinstance(saved, dict) and isinstance(saved.get("seen"), dict):
            self._session = str(saved.get("session", ""))
            self._seen = {str(k): float(v) for k, v in saved["seen"].items()
                          if isinstance(v, int | float)}

    def export(self, data: Path, db: Path | None, session: str) -> None:
        if session != self._session:
            self._session, self._seen = session, {}
            self._mark = None
        if db is not None:
            # The database and its WAL unchanged since the last look: nothing to query.
            mark = (session, _stamp(db), _stamp(db.with_name(db.name + "-wal")))
            if mark == self._mark:
                return
            self._mark = mark
        rows = self._rows_db(db, session) if db is not None else self._rows_files(data, session)
        if rows is None:  # the database could not be read (locked, being replaced): next time
            self._mark = None
            return
        if not rows:
            return
        lines = []
        for message_id, owner, stamp, info in rows:
            info = {**info, "id": message_id, "sessionID": owner}
            if owner != session:
                # Rows come in update order, so a sub-agent's can come before any of the
                # agent's own (a first look after it finished): the parser is told, it must
                # not take the first session it reads for the agent's.
                info["parentSessionID"] = session
            lines.append(json.dumps(info, separators=(",", ":")) + "\n")
            self._seen[message_id] = stamp
        if db is not None:
            # Older rows are left out by the query itself: only those at the newest update
            # time are needed to tell a row already copied from a new one.
            newest = max(self._seen.values())
            self._seen = {k: v for k, v in self._seen.items() if v >= newest}
        self.out.parent.mkdir(parents=True, exist_ok=True)
        with open(self.out, "a", encoding="utf-8") as handle:
            handle.write("".join(lines))
        write_json(self._state_file, {"session": session, "seen": self._seen})

    def _rows_db(self, db: Path, session: str) -> list[Row] | None:
        """Changed messages of the session and of its sub-agent sessions (`parent_id`)."""
        newest = max(self._seen.values(), default=0.0)
        try:
            with closing(connect(db)) as conn:
                cols = _columns(conn, "message")
                stamp = "time_updated" if "time_updated" in cols else "rowid"
                owners = "session_id = ?"
                args: tuple[object, ...] = (session,)
                if "parent_id" in _columns(conn, "session"):
                    owners = "session_id IN (SELECT id FROM session WHERE id = ? OR parent_id = ?)"
                    args = (session, session)
                rows = conn.execute(
                    f"SELECT id, session_id, {stamp}, data FROM message WHERE {owners} "
                    f"AND {stamp} >= ? AND length(data) <= ? ORDER BY {stamp}, id",
                    (*args, newest, MAX_MESSAGE)).fetchall()
        except sqlite3.Error:
            return None
        out = []
        for message_id, owner, updated, raw in rows:
            key = str(message_id)
            stamp_value = float(updated or 0)
            if self._seen.get(key) == stamp_value:
                continue
            info = _json_object(raw)
            if info is not None:
                out.append((key, str(owner), stamp_value, info))
        return out

    def _rows_files(self, data: Path, session: str) -> list[Row]:
        out = []
        for path in sorted((data / "storage" / "message" / session).glob("*.json")):
            try:
                stat = path.stat()
                if stat.st_size > MAX_MESSAGE:
                    continue
                if self._seen.get(path.stem) == float(stat.st_mtime_ns):
                    continue
                info = _json_object(path.read_bytes())
            except OSError:
                continue
            if info is not None:
                out.append((path.stem, session, float(stat.st_mtime_ns), info))
        return out


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


def _json_object(raw: object) -> dict[str, object] | None:
    if not isinstance(raw, str | bytes):
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class Opencode(Generic):
    kind = "opencode"
    resumable = True
    submit_delay = 0.5

    def __init__(self, spec: PresetSpec) -> None:
        super().__init__(spec)
        self._sessions: dict[str, str] = {}
        self._exporters: dict[str, Exporter] = {}
        self._looked: dict[str, float] = {}

    def resume(self, ctx: LaunchContext) -> LaunchPlan:
        if not ctx.session_id:
            return self.launch(ctx)
        argv = [self.spec.command, *self.spec.args, "--session", ctx.session_id]
        return LaunchPlan(argv, self.spec.env_dict, ctx.session_id, False)

    # -- signals ------------------------------------------------------------------------

    def policy(self, base: Policy) -> Policy:
        # Permission prompts are only on screen (never in the messages): the pane must overrule
        # the messages' "working" quickly.
        return replace(base, quiet_after=min(base.quiet_after, 2.0))

    def transcript_parser(self) -> type[OpencodeMessages]:
        return OpencodeMessages

    def transcripts(self, agent: Agent, paths: AgentPaths) -> list[TranscriptSource]:
        data = data_dir(self.spec.env_dict)
        db = database(data, self.spec.env_dict)
        session = agent.session_id or self._sessions.get(agent.id)
        if not session:
            now = time.time()
            if now - self._looked.get(agent.id, 0.0) < RESCAN_AFTER:
                return []
            self._looked[agent.id] = now
            if db is not None:
                session = find_session_db(db, agent.worktree, agent.created_at)
            else:
                session = find_session_files(data, agent.worktree, agent.created_at)
            if not session:
                return []
            self._sessions[agent.id] = session
        exporter = self._exporters.get(agent.id)
        if exporter is None:
            exporter = self._exporters[agent.id] = Exporter(paths)
        exporter.export(data, db, session)
        return [TranscriptSource(exporter.out, OpencodeMessages)]

    # -- keys ---------------------------------------------------------------------------

    def approve_keys(self, always: bool) -> list[str]:
        # "Allow once   Allow always   Reject", the first selected; ⇆ select, enter confirm.
        # "Allow always" asks to confirm once more.
        return ["Right", "Enter", "Enter"] if always else ["Enter"]

    def deny_keys(self) -> list[str]:
        return ["Escape"]

    def interrupt_keys(self) -> list[str]:
        # The first Esc arms it ("esc again to interrupt"), the second interrupts.
        return ["Escape", "Escape"]

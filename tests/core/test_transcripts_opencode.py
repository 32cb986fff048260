"""The opencode message parser on real message rows written by opencode 1.18.33
(tests/fixtures/opencode/, see its README), the adapter's export of a real opencode.db, and the
damage a real file can have: malformed, truncated and huge lines, the same message rewritten
many times while it streams, history read twice, and a restart between two reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support import paths
from workspace.adapters.agents.base import AgentPaths
from workspace.adapters.agents.opencode import (
    Exporter,
    database,
    find_session_db,
    find_session_files,
)
from workspace.adapters.tail import MAX_LINE, read_new_lines
from workspace.core.agent import Status, Tokens
from workspace.core.status import Observed
from workspace.core.transcripts.base import Finding, SessionSeen, UsageRecord
from workspace.core.transcripts.opencode import OpencodeMessages

FIXTURES = paths.FIXTURES / "opencode"
SNAPSHOTS = FIXTURES / "message-rows-1.18.33.jsonl"
DB = FIXTURES / "opencode-1.18.33.db"
META = json.loads((FIXTURES / "server-usage-1.18.33.json").read_text(encoding="utf-8"))
SESSION = str(META["session"])
WORKTREE = str(META["directory"])


def message_lines() -> list[str]:
    """Every version of every message row the recorder saw, as the adapter writes them."""
    lines = []
    for raw in SNAPSHOTS.read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        info = {**json.loads(row["data"]), "id": row["id"], "sessionID": row["session_id"]}
        lines.append(json.dumps(info))
    return lines


def feed_all(lines: list[str], parser: OpencodeMessages | None = None) -> list[Finding]:
    parser = parser or OpencodeMessages()
    found: list[Finding] = []
    for n, line in enumerate(lines):
        found.extend(parser.feed(line, f"messages@{n}"))
    return found


def usage_by_key(found: list[Finding]) -> dict[str, UsageRecord]:
    """What the store keeps: one record per key, the largest copy."""
    kept: dict[str, UsageRecord] = {}
    for f in found:
        if isinstance(f, UsageRecord):
            old = kept.get(f.key)
            if old is None or f.tokens.total > old.tokens.total:
                kept[f.key] = f
    return kept


def total(records: dict[str, UsageRecord]) -> Tokens:
    out = Tokens()
    for r in records.values():
        out = out + r.tokens
    return out


def cost(records: dict[str, UsageRecord]) -> float:
    return sum(r.cost_usd or 0.0 for r in records.values())


def statuses(found: list[Finding]) -> list[Status]:
    return [f.status for f in found if isinstance(f, Observed) and f.status is not None]


EXPECTED = Tokens(**META["tokens"])
EXPECTED_COST = float(META["cost_usd"])


def test_real_rows_session_model_usage_and_cost() -> None:
    found = feed_all(message_lines())
    seen = [f for f in found if isinstance(f, SessionSeen)]
    assert seen[0].session_id == SESSION
    assert SessionSeen(model=META["model"]) in seen
    kept = usage_by_key(found)
    assert len(kept) == META["replies"]
    assert total(kept) == EXPECTED
    assert cost(kept) == pytest.approx(EXPECTED_COST, abs=1e-9)
    assert all(r.model == META["model"] for r in kept.values())


def freshest(found: list[Finding]) -> Status | None:
    """What the reducer makes of them: the freshest claim wins (opencode rewrites a user
    message after its turn, with its old creation time)."""
    claims = [f for f in found if isinstance(f, Observed) and f.status is not None]
    return max(claims, key=lambda f: f.at).status if claims else None


def test_real_rows_turns() -> None:
    lines = message_lines()
    seen = statuses(feed_all(lines))
    assert seen[0] == Status.WORKING
    assert Status.ERROR not in seen
    # the status after each recorded row: working through each turn (user message, the
    # tool-call step, the final answer streaming), waiting once the final answer completed
    after = [freshest(feed_all(lines[: n + 1])) for n in range(len(lines))]
    rows = [json.loads(raw) for raw in SNAPSHOTS.read_text(encoding="utf-8").splitlines()]
    for row, status in zip(rows, after, strict=True):
        data = json.loads(row["data"])
        done = data.get("finish") == "stop" and "completed" in data["time"]
        if done:
            assert status == Status.WAITING, row["id"]
    assert after[-1] == Status.WAITING
    assert after.count(Status.WORKING) >= 8
    second_turn = next(n for n, row in enumerate(rows) if row["time_created"] > 1795427300000)
    assert after[second_turn] == Status.WORKING


def test_rewrites_and_history_read_twice_count_once() -> None:
    lines = message_lines()
    kept = usage_by_key(feed_all(lines + lines + list(reversed(lines))))
    assert total(kept) == EXPECTED
    assert cost(kept) == pytest.approx(EXPECTED_COST, abs=1e-9)


def test_damaged_lines_are_skipped_and_counted() -> None:
    lines = message_lines()
    damaged = ["{not json", lines[0][: len(lines[0]) // 2], "[1, 2]", "", "null",
               json.dumps({"id": 5, "role": "assistant"}),
               json.dumps({"id": "msg_x", "role": "assistant", "tokens": "many", "cost": "$1"}),
               json.dumps({"id": "msg_y", "role": "assistant", "cost": -3,
                           "tokens": {"input": -5, "output": True, "cache": []}})]
    parser = OpencodeMessages()
    found = feed_all(damaged[:3] + lines + damaged[3:], parser)
    assert parser.skipped == 4  # malformed, truncated, a JSON array, null
    assert total(usage_by_key(found)) == EXPECTED


def test_huge_line_is_skipped_by_the_reader(tmp_path: Path) -> None:
    lines = message_lines()
    path = tmp_path / "messages.jsonl"
    huge = json.dumps({"id": "msg_huge", "role": "assistant", "pad": "x" * (MAX_LINE + 10)})
    path.write_text("\n".join([lines[0], huge, *lines[1:]]) + "\n", encoding="utf-8")
    chunk = read_new_lines(path, 0)
    assert chunk.skipped == 1
    found = feed_all([line for line, _ in chunk.lines])
    assert total(usage_by_key(found)) == EXPECTED


def test_restart_between_reads_keeps_state() -> None:
    lines = message_lines()
    half = len(lines) // 2
    first = OpencodeMessages()
    found = feed_all(lines[:half], first)
    second = OpencodeMessages(json.loads(json.dumps(first.state())))
    found += feed_all(lines[half:], second)
    assert total(usage_by_key(found)) == EXPECTED
    # the session was announced once, not again after the restart
    assert sum(1 for f in found if isinstance(f, SessionSeen) and f.session_id) == 1


def test_errors_and_interrupts_from_opencodes_error_shapes() -> None:
    # Source-derived (MessageV2 errors: APIError {message, statusCode}, MessageAbortedError).
    base = {"role": "assistant", "sessionID": "ses_x", "modelID": "m",
            "time": {"created": 1_700_000_000_000, "completed": 1_700_000_001_000}}
    aborted = {**base, "id": "msg_1", "error": {"name": "MessageAbortedError",
                                                "data": {"message": "aborted"}}}
    limited = {**base, "id": "msg_2", "error": {"name": "APIError", "data": {
        "message": "Rate limit reached for requests", "statusCode": 429}}}
    failed = {**base, "id": "msg_3", "error": {"name": "UnknownError",
                                               "data": {"message": "boom\nstack"}}}
    found = feed_all([json.dumps(m) for m in (aborted, limited, failed)])
    observed = [f for f in found if isinstance(f, Observed)]
    assert [o.status for o in observed] == [Status.WAITING, Status.RATE_LIMITED, Status.ERROR]
    assert observed[2].reason == "boom"


def test_exporter_on_a_real_database(tmp_path: Path) -> None:
    data = tmp_path / "opencode"
    data.mkdir()
    shutil.copy(DB, data / "opencode.db")
    db = database(data, {})
    assert db == data / "opencode.db"
    assert find_session_db(db, WORKTREE, float(META["started"])) == SESSION
    assert find_session_db(db, "/elsewhere", 0.0) is None
    paths = AgentPaths.under(tmp_path / "state", "a1")
    exporter = Exporter(paths)
    exporter.export(data, db, SESSION)
    chunk = read_new_lines(exporter.out, 0)
    kept = usage_by_key(feed_all([line for line, _ in chunk.lines]))
    assert total(kept) == EXPECTED
    assert cost(kept) == pytest.approx(EXPECTED_COST, abs=1e-9)
    # nothing changed: nothing appended; a new exporter (a restarted TUI) appends nothing either
    size = exporter.out.stat().st_size
    exporter.export(data, db, SESSION)
    Exporter(paths).export(data, db, SESSION)
    assert exporter.out.stat().st_size == size


def test_exporter_on_legacy_json_storage(tmp_path: Path) -> None:
    # Source-derived layout (builds before the SQLite database): storage/session/<project>/
    # <session>.json with `directory`, storage/message/<session>/<message>.json holding the
    # message info with its id. Filled with the last copy of each real recorded row.
    data = tmp_path / "opencode"
    last: dict[str, dict[str, object]] = {}
    for raw in SNAPSHOTS.read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        last[row["id"]] = {**json.loads(row["data"]), "id": row["id"],
                           "sessionID": row["session_id"]}
    sessions = data / "storage" / "session" / "project1"
    sessions.mkdir(parents=True)
    (sessions / f"{SESSION}.json").write_text(json.dumps({
        "id": SESSION, "directory": WORKTREE, "time": {"created": META["started"] * 1000}}))
    (sessions / "ses_child.json").write_text(json.dumps({
        "id": "ses_child", "parentID": SESSION, "directory": WORKTREE,
        "time": {"created": META["started"] * 1000}}))
    messages = data / "storage" / "message" / SESSION
    messages.mkdir(parents=True)
    for message_id, info in last.items():
        (messages / f"{message_id}.json").write_text(json.dumps(info))
    assert database(data, {}) is None
    assert find_session_files(data, WORKTREE, float(META["started"])) == SESSION
    assert find_session_files(data, "/elsewhere", 0.0) is None
    paths = AgentPaths.under(tmp_path / "state", "a1")
    exporter = Exporter(paths)
    exporter.export(data, None, SESSION)
    size = exporter.out.stat().st_size
    exporter.export(data, None, SESSION)
    assert exporter.out.stat().st_size == size  # unchanged files are not copied again
    found = feed_all([line for line, _ in read_new_lines(exporter.out, 0).lines])
    kept = usage_by_key(found)
    assert total(kept) == EXPECTED
    assert cost(kept) == pytest.approx(EXPECTED_COST, abs=1e-9)


def test_database_named_by_opencode_db(tmp_path: Path) -> None:
    data = tmp_path / "opencode"
    data.mkdir()
    shutil.copy(DB, data / "opencode-dev.db")
    assert database(data, {}) == data / "opencode-dev.db"  # a channel build's database
    shutil.copy(DB, tmp_path / "elsewhere.db")
    assert database(data, {"OPENCODE_DB": str(tmp_path / "elsewhere.db")}) == \
        tmp_path / "elsewhere.db"
    assert database(data, {"OPENCODE_DB": "missing.db"}) is None


def test_real_interrupted_turn_is_waiting() -> None:
    rows = (FIXTURES / "message-rows-aborted-1.18.33.jsonl").read_text(encoding="utf-8")
    lines = []
    for raw in rows.splitlines():
        row = json.loads(raw)
        lines.append(json.dumps({**json.loads(row["data"]), "id": row["id"],
                                 "sessionID": row["session_id"]}))
    found = feed_all(lines)
    assert freshest(found) == Status.WAITING
    assert [f.reason for f in found if isinstance(f, Observed)
            and f.status == Status.WAITING] == ["turn interrupted"]
    assert usage_by_key(found) == {}  # nothing was billed


SUB_DB = FIXTURES / "opencode-subagent-1.18.33.db"
SUB_ROWS = FIXTURES / "message-rows-subagent-1.18.33.jsonl"
SUB_PARENT = "ses_df829bd16ffeynQCz9uBzYDPaW"
SUB_CHILD = "ses_df829a3c9ffeaMf7SZbs7Glsvf"
# The server's replies: the task call, the sub-agent's answer, the final answer (prompt, cached,
# completion incl. 8 reasoning each), at the configured prices.
SUB_TOKENS = Tokens(input=(1600 - 310) + (1700 - 320) + (1800 - 330), output=55 + 60 + 65,
                    cache_read=310 + 320 + 330)
SUB_COST = 0.00220125 + 0.002365 + 0.00252875


def rows_as_lines(path: Path) -> list[tuple[dict[str, object], str]]:
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        info = {**json.loads(row["data"]), "id": row["id"], "sessionID": row["session_id"]}
        out.append((row, json.dumps(info)))
    return out


def test_real_subagent_session_counts_but_does_not_end_the_turn() -> None:
    rows = rows_as_lines(SUB_ROWS)
    lines = [line for _, line in rows]
    found = feed_all(lines)
    kept = usage_by_key(found)
    assert total(kept) == SUB_TOKENS
    assert cost(kept) == pytest.approx(SUB_COST, abs=1e-9)
    assert [f.session_id for f in found if isinstance(f, SessionSeen) and f.session_id] == \
        [SUB_PARENT]
    # when the sub-agent's own answer has completed, the agent is still working
    child_done = next(n for n, (row, line) in enumerate(rows)
                      if row["session_id"] == SUB_CHILD and '"finish":"stop"' in str(row["data"])
                      and '"completed"' in str(row["data"]))
    assert freshest(feed_all(lines[: child_done + 1])) == Status.WORKING
    assert freshest(found) == Status.WAITING


def test_exporter_copies_subagent_sessions_along(tmp_path: Path) -> None:
    data = tmp_path / "opencode"
    data.mkdir()
    shutil.copy(SUB_DB, data / "opencode.db")
    db = data / "opencode.db"
    assert find_session_db(db, "/tmp/oc-probe/proj", 0.0) == SUB_PARENT  # not the child
    exporter = Exporter(AgentPaths.under(tmp_path / "state", "a1"))
    exporter.export(data, db, SUB_PARENT)
    lines = [line for line, _ in read_new_lines(exporter.out, 0).lines]
    # A first look after the sub-agent finished: its message was last rewritten before the
    # parent's were, so it is copied first; still the parent is the agent's session.
    assert json.loads(lines[0])["sessionID"] == SUB_CHILD
    found = feed_all(lines)
    assert [f.session_id for f in found if isinstance(f, SessionSeen) and f.session_id] == \
        [SUB_PARENT]
    kept = usage_by_key(found)
    assert total(kept) == SUB_TOKENS
    assert cost(kept) == pytest.approx(SUB_COST, abs=1e-9)
    assert freshest(found) == Status.WAITING

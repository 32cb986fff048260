"""The Gemini CLI session parser on a SOURCE-DERIVED fixture (tests/fixtures/gemini/README.md):
messages re-appended as they change, metadata updates, a rewind, an error, a resumed session
writing the history again, damaged lines; and finding the file of a worktree."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support import paths
from workspace.adapters.agents.gemini import find_session, project_hash
from workspace.core.agent import Status, Tokens
from workspace.core.status import Observed
from workspace.core.transcripts.base import Finding, SessionSeen, UsageRecord
from workspace.core.transcripts.gemini import GeminiSession

FIXTURE = paths.FIXTURES / "gemini" / "session-source-derived.jsonl"
SESSION = "5b9f3c1e-7d2a-4c6b-9a10-2f3e4d5c6b7a"
# m2: 8000 in (6000 cached) + 120 out + 300 thoughts; m3: 8500 in (8000 cached) + 40 out
EXPECTED = Tokens(input=2000 + 500, output=420 + 40, cache_read=14000)


def feed(lines: list[str], parser: GeminiSession | None = None) -> list[Finding]:
    parser = parser or GeminiSession()
    found: list[Finding] = []
    for n, line in enumerate(lines):
        found.extend(parser.feed(line, f"s@{n}"))
    return found


def kept(found: list[Finding]) -> dict[str, UsageRecord]:
    out: dict[str, UsageRecord] = {}
    for f in found:
        if isinstance(f, UsageRecord) and (f.key not in out
                                           or f.tokens.total > out[f.key].tokens.total):
            out[f.key] = f
    return out


def total(records: dict[str, UsageRecord]) -> Tokens:
    out = Tokens()
    for r in records.values():
        out = out + r.tokens
    return out


def test_session_usage_and_status() -> None:
    found = feed(FIXTURE.read_text().splitlines())
    assert found[0] == SessionSeen(session_id=SESSION)
    records = kept(found)
    assert len(records) == 2 and total(records) == EXPECTED
    assert {r.model for r in records.values()} == {"gemini-2.5-pro"}
    statuses = [f.status for f in found if isinstance(f, Observed) and f.status]
    assert statuses == [Status.WORKING, Status.WORKING, Status.RATE_LIMITED]


def test_resumed_history_and_damage_count_once() -> None:
    lines = FIXTURE.read_text().splitlines()
    parser = GeminiSession()
    damaged = [*lines[:3], "{oops", lines[3][:50], "null", *lines[3:], *lines[1:]]
    assert total(kept(feed(damaged, parser))) == EXPECTED
    assert parser.skipped == 3


def test_find_session_by_project_hash(tmp_path: Path) -> None:
    worktree = tmp_path / "wt"
    worktree.mkdir()
    chats = tmp_path / ".gemini" / "tmp" / "wt" / "chats"
    chats.mkdir(parents=True)
    text = FIXTURE.read_text().replace(project_hash("/work/proj"), project_hash(str(worktree)))
    mine = chats / "session-2026-11-23T09-20-5b9f3c1e.jsonl"
    mine.write_text(text)
    other = chats / "session-2026-11-23T09-21-aaaaaaaa.jsonl"
    other.write_text(FIXTURE.read_text())
    os.utime(other, None)
    root = tmp_path / ".gemini"
    assert find_session(root, str(worktree), None, 0.0) == mine
    assert find_session(root, str(worktree), SESSION, 0.0) == mine
    assert find_session(root, str(worktree), "another", 0.0) is None

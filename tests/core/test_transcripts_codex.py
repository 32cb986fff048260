"""The Codex rollout parser on real rollouts written by codex-cli 0.169.0 (tests/fixtures/codex/,
see its README), plus the damage a real file can have: malformed, truncated and huge lines,
repeated token_count events, history read twice."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import paths
from workspace.adapters.tail import MAX_LINE, read_new_lines
from workspace.core.agent import Status, Tokens
from workspace.core.status import Observed
from workspace.core.transcripts.base import Finding, SessionSeen, UsageRecord
from workspace.core.transcripts.codex import CodexRollout

FIXTURES = paths.FIXTURES / "codex"
RESUMED = FIXTURES / "rollout-0.169.0-resumed.jsonl"
SESSION = "01a207a8-f919-78b1-b2a7-61e40cf111b3"
# The last token_count of the fixture: input 5200 (1640 of it cached), output 260.
FINAL = Tokens(input=5200 - 1640, output=260, cache_read=1640, cache_write=0)


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def feed_all(lines: list[str], parser: CodexRollout | None = None) -> list[Finding]:
    parser = parser or CodexRollout()
    found: list[Finding] = []
    for n, line in enumerate(lines):
        found.extend(parser.feed(line, f"rollout@{n}"))
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


def statuses(found: list[Finding]) -> list[Status]:
    return [f.status for f in found if isinstance(f, Observed) and f.status is not None]


def test_real_rollout_session_model_usage_and_turns() -> None:
    found = feed_all(lines_of(RESUMED))
    seen = [f for f in found if isinstance(f, SessionSeen)]
    assert seen[0] == SessionSeen(session_id=SESSION, cwd="/tmp/cx/proj", model=None)
    assert SessionSeen(model="gpt-5.1-codex") in seen
    records = usage_by_key(found)
    # One record per model response (token_usage_record, keyed by response id).
    assert len(records) == 4
    assert all(k.startswith("codex:resp_") for k in records)
    assert total(records) == FINAL
    first = next(r for r in records.values())
    assert first.model == "gpt-5.1-codex"
    assert first.context_window == 258400
    assert first.context_tokens == 1200
    # Two turns (the second one after `codex resume`, appended to the same file).
    assert statuses(found) == [Status.WORKING, Status.WAITING, Status.WORKING, Status.WAITING]


def test_history_read_twice_counts_once() -> None:
    lines = lines_of(RESUMED)
    twice = usage_by_key(feed_all(lines + lines))
    assert total(twice) == FINAL


def test_older_builds_token_count_deltas_skip_repeats() -> None:
    """Builds before token_usage_record: usage from consecutive total_token_usage deltas;
    Codex re-emits token_count with unchanged totals, which must not count again."""
    lines = [ln for ln in lines_of(RESUMED) if '"type":"token_usage_record"' not in ln]
    repeated: list[str] = []
    for line in lines:
        repeated.append(line)
        if '"type":"token_count"' in line:
            repeated.append(line)  # the rate-limit refresh repeat
            repeated.append(line)
    found = feed_all(repeated)
    records = usage_by_key(found)
    assert len(records) == 4  # four token_count events with distinct totals
    assert total(records) == FINAL
    assert len([f for f in found if isinstance(f, UsageRecord)]) == 4


def test_delta_keys_are_stable_when_read_again() -> None:
    lines = [ln for ln in lines_of(RESUMED) if '"type":"token_usage_record"' not in ln]
    assert usage_by_key(feed_all(lines)).keys() == usage_by_key(feed_all(lines + lines)).keys()


def test_totals_that_drop_start_a_new_baseline() -> None:
    def count(total_in: int, last_in: int) -> str:
        info = {"total_token_usage": {"input_tokens": total_in, "output_tokens": 10,
                                      "total_tokens": total_in + 10},
                "last_token_usage": {"input_tokens": last_in, "output_tokens": 10,
                                     "total_tokens": last_in + 10}}
        return json.dumps({"timestamp": "2026-11-23T09:07:24.000Z", "type": "event_msg",
                           "payload": {"type": "token_count", "info": info}})

    found = feed_all([count(1000, 1000), count(3000, 2000), count(500, 500)])
    records = usage_by_key(found)
    assert sorted(r.tokens.input for r in records.values()) == [500, 1000, 2000]


def test_malformed_truncated_and_foreign_lines_are_skipped_and_counted() -> None:
    lines = lines_of(RESUMED)
    damaged = [lines[0], "{not json", lines[1][: len(lines[1]) // 2], "[1, 2]", "", "42",
               *lines[2:]]
    parser = CodexRollout()
    found = feed_all(damaged, parser)
    assert parser.skipped == 4  # the blank line is not damage
    assert total(usage_by_key(found)) == FINAL


def test_state_survives_between_ticks() -> None:
    lines = lines_of(RESUMED)
    stripped = [ln for ln in lines if '"type":"token_usage_record"' not in ln]
    for source in (lines, stripped):
        whole = feed_all(source)
        pieces: list[Finding] = []
        state: dict[str, object] | None = None
        for n, line in enumerate(source):
            parser = CodexRollout(json.loads(json.dumps(state)) if state else None)
            pieces.extend(parser.feed(line, f"rollout@{n}"))
            state = parser.state()
        assert usage_by_key(pieces) == usage_by_key(whole)


def test_error_events() -> None:
    def error(message: str) -> str:
        return json.dumps({"timestamp": "2026-11-23T09:07:24.000Z", "type": "event_msg",
                           "payload": {"type": "error", "message": message}})

    found = feed_all([error("unexpected status 401 Unauthorized"),
                      error("You've hit your usage limit. Try again later.")])
    assert statuses(found) == [Status.ERROR, Status.RATE_LIMITED]


def test_huge_line_is_skipped_and_counted_never_loaded(tmp_path: Path) -> None:
    lines = lines_of(RESUMED)
    path = tmp_path / "rollout.jsonl"
    huge = json.dumps({"timestamp": "2026-11-23T09:07:24.000Z", "type": "response_item",
                       "payload": {"type": "function_call_output",
                                   "output": "x" * (MAX_LINE + 10)}})
    path.write_text("\n".join([*lines[:5], huge, *lines[5:]]) + "\n", encoding="utf-8")
    parser = CodexRollout()
    found: list[Finding] = []
    offset = 0
    skipped = 0
    while True:
        chunk = read_new_lines(path, offset)
        if chunk.offset == offset:
            break
        for line, where in chunk.lines:
            found.extend(parser.feed(line, str(where)))
        skipped += chunk.skipped
        offset = chunk.offset
    assert skipped == 1
    assert parser.skipped == 0
    assert total(usage_by_key(found)) == FINAL

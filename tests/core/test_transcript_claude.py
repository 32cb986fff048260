"""Claude Code's transcript parser on a transcript the real CLI wrote (tests/fixtures/claude),
with the store's dedup: streaming snapshots, a resumed session replaying history, malformed,
truncated and huge lines; and the hook sink's bad inputs."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.support import paths
from workspace.adapters.agents.base import hook_argv
from workspace.adapters.store import Store
from workspace.core.agent import Status
from workspace.core.status import Observed
from workspace.core.transcripts.base import UsageRecord
from workspace.core.transcripts.claude import ClaudeTranscript
from workspace.service import Workspace

FIXTURE = paths.FIXTURES / "claude" / "session-2.1.330.jsonl"
EXPECTED = {"input": 1231, "output": 62, "cache_read": 2000, "cache_write": 3150}


def real_lines() -> list[str]:
    return FIXTURE.read_text().splitlines()


def records(lines: list[str], parser: ClaudeTranscript | None = None) -> list[UsageRecord]:
    parser = parser or ClaudeTranscript()
    found = []
    for i, line in enumerate(lines):
        found += [f for f in parser.feed(line, f"fixture:{i}") if isinstance(f, UsageRecord)]
    return found


def totals(found: list[UsageRecord], tmp_path: Path) -> dict[str, int]:
    """What the product stores: the real store, keeping the largest copy per key."""
    store = Store(tmp_path / "state.db")
    for r in found:
        store.add_usage("agent", r.key, r.model, r.tokens, None, r.at)
    t = store.usage_totals("agent")["agent"].tokens
    return {"input": t.input, "output": t.output, "cache_read": t.cache_read,
            "cache_write": t.cache_write}


def test_real_transcript_counts_each_message_once(tmp_path: Path) -> None:
    found = records(real_lines())
    assert len(found) == 3  # the first message's two content-block lines, then the second
    assert len({r.key for r in found}) == 2
    assert {r.model for r in found} == {"claude-sonnet-4-5-20250929"}
    assert totals(found, tmp_path) == EXPECTED


def test_statuses_from_the_real_transcript() -> None:
    parser = ClaudeTranscript()
    statuses = [f.status for line in real_lines() for f in parser.feed(line, "x")
                if isinstance(f, Observed) and f.status is not None]
    assert statuses[0] == Status.WORKING
    assert statuses[-1] == Status.WAITING
    assert parser.skipped == 0


def test_streaming_snapshots_keep_the_largest(tmp_path: Path) -> None:
    lines = real_lines()
    first = next(i for i, line in enumerate(lines) if '"type":"assistant"' in line)
    partial = json.loads(lines[first])
    partial["message"]["usage"]["output_tokens"] = 1  # an early snapshot of the same message
    with_snapshot = [*lines[:first], json.dumps(partial), *lines[first:]]
    assert totals(records(with_snapshot), tmp_path) == EXPECTED


def test_a_resumed_session_replaying_history_is_not_counted_twice(tmp_path: Path) -> None:
    lines = real_lines()
    parser = ClaudeTranscript()
    found = records(lines, parser) + records(lines, parser)
    assert totals(found, tmp_path) == EXPECTED


def test_malformed_truncated_and_huge_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    lines = real_lines()
    assistant = next(line for line in lines if '"type":"assistant"' in line)
    bad = [
        "{not json",
        assistant[: len(assistant) // 2],  # truncated mid-write
        "[1, 2, 3]",
        '"a string"',
        "x" * 2_000_000,
        '{"type": "assistant", "message": {"usage": "not a dict"}}',
        '{"type": "assistant", "message": {"usage": {"input_tokens": "many"}}}',
        "",
    ]
    parser = ClaudeTranscript()
    found = records([*bad, *lines], parser)
    assert parser.skipped == 5  # the five that are not JSON objects; the blank line is not
    assert totals(found, tmp_path)["output"] == EXPECTED["output"]
    # the count survives a restart, with the offset
    assert ClaudeTranscript(parser.state()).skipped == 5


def test_hook_sink_exits_zero_silently_when_it_cannot_write(tmp_path: Path) -> None:
    locked = tmp_path / "state"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        argv = hook_argv(locked / "agents" / "x" / "events.jsonl", "Stop")
        done = subprocess.run(argv, input=b'{"session_id": "s"}', capture_output=True,
                              timeout=30)
        assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
        if os.geteuid() != 0:  # root writes anyway
            assert not (locked / "agents").exists()
    finally:
        locked.chmod(0o700)
    weird = subprocess.run(hook_argv(tmp_path / "events.jsonl", "Stop"), input=b"\x00\xff{",
                           capture_output=True, timeout=30)
    assert (weird.returncode, weird.stdout, weird.stderr) == (0, b"", b"")


def test_hook_events_of_an_unknown_agent_are_ignored(ws: Workspace) -> None:
    stray = ws.ctx.state_dir / "agents" / "not-an-agent" / "events.jsonl"
    stray.parent.mkdir(parents=True)
    stray.write_text(json.dumps({"at": time.time(), "event": "PermissionRequest",
                                 "data": {"tool_name": "Bash"}}) + "\n")
    agent = ws.spawn("real", preset="shell")
    ws.refresh()
    assert [a.name for a in ws.agents()] == ["real"]
    assert ws.agent("real").status != Status.NEEDS_PERMISSION
    assert agent.id != "not-an-agent"


@pytest.mark.parametrize("event", ["Stop", "PermissionRequest"])
def test_hook_sink_keeps_the_payload_as_json(tmp_path: Path, event: str) -> None:
    events = tmp_path / "events.jsonl"
    payload = json.dumps({"tool_name": "Write", "tool_input": {"content": "a\nb\t\"c\""}},
                         indent=2)
    subprocess.run(hook_argv(events, event), input=payload.encode(), check=True, timeout=30)
    line = json.loads(events.read_text())
    assert line["event"] == event
    assert line["data"]["tool_input"]["content"] == 'a\nb\t"c"'

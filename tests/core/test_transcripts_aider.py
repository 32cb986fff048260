"""The Aider analytics-log parser on a real log written by aider-chat 0.86.2
(tests/fixtures/aider/, see its README), plus damaged and repeated lines."""

from __future__ import annotations

import json

import pytest

from tests.support.paths import FIXTURES
from workspace.adapters.agents.rules import load_rules
from workspace.core.agent import Status, Tokens
from workspace.core.status import Observed
from workspace.core.transcripts.aider import AiderAnalytics
from workspace.core.transcripts.base import Finding, UsageRecord

AIDER = FIXTURES / "aider"
LOG = AIDER / "analytics-0.86.2.jsonl"


def feed(lines: list[str], parser: AiderAnalytics | None = None) -> list[Finding]:
    parser = parser or AiderAnalytics()
    offset = 0
    found: list[Finding] = []
    for line in lines:
        found.extend(parser.feed(line, f"log@{offset}"))
        offset += len(line.encode()) + 1
    return found


def kept(found: list[Finding]) -> dict[str, UsageRecord]:
    out: dict[str, UsageRecord] = {}
    for f in found:
        if isinstance(f, UsageRecord) and (f.key not in out
                                           or f.tokens.total > out[f.key].tokens.total):
            out[f.key] = f
    return out


def test_real_log_two_launches() -> None:
    found = feed(LOG.read_text().splitlines())
    records = list(kept(found).values())
    assert [r.tokens for r in records] == [Tokens(input=900, output=40),
                                           Tokens(input=1000, output=45)]
    # Aider's own cost per request (it resets total_cost per launch; we sum the requests)
    assert [r.cost_usd for r in records] == pytest.approx([0.00212, 0.00236])
    assert all(r.model is None for r in records)  # "openai/REDACTED"
    statuses = [f.status for f in found if isinstance(f, Observed) and f.status]
    assert statuses == [Status.WORKING, Status.WORKING]


def test_read_again_counts_once_and_damage_is_counted() -> None:
    lines = LOG.read_text().splitlines()
    parser = AiderAnalytics()
    damaged = [*lines[:5], "{broken", lines[5][:40], '"a string"', *lines[5:]]
    assert len(kept(feed(damaged, parser))) == 2
    assert parser.skipped == 3
    assert len(kept(feed(lines) + feed(lines))) == 2


def test_known_model_is_kept() -> None:
    line = json.dumps({"event": "message_send", "time": 1795425376, "properties": {
        "main_model": "gpt-4.1", "prompt_tokens": 10, "completion_tokens": 2, "cost": 0.1}})
    (record,) = [f for f in feed([line]) if isinstance(f, UsageRecord)]
    assert record.model == "gpt-4.1"


def test_aider_waiting_screen() -> None:
    screen = (FIXTURES / "panes" / "aider" / "waiting.txt").read_text()
    assert load_rules("aider").classify(screen)[0] == Status.WAITING

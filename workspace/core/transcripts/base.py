"""What a transcript line can tell, and the parser protocol every CLI's parser follows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from workspace.core.agent import Tokens
from workspace.core.status import Observed


@dataclass(frozen=True)
class UsageRecord:
    """Tokens of one model request. Records with the same `key` are one request seen more than
    once (streaming snapshots, resumed sessions replaying history): the largest copy counts."""

    key: str
    model: str | None
    tokens: Tokens
    at: float | None = None
    context_tokens: int | None = None
    """Prompt size of this request (input + cache), for the context-window gauge."""
    context_window: int | None = None
    """The window size, where the CLI records it."""
    cost_usd: float | None = None
    """The CLI's own cost figure for this request, where it records one (opencode, Aider)."""


@dataclass(frozen=True)
class SessionSeen:
    session_id: str | None = None
    cwd: str | None = None
    model: str | None = None


Finding = UsageRecord | Observed | SessionSeen


class TranscriptParser(Protocol):
    """Feed complete lines in file order; `state` survives restarts (stored with the offset)."""

    skipped: int

    def feed(self, line: str, where: str) -> list[Finding]: ...

    def state(self) -> dict[str, object]: ...


def load_json_object(line: str) -> dict[str, object] | None:
    """The JSON object on a line, or None for blank, malformed or non-object lines."""
    text = line.strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def parse_time(value: object) -> float | None:
    """Epoch seconds from an ISO-8601 string (with Z or offset) or an epoch number (s or ms)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) / 1000.0 if value > 1e11 else float(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def as_int(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, float):
        return max(int(value), 0)
    return 0


def get_dict(obj: dict[str, object], key: str) -> dict[str, object]:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


class JsonLines:
    """What every parser shares: one JSON object per line, a count of the lines that were not
    one (malformed, truncated, huge), and the session id and model seen last, all kept in
    `state()` so they survive a restart with the offset."""

    def __init__(self, state: dict[str, object] | None = None) -> None:
        state = state or {}
        skipped = state.get("skipped", 0)
        self.skipped = skipped if isinstance(skipped, int) else 0
        self._session = str(state.get("session", ""))
        model = state.get("model")
        self._model = model if isinstance(model, str) and model else None

    def state(self) -> dict[str, object]:
        return {"skipped": self.skipped, "session": self._session, "model": self._model}

    def _load(self, line: str) -> dict[str, object] | None:
        """The line's JSON object; a non-blank line that is not one is counted as skipped."""
        record = load_json_object(line)
        if record is None and line.strip():
            self.skipped += 1
        return record

"""Demo agents' turn ends, from their own record: each turn that ends appends a Claude-style
`Stop` hook event, with the time it was written (`at`), to <state>/agents/<id>/events.jsonl.
What a benchmark times from a turn's end starts there, not at the moment workspace noticed."""

from __future__ import annotations

import json
from bisect import bisect_right
from pathlib import Path

from workspace.adapters.agents.base import AgentPaths
from workspace.adapters.tail import read_new_lines


def events_file(state_dir: Path, agent_id: str) -> Path:
    return AgentPaths.under(state_dir, agent_id).events


def _stop_at(line: str) -> float | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("event") != "Stop":
        return None
    at = record.get("at")
    return float(at) if isinstance(at, int | float) else None


def stop_times(events: Path) -> list[float]:
    """When each of the agent's turns ended, oldest first."""
    chunk = read_new_lines(events, 0)
    return [at for line, _ in chunk.lines if (at := _stop_at(line)) is not None]


class TurnWatcher:
    """The agents whose turn ended since the last look (read incrementally from offsets)."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files
        self.offsets = dict.fromkeys(files, 0)
        self.ends = 0
        for name in files:
            self.ended_now(name)  # what is already there is not new

    def ended_now(self, name: str) -> bool:
        chunk = read_new_lines(self.files[name], self.offsets[name])
        self.offsets[name] = chunk.offset
        stops = sum(1 for line, _ in chunk.lines if _stop_at(line) is not None)
        self.ends += stops
        return stops > 0

    def ended(self) -> list[str]:
        return [name for name in self.files if self.ended_now(name)]


def pair(ends: list[float], starts: list[float]) -> tuple[list[tuple[float, float]], int]:
    """(turn end, latency to the start that answered it) pairs, and how many starts had no
    turn end of their own before them. A start answers the latest end since the start before
    it (a turn end is answered once; one not answered before the next is a turn end missed)."""
    ends = sorted(ends)
    latencies: list[tuple[float, float]] = []
    orphans = 0
    previous = float("-inf")
    for start in sorted(starts):
        i = bisect_right(ends, start) - 1
        if i >= 0 and ends[i] > previous:
            latencies.append((ends[i], start - ends[i]))
        else:
            orphans += 1
        previous = start
    return latencies, orphans


def missed(ends: list[float], starts: list[float], until: float) -> int:
    """Turn ends before `until` that no start answered: none came before the next turn end."""
    ends, starts = sorted(ends), sorted(starts)
    count = 0
    for i, end in enumerate(ends):
        if end >= until:
            break
        nxt = bisect_right(starts, end)
        answered_by = starts[nxt] if nxt < len(starts) else None
        next_end = ends[i + 1] if i + 1 < len(ends) else None
        if answered_by is None or (next_end is not None and next_end < answered_by):
            count += 1
    return count

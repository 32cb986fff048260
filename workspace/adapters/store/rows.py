"""What a poll tick reads of every agent at once: each agent's row with its state and launch
record as stored, and the state's counters at that moment (so that a later step can tell the
rows are still as stored and need not be read again)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from workspace.core.agent import Agent
from workspace.core.status import StatusState


@dataclass(frozen=True)
class AgentRow:
    """What a poll tick reads of an agent beside the Agent itself, from the same query."""

    state: StatusState
    stored: str
    """Its state as stored: a tick's write expects it still so (`Store.set_states`)."""
    launch: str
    """Its launch record as stored (JSON), read only where a first prompt may wait."""

    def launch_record(self) -> dict[str, object]:
        value = json.loads(self.launch)
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class RowsRead:
    """Every agent's row (`Store.rows_read`), and the connection's write count and the
    database's data version when they were read (`Store.still`)."""

    rows: list[tuple[Agent, AgentRow]]
    changes: int
    version: int


def with_state(agent: Agent, state: StatusState) -> Agent:
    """The agent as its row reads once `state` is written (what `Store._agent` takes from a
    row's state)."""
    return replace(agent, status=state.status, status_since=state.since,
                   status_reason=state.reason, problem=state.place)

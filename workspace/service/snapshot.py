"""What one poll tick produces: the snapshot the UI renders and `ls` prints, and which of its
agents wait for the autopilot rather than the person."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from workspace.core.agent import Agent, Status, Tokens

if TYPE_CHECKING:
    from workspace.core.tasks.model import Task


@dataclass(frozen=True)
class Snapshot:
    """What the UI renders: immutable, produced by one tick."""

    at: float
    agents: tuple[Agent, ...]
    screens: dict[str, str] = field(default_factory=dict)
    """Latest screen (with colours) per agent id, for the ones seen so far."""
    server_running: bool = True
    cursors: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Where the cursor was on each of those screens: (column, line of the screen's text)."""
    plans: dict[str, str] = field(default_factory=dict)
    """Agent id -> the plan it works for (its task's plan, or the plan it plans)."""
    titles: dict[str, str] = field(default_factory=dict)
    """Task and plan id -> its title (a plan's goal), for the tasks and plans agents work on."""
    verdicts: dict[str, dict[str, str]] = field(default_factory=dict)
    """Agent id -> the judge's last verdict on its task (shown beside its diff)."""

    @property
    def needs_you(self) -> int:
        return sum(1 for a in self.agents if a.needs_you)

    @property
    def tokens(self) -> Tokens:
        total = Tokens()
        for a in self.agents:
            total = total + a.tokens
        return total

    @property
    def cost_usd(self) -> float | None:
        costs = [a.cost_usd for a in self.agents if a.cost_usd is not None]
        return sum(costs) if costs else None

    def by_id(self, agent_id: str) -> Agent | None:
        for a in self.agents:
            if a.id == agent_id:
                return a
        return None


def autopilot_turns(agents: list[Agent], tasks: Mapping[str, Task]) -> list[Agent]:
    """With the autopilot running: the agents waiting for it rather than the person, marked.
    A task's agent whose turn ended while its task is under way (running, checking, merging):
    the autopilot acts next, so it is not told, counted or listed as needing the person."""
    return [replace(a, autopilot=True) if a.status == Status.WAITING and
            (task := tasks.get(a.task_id or "")) is not None and task.state.active else a
            for a in agents]

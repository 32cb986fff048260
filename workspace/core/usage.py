"""Usage that outlives its agents: the figures of many requests summed, grouped for
`workspace usage` and totalled for the header (today's and the whole workspace's). Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, get_args

from workspace.core.agent import Tokens
from workspace.core.errors import UsageError

GroupBy = Literal["day", "preset", "agent", "task"]
GROUPS: tuple[str, ...] = get_args(GroupBy)
NO_TASK = "(no task)"


@dataclass(frozen=True)
class Figures:
    """What some requests used and cost. `cost_usd` sums the priced ones (None when none
    was); `unpriced` counts those with tokens but no price (a model genai-prices does not
    know)."""

    tokens: Tokens = field(default_factory=Tokens)
    cost_usd: float | None = None
    requests: int = 0
    unpriced: int = 0

    def __add__(self, other: Figures) -> Figures:
        costs = [c for c in (self.cost_usd, other.cost_usd) if c is not None]
        return Figures(self.tokens + other.tokens, sum(costs) if costs else None,
                       self.requests + other.requests, self.unpriced + other.unpriced)

    def as_dict(self) -> dict[str, object]:
        return {"tokens": self.tokens.as_dict(), "cost_usd": self.cost_usd,
                "requests": self.requests, "unpriced_requests": self.unpriced}


@dataclass(frozen=True)
class UsageSummary:
    """The header's figures: since local midnight, and ever, ended agents included."""

    today: Figures
    all: Figures


@dataclass(frozen=True)
class UsageRow:
    """One agent's requests on one local day."""

    day: str
    """YYYY-MM-DD, local time."""
    agent_id: str
    agent: str
    preset: str
    task_id: str | None
    ended: bool
    """Killed or cleaned up: its row is gone, its usage is not."""
    figures: Figures


@dataclass(frozen=True)
class UsageGroup:
    key: str
    figures: Figures
    agents: tuple[str, ...] = ()
    """The agents whose requests are in it, by name."""
    ended: bool = False
    """--by agent: the agent was killed or cleaned up."""
    preset: str = ""
    task: str = ""


def key_of(row: UsageRow, by: GroupBy) -> str:
    match by:
        case "day":
            return row.day
        case "preset":
            return row.preset
        case "agent":
            return row.agent
        case "task":
            return row.task_id or NO_TASK


def group(rows: list[UsageRow], by: GroupBy) -> list[UsageGroup]:
    """The rows summed per day (oldest first), or per preset, agent or task (the costliest
    first, then by name)."""
    sums: dict[str, Figures] = {}
    names: dict[str, list[str]] = {}
    last: dict[str, UsageRow] = {}
    for row in rows:
        key = key_of(row, by)
        sums[key] = sums.get(key, Figures()) + row.figures
        if row.agent not in names.setdefault(key, []):
            names[key].append(row.agent)
        last[key] = row
    out = [UsageGroup(key, sums[key], tuple(names[key]),
                      ended=by == "agent" and last[key].ended,
                      preset=last[key].preset if by == "agent" else "",
                      task=(last[key].task_id or "") if by == "agent" else "")
           for key in sums]
    if by == "day":
        return sorted(out, key=lambda g: g.key)
    return sorted(out, key=lambda g: (-(g.figures.cost_usd or 0.0), -g.figures.tokens.total,
                                      g.key))


def total(rows: list[UsageRow]) -> Figures:
    out = Figures()
    for row in rows:
        out = out + row.figures
    return out



def check_budget(usd: float | None, flag: str = "--budget") -> None:
    """A budget is a finite amount above 0 (nan compares false with everything, so `<= 0`
    alone let it through, and a nan budget is never reached)."""
    if usd is not None and not (math.isfinite(usd) and usd > 0):
        raise UsageError(f"{flag} must be more than 0 (USD)")

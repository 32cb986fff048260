"""What the workspace's agents used and cost, ended ones included: the header's totals (today,
ever) and `workspace usage` (per day, preset, agent or task, since a date). Usage records stay
in the state when their agent is killed or cleaned up (store/agents.py `delete_agent`)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from workspace.core.errors import UsageError
from workspace.core.usage import GROUPS, Figures, GroupBy, UsageGroup, UsageSummary, group, total
from workspace.service.context import Context


@dataclass(frozen=True)
class UsageReport:
    by: GroupBy
    since: float | None
    groups: tuple[UsageGroup, ...]
    total: Figures


def local_midnight(now: float) -> float:
    """The start of the local day holding `now`."""
    day = time.localtime(now)
    return time.mktime((day.tm_year, day.tm_mon, day.tm_mday, 0, 0, 0, 0, 0, -1))


def parse_since(text: str) -> float:
    """`--since DATE`: YYYY-MM-DD, or YYYYMMDD as ccusage takes it; from local midnight."""
    for form in ("%Y-%m-%d", "%Y%m%d"):
        try:
            day = time.strptime(text.strip(), form)
        except ValueError:
            continue
        return time.mktime((day.tm_year, day.tm_mon, day.tm_mday, 0, 0, 0, 0, 0, -1))
    raise UsageError(f"--since {text!r} is not a date; give it as YYYY-MM-DD, like 2026-08-01")


class Usage:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def summary(self, now: float | None = None) -> UsageSummary:
        """Today's (since local midnight) and the whole workspace's totals: one query."""
        return self.ctx.store.usage.summary(local_midnight(time.time() if now is None else now))

    def report(self, by: str = "day", since: str | None = None) -> UsageReport:
        if by not in GROUPS:
            raise UsageError(f"--by {by!r}: choose one of {', '.join(GROUPS)}")
        start = parse_since(since) if since else None
        rows = self.ctx.store.usage.rows(start)
        key: GroupBy = by  # type: ignore[assignment]  # checked against GROUPS above
        return UsageReport(key, start, tuple(group(rows, key)), total(rows))

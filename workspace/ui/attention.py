"""Who needs the person, in the order they started needing them, and what to tell them about
it: the agents that start needing the person within a moment are told in one line (`5 need
you: 3 permission, 2 waiting`), not one toast each. Pure (no Textual): the Attention widget
feeds it snapshots and asks when to speak.
"""

from __future__ import annotations

from dataclasses import dataclass

from workspace.core import format as fmt
from workspace.core.agent import Agent, Status

WINDOW = 1.5
"""Seconds to wait after the first agent starts needing the person, for others to join it."""
GAP = 5.0
"""Seconds at least between two lines (a toast stays 6 s: at most two at once)."""

SHORT = {
    Status.NEEDS_PERMISSION: "permission",
    Status.WAITING: "waiting",
    Status.STUCK: "stuck",
    Status.RATE_LIMITED: "rate limited",
    Status.ERROR: "error",
    Status.CRASHED: "crashed",
}


@dataclass(frozen=True)
class Need:
    agent_id: str
    name: str
    status: Status
    reason: str
    since: float


class AttentionLog:
    def __init__(self, window: float = WINDOW, gap: float = GAP) -> None:
        self.window = window
        self.gap = gap
        self.since: dict[str, float] = {}
        """Agent id -> when it started needing the person (without a break since)."""
        self.needs: dict[str, Need] = {}
        self._news: dict[str, float] = {}
        """Agents that started needing the person since the last line, and when."""
        self._first = True
        self._last_told = float("-inf")

    def seen(self, agents: tuple[Agent, ...] | list[Agent], now: float) -> None:
        """A new snapshot. The first one's needs are no news (they were there before)."""
        current: dict[str, Need] = {}
        for a in agents:
            if not a.status.needs_you:
                continue
            if a.id not in self.since:
                self.since[a.id] = (a.status_since or now) if self._first else now
                if not self._first:
                    self._news[a.id] = now
            current[a.id] = Need(a.id, a.name, a.status, a.status_reason, self.since[a.id])
        for gone in set(self.since) - set(current):
            del self.since[gone]
            self._news.pop(gone, None)
        self.needs = current
        self._first = False

    def order(self) -> list[Need]:
        """Who needs the person, longest first."""
        return sorted(self.needs.values(), key=lambda n: (n.since, n.name))

    def due_at(self) -> float | None:
        """When the next line is due (None: nothing to say)."""
        if not self._news:
            return None
        return max(min(self._news.values()) + self.window, self._last_told + self.gap)

    def take(self, now: float) -> list[Need]:
        """The news, if due: who started needing the person since the last line."""
        due = self.due_at()
        if due is None or now < due:
            return []
        news = [self.needs[i] for i in sorted(self._news, key=lambda i: self._news[i])
                if i in self.needs]
        self._news.clear()
        self._last_told = now
        return news


def say(news: list[Need]) -> str:
    """One line for the news: `fix-login needs permission: wants to use Bash` for one,
    `5 need you: 3 permission, 2 waiting` for several."""
    if len(news) == 1:
        n = news[0]
        return f"{n.name} {fmt.STATUS_LABEL[n.status]}" + (f": {n.reason}" if n.reason else "")
    counts: dict[Status, int] = {}
    for n in news:
        counts[n.status] = counts.get(n.status, 0) + 1
    parts = [f"{count} {SHORT[status]}" for status, count in
             sorted(counts.items(), key=lambda kv: (-kv[1], list(SHORT).index(kv[0])))]
    return f"{len(news)} need you: {', '.join(parts)}"

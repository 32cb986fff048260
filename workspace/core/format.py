"""How figures read on screen and in `workspace ls`. Pure."""

from __future__ import annotations

from workspace.core.agent import Agent, DiffStat, Status

STATUS_GLYPH = {
    Status.STARTING: "◌",
    Status.WORKING: "●",
    Status.NEEDS_PERMISSION: "◆",
    Status.WAITING: "◉",
    Status.PAUSED: "‖",
    Status.STUCK: "▲",
    Status.RATE_LIMITED: "◷",
    Status.ERROR: "✖",
    Status.EXITED: "○",
    Status.CRASHED: "✖",
    Status.MERGED: "✔",
}

STATUS_LABEL = {
    Status.STARTING: "starting",
    Status.WORKING: "working",
    Status.NEEDS_PERMISSION: "needs permission",
    Status.WAITING: "waiting for you",
    Status.PAUSED: "paused",
    Status.STUCK: "stuck",
    Status.RATE_LIMITED: "rate limited",
    Status.ERROR: "error",
    Status.EXITED: "exited",
    Status.CRASHED: "crashed",
    Status.MERGED: "merged",
}


SETUP_REASON = "setup: "
"""How a spawn's status reason starts while it prepares the worktree (service/setup.py)."""


def status_label(agent: Agent) -> str:
    """The status as a row and `ls` say it: `starting (setup)` while the worktree is being
    prepared, before the agent starts."""
    if agent.status == Status.STARTING and agent.status_reason.startswith(SETUP_REASON):
        return "starting (setup)"
    return STATUS_LABEL[agent.status]


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 file`, `3 files`; `many` for words whose plural is not word + s."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def listing(items: tuple[str, ...] | list[str], limit: int = 5) -> str:
    """`a, b, c and 4 more`: a list cut to `limit` items for a one-line message."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def tokens(n: int) -> str:
    """One rule for every size, rounded half up: a decimal below 100 of a unit, none above
    (12,800 -> 12.8k, 128,400 -> 128k, 2,345,678 -> 2.3M); what rounds to 1000k is 1.0M."""
    if n < 1000:
        return str(n)
    unit, size = ("k", 1_000) if (n + 500) // 1_000 < 1000 else ("M", 1_000_000)
    tenths = (10 * n + size // 2) // size  # integers: no float rounding surprises
    if tenths < 1000:
        return f"{tenths // 10}.{tenths % 10}{unit}"
    return f"{(n + size // 2) // size}{unit}"


def cost(usd: float | None) -> str:
    if usd is None:
        return "—"
    if usd < 10:
        return f"${usd:.2f}"
    return f"${usd:,.0f}" if usd >= 1000 else f"${usd:.1f}"


def age(seconds: float) -> str:
    s = max(int(seconds), 0)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600}h"


def diff(stat: DiffStat) -> str:
    if stat.files == 0:
        return "—"
    return f"+{stat.added} -{stat.removed}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"

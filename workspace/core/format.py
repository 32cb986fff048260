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


def cut_middle(text: str, width: int, head: int | None = None) -> str:
    """`text` in `width` characters: its middle gives way to `…` (its end stays, where names
    of a batch differ). `head`: how many characters of its start to keep."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    keep = width - 1
    first = keep - keep // 2 if head is None else max(0, min(head, keep))
    return text[:first] + "…" + text[len(text) - (keep - first):]


def short_names(names: list[str] | tuple[str, ...], width: int) -> dict[str, str]:
    """Each name in `width` characters, cut in the middle (`cut_middle`) where it must be, at
    the place that keeps it apart from the others: `add-input-validation-to-1` and `-2` keep
    their ends, `fix-a-very-long-thing` and `fix-b-very-long-thing` their starts."""
    unique = list(dict.fromkeys(names))
    shown: dict[str, str] = {}
    for name in unique:
        if len(name) <= width:
            shown[name] = name
            continue
        keep = width - 1
        # For each other name: its common start and common end with this one. The cut keeps
        # this name apart from it if the kept start reaches past the common start, or the
        # kept end past the common end.
        spans = [(_common_start(name, other), _common_end(name, other))
                 for other in unique if other != name]
        default = keep - keep // 2
        best, best_score = default, -1
        for head in sorted(range(1, keep), key=lambda h: (abs(h - default), -h)):
            tail = keep - head
            score = sum(1 for start, end in spans if head > start or tail > end)
            if score > best_score:
                best, best_score = head, score
                if score == len(spans):
                    break
        shown[name] = cut_middle(name, width, best)
    return shown


def _common_start(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_end(a: str, b: str) -> int:
    return _common_start(a[::-1], b[::-1])

"""What a running TUI costs over a window: CPU (from /proc/<pid>/stat, percent of one core), peak
RSS, the tmux processes it starts per second, and a tmux server's CPU over the same window."""

from __future__ import annotations

import time
from dataclasses import dataclass

from benchmarks.harness.procstat import CLK_TCK, cpu_ticks, rss_mb
from benchmarks.harness.shim import shim_count
from benchmarks.harness.tui import Tui


@dataclass
class TuiResult:
    agents: int
    state: str
    window_s: float
    cpu_pct: float
    """The TUI process's own user+system time, percent of one core."""
    cpu_children_pct: float
    """Plus the children it reaped in the window (its tmux and git client processes)."""
    rss_mb: float
    """Largest RSS sampled in the window."""
    tmux_per_s: float
    """tmux client processes the TUI started per second (counted by the shim)."""
    server_cpu_pct: float
    """The workspace's private tmux server over the same window (0 when none runs)."""


def measure_tui(tui: Tui, agents: int, state: str, window: float,
                server: int | None) -> TuiResult:
    own0, kids0 = cpu_ticks(tui.pid)
    srv0 = cpu_ticks(server)[0] if server else 0
    calls0 = shim_count(tui.log)
    start = time.monotonic()
    peak = rss_mb(tui.pid)
    while time.monotonic() - start < window:
        time.sleep(min(1.0, max(0.0, window - (time.monotonic() - start))))
        peak = max(peak, rss_mb(tui.pid))
    elapsed = time.monotonic() - start
    own1, kids1 = cpu_ticks(tui.pid)
    srv1 = cpu_ticks(server)[0] if server else 0
    calls = shim_count(tui.log) - calls0

    def pct(ticks: int) -> float:
        return 100.0 * ticks / CLK_TCK / elapsed

    return TuiResult(agents, state, round(elapsed, 1), pct(own1 - own0),
                     pct(own1 - own0 + kids1 - kids0), peak, calls / elapsed, pct(srv1 - srv0))


def format_tui(results: list[TuiResult], number: int = 2,
               program: str = "python -m workspace") -> list[str]:
    """The report's section: a heading, then one row per result."""
    out = [
        f"{number}. The TUI ({program}) over the window: CPU % of one core (own / with",
        "   reaped children), peak RSS, tmux processes it started per second, and the",
        "   private tmux server's CPU % over the same window.",
        "",
        f"{'agents':>6} {'state':<9}| {'CPU %':>6} {'+kids %':>8} | {'RSS MB':>7} | "
        f"{'tmux/s':>6} | {'server %':>8}",
    ]
    for u in results:
        out.append(
            f"{u.agents:>6} {u.state:<9}| {u.cpu_pct:>6.1f} {u.cpu_children_pct:>8.1f} | "
            f"{u.rss_mb:>7.0f} | {u.tmux_per_s:>6.1f} | {u.server_cpu_pct:>8.1f}"
        )
    return out

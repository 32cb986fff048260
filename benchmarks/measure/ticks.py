"""Poll ticks: tmux client processes and wall time of one `Workspace.refresh()`, next to the
naive poll peers use (per agent, one `has-session` and one `capture-pane` process). Processes are
counted twice: by `Tmux.calls`, and independently by the tmux shim."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field

from benchmarks.harness.fleet import Fleet
from benchmarks.harness.sandbox import BenchSandbox
from benchmarks.harness.shim import shim_count
from benchmarks.harness.stats import median, percentile
from workspace.service import Workspace


@dataclass
class TickResult:
    agents: int
    state: str
    """'idle' (every agent waits at its prompt) or 'printing' (every agent's spinner runs)."""
    ours_calls: list[int] = field(default_factory=list)
    """Tmux.calls delta per refresh() (direct tmux)."""
    ours_shim: list[int] = field(default_factory=list)
    """tmux invocations logged by the shim per refresh() (a second Workspace using the shim)."""
    ours_shim_calls: list[int] = field(default_factory=list)
    """Tmux.calls delta of that second Workspace, to cross-check the shim."""
    ours_ms: list[float] = field(default_factory=list)
    """Wall time of refresh() with the real tmux binary (no shim overhead)."""
    naive_calls: list[int] = field(default_factory=list)
    naive_shim: list[int] = field(default_factory=list)
    naive_ms: list[float] = field(default_factory=list)
    changing: list[int] = field(default_factory=list)
    """Panes whose screen differed from the previous naive capture (proof they print)."""

    def summary(self) -> dict[str, float]:
        ours_procs = float(max(self.ours_shim + self.ours_calls, default=0))
        naive_procs = median([float(x) for x in self.naive_shim])
        ours_ms, naive_ms = median(self.ours_ms), median(self.naive_ms)
        return {
            "ours_procs_max": ours_procs,
            "ours_procs_median": median([float(x) for x in self.ours_shim]),
            "ours_ms_median": ours_ms,
            "ours_ms_p95": percentile(self.ours_ms, 95),
            "naive_procs_median": naive_procs,
            "naive_ms_median": naive_ms,
            "naive_ms_p95": percentile(self.naive_ms, 95),
            "ratio_procs": naive_procs / max(median([float(x) for x in self.ours_shim]), 1.0),
            "ratio_ms": naive_ms / ours_ms if ours_ms else float("nan"),
            "changing_median": median([float(x) for x in self.changing]),
        }


def naive_tick(tmux_bin: str, socket: str, sessions: list[tuple[str, str]]) -> dict[str, str]:
    """What claude-squad and agent-deck do per agent and tick: is the session there, and what
    is on its screen, each in its own tmux process."""
    screens: dict[str, str] = {}
    for session, _ in sessions:
        alive = subprocess.run([tmux_bin, "-L", socket, "has-session", "-t", f"={session}"],
                               capture_output=True)
        if alive.returncode != 0:
            continue
        shot = subprocess.run([tmux_bin, "-L", socket, "capture-pane", "-p", "-e", "-J", "-t",
                               f"={session}:"], capture_output=True, text=True)
        screens[session] = shot.stdout
    return screens


def measure_ticks(box: BenchSandbox, fleet: Fleet, direct: Workspace, shimmed: Workspace,
                  state: str, ticks: int, interval: float, warmup: int = 2) -> TickResult:
    """`ticks` rounds, `interval` apart, each: ours (timed), naive (timed), ours through the
    shim, naive through the shim. `shimmed` is a second workspace on the same server."""
    result = TickResult(len(fleet.sessions), state)
    socket = direct.ctx.tmux.socket_name
    previous: dict[str, str] | None = None
    next_at = time.monotonic()
    for i in range(warmup + ticks):
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        next_at = time.monotonic() + interval
        record = i >= warmup

        calls = direct.ctx.tmux.calls
        start = time.perf_counter()
        direct.refresh()
        ours_ms = (time.perf_counter() - start) * 1000
        ours_calls = direct.ctx.tmux.calls - calls

        start = time.perf_counter()
        screens = naive_tick(box.real_tmux, socket, fleet.sessions)
        naive_ms = (time.perf_counter() - start) * 1000
        changing = 0
        if previous is not None:
            changing = sum(1 for s, text in screens.items() if previous.get(s) != text)
        previous = screens

        before, calls = shim_count(box.bench_log), shimmed.ctx.tmux.calls
        shimmed.refresh()
        ours_shim = shim_count(box.bench_log) - before
        ours_shim_calls = shimmed.ctx.tmux.calls - calls

        before = shim_count(box.bench_log)
        naive_tick(str(box.shim), socket, fleet.sessions)
        naive_shim = shim_count(box.bench_log) - before

        if record:
            result.ours_calls.append(ours_calls)
            result.ours_ms.append(ours_ms)
            result.ours_shim.append(ours_shim)
            result.ours_shim_calls.append(ours_shim_calls)
            result.naive_calls.append(2 * len(screens))
            result.naive_ms.append(naive_ms)
            result.naive_shim.append(naive_shim)
            result.changing.append(changing)
    return result


def format_ticks(results: list[TickResult], number: int = 1) -> list[str]:
    """The report's section: a heading, then one row per result."""
    out = [
        f"{number}. Poll tick: tmux client processes and wall time per tick (ours = "
        "Workspace.refresh();",
        "   naive = has-session + capture-pane per agent). procs: max counted by Tmux.calls and",
        "   by the tmux shim / median counted by the shim. ms: median / p95, real tmux.",
        "",
        f"{'agents':>6} {'state':<9}| {'ours procs':>10} {'ours ms':>13} | {'naive procs':>11} "
        f"{'naive ms':>15} | {'procs x':>7} {'ms x':>6} | {'changing':>8}",
    ]
    for t in results:
        s = t.summary()
        ours = (f"{s['ours_procs_max']:>4.0f} / {s['ours_procs_median']:<3.0f}  "
                f"{s['ours_ms_median']:>6.1f} / {s['ours_ms_p95']:<5.1f}")
        naive = (f"{s['naive_procs_median']:>11.0f} {s['naive_ms_median']:>7.1f} / "
                 f"{s['naive_ms_p95']:<6.1f}")
        out.append(f"{t.agents:>6} {t.state:<9}| {ours}| {naive}| {s['ratio_procs']:>7.0f} "
                   f"{s['ratio_ms']:>6.1f} | {s['changing_median']:>8.0f}")
    return out

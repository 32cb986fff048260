"""What the autopilot costs (benchmarks/autopilot_bench.py): the result types, their summary
per [tasks] interval, and the report's sections."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from benchmarks.harness.procstat import CpuReading
from benchmarks.harness.report import machine_line
from benchmarks.harness.stats import median, percentile

LATENCY_BUDGET_S = 1.0
"""Median from an agent's turn ending to its check starting (the tasks issue)."""
CPU_BUDGET_PCT = 3.0
"""The autopilot's own CPU, percent of one core, at 30 running agents."""


@dataclass
class Window:
    kind: str
    """"autopilot", or "floor" (a bare refresh loop, no autopilot)."""
    interval: float
    round: int
    agents: int
    cpu: CpuReading
    turn_ends: int
    """Turn ends (Stop events) of all agents within the window."""
    checks: int = 0
    ended_early: bool = False
    """A task's check passed before the window's end: the window stopped there."""
    loadavg: str = ""


@dataclass
class Latency:
    interval: float
    round: int
    to_check_s: list[float] = field(default_factory=list)
    """Turn end to the check's own start, every attempt."""
    to_checking_s: list[float] = field(default_factory=list)
    """Turn end to the autopilot's `checking` record."""
    steady_s: list[float] = field(default_factory=list)
    """`to_check_s` of the turns that ended inside the CPU window (all agents running)."""
    orphans: int = 0
    """Checks with no turn end of their own before them."""
    missed: int = 0
    """Turn ends the autopilot never answered with a check."""
    states: dict[str, int] = field(default_factory=dict)
    attempts: list[int] = field(default_factory=list)


@dataclass
class Cost:
    """One process's figures at one interval: medians over the rounds (RSS: the largest)."""

    cpu_pct: float
    main_thread_pct: float
    cpu_children_pct: float
    rss_mb: float
    turn_ends_per_s: float
    machine_cores: float
    window_s: float

    @classmethod
    def of(cls, windows: list[Window]) -> Cost:
        return cls(median([w.cpu.cpu_pct for w in windows]),
                   median([w.cpu.main_thread_pct for w in windows]),
                   median([w.cpu.cpu_children_pct for w in windows]),
                   max((w.cpu.rss_mb for w in windows), default=float("nan")),
                   median([w.turn_ends / w.cpu.window_s for w in windows]),
                   median([w.cpu.machine_cores for w in windows]),
                   median([w.cpu.window_s for w in windows]))


@dataclass
class Summary:
    """Per interval: latency pooled over the rounds, CPU the median over them."""

    interval: float
    attempts: int
    median_s: float
    p95_s: float
    max_s: float
    steady_median_s: float
    steady_p95_s: float
    tick_median_s: float
    tick_p95_s: float
    missed: int
    orphans: int
    autopilot: Cost
    floor: Cost

    @property
    def latency_met(self) -> bool:
        return self.median_s <= LATENCY_BUDGET_S

    @property
    def cpu_met(self) -> bool:
        return self.autopilot.cpu_pct < CPU_BUDGET_PCT


def summarize(windows: list[Window], latency: list[Latency]) -> list[Summary]:
    out: list[Summary] = []
    for interval in sorted({w.interval for w in windows}):
        lats = [lat for lat in latency if lat.interval == interval]
        every = [s for lat in lats for s in lat.to_check_s]
        steady = [s for lat in lats for s in lat.steady_s]
        tick = [s for lat in lats for s in lat.to_checking_s]

        def of(kind: str, interval: float = interval) -> Cost:
            return Cost.of([w for w in windows if w.interval == interval and w.kind == kind])

        out.append(Summary(
            interval, len(every), median(every), percentile(every, 95),
            max(every, default=float("nan")), median(steady), percentile(steady, 95),
            median(tick), percentile(tick, 95), sum(lat.missed for lat in lats),
            sum(lat.orphans for lat in lats), of("autopilot"), of("floor")))
    return out


@dataclass
class Report:
    started: str
    machine: dict[str, str]
    settings: dict[str, object]
    windows: list[Window] = field(default_factory=list)
    latency: list[Latency] = field(default_factory=list)
    sandbox: list[str] = field(default_factory=list)
    """Temp dirs the run made (all removed at the end)."""
    profiles: list[dict[str, object]] = field(default_factory=list)
    """With --profile: per window, (percent, frame) of the autopilot's main thread."""

    def to_json(self) -> dict[str, object]:
        return {**asdict(self),
                "summary": [asdict(s) for s in summarize(self.windows, self.latency)]}


def format_report(report: Report, agents: int) -> str:
    rows = summarize(report.windows, report.latency)
    out = [machine_line("autopilot_bench", report.started, report.machine), "",
           f"1. Turn end -> check start, {agents} agents, seconds: from the demo agent's Stop",
           "   event to the check's own first line, every attempt; 'steady': the turns that",
           "   ended in the CPU window (all agents running); 'tick': to the autopilot's",
           "   `checking` record instead",
           "",
           f"{'interval':>8} | {'n':>4} {'median':>7} {'p95':>6} {'max':>6} | "
           f"{'steady med':>10} {'p95':>6} | {'tick med':>8} {'p95':>6} | {'missed':>6}"]
    for r in rows:
        out.append(f"{r.interval:>8g} | {r.attempts:>4} {r.median_s:>7.2f} {r.p95_s:>6.2f} "
                   f"{r.max_s:>6.2f} | {r.steady_median_s:>10.2f} {r.steady_p95_s:>6.2f} | "
                   f"{r.tick_median_s:>8.2f} {r.tick_p95_s:>6.2f} | {r.missed:>6}")
    out += ["", f"2. CPU % of one core over the window, {agents} agents working: the autopilot",
            "   against the floor (a bare Workspace.refresh() loop at the same interval, the",
            "   same agents kept working); own, of which its main thread (the loop: refresh",
            "   and tick; the rest is the threads of checks and messages), and with reaped",
            "   children (checks, git, tmux); peak RSS; turn ends per second; cores the",
            "   whole machine kept busy",
            "",
            f"{'interval':>8} {'process':<9}| {'CPU %':>6} {'main %':>6} {'+kids %':>8} | "
            f"{'RSS MB':>6} | {'ends/s':>6} | {'machine':>7} | {'window s':>8}"]
    for r in rows:
        for kind, c in (("autopilot", r.autopilot), ("floor", r.floor)):
            out.append(f"{r.interval:>8g} {kind:<9}| {c.cpu_pct:>6.1f} "
                       f"{c.main_thread_pct:>6.1f} {c.cpu_children_pct:>8.1f} | {c.rss_mb:>6.0f} | "
                       f"{c.turn_ends_per_s:>6.1f} | {c.machine_cores:>7.2f} | "
                       f"{c.window_s:>8.1f}")
    out += ["", f"3. Budgets (the tasks issue): median turn end -> check start <= "
                f"{LATENCY_BUDGET_S:g} s; the autopilot's own CPU < {CPU_BUDGET_PCT:g}% of "
                "one core", ""]
    for r in rows:
        own = r.autopilot.cpu_pct
        out.append(f"interval {r.interval:g}: latency median {r.median_s:.2f} s "
                   f"{'met' if r.latency_met else 'NOT met'}; own CPU {own:.1f}% "
                   f"{'met' if r.cpu_met else 'NOT met'} (floor {r.floor.cpu_pct:.1f}%: "
                   f"{own - r.floor.cpu_pct:+.1f} points beyond polling)")
    out.append("")
    for lat in report.latency:
        attempts = median([float(a) for a in lat.attempts])
        out.append(f"interval {lat.interval:g} round {lat.round}: tasks {lat.states}, "
                   f"attempts per task (median) {attempts:.0f}, checks with no turn end "
                   f"{lat.orphans}")
    for prof in report.profiles:
        out += ["", f"Profile (py-spy, wall time of the autopilot's main thread), interval "
                    f"{prof['interval']}, round {prof['round']}:"]
        shares = prof["main_thread"]
        assert isinstance(shares, list)
        out += [f"  {pct:5.1f}%  {frame}" for pct, frame in shares]
    return "\n".join(out)

"""Poll-cost and TUI benchmark for the budgets of DESIGN.md §5.

    python benchmarks/poll_bench.py [--agents 10 50 100] [--ticks 20] [--json out.json]

In one run, against the same panes, for each N:

1. poll ticks: tmux client processes and wall time of one `Workspace.refresh()`, next to the
   naive poll peers use (per agent, one `has-session` and one `capture-pane` process), with N
   demo agents idle at their prompt and with N demo agents printing (a spinner, 10 frames/s).
   Processes are counted twice: by `Tmux.calls`, and independently by a `tmux` shim that logs
   every invocation and execs the real tmux (measure/ticks.py);
2. the real TUI (`python -m workspace`, in a pane of a throwaway tmux server): CPU over a window
   (from /proc/<pid>/stat, as percent of one core) and RSS, with the agents idle and printing
   (measure/tui_cost.py);
3. key-press latency: send-keys `?` to the TUI, then capture-pane until the help is drawn;
   median and p95 with N agents printing, and the ratio to the same TUI with 0 agents
   (measure/key_latency.py).

Everything runs in a sandbox (temp HOME, XDG dirs, TMUX_TMPDIR, git repository; see
harness/sandbox.py); every tmux server, process and temp dir it made is removed at the end,
also on Ctrl-C or an error. The figures vary with the machine's load: compare ratios and
medians, not absolute times. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from benchmarks.harness.fleet import Fleet  # noqa: E402
from benchmarks.harness.report import log, machine_info, machine_line, started_now  # noqa: E402
from benchmarks.harness.sandbox import BenchSandbox, run_in_sandbox  # noqa: E402
from benchmarks.harness.stats import median  # noqa: E402
from benchmarks.harness.tui import Tui, server_pid  # noqa: E402
from benchmarks.measure.key_latency import (  # noqa: E402
    FLOOR_PROGRAM,
    LatencyResult,
    format_latency,
    measure_latency,
)
from benchmarks.measure.ticks import TickResult, format_ticks, measure_ticks  # noqa: E402
from benchmarks.measure.tui_cost import TuiResult, format_tui, measure_tui  # noqa: E402


@dataclass
class Report:
    started: str
    machine: dict[str, str]
    settings: dict[str, object]
    ticks: list[TickResult] = field(default_factory=list)
    tui: list[TuiResult] = field(default_factory=list)
    latency: list[LatencyResult] = field(default_factory=list)
    spawn_s: list[float] = field(default_factory=list)
    sandbox: list[str] = field(default_factory=list)
    """Temp dirs the run made (all removed at the end)."""

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["tick_summary"] = [{"agents": t.agents, "state": t.state, **t.summary()}
                                for t in self.ticks]
        data["latency_summary"] = [{"agents": lat.agents, "state": lat.state, **lat.summary()}
                                   for lat in self.latency]
        return data


def run(args: argparse.Namespace, box: BenchSandbox) -> Report:
    report = Report(
        started=started_now(),
        machine=machine_info(box.real_tmux),
        settings={k: v for k, v in vars(args).items() if k != "json"},
        sandbox=box.made,
    )
    direct = box.open_workspace()
    shimmed = box.open_workspace(through_shim=True)
    fleet = Fleet(direct)

    def tui_phase(agents: int, state: str, latency: bool) -> None:
        if args.no_tui:
            return
        log(f"TUI with {agents} agent(s) {state}: CPU over {args.cpu_window:g} s")
        tui = Tui(box, f"{agents}-{state}")
        try:
            tui.wait_text(f"{agents} agents" if agents else "No agents yet")
            tui.settle(args.settle)
            server = server_pid(direct.ctx.tmux) if agents else None
            report.tui.append(measure_tui(tui, agents, state, args.cpu_window, server))
            if latency:
                log(f"key-press latency with {agents} agent(s) {state}: {args.presses} presses")
                report.latency.append(measure_latency(tui, agents, state, args.presses))
        finally:
            tui.close()

    if not args.no_tui:
        log(f"latency floor (no UI): {args.presses} presses")
        floor = Tui(box, "floor", [sys.executable, "-c", FLOOR_PROGRAM])
        try:
            floor.wait_text("ready")
            report.latency.append(measure_latency(floor, 0, "floor", args.presses))
        finally:
            floor.close()
    tui_phase(0, "idle", latency=True)
    for n in sorted(set(args.agents)):
        log(f"N={n}: spawning agents through Workspace.spawn")
        fleet.grow(n, report.spawn_s)
        fleet.make_idle()
        time.sleep(2.5)  # window_activity has one-second resolution: let it age
        log(f"N={n} idle: {args.ticks} poll ticks, ours and naive")
        report.ticks.append(measure_ticks(box, fleet, direct, shimmed, "idle", args.ticks,
                                          args.interval))
        tui_phase(n, "idle", latency=False)
        fleet.make_printing()
        log(f"N={n} printing: {args.ticks} poll ticks, ours and naive")
        report.ticks.append(measure_ticks(box, fleet, direct, shimmed, "printing", args.ticks,
                                          args.interval))
        tui_phase(n, "printing", latency=n == args.latency_agents)
    return report


def format_report(report: Report) -> str:
    out = [machine_line("poll_bench", report.started, report.machine), "",
           *format_ticks(report.ticks)]
    if report.tui:
        out += ["", *format_tui(report.tui)]
    if report.latency:
        out += ["", *format_latency(report.latency)]
    if report.spawn_s:
        out += ["", f"Workspace.spawn: median {median(report.spawn_s) * 1000:.0f} ms over "
                    f"{len(report.spawn_s)} agents"]
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="poll_bench", description="Poll cost, idle TUI CPU and key latency (DESIGN.md §5).")
    parser.add_argument("--agents", type=int, nargs="+", default=[10, 50, 100],
                        help="agent counts to measure, each in turn (default: 10 50 100)")
    parser.add_argument("--ticks", type=int, default=20, help="poll ticks per measurement")
    parser.add_argument("--interval", type=float, default=1.0,
                        help="seconds between ticks (the default poll_interval)")
    parser.add_argument("--cpu-window", type=float, default=20.0,
                        help="seconds over which the TUI's CPU is read")
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds to wait after the TUI's start-up work before measuring")
    parser.add_argument("--presses", type=int, default=20, help="key presses per latency run")
    parser.add_argument("--latency-agents", type=int, default=50,
                        help="agent count for the latency run (must be one of --agents)")
    parser.add_argument("--demo-speed", type=float, default=0.05,
                        help="WORKSPACE_DEMO_SPEED of the agents (low keeps [slow] printing)")
    parser.add_argument("--no-tui", action="store_true", help="only measure poll ticks")
    parser.add_argument("--json", type=Path, help="also write every sample here")
    args = parser.parse_args(argv)
    if args.latency_agents not in args.agents and not args.no_tui:
        parser.error(f"--latency-agents {args.latency_agents} is not one of --agents")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run_in_sandbox(args.demo_speed, lambda box: run(args, box))
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report.to_json(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Key presses and memory of the TUI, next to a bare Textual app (the floor) in the same run.

    python benchmarks/key_bench.py [--agents 50] [--rounds 30] [--rss-presses 1000]
                                   [--files 10000] [--spawns 20] [--json out.json]

Both apps run side by side in two panes of a throwaway tmux server at 160x48: the real TUI
(`python -m workspace`) on a repository with `--agents` demo agents, and benchmarks/floor_app.py
(a 50-row DataTable; `?` pushes a ModalScreen with the same help text). In one run:

1. key presses, interleaved (round after round, each app and press in a rotating order): `?`
   until the help is drawn, and a selection move (Down) until the next row's agent is shown;
   with the agents idle at their prompt, then printing (a spinner, 10 frames a second);
2. RSS over `--rss-presses` presses that open and close screens (the TUI: help, Tasks, the
   spawn form in turn; the floor: its help), interleaved, after a warm-up;
3. a repository of `--files` files: `?` on the TUI (and the floor) idle, then during `--spawns`
   spawns made from the TUI's spawn form (its workers run them), and the TUI's own CPU in both.

Everything runs in a sandbox (harness/sandbox.py) and is removed at the end. The machine is
shared: compare ratios to the floor measured in the same rounds. See docs/benchmarks.md.
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

from benchmarks.harness.bigrepo import make_big_repo  # noqa: E402
from benchmarks.harness.fleet import Fleet  # noqa: E402
from benchmarks.harness.procstat import comm  # noqa: E402
from benchmarks.harness.profiler import Profile  # noqa: E402
from benchmarks.harness.report import log, machine_info, machine_line, started_now  # noqa: E402
from benchmarks.harness.sandbox import BenchSandbox, run_in_sandbox  # noqa: E402
from benchmarks.harness.stats import median  # noqa: E402
from benchmarks.harness.tui import Tui  # noqa: E402
from benchmarks.measure.interleaved import (  # noqa: E402
    PressResult,
    Probe,
    format_presses,
    measure_interleaved,
    selection_marker,
)
from benchmarks.measure.key_latency import HELP_TEXT, pause_before, press  # noqa: E402
from benchmarks.measure.rss import RssResult, format_rss, measure_rss  # noqa: E402
from benchmarks.measure.spawns import (  # noqa: E402
    FORM_CUE,
    CpuMeter,
    CpuWindow,
    agents_shown,
    spawn_from_form,
)
from workspace.adapters import proc  # noqa: E402

FLOOR = [sys.executable, str(ROOT / "benchmarks" / "floor_app.py")]
SETTLED = 300
"""Presses after which the floor's RSS stops growing (Textual's caches are full)."""
TASKS_CUE = "No tasks yet"
"""Drawn only by the Tasks view (the benchmark files no tasks)."""


@dataclass
class Report:
    started: str
    machine: dict[str, str]
    settings: dict[str, object]
    presses: list[PressResult] = field(default_factory=list)
    rss: list[RssResult] = field(default_factory=list)
    spawning: list[PressResult] = field(default_factory=list)
    cpu: list[CpuWindow] = field(default_factory=list)
    spawn_s: list[float] = field(default_factory=list)
    """Workspace.spawn of each fleet agent (made by the benchmark, not the TUI)."""
    spawned: int = 0
    """Agents the TUI showed at the end of the spawning phase."""
    sandbox: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["summary"] = [{"app": r.app, "what": r.what, "agents": r.agents, "state": r.state,
                            **r.summary()} for r in self.presses + self.spawning]
        data["rss_summary"] = [{"app": r.app, **r.summary()} for r in self.rss]
        data["budgets"] = budgets(self)
        return data


def help_probe(app: str, tui: Tui) -> Probe:
    return Probe(app, "help", tui, "?", HELP_TEXT, "Escape")


def fleet_phase(args: argparse.Namespace, box: BenchSandbox, report: Report) -> None:
    ws = box.open_workspace()
    fleet = Fleet(ws)
    log(f"spawning {args.agents} demo agents through Workspace.spawn")
    fleet.grow(args.agents, report.spawn_s)
    fleet.make_idle()
    time.sleep(2.5)  # window_activity has one-second resolution: let it age
    ours = Tui(box, "ours", session="ours")
    floor = Tui(box, "floor", [*FLOOR, "--rows", str(args.agents)], session="floor")
    try:
        ours.wait_text(f"{args.agents} agents")
        floor.wait_text("bench-001")
        ours.settle(args.settle)
        probes = [help_probe("ours", ours), help_probe("floor", floor),
                  Probe("ours", "select", ours, "Down", selection_marker(ours), "Up"),
                  Probe("floor", "select", floor, "Down", selection_marker(floor), "Up")]
        log(f"{args.agents} agents idle: {args.rounds} rounds of presses")
        report.presses += measure_interleaved(probes, args.agents, "idle", args.rounds)
        if args.py_spy_moves:
            profile_moves(args, ours, probes[2], "idle")
        fleet.make_printing()
        log(f"{args.agents} agents printing: {args.rounds} rounds of presses")
        report.presses += measure_interleaved(probes, args.agents, "printing", args.rounds)
        if args.py_spy_moves:
            profile_moves(args, ours, probes[2], "printing")
        log(f"RSS over {args.rss_presses} presses each (after {args.rss_warmup} to warm up)")
        apps = {"ours": [help_probe("ours", ours),
                         Probe("ours", "tasks", ours, "t", TASKS_CUE, "Escape"),
                         Probe("ours", "spawn", ours, "n", FORM_CUE, "Escape")],
                "floor": [help_probe("floor", floor)]}
        report.rss += measure_rss(apps, args.agents, "printing", args.rss_presses,
                                  args.rss_warmup, every=args.rss_every)
    finally:
        ours.close()
        floor.close()
        ws.ctx.tmux.kill_server()  # the fleet's load ends before the spawning phase


def profile_moves(args: argparse.Namespace, ours: Tui, probe: Probe, state: str) -> None:
    """py-spy on the TUI over `--moves` selection moves, into OUT with `state` before its
    suffix: where a move's time goes, every thread (the UI's is MainThread)."""
    out: Path = args.py_spy_moves
    out = out.with_name(f"{out.stem}-{state}{out.suffix}")
    log(f"py-spy over {args.moves} selection moves of the TUI, agents {state}")
    profile = Profile(ours.pid, out, gil=args.py_spy_gil)
    for i in range(args.moves):
        time.sleep(pause_before(i))
        press(probe.tui, probe.key, probe.shown, probe.dismiss)
    if profile.stop():
        log(f"py-spy's profile of the TUI's selection moves: {out}")


def spawn_phase(args: argparse.Namespace, box: BenchSandbox, report: Report) -> None:
    log(f"a repository of {args.files} files")
    big = make_big_repo(box.root / "big", args.files)
    ours = Tui(box, "ours-big", session="ours", cwd=big)
    floor = Tui(box, "floor-big", FLOOR, session="floor")
    box.open_workspace(repo=big)  # so the sandbox's cleanup finds its agents' server
    try:
        ours.wait_text("No agents yet")
        floor.wait_text("bench-001")
        ours.settle(args.settle)
        probes = [help_probe("ours", ours), help_probe("floor", floor)]
        log(f"idle on it: {args.rounds} rounds of presses")
        meter = CpuMeter(ours.pid, "idle")
        report.spawning += measure_interleaved(probes, 0, "idle", args.rounds)
        report.cpu.append(meter.stop())
        log(f"{args.spawns} spawns from the TUI's form, pressing keys meanwhile")
        meter = CpuMeter(ours.pid, "spawning")
        profile = Profile(ours.pid, args.py_spy, gil=args.py_spy_gil) if args.py_spy else None
        spawn_from_form(ours, "sp", args.spawns)
        busy = Busy(ours, args.spawns)
        report.spawning += measure_interleaved(probes, args.spawns, "spawning", 1, more=busy)
        report.cpu.append(meter.stop())
        if profile is not None and profile.stop():
            log(f"py-spy's profile of the TUI while spawning: {args.py_spy}")
        report.spawned = agents_shown(ours)
    finally:
        ours.close()
        floor.close()


class Busy:
    """True while the spawns are under way: until the TUI shows them all and none of its git
    children has run for two seconds (a spawn's worktree, the first diff stats)."""

    def __init__(self, tui: Tui, count: int, timeout: float = 600.0) -> None:
        self.tui, self.count = tui, count
        self.deadline = time.monotonic() + timeout
        self.quiet_since = time.monotonic()

    def __call__(self) -> bool:
        now = time.monotonic()
        if now > self.deadline:
            log("the spawns did not settle in time; stopping")
            return False
        if any(comm(p) == "git" for p in proc.descendants(self.tui.pid)[1:]):
            self.quiet_since = now
        return agents_shown(self.tui) < self.count or now - self.quiet_since < 2.0


def run(args: argparse.Namespace, box: BenchSandbox) -> Report:
    report = Report(started=started_now(), machine=machine_info(box.real_tmux),
                    settings={k: v for k, v in vars(args).items() if k != "json"},
                    sandbox=box.made)
    fleet_phase(args, box, report)
    if args.spawns:
        spawn_phase(args, box, report)
    return report


def _find(results: list[PressResult], app: str, what: str, state: str) -> PressResult | None:
    return next((r for r in results if (r.app, r.what, r.state) == (app, what, state)), None)


def budgets(report: Report) -> list[dict[str, object]]:
    """Issue 11's budgets, each with the figure it was judged on."""
    out: list[dict[str, object]] = []
    for what in ("help", "select"):
        ours = _find(report.presses, "ours", what, "printing")
        floor = _find(report.presses, "floor", what, "printing")
        if ours and floor:
            ratio = ours.summary()["median_ms"] / floor.summary()["median_ms"]
            out.append({"budget": f"{what}: median <= 1.2x the floor, agents printing",
                        "figure": round(ratio, 2), "met": ratio <= 1.2})
            p95 = ours.summary()["p95_ms"]
            out.append({"budget": f"{what}: p95 <= 100 ms, agents printing",
                        "figure": round(p95, 1), "met": p95 <= 100})
    for r in report.rss:
        if r.app == "ours":
            growth = r.summary()["growth_mb"]
            out.append({"budget": f"RSS within 5 MB over {r.presses[-1] if r.presses else 0} "
                                  "presses", "figure": round(growth, 1),
                        "met": abs(growth) <= 5})
            later = [mb for n, mb in zip(r.presses, r.rss_mb, strict=True) if n >= SETTLED]
            if len(later) > 1 and r.presses[-1] > SETTLED:
                # The floor grows as much as ours over its first few hundred presses (Textual's
                # caches filling): what a leak would add shows after that.
                rest = later[-1] - later[0]
                out.append({"budget": f"RSS within 5 MB over presses {SETTLED}-"
                                      f"{r.presses[-1]}", "figure": round(rest, 1),
                            "met": abs(rest) <= 5})
    idle = _find(report.spawning, "ours", "help", "idle")
    busy = _find(report.spawning, "ours", "help", "spawning")
    if idle and busy:
        ratio = median(busy.samples_ms) / median(idle.samples_ms)
        out.append({"budget": "help during spawns: median <= 1.5x idle",
                    "figure": round(ratio, 2), "met": ratio <= 1.5})
    return out


def format_report(report: Report) -> str:
    out = [machine_line("key_bench", report.started, report.machine), "",
           *format_presses(report.presses, 1, "Key press to its effect drawn, ms (ours = the "
                                              "TUI, floor = a bare Textual app)")]
    if report.rss:
        out += ["", *format_rss(report.rss, 2)]
    if report.spawning:
        out += ["", *format_presses(report.spawning, 3,
                                    f"`?` during {report.settings.get('spawns')} spawns from "
                                    f"the TUI on a {report.settings.get('files')}-file "
                                    "repository, ms")]
        out += ["   the TUI's own CPU: " + ", ".join(
            f"{c.label} {c.cpu_pct:.0f}% of a core over {c.seconds:g} s" for c in report.cpu),
            f"   agents shown at the end: {report.spawned}"]
    out += ["", "Budgets:"]
    for b in budgets(report):
        out.append(f"   {'met    ' if b['met'] else 'NOT MET'}  {b['budget']}: {b['figure']}")
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="key_bench", description="Key presses and memory of the TUI next to a bare "
                                      "Textual app (issue 11, item 9).")
    parser.add_argument("--agents", type=int, default=50, help="demo agents (default 50)")
    parser.add_argument("--rounds", type=int, default=30,
                        help="rounds of presses per state (each: every app and press once)")
    parser.add_argument("--rss-presses", type=int, default=1000,
                        help="presses per app for the RSS measurement (even; default 1000)")
    parser.add_argument("--rss-warmup", type=int, default=40,
                        help="presses per app before RSS is first read (even)")
    parser.add_argument("--rss-every", type=int, default=100, help="presses between samples")
    parser.add_argument("--files", type=int, default=10_000,
                        help="files in the repository of the spawning phase")
    parser.add_argument("--spawns", type=int, default=20,
                        help="agents spawned from the TUI's form (0: skip the phase)")
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds to wait after the TUI's start-up work before measuring")
    parser.add_argument("--demo-speed", type=float, default=0.05,
                        help="WORKSPACE_DEMO_SPEED of the agents (low keeps [slow] printing)")
    parser.add_argument("--py-spy", type=Path, metavar="OUT",
                        help="profile the TUI while it spawns, with py-spy if installed "
                             "(collapsed stacks per thread, for flamegraph tools)")
    parser.add_argument("--py-spy-moves", type=Path, metavar="OUT",
                        help="profile the TUI over --moves selection moves after the idle and "
                             "the printing rounds (OUT-idle, OUT-printing), with py-spy if "
                             "installed (collapsed stacks per thread)")
    parser.add_argument("--moves", type=int, default=100,
                        help="selection moves profiled by --py-spy-moves (each: down, then up "
                             "untimed)")
    parser.add_argument("--py-spy-gil", action="store_true",
                        help="with --py-spy or --py-spy-moves: sample only the thread holding "
                             "the GIL")
    parser.add_argument("--json", type=Path, help="also write every sample here")
    args = parser.parse_args(argv)
    if args.rss_presses % 2 or args.rss_warmup % 2 or args.rss_every % 2:
        parser.error("--rss-presses, --rss-warmup and --rss-every count presses two at a time "
                     "(an open and its close): give even numbers")
    if not 1 <= args.spawns <= 50 and args.spawns != 0:
        parser.error("--spawns: the spawn form takes 1 to 50")
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

"""CLI speed: how long scripts and agents wait for `workspace` (issue 11's budgets: `ls --json`
at 100 agents <= 300 ms, the CLI's start <= 120 ms).

    python benchmarks/cli_bench.py [--agents 100] [--runs 15] [--baseline REV] [--json out.json]

In one run, against the same 100 real demo agents (spawned through the service, idle at their
prompt, then printing), each command is run as a script runs it (`python -m workspace ...`, a
fresh process each time, from bytecode) `--runs` times, round-robin with the others, next to
a floor (`python -c pass`): `--version`, `--help`, `ls --json`, `ls --json --fresh` (every
diff computed anew) and `ls`; with the agents printing, also `ls --json` alone in a loop
(back to back, then with 1.1 s between calls; one tree at a time). With `--baseline REV`,
the same commands also run with the package as it was at REV (`git archive`), so before and
after share the machine's load.
Once per command, the git and tmux processes it started are counted by shims on PATH.

Everything runs in a sandbox (harness/sandbox.py) and is removed at the end. The figures vary
with the machine's load: compare ratios and medians. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
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
from benchmarks.measure.cli_runs import (  # noqa: E402
    Command,
    CommandResult,
    Tree,
    environment,
    format_cpu,
    format_runs,
    measure,
    write_shims,
)

CURRENT = "now"
BASELINE = "before"
LOOP = "ls --json, in a loop"
"""`ls --json` run back to back with nothing between, as a script's loop runs it."""
PACED = "ls --json, every 1.1 s"
PACE = 1.1
"""Seconds a paced loop sleeps before each call."""


@dataclass
class Report:
    started: str
    machine: dict[str, str]
    settings: dict[str, object]
    results: list[CommandResult] = field(default_factory=list)
    same_listing: bool = True
    """Both trees' `ls --json` named the same agents with the same statuses and diffs."""
    load_at_end: str = ""
    sandbox: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["summary"] = [{"command": r.label, "state": r.state, "tree": r.tree,
                            "git": r.git, "tmux": r.tmux, "cpu_ms": r.cpu_ms, **r.summary()}
                           for r in self.results]
        return data


def commands(state: str, trees: tuple[str, ...]) -> list[Command]:
    ws = ("-m", "workspace")
    if state == "printing":  # what the agents do changes only what `ls` has to look at
        return [Command("ls --json", (*ws, "ls", "--json"), state, trees),
                Command("ls --json --fresh", (*ws, "ls", "--json", "--fresh"), state,
                        (CURRENT,))]
    return [
        Command("python -c pass", ("-c", "pass")),
        Command("workspace --version", (*ws, "--version"), "", trees),
        Command("workspace --help", (*ws, "--help"), "", trees),
        Command("ls --json", (*ws, "ls", "--json"), state, trees),
        Command("ls --json --fresh", (*ws, "ls", "--json", "--fresh"), state, (CURRENT,)),
        Command("ls", (*ws, "ls"), state, trees),
    ]


def baseline_tree(box: BenchSandbox, rev: str) -> Tree:
    """The package as it was at `rev`, extracted beside the sandbox's repository."""
    target = box.root / "baseline"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "workspace"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return Tree(BASELINE, target)


def listing(tree: Tree, box: BenchSandbox, cache: Path) -> list[tuple[str, str, object]]:
    out = subprocess.run([sys.executable, "-m", "workspace", "ls", "--json"], cwd=box.repo,
                         env=environment(tree, cache), capture_output=True, text=True,
                         check=True).stdout
    return sorted((a["name"], a["status"], a["diff"]) for a in json.loads(out))


def run(args: argparse.Namespace, box: BenchSandbox) -> Report:
    report = Report(started=started_now(), machine=machine_info(box.real_tmux),
                    settings={k: str(v) for k, v in vars(args).items() if k != "json"},
                    sandbox=box.made)
    trees = {CURRENT: Tree(CURRENT, ROOT)}
    if args.baseline:
        trees[BASELINE] = baseline_tree(box, args.baseline)
    labels = tuple(t for t in (BASELINE, CURRENT) if t in trees)
    cache = box.root / "pycache"
    real = {name: shutil.which(name) or name for name in ("git", "tmux")}
    shims = write_shims(box.root / "count-shims", real)

    ws = box.open_workspace()
    fleet = Fleet(ws)
    log(f"spawning {args.agents} demo agents through Workspace.spawn")
    fleet.grow(args.agents, [])
    fleet.make_idle()
    time.sleep(2.5)  # window_activity has one-second resolution: let it age
    if args.baseline:
        report.same_listing = listing(trees[BASELINE], box, cache) == listing(
            trees[CURRENT], box, cache)
    log(f"{args.agents} agents idle: {args.runs} runs of each command")
    report.results += measure(commands("idle", labels), trees, args.runs, box.repo, cache,
                              shims)
    if not args.no_printing:
        fleet.make_printing()
        log(f"{args.agents} agents printing: {args.runs} runs of each command")
        report.results += measure(commands("printing", labels), trees, args.runs, box.repo,
                                  cache, shims)
        # Round-robin, a tree's `ls` follows the other trees' listings within a second or
        # so (and uses what they computed); a script's loop has only its own calls: each
        # tree alone, back to back, then a call every second or so (the screens' change
        # hints have one-second resolution: each call sees every screen moved).
        for loop, pause in ((LOOP, 0.0), (PACED, PACE)):
            for label in labels:
                log(f"{args.agents} agents printing: {args.runs} runs of `{loop}` ({label})")
                report.results += measure(
                    [Command(loop, ("-m", "workspace", "ls", "--json"), "printing", (label,))],
                    trees, args.runs, box.repo, cache, pause=pause)  # uncounted: runs differ
    report.load_at_end = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return report


def format_report(report: Report, baseline: str) -> str:
    out = [machine_line("cli_bench", report.started, report.machine),
           f"load at end {report.load_at_end}", ""]
    if baseline:
        out += [f"{BASELINE}: the package at {baseline}; {CURRENT}: this checkout", ""]
    out += format_runs(report.results, BASELINE, CURRENT)
    cpu = format_cpu(report.results, BASELINE, CURRENT)
    if cpu:
        out += ["", "CPU of the loops, the processes each call started included:", "", *cpu]
    if baseline:
        out += ["", f"`ls --json` of {BASELINE} and {CURRENT} agree: "
                    f"{'yes' if report.same_listing else 'NO'}"]
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cli_bench",
                                     description="How long the CLI takes, as scripts run it.")
    parser.add_argument("--agents", type=int, default=100, help="demo agents (default 100)")
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--baseline", metavar="REV",
                        help="also run the package as it was at this git revision")
    parser.add_argument("--no-printing", action="store_true",
                        help="only with the agents idle")
    parser.add_argument("--demo-speed", type=float, default=0.05,
                        help="WORKSPACE_DEMO_SPEED of the agents (low keeps [slow] printing)")
    parser.add_argument("--json", type=Path, help="also write every sample here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run_in_sandbox(args.demo_speed, lambda box: run(args, box))
    print(format_report(report, args.baseline or ""))
    if args.json:
        args.json.write_text(json.dumps(report.to_json(), indent=2))
    return 0 if report.same_listing else 1


if __name__ == "__main__":
    sys.exit(main())

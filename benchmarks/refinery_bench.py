"""Refinery benchmark: the autopilot's merge queue at fleet scale, `[merge] batch` 1 against 4.

    python benchmarks/refinery_bench.py [--tasks 16] [--gate-seconds 2] [--cpu]
                                        [--batches 1 4] [--repeats 3] [--bad 7] [--json F]

Each repeat measures, side by side in one run, every batch size with all tasks passing and
with one bad task. One measurement: N agents (the shell preset) each commit one file on their
own branch (the bad one's holds BAD); N tasks, each with a passed attempt, wait to merge
(state merging, one attempt allowed); the real autopilot runs in this process until nothing
is left to merge ([tasks] interval 0.2 s, no clean-up after merging). The gate sleeps
`--gate-seconds` (with `--cpu` it spends that much CPU time instead) and fails when a file
holds BAD. Reported: gate runs (the gate logs each one), gate-seconds (the time spent in
gates, summed), wall time from the autopilot's start to nothing left to merge; and checked:
every good task merged, the bad one failed, base never held BAD (every commit of its reflog).

With batch 1 each task merges alone and the autopilot runs the merges' gates at once (one job
per task, each gate in its agent's worktree), so wall time counts parallel gates; with a batch
the gate runs once per stacked batch, on the merged result, one batch at a time.

Everything runs in a sandbox (harness/sandbox.py) that is removed at the end. The machine is
shared: compare ratios and medians, not absolute times. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from benchmarks.harness.report import log, machine_info, machine_line, started_now  # noqa: E402
from benchmarks.harness.sandbox import BenchSandbox, run_in_sandbox  # noqa: E402
from benchmarks.harness.stats import median  # noqa: E402
from tests.support.gitrepo import git  # noqa: E402
from workspace.core.tasks.model import (  # noqa: E402
    Attempt,
    MergeMode,
    Outcome,
    TaskSpec,
    TaskState,
)
from workspace.service import Workspace  # noqa: E402

BAD = "BAD"


@dataclass
class RunResult:
    batch: int
    case: str
    """"all pass" or "one bad"."""
    repeat: int
    gate_runs: int
    gate_seconds: float
    wall_s: float
    merged: int
    failed: int
    base_moves: int
    base_clean: bool
    """No commit base pointed at holds BAD."""


@dataclass
class Report:
    started: str
    machine: dict[str, str]
    settings: dict[str, object]
    runs: list[RunResult] = field(default_factory=list)
    loadavg_at_end: str = ""


def gate_argv(log_file: Path, seconds: float, cpu: bool) -> list[str]:
    """The gate: sleeps `seconds` (or, `cpu`, spends that much CPU time), logs its start and
    end, fails when a file of the checkout holds BAD."""
    if not cpu:
        script = (f'start=$(date +%s.%N); sleep {seconds}; '
                  f'if grep -rqs {BAD} --exclude-dir=.git .; then code=1; else code=0; fi; '
                  f'echo "$start $(date +%s.%N)" >> "$0"; exit $code')
        return ["sh", "-c", script, str(log_file)]
    script = f"""import pathlib, sys, time
start, spent = time.time(), time.process_time()
while time.process_time() - spent < {seconds}:
    pass
bad = any(p.is_file() and b"{BAD}" in p.read_bytes() for p in pathlib.Path(".").rglob("*")
          if ".git" not in p.parts)
with open(sys.argv[1], "a") as log:
    log.write(f"{{start}} {{time.time()}}\\n")
sys.exit(1 if bad else 0)
"""
    return [sys.executable, "-c", script, str(log_file)]


def write_config(box: BenchSandbox, batch: int, gate: list[str], tasks: int) -> None:
    config = box.home / ".config" / "workspace" / "config.toml"
    config.write_text(f"""[workspace]
default_preset = "shell"
[merge]
batch = {batch}
gate = {json.dumps(gate)}
cleanup = "never"
[tasks]
interval = 0.2
cleanup = false
max_agents = {tasks}
""")


def ready_tasks(ws: Workspace, label: str, n: int, bad: int | None) -> list[str]:
    """N agents with one commit each, and their tasks waiting to merge."""
    ids = []
    for i in range(n):
        name = f"{label}-{i + 1:02d}"
        agent = ws.spawn(name, preset="shell")
        wt = Path(agent.worktree)
        (wt / f"{name}.txt").write_text(f"{BAD}\n" if i == bad else f"part {i + 1}\n")
        git(wt, "add", "-A")
        git(wt, "commit", "-qm", f"{name}: its part")
        task = ws.ctx.store.tasks.add(
            TaskSpec(title=f"Part {i + 1} of {label}", check="true", merge=MergeMode.AUTO,
                     max_attempts=1), TaskState.MERGING, "bench")
        now = time.time()
        ws.ctx.store.tasks.put_attempt(
            task.id, Attempt(1, name, now, ended_at=now, outcome=Outcome.PASSED, check_exit=0,
                             launched=True), state=TaskState.MERGING, agent=name)
        ids.append(task.id)
    return ids


def gate_log(path: Path) -> tuple[int, float]:
    spans = [line.split() for line in path.read_text().splitlines()] if path.exists() else []
    return len(spans), sum(float(end) - float(start) for start, end in spans)


def base_commits(repo: Path) -> list[str]:
    return git(repo, "reflog", "show", "--format=%H", "refs/heads/main").split()


def holds_bad(repo: Path, sha: str) -> bool:
    return subprocess.run(["git", "grep", "-q", "-e", BAD, sha, "--", "."], cwd=repo,
                          capture_output=True).returncode == 0


def measure(box: BenchSandbox, args: argparse.Namespace, batch: int, bad: int | None,
            repeat: int) -> RunResult:
    case = "one bad" if bad is not None else "all pass"
    label = f"b{batch}{'x' if bad is not None else 'p'}{repeat}"
    log_file = box.root / f"gate-{label}.log"
    write_config(box, batch, gate_argv(log_file, args.gate_seconds, args.cpu), args.tasks)
    ws = box.open_workspace()
    ids = ready_tasks(ws, label, args.tasks, bad)
    moves_before = len(base_commits(box.repo))
    log(f"batch {batch}, {case}, repeat {repeat}: the autopilot merges {args.tasks} tasks")
    errors: list[BaseException] = []
    stop = threading.Event()

    def go() -> None:
        try:
            ws.run_autopilot(until_done=True, stop=stop, say=lambda _: None)
        except BaseException as exc:
            errors.append(exc)

    start = time.perf_counter()
    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(args.timeout)
    wall = time.perf_counter() - start
    if thread.is_alive():
        stop.set()
        thread.join(30)
        raise RuntimeError(f"batch {batch}, {case}: not done within {args.timeout:g}s")
    if errors:
        raise errors[0]
    states = [ws.task(t).state for t in ids]
    runs, seconds = gate_log(log_file)
    history = base_commits(box.repo)
    result = RunResult(batch, case, repeat, runs, seconds, wall,
                       states.count(TaskState.MERGED), states.count(TaskState.FAILED),
                       len(history) - moves_before,
                       not any(holds_bad(box.repo, sha) for sha in history))
    expected_failed = 1 if bad is not None else 0
    if result.failed != expected_failed or result.merged != args.tasks - expected_failed \
            or not result.base_clean:
        raise RuntimeError(f"batch {batch}, {case}: unexpected outcome {result}")
    for agent in ws.agents():  # the next measurement starts with no agents about
        ws.kill(agent.name, discard=True)
    ws.close()
    box.workspaces.remove(ws)
    return result


def run(args: argparse.Namespace, box: BenchSandbox) -> Report:
    report = Report(started_now(), machine_info(box.real_tmux),
                    {k: v for k, v in vars(args).items() if k != "json"})
    for repeat in range(1, args.repeats + 1):
        for bad in (None, args.bad - 1):
            for batch in args.batches:
                report.runs.append(measure(box, args, batch, bad, repeat))
    report.loadavg_at_end = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return report


def format_report(report: Report, batches: list[int]) -> str:
    out = [machine_line("refinery_bench", report.started, report.machine),
           f"load at end {report.loadavg_at_end}", "",
           "| case | batch | gate runs | gate-seconds | wall s (median, min-max) | base moves "
           "| wall × vs batch 1 | gate runs × |",
           "|---|---|---|---|---|---|---|---|"]
    for case in ("all pass", "one bad"):
        rows = {b: [r for r in report.runs if r.case == case and r.batch == b] for b in batches}
        first = rows[batches[0]]
        for b, rs in rows.items():
            walls = [r.wall_s for r in rs]
            gate = median([float(r.gate_runs) for r in rs])
            out.append(
                f"| {case} | {b} | {gate:g} | {median([r.gate_seconds for r in rs]):.1f} | "
                f"{median(walls):.1f} ({min(walls):.1f}-{max(walls):.1f}) | "
                f"{median([float(r.base_moves) for r in rs]):g} | "
                f"{median(walls) / median([r.wall_s for r in first]):.2f} | "
                f"{gate / median([float(r.gate_runs) for r in first]):.2f} |")
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="refinery_bench",
                                     description="The merge queue: [merge] batch 1 against 4.")
    parser.add_argument("--tasks", type=int, default=16, help="tasks ready to merge")
    parser.add_argument("--gate-seconds", type=float, default=2.0, help="the gate's sleep")
    parser.add_argument("--cpu", action="store_true",
                        help="the gate spends --gate-seconds of CPU time instead of sleeping")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 4],
                        help="batch sizes to compare (the first is the reference)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bad", type=int, default=7,
                        help="which task (1-based, in the queue's order) is the bad one")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds one measurement may take")
    parser.add_argument("--json", type=Path, help="also write every run here")
    args = parser.parse_args(argv)
    if not 1 <= args.bad <= args.tasks:
        parser.error(f"--bad {args.bad} is not one of the {args.tasks} tasks")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run_in_sandbox(0.05, lambda box: run(args, box))
    print(format_report(report, args.batches))
    if args.json:
        args.json.write_text(json.dumps(asdict(report), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The autopilot's own cost (the tasks issue): at N running agents, the time from an agent's
turn ending to its check starting, and the CPU of the autopilot process itself.

    python benchmarks/autopilot_bench.py [--agents 30] [--intervals 0.5 1.0] [--json out.json]

For each [tasks] interval, in a fresh sandbox (harness/sandbox.py) with max_agents = N:

1. N tasks are filed, each with a check that logs its own start time (keyed by WORKSPACE_TASK)
   and fails until the task's worktree holds `--turns` notes; the demo agents write one note
   per turn, so each task loops (`continue`) through many turn ends before its check passes.
   `python -m workspace autopilot` runs as its own process;
2. latency, for every attempt: from the turn's end (the demo agent's Stop hook event, with the
   time it wrote it) to its check starting (the check's own timestamp: what a person feels),
   and to the autopilot's `checking` record (the part its tick takes);
3. the autopilot's CPU over a window while all N agents run (from /proc/<pid>/stat, percent of
   one core: its own, the part of it its main thread spent (the loop: refresh and tick), and
   with the children it reaped: checks, git, tmux clients) and its RSS; with --profile, where
   its main thread waits (py-spy);
4. the floor: once the tasks are done, the autopilot stops and the same N agents are kept
   working (harness/busy.py sends each a message when its turn ends) while a bare loop of
   `Workspace.refresh()` at the same interval runs as its own process: what polling alone
   costs, so the autopilot's overhead beyond it can be told apart.

The figures vary with the machine's load: compare ratios and medians. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from benchmarks.harness.busy import KeepBusy  # noqa: E402
from benchmarks.harness.procstat import CpuMeter, CpuReading  # noqa: E402
from benchmarks.harness.profile import MainThreadProfile  # noqa: E402
from benchmarks.harness.report import log, machine_info, started_now  # noqa: E402
from benchmarks.harness.sandbox import BenchSandbox, run_in_sandbox  # noqa: E402
from benchmarks.harness.turns import events_file, missed, pair, stop_times  # noqa: E402
from benchmarks.measure.autopilot_cost import Latency, Report, Window, format_report  # noqa: E402
from workspace.core.tasks.model import Attempt, Outcome, Task, TaskSpec, TaskState  # noqa: E402
from workspace.service import Workspace  # noqa: E402

PROMPT = "Write one short note per turn; the check counts them. [noask]"
"""[noask]: a demo agent that asks permission would wait for a person."""
FLOOR_MESSAGE = ("The check `count the notes [noask]` failed with exit code 1. Its output ends "
                 "with:\n\n```\nnot enough notes yet [noask]\n```\n\nPlease fix it and finish "
                 "the task; end your turn when done.")
"""What the floor's fleet is sent at each turn end: a continue message's shape and size."""
FLOOR_PROGRAM = """\
import sys, time
from pathlib import Path
from workspace.service import Workspace
ws = Workspace.open()
ws.reconcile()
interval = float(sys.argv[1])
ws.refresh()
Path(sys.argv[2]).touch()
while True:
    ws.refresh()
    time.sleep(interval)
"""
"""The floor: the autopilot's loop (process.py) with no tick, at the same interval."""


def check_command(log_file: Path, turns: int) -> str:
    """Logs its start (first, so the time is when the person's shell began it), then passes
    once the worktree holds `turns` notes; [noask] reaches the agent in the continue message."""
    return (f'echo "$WORKSPACE_TASK $(date +%s.%N)" >> {shlex.quote(str(log_file))}; '
            f'n=$(ls demo 2>/dev/null | wc -l); echo "$n of {turns} notes [noask]"; '
            f'[ "$n" -ge {turns} ]')


def file_history(ws: Workspace, count: int, attempts: int = 3) -> None:
    """`count` tasks ended before the run (merged, each after `attempts` attempts with a
    check's output): a workspace with a history, which a tick need not read."""
    store = ws.ctx.store.tasks
    tail = "not enough notes yet [noask]\n" * 16
    for i in range(count):
        task = store.add(TaskSpec(f"old task {i + 1}", prompt=PROMPT, check="true"),
                         TaskState.MERGED, "person")
        for n in range(1, attempts + 1):
            passed = n == attempts
            store.put_attempt(task.id, Attempt(
                n, f"old-{i + 1}", 1.0, ended_at=2.0, cost_usd=0.01, check_exit=0 if passed
                else 1, check_tail="" if passed else tail, tree=f"{n:040x}",
                outcome=Outcome.PASSED if passed else Outcome.FAILED, launched=True,
                seen_busy=True))


def write_config(box: BenchSandbox, agents: int, interval: float, attempts: int) -> None:
    config = box.home / ".config" / "workspace" / "config.toml"
    config.write_text(f'[workspace]\ndefault_preset = "demo"\n[tasks]\nmax_agents = {agents}\n'
                      f'interval = {interval}\nattempts = {attempts}\n')


def check_starts(log_file: Path) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    if log_file.exists():
        for line in log_file.read_text().splitlines():
            task, _, at = line.partition(" ")
            out.setdefault(task, []).append(float(at))
    return out


def wait_until(ok: Callable[[], bool], what: str, timeout: float,
               pilot: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pilot.poll() is not None:
            raise RuntimeError(f"the autopilot exited ({pilot.returncode}) before {what}")
        if ok():
            return
        time.sleep(0.25)
    raise RuntimeError(f"timed out after {timeout:g}s waiting for {what}")


def measure_window(pid: int, length: float, early: Callable[[], bool] | None = None
                   ) -> tuple[CpuReading, bool, float, float]:
    """The process's CPU over `length` seconds (or until `early()` says stop)."""
    start = time.time()
    meter = CpuMeter(pid)
    stopped = False
    while meter.elapsed() < length:
        time.sleep(min(0.5, max(0.0, length - meter.elapsed())))
        meter.sample()
        if early is not None and early():
            stopped = True
            break
    reading = meter.stop()
    return reading, stopped, start, time.time()


def stop_process(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def interval_run(args: argparse.Namespace, box: BenchSandbox, interval: float,
                 round_no: int, report: Report) -> None:
    """The autopilot's phase, then the floor's, in this sandbox; results go to `report`."""
    n = args.agents
    write_config(box, n, interval, args.turns + 3)
    ws = box.open_workspace()
    if args.history:
        file_history(ws, args.history)
    check_log = box.root / "checks.log"
    check = check_command(check_log, args.turns)
    ids = [ws.add_task(TaskSpec(f"bench task {i + 1}", prompt=PROMPT, check=check,
                                max_attempts=args.turns + 3)).id for i in range(n)]
    pilot_log = box.root / "autopilot.log"
    log(f"interval {interval:g}: {n} tasks filed; starting the autopilot")
    with open(pilot_log, "wb") as out:
        pilot = subprocess.Popen([sys.executable, "-m", "workspace", "autopilot"], cwd=box.repo,
                                 stdout=out, stderr=subprocess.STDOUT)
    try:
        def ours() -> list[Task]:  # not the history's
            wanted = set(ids)
            return [t for t in ws.tasks() if t.id in wanted]

        def launched() -> bool:
            return all(t.attempts and t.attempts[0].launched for t in ours())

        def any_left() -> bool:
            return any(not t.state.active for t in ours())

        def all_left() -> bool:
            return not any(t.state.active for t in ours())

        wait_until(launched, f"all {n} agents started", args.timeout, pilot)
        time.sleep(args.settle)  # the spawn burst's git and tmux children finish
        log(f"interval {interval:g}: autopilot CPU over up to {args.window:g} s")
        spy = MainThreadProfile(pilot.pid, args.window, args.profile /
                                f"autopilot-{interval:g}-{round_no}.raw") if args.profile else None
        cpu, early, t0, t1 = measure_window(pilot.pid, args.window, any_left)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        if spy is not None:
            report.profiles.append({"interval": interval, "round": round_no,
                                    "main_thread": spy.finish()})
        log(f"interval {interval:g}: waiting for every check to pass")
        wait_until(all_left, "every task's check to pass", args.timeout, pilot)
    except BaseException:
        stop_process(pilot)
        log("the autopilot said:\n" + pilot_log.read_text()[-3000:])
        raise
    stopped_at = time.time()
    stop_process(pilot)

    latency = Latency(interval, round_no)
    starts = check_starts(check_log)
    ends: dict[str, list[float]] = {}
    for task in (ws.task(i) for i in ids):
        agent = ws.ctx.store.agent_by_name(task.agent or "")
        assert agent is not None, task.id
        stops = ends[agent.name] = stop_times(events_file(ws.ctx.state_dir, agent.id))
        mine = starts.get(task.id, [])
        pairs, orphans = pair(stops, mine)
        latency.to_check_s += [lat for _, lat in pairs]
        latency.steady_s += [lat for end, lat in pairs if t0 <= end <= t1]
        latency.orphans += orphans
        latency.missed += missed(stops, mine, stopped_at - 1.0)
        checking = [at for _, _, at, kind, _ in ws.task_events(task.id) if kind == "checking"]
        latency.to_checking_s += [lat for _, lat in pair(stops, checking)[0]]
        latency.states[str(task.state)] = latency.states.get(str(task.state), 0) + 1
        latency.attempts.append(len(task.attempts))
    report.latency.append(latency)
    in_window = sum(1 for stops in ends.values() for at in stops if t0 <= at <= t1)
    checks = sum(1 for times in starts.values() for at in times if t0 <= at <= t1)
    report.windows.append(Window("autopilot", interval, round_no, n, cpu, in_window, checks,
                                 early, load))
    report.windows.append(floor_run(args, box, ws, interval, round_no, cpu.window_s,
                                    list(ends)))


def floor_run(args: argparse.Namespace, box: BenchSandbox, ws: Workspace, interval: float,
              round_no: int, length: float, agents: list[str]) -> Window:
    log(f"interval {interval:g}: the floor (refresh loop, the same {len(agents)} agents kept "
        f"working) over {length:g} s")
    ready = box.root / "floor-ready"
    floor = subprocess.Popen([sys.executable, "-c", FLOOR_PROGRAM, str(interval), str(ready)],
                             cwd=box.repo)
    files = {name: events_file(ws.ctx.state_dir, ws.agent(name).id) for name in agents}
    busy = KeepBusy(ws, files, FLOOR_MESSAGE)
    try:
        deadline = time.monotonic() + args.timeout
        while not ready.exists():
            if floor.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the floor's refresh loop did not start")
            time.sleep(0.1)
        busy.start()
        time.sleep(args.settle)
        cpu, _, t0, t1 = measure_window(floor.pid, length)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        busy.stop()
        stop_process(floor)
    if busy.failed:
        log(f"the floor could not send {len(busy.failed)} message(s): {busy.failed[0]}")
    ends = sum(1 for path in files.values() for at in stop_times(path) if t0 <= at <= t1)
    return Window("floor", interval, round_no, len(agents), cpu, ends, 0, False, load)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="autopilot_bench",
        description="Turn end -> check latency and the autopilot's CPU (the tasks issue).")
    parser.add_argument("--agents", type=int, default=30, help="tasks, and max_agents")
    parser.add_argument("--intervals", type=float, nargs="+", default=[0.5, 1.0],
                        help="[tasks] interval values, each measured in turn")
    parser.add_argument("--rounds", type=int, default=1,
                        help="times to measure every interval (alternating)")
    parser.add_argument("--turns", type=int, default=12,
                        help="turns (notes) a task's check waits for before it passes")
    parser.add_argument("--history", type=int, default=0,
                        help="tasks merged before the run (3 attempts each): a workspace's "
                             "history, which the tick should not have to read")
    parser.add_argument("--window", type=float, default=40.0,
                        help="seconds over which CPU is read (shorter if a check passes)")
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds after the agents start before the window opens")
    parser.add_argument("--timeout", type=float, default=300.0, help="per waiting step")
    parser.add_argument("--demo-speed", type=float, default=1.0,
                        help="WORKSPACE_DEMO_SPEED (1: a turn takes 2.5-7 s)")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="also sample the autopilot with py-spy over each window (its raw "
                             "stacks go to DIR; the report adds where its main thread waits)")
    parser.add_argument("--json", type=Path, help="also write every sample here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = Report(started_now(), {}, {k: str(v) for k, v in vars(args).items() if k != "json"})
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    # Alternating the intervals round by round spreads the machine's changing load over all.
    for round_no in range(1, args.rounds + 1):
        for interval in args.intervals:
            def body(box: BenchSandbox, interval: float = interval,
                     round_no: int = round_no) -> None:
                report.machine = report.machine or machine_info(box.real_tmux)
                report.sandbox += box.made
                interval_run(args, box, interval, round_no, report)

            run_in_sandbox(args.demo_speed, body)
    print(format_report(report, args.agents))
    if args.json:
        args.json.write_text(json.dumps(report.to_json(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CLI runs: wall time of `python -m workspace ...` as a script runs it, repeated (hyperfine's
way: one warm-up, then N runs) for several commands and several source trees, interleaved
round-robin so that the machine's load falls on all of them alike; plus, once per command, the
git and tmux processes it started (counted by shims put first on PATH; with those of a child
it leaves behind, once their logs stop growing)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness.stats import median, percentile

GIT_LOG_VAR = "WS_BENCH_GIT_LOG"
TMUX_LOG_VAR = "WS_BENCH_TMUX_LOG"


@dataclass(frozen=True)
class Tree:
    """A source tree whose `workspace` package the runs import (through PYTHONPATH)."""

    label: str
    path: Path


@dataclass(frozen=True)
class Command:
    label: str
    argv: tuple[str, ...]
    """After `python`: ("-m", "workspace", "ls", "--json"), or ("-c", "pass") for a floor."""
    state: str = ""
    """What the agents were doing ('idle', 'printing'), '' when it does not matter."""
    trees: tuple[str, ...] = ()
    """Labels of the trees it runs in (a floor runs once, in no tree: the first label)."""


@dataclass
class CommandResult:
    label: str
    state: str
    tree: str
    ms: list[float] = field(default_factory=list)
    git: int = -1
    """git processes one run started (-1: not counted)."""
    tmux: int = -1
    cpu_ms: float = -1.0
    """CPU (user + system) per run, mean, of the command and every process it started, the
    child it may leave behind included (-1: not measured: only a command run alone is)."""

    def summary(self) -> dict[str, float]:
        return {"median": median(self.ms), "p90": percentile(self.ms, 90),
                "min": min(self.ms, default=float("nan"))}


def environment(tree: Tree | None, cache: Path) -> dict[str, str]:
    """The run's environment: the sandbox's, importing `tree`'s package, from bytecode kept
    in `cache` (as an installed package runs: pip compiles it at install time) and never
    written into the tree."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    if tree is not None:
        env["PYTHONPATH"] = str(tree.path)
    return env


def measure(commands: list[Command], trees: dict[str, Tree], runs: int, cwd: Path,
            cache: Path, shims: Path | None = None, pause: float = 0.0
            ) -> list[CommandResult]:
    """Each command `runs` times in each of its trees, round-robin; one warm-up first (it
    also compiles the bytecode), then, with `shims`, one counted run. `pause`: seconds
    slept (not timed) before each run, as a script polling at a pace sleeps. A command run
    alone also has its CPU per run measured (`cpu_ms`)."""
    jobs: list[tuple[Command, Tree | None, CommandResult]] = []
    for command in commands:
        for label in command.trees or ("",):
            tree = trees.get(label)
            jobs.append((command, tree, CommandResult(command.label, command.state, label)))
    for command, tree, _ in jobs:
        _run(command, environment(tree, cache), cwd)  # warm-up
    alone = len(jobs) == 1 and _subreaper()
    _reap(time.monotonic() + 5.0)
    cpu_before = _children_cpu()
    for _ in range(runs):
        for command, tree, result in jobs:
            # The pause is where a child the last run left ends (and is reaped).
            deadline = time.monotonic() + pause
            _reap(deadline)
            time.sleep(max(0.0, deadline - time.monotonic()))
            result.ms.append(_run(command, environment(tree, cache), cwd))
    if alone:
        _reap(time.monotonic() + 5.0)
        jobs[0][2].cpu_ms = (_children_cpu() - cpu_before) / max(runs, 1)
    if shims is not None:
        for command, tree, result in jobs:
            result.git, result.tmux = _count(command, environment(tree, cache), cwd, shims)
    return [result for _, _, result in jobs]


def _children_cpu() -> float:
    """ms of CPU of every ended child reaped so far (and their reaped children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def _subreaper() -> bool:
    """Be the subreaper of what the runs start (Linux): a child `ls` leaves behind once its
    listing is out is reparented here when `ls` exits, so its CPU is counted with `ls`'s."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(36, 1, 0, 0, 0)) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _reap(until: float) -> None:
    """Reap every ended child; wait for those still running until `until` (monotonic)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # none left
        if pid == 0:
            if time.monotonic() >= until:
                return
            time.sleep(0.01)


def _run(command: Command, env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *command.argv], cwd=cwd, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command.argv)} failed ({done.returncode}): "
                           f"{done.stderr.strip()[-500:]}")
    return took


def write_shims(directory: Path, real: dict[str, str]) -> Path:
    """`git` and `tmux` shims that log each invocation, then exec the real program."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, var in (("git", GIT_LOG_VAR), ("tmux", TMUX_LOG_VAR)):
        shim = directory / name
        shim.write_text("#!/bin/sh\n"
                        f'printf "{name}\\n" >> "${{{var}:-/dev/null}}"\n'
                        f'exec {real[name]} "$@"\n')
        shim.chmod(0o755)
    return directory


def _count(command: Command, env: dict[str, str], cwd: Path, shims: Path) -> tuple[int, int]:
    logs = {name: shims / f"{name}-{time.monotonic_ns()}.log" for name in ("git", "tmux")}
    env = {**env, "PATH": f"{shims}{os.pathsep}{env.get('PATH', '')}",
           GIT_LOG_VAR: str(logs["git"]), TMUX_LOG_VAR: str(logs["tmux"])}
    _run(command, env, cwd)
    _settled(list(logs.values()))
    counts = []
    for log in logs.values():
        counts.append(len(log.read_text().splitlines()) if log.exists() else 0)
        log.unlink(missing_ok=True)
    return counts[0], counts[1]


def _settled(logs: list[Path], quiet: float = 0.5, limit: float = 10.0) -> None:
    """Wait until the logs stop growing: `ls` may leave a child computing the diffs due soon
    once its listing is out, and its git processes are counted with the command's."""
    def sizes() -> list[int]:
        return [log.stat().st_size if log.exists() else 0 for log in logs]

    deadline = time.monotonic() + limit
    last, since = sizes(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.05)
        now = sizes()
        if now != last:
            last, since = now, time.monotonic()


def format_runs(results: list[CommandResult], baseline: str, current: str) -> list[str]:
    """One row per command: each tree's median / p90 and processes, and the ratio."""
    rows = [f"| command | agents | {baseline}: ms median / p90 | {baseline}: git, tmux procs | "
            f"{current}: ms median / p90 | {current}: git, tmux procs | × median |",
            "|---|---|---|---|---|---|---|"]
    by_key: dict[tuple[str, str], dict[str, CommandResult]] = {}
    for result in results:
        by_key.setdefault((result.label, result.state), {})[result.tree] = result
    for (label, state), trees in by_key.items():
        old, new = trees.get(baseline), trees.get(current)
        floor = trees.get("")
        if floor is not None:
            s = floor.summary()
            rows.append(f"| `{label}` | | {s['median']:.0f} / {s['p90']:.0f} (floor) | | | | |")
            continue
        ratio = (f"{old.summary()['median'] / new.summary()['median']:.1f}"
                 if old and new else "")
        rows.append(f"| `{label}` | {state} | {_cell(old)} | {_procs(old)} | {_cell(new)} | "
                    f"{_procs(new)} | {ratio} |")
    return rows


def format_cpu(results: list[CommandResult], baseline: str, current: str) -> list[str]:
    """One row per command run alone: each tree's CPU per run (mean; the child `ls` leaves
    behind included)."""
    by_key: dict[tuple[str, str], dict[str, CommandResult]] = {}
    for result in results:
        if result.cpu_ms >= 0:
            by_key.setdefault((result.label, result.state), {})[result.tree] = result
    if not by_key:
        return []
    rows = [f"| command | agents | {baseline}: CPU ms per run | {current}: CPU ms per run |",
            "|---|---|---|---|"]
    for (label, state), trees in by_key.items():
        cells = [f"{r.cpu_ms:.0f}" if (r := trees.get(t)) else "–" for t in (baseline, current)]
        rows.append(f"| `{label}` | {state} | {cells[0]} | {cells[1]} |")
    return rows


def _cell(result: CommandResult | None) -> str:
    if result is None:
        return "–"
    s = result.summary()
    return f"{s['median']:.0f} / {s['p90']:.0f}"


def _procs(result: CommandResult | None) -> str:
    if result is None or result.git < 0:
        return "–"
    return f"{result.git}, {result.tmux}"

"""Poll-cost and TUI benchmark for the budgets of DESIGN.md §5.

    python benchmarks/poll_bench.py [--agents 10 50 100] [--ticks 20] [--json out.json]

In one run, against the same panes, for each N:

1. poll ticks: tmux client processes and wall time of one `Workspace.refresh()`, next to the
   naive poll peers use (per agent, one `has-session` and one `capture-pane` process), with N
   demo agents idle at their prompt and with N demo agents printing (a spinner, 10 frames/s).
   Processes are counted twice: by `Tmux.calls`, and independently by a `tmux` shim that logs
   every invocation and execs the real tmux;
2. the real TUI (`python -m workspace`, in a pane of a throwaway tmux server): CPU over a window
   (from /proc/<pid>/stat, as percent of one core) and RSS, with the agents idle and printing;
3. key-press latency: send-keys `?` to the TUI, then capture-pane until the help is drawn;
   median and p95 with N agents printing, and the ratio to the same TUI with 0 agents.

Everything runs in a sandbox (temp HOME, XDG dirs, TMUX_TMPDIR, git repository); every tmux
server, process and temp dir it made is removed at the end, also on Ctrl-C or an error.
The figures vary with the machine's load: compare ratios and medians, not absolute times.
See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from workspace.adapters import proc  # noqa: E402
from workspace.adapters.tmux import Tmux  # noqa: E402
from workspace.service import Workspace  # noqa: E402

HELP_TEXT = "Command palette: every action by name"
"""Drawn only by the help screen (`?`)."""
BUSY_CUE = "esc to interrupt"
"""The demo agent's spinner line while it works."""
IDLE_CUE = "demo>"
PRINT_PROMPT = "benchmark: keep printing [slow] [noask]"
SHIM_LOG_VAR = "WS_BENCH_TMUX_LOG"
FLOOR_PROGRAM = f"""
import os, tty
tty.setcbreak(0)
os.write(1, b"ready\\n")
while True:
    data = os.read(0, 64)
    if b"?" in data:
        os.write(1, b"\\x1b[2J\\x1b[H{HELP_TEXT}\\n")
    elif b"\\x1b" in data:
        os.write(1, b"\\x1b[2J\\x1b[Hready\\n")
"""
"""The latency floor: a program that draws the help text the moment it reads `?`. What it
measures is the harness (send-keys, tmux, capture-pane), not any UI."""
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(text: str) -> None:
    print(f"[poll_bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: with 20 samples, p95 is the 19th)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- results ------------------------------------------------------------------------------


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


@dataclass
class LatencyResult:
    agents: int
    state: str
    samples_ms: list[float]

    def summary(self) -> dict[str, float]:
        return {"median_ms": median(self.samples_ms), "p95_ms": percentile(self.samples_ms, 95)}


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


def machine_info(real_tmux: str) -> dict[str, str]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    tmux_version = subprocess.run([real_tmux, "-V"], capture_output=True, text=True).stdout
    try:
        from importlib.metadata import version

        textual = version("textual")
    except Exception:
        textual = "?"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "tmux": tmux_version.strip(),
        "textual": textual,
        "kernel": platform.release(),
        "loadavg_at_start": load,
    }


# -- the sandbox --------------------------------------------------------------------------


class Sandbox:
    """Temp HOME/XDG/TMUX_TMPDIR, a git repository, a counting tmux shim; owns cleanup."""

    def __init__(self, demo_speed: float) -> None:
        real = shutil.which("tmux")
        if real is None:
            raise SystemExit("poll_bench: tmux is not on PATH")
        self.real_tmux = real
        self.root = Path(tempfile.mkdtemp(prefix="ws-bench-"))
        # UNIX socket paths are limited to ~107 bytes: keep tmux's dir short.
        self.tmux_dir = Path(tempfile.mkdtemp(prefix="wsb-", dir="/tmp"))
        self.home = self.root / "home"
        self.home.mkdir()
        self.repo = self.root / "repo"
        self.shim_dir = self.root / "shim"
        self.shim = self.shim_dir / "tmux"
        self.bench_log = self.root / "tmux-bench.log"
        self.term_socket = f"ws-bench-term-{os.getpid()}"
        self.workspaces: list[Workspace] = []
        self.private: Tmux | None = None
        env = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_STATE_HOME": str(self.home / ".local" / "state"),
            "TMUX_TMPDIR": str(self.tmux_dir),
            "SHELL": "/bin/sh",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Bench",
            "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "Bench",
            "GIT_COMMITTER_EMAIL": "bench@example.com",
            # [slow] thinks for 30-60 s divided by the speed: 0.05 keeps it busy 10-20 min.
            "WORKSPACE_DEMO_SPEED": str(demo_speed),
            "TEXTUAL_ANIMATIONS": "none",
            SHIM_LOG_VAR: str(self.bench_log),
        }
        os.environ.update(env)
        for var in ("TMUX", "TMUX_PANE", "WORKSPACE_CONFIG_DIR", "CLAUDE_CONFIG_DIR",
                    "CODEX_HOME", "COLUMNS", "LINES"):
            os.environ.pop(var, None)
        (self.home / ".gitconfig").write_text(
            "[user]\n\tname = Bench\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n"
        )
        config = self.home / ".config" / "workspace" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text('[workspace]\ndefault_preset = "demo"\n')
        self._write_shim()
        self._make_repo()

    def _write_shim(self) -> None:
        """A `tmux` that appends one line per invocation to $WS_BENCH_TMUX_LOG, then execs the
        real one: a count that does not rely on our own counter. (The logged arguments hold no
        newline in this benchmark, so one line is one process.)"""
        self.shim_dir.mkdir()
        self.shim.write_text(
            "#!/bin/sh\n"
            f'printf "tmux %s\\n" "$*" >> "${{{SHIM_LOG_VAR}:-/dev/null}}"\n'
            f'exec {self.real_tmux} "$@"\n'
        )
        self.shim.chmod(0o755)

    def _make_repo(self) -> None:
        self.repo.mkdir()
        (self.repo / "README.md").write_text("# benchmark repository\n")
        (self.repo / "src").mkdir()
        (self.repo / "src" / "app.py").write_text("print('hi')\n")
        for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                     ["commit", "-q", "-m", "initial"]):
            subprocess.run(["git", *args], cwd=self.repo, check=True, capture_output=True)

    @staticmethod
    def shim_count(path: Path) -> int:
        try:
            with open(path, "rb") as handle:
                return sum(1 for line in handle if line.startswith(b"tmux "))
        except FileNotFoundError:
            return 0

    def open_workspace(self, through_shim: bool = False) -> Workspace:
        ws = Workspace.open(self.repo)
        if through_shim:
            ws.ctx.tmux = Tmux(ws.ctx.tmux.socket_name, ws.ctx.tmux.config_file, str(self.shim))
        self.workspaces.append(ws)
        self.private = self.private or ws.ctx.tmux
        return ws

    def term(self, *args: str, check: bool = True) -> str:
        """The throwaway terminal server (never the workspace's own)."""
        result = subprocess.run([self.real_tmux, "-L", self.term_socket, "-f", "/dev/null", *args],
                                capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"tmux {args[0]}: {result.stderr.strip()}")
        return result.stdout

    def close(self) -> None:
        """Kill both tmux servers and everything under them, remove the temp dirs."""
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # finish cleaning up
        try:
            doomed: list[int] = []
            with contextlib.suppress(Exception):
                pid = self.term("display-message", "-p", "-t", "tui", "#{pane_pid}",
                                check=False).strip()
                if pid.isdigit():
                    doomed += proc.descendants(int(pid))
            if self.private is not None:
                with contextlib.suppress(Exception):
                    for pane in self.private.list_panes() or []:
                        doomed += proc.descendants(pane.pid)
            self.term("kill-server", check=False)
            if self.private is not None:
                with contextlib.suppress(Exception):
                    self.private.kill_server()
            for socket in self.tmux_dir.glob("tmux-*/*"):  # anything else started in here
                subprocess.run([self.real_tmux, "-S", str(socket), "kill-server"],
                               capture_output=True)
            _reap(doomed)
            for ws in self.workspaces:
                with contextlib.suppress(Exception):
                    ws.close()
            shutil.rmtree(self.root, ignore_errors=True)
            shutil.rmtree(self.tmux_dir, ignore_errors=True)
        finally:
            signal.signal(signal.SIGINT, previous)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rfind(")") + 2 :].split()[0] != "Z"


def _reap(pids: list[int], grace: float = 3.0) -> None:
    """The servers' hang-up ends these; whatever is still alive after `grace` is killed."""
    pids = [p for p in pids if p > 1 and p != os.getpid()]
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


# -- agents -------------------------------------------------------------------------------


class Fleet:
    """The demo agents, spawned through the real service."""

    def __init__(self, box: Sandbox, ws: Workspace) -> None:
        self.box = box
        self.ws = ws
        self.sessions: list[tuple[str, str]] = []
        """(session, pane id) per agent."""

    def grow(self, n: int, spawn_s: list[float]) -> None:
        while len(self.sessions) < n:
            name = f"bench-{len(self.sessions) + 1:03d}"
            start = time.perf_counter()
            agent = self.ws.spawn(name, preset="demo")
            spawn_s.append(time.perf_counter() - start)
            self.sessions.append((agent.session, agent.pane_id or ""))
            if len(self.sessions) % 10 == 0:
                log(f"  spawned {len(self.sessions)}/{n}")

    def screens(self) -> dict[str, str]:
        return self.ws.ctx.tmux.capture([pane for _, pane in self.sessions], colors=False)

    def _all(self, keys: Callable[[str], list[str]]) -> None:
        """One tmux process for every pane (commands chained with ';')."""
        args: list[str] = []
        for _, pane in self.sessions:
            if args:
                args.append(";")
            args += keys(pane)
        if args:
            self.ws.ctx.tmux.run(*args)

    def make_idle(self) -> None:
        # Escape interrupts a demo turn; at the prompt it only clears the (empty) line.
        self._all(lambda pane: ["send-keys", "-t", pane, "Escape"])
        self._wait(lambda last: last.startswith(IDLE_CUE), "every agent at its prompt")

    def make_printing(self) -> None:
        self._all(lambda pane: ["send-keys", "-t", pane, "-l", "--", PRINT_PROMPT, ";",
                                "send-keys", "-t", pane, "Enter"])
        self._wait(lambda last: BUSY_CUE in last, "every agent printing")

    def _wait(self, ok: Callable[[str], bool], what: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        bad: list[str] = []
        while time.monotonic() < deadline:
            screens = self.screens()
            bad = [pane for _, pane in self.sessions
                   if not ok(_last_line(screens.get(pane, "")))]
            if not bad:
                return
            time.sleep(0.3)
        raise RuntimeError(f"timed out waiting for {what}: {len(bad)} pane(s) not there")


def _last_line(screen: str) -> str:
    lines = [line for line in screen.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


# -- 1. poll ticks --------------------------------------------------------------------------


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


def measure_ticks(box: Sandbox, fleet: Fleet, direct: Workspace, shimmed: Workspace,
                  state: str, ticks: int, interval: float, warmup: int = 2) -> TickResult:
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

        before, calls = box.shim_count(box.bench_log), shimmed.ctx.tmux.calls
        shimmed.refresh()
        ours_shim = box.shim_count(box.bench_log) - before
        ours_shim_calls = shimmed.ctx.tmux.calls - calls

        before = box.shim_count(box.bench_log)
        naive_tick(str(box.shim), socket, fleet.sessions)
        naive_shim = box.shim_count(box.bench_log) - before

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


# -- 2. the TUI's CPU and RSS -------------------------------------------------------------------


def cpu_ticks(pid: int) -> tuple[int, int]:
    """(own utime+stime, reaped children's cutime+cstime) in clock ticks."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rfind(")") + 2 :].split()
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Tui:
    """The real app in a pane of the throwaway terminal server, its tmux calls counted."""

    def __init__(self, box: Sandbox, label: str, program: list[str] | None = None) -> None:
        self.box = box
        self.log = box.root / f"tmux-tui-{label}.log"
        path = f"{box.shim_dir}{os.pathsep}{os.environ.get('PATH', '')}"
        argv = program or [sys.executable, "-m", "workspace"]
        box.term("kill-session", "-t", "tui", check=False)
        box.term("new-session", "-d", "-s", "tui", "-x", "160", "-y", "48", "-c", str(box.repo),
                 "--", "env", "-u", "COLUMNS", "-u", "LINES", f"PATH={path}",
                 f"{SHIM_LOG_VAR}={self.log}", *argv)
        self.pid = int(box.term("display-message", "-p", "-t", "tui", "#{pane_pid}").strip())

    def text(self) -> str:
        return self.box.term("capture-pane", "-p", "-t", "tui")

    def wait_text(self, fragment: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if fragment in self.text():
                return
            time.sleep(0.1)
        raise RuntimeError(f"the TUI never showed {fragment!r}; screen:\n{self.text()}")

    def settle(self, extra: float, timeout: float = 90.0) -> None:
        """Start-up work (reconcile, a diff stat per agent) is over when no git child has run
        for two seconds."""
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            if any(_comm(p) == "git" for p in proc.descendants(self.pid)[1:]):
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= 2.0:
                break
            time.sleep(0.1)
        time.sleep(extra)

    def close(self) -> None:
        self.box.term("kill-session", "-t", "tui", check=False)
        _reap(proc.descendants(self.pid))


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def server_pid(tmux: Tmux) -> int | None:
    try:
        out = tmux.run("display-message", "-p", "#{pid}")
    except Exception:
        return None
    return int(out[0]) if out and out[0].strip().isdigit() else None


def measure_tui(tui: Tui, agents: int, state: str, window: float,
                server: int | None) -> TuiResult:
    own0, kids0 = cpu_ticks(tui.pid)
    srv0 = cpu_ticks(server)[0] if server else 0
    calls0 = Sandbox.shim_count(tui.log)
    start = time.monotonic()
    peak = rss_mb(tui.pid)
    while time.monotonic() - start < window:
        time.sleep(min(1.0, max(0.0, window - (time.monotonic() - start))))
        peak = max(peak, rss_mb(tui.pid))
    elapsed = time.monotonic() - start
    own1, kids1 = cpu_ticks(tui.pid)
    srv1 = cpu_ticks(server)[0] if server else 0
    calls = Sandbox.shim_count(tui.log) - calls0

    def pct(ticks: int) -> float:
        return 100.0 * ticks / CLK_TCK / elapsed

    return TuiResult(agents, state, round(elapsed, 1), pct(own1 - own0),
                     pct(own1 - own0 + kids1 - kids0), peak, calls / elapsed, pct(srv1 - srv0))


# -- 3. key-press latency -----------------------------------------------------------------------


def measure_latency(tui: Tui, agents: int, state: str, presses: int) -> LatencyResult:
    """send-keys `?`, capture until the help is drawn; Escape, capture until it is gone. The
    figure includes one send-keys and the last capture-pane, a few ms each: the "floor" row
    measures that alone."""
    box = tui.box
    samples: list[float] = []
    for i in range(presses):
        time.sleep(0.3 + 0.37 * (i % 3))  # land at different phases of the poll tick
        start = time.perf_counter()
        box.term("send-keys", "-t", "tui", "?")
        deadline = time.monotonic() + 10
        while HELP_TEXT not in tui.text():
            if time.monotonic() > deadline:
                raise RuntimeError(f"help never appeared; screen:\n{tui.text()}")
            time.sleep(0.003)  # leave the CPU to the app under test
        samples.append((time.perf_counter() - start) * 1000)
        box.term("send-keys", "-t", "tui", "Escape")
        deadline = time.monotonic() + 10
        while HELP_TEXT in tui.text():
            if time.monotonic() > deadline:
                raise RuntimeError("help never closed")
            time.sleep(0.02)
    return LatencyResult(agents, state, samples)


# -- the run ------------------------------------------------------------------------------------


def run(args: argparse.Namespace, box: Sandbox) -> Report:
    report = Report(
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=machine_info(box.real_tmux),
        settings={k: v for k, v in vars(args).items() if k != "json"},
        sandbox=[str(box.root), str(box.tmux_dir)],
    )
    direct = box.open_workspace()
    shimmed = box.open_workspace(through_shim=True)
    fleet = Fleet(box, direct)

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
    m = report.machine
    out = [
        f"poll_bench  {report.started}  {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
        f"{m['tmux']}, Textual {m['textual']}, load at start {m['loadavg_at_start']}",
        "",
        "1. Poll tick: tmux client processes and wall time per tick (ours = Workspace.refresh();",
        "   naive = has-session + capture-pane per agent). procs: max counted by Tmux.calls and",
        "   by the tmux shim / median counted by the shim. ms: median / p95, real tmux.",
        "",
        f"{'agents':>6} {'state':<9}| {'ours procs':>10} {'ours ms':>13} | {'naive procs':>11} "
        f"{'naive ms':>15} | {'procs x':>7} {'ms x':>6} | {'changing':>8}",
    ]
    for t in report.ticks:
        s = t.summary()
        ours = (f"{s['ours_procs_max']:>4.0f} / {s['ours_procs_median']:<3.0f}  "
                f"{s['ours_ms_median']:>6.1f} / {s['ours_ms_p95']:<5.1f}")
        naive = (f"{s['naive_procs_median']:>11.0f} {s['naive_ms_median']:>7.1f} / "
                 f"{s['naive_ms_p95']:<6.1f}")
        out.append(f"{t.agents:>6} {t.state:<9}| {ours}| {naive}| {s['ratio_procs']:>7.0f} "
                   f"{s['ratio_ms']:>6.1f} | {s['changing_median']:>8.0f}")
    if report.tui:
        out += [
            "",
            "2. The TUI (python -m workspace) over the window: CPU % of one core (own / with",
            "   reaped children), peak RSS, tmux processes it started per second, and the",
            "   private tmux server's CPU % over the same window.",
            "",
            f"{'agents':>6} {'state':<9}| {'CPU %':>6} {'+kids %':>8} | {'RSS MB':>7} | "
            f"{'tmux/s':>6} | {'server %':>8}",
        ]
        for u in report.tui:
            out.append(
                f"{u.agents:>6} {u.state:<9}| {u.cpu_pct:>6.1f} {u.cpu_children_pct:>8.1f} | "
                f"{u.rss_mb:>7.0f} | {u.tmux_per_s:>6.1f} | {u.server_cpu_pct:>8.1f}"
            )
    if report.latency:
        base = next((lat for lat in report.latency if lat.state == "idle"), None)
        out += ["", "3. Key press (send-keys ?) to the help screen drawn, ms", "",
                f"{'agents':>6} {'state':<9}| {'presses':>7} {'median':>7} {'p95':>7} | "
                f"{'x median':>8} {'x p95':>6}"]
        for lat in report.latency:
            s = lat.summary()
            ratio_med = ratio_p95 = float("nan")
            if base is not None:
                b = base.summary()
                ratio_med, ratio_p95 = s["median_ms"] / b["median_ms"], s["p95_ms"] / b["p95_ms"]
            out.append(
                f"{lat.agents:>6} {lat.state:<9}| {len(lat.samples_ms):>7} "
                f"{s['median_ms']:>7.1f} {s['p95_ms']:>7.1f} | {ratio_med:>8.2f} {ratio_p95:>6.2f}"
            )
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

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    box = Sandbox(args.demo_speed)
    try:
        report = run(args, box)
    finally:
        log("cleaning up")
        box.close()
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report.to_json(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark's sandbox: the tests' sandbox (tests/support/sandbox.py) applied to this process
for the whole run, plus a git repository, a workspace config, the tmux shim and a throwaway
"terminal" tmux server. It owns the cleanup: every tmux server, process and temp dir it made goes
at the end, also on Ctrl-C, SIGTERM, SIGHUP or an error (`run_in_sandbox`)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TypeVar

from benchmarks.harness.report import PROG, log
from benchmarks.harness.shim import SHIM_LOG_VAR, write_shim
from tests.support.gitrepo import make_repo
from tests.support.sandbox import (
    CLEARED,
    Person,
    environment,
    kill_tmux_servers,
    make_home,
    make_tmux_dir,
)
from workspace.adapters import proc
from workspace.adapters.tmux import Tmux
from workspace.service import Workspace

BENCH_PERSON = Person("Bench", "bench@example.com")
REPO_FILES = {"README.md": "# benchmark repository\n", "src/app.py": "print('hi')\n"}
T = TypeVar("T")


class BenchSandbox:
    """Temp HOME/XDG/TMUX_TMPDIR, a git repository, a counting tmux shim; owns cleanup."""

    def __init__(self, demo_speed: float) -> None:
        real = shutil.which("tmux")
        if real is None:
            raise SystemExit(f"{PROG}: tmux is not on PATH")
        self.real_tmux = real
        self.root = Path(tempfile.mkdtemp(prefix="ws-bench-"))
        self.tmux_dir = make_tmux_dir("wsb-")
        self.home = make_home(self.root / "home", BENCH_PERSON)
        self.repo = self.root / "repo"
        self.shim_dir = self.root / "shim"
        self.bench_log = self.root / "tmux-bench.log"
        """The shim's log for the benchmark's own tmux calls (a TUI gets a log of its own)."""
        self.term_socket = f"ws-bench-term-{os.getpid()}"
        self.workspaces: list[Workspace] = []
        self.private: Tmux | None = None
        """The workspace's private tmux server, once a workspace is open."""
        os.environ.update(environment(self.home, self.tmux_dir, BENCH_PERSON, str(demo_speed)))
        os.environ.update({"TEXTUAL_ANIMATIONS": "none", SHIM_LOG_VAR: str(self.bench_log)})
        # The caller's terminal size must not reach the panes the run starts.
        for var in (*CLEARED, "COLUMNS", "LINES"):
            os.environ.pop(var, None)
        config = self.home / ".config" / "workspace" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text('[workspace]\ndefault_preset = "demo"\n')
        self.shim = write_shim(self.shim_dir, self.real_tmux)
        make_repo(self.repo, REPO_FILES)

    @property
    def made(self) -> list[str]:
        """The temp dirs the run made (all removed by `close`)."""
        return [str(self.root), str(self.tmux_dir)]

    def open_workspace(self, through_shim: bool = False, repo: Path | None = None) -> Workspace:
        """The real service on the sandbox's repository (or another one made in the sandbox);
        `through_shim`: its tmux calls go through the shim, so the shim's log counts them."""
        ws = Workspace.open(repo or self.repo)
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
            # Collected before the servers go: afterwards the trees are re-parented.
            doomed: list[int] = []
            with contextlib.suppress(Exception):  # every TUI (each session's pane)
                pids = self.term("list-panes", "-a", "-F", "#{pane_pid}", check=False).split()
                for pid in pids:
                    if pid.isdigit():
                        doomed += proc.descendants(int(pid))
            servers = {ws.ctx.tmux.socket_name: ws.ctx.tmux for ws in self.workspaces}
            for server in servers.values():
                with contextlib.suppress(Exception):
                    for pane in server.list_panes() or []:
                        doomed += proc.descendants(pane.pid)
            self.term("kill-server", check=False)
            for server in servers.values():
                with contextlib.suppress(Exception):
                    server.kill_server()
            kill_tmux_servers(self.tmux_dir, self.real_tmux)  # anything else started in here
            reap(doomed)
            for ws in self.workspaces:
                with contextlib.suppress(Exception):
                    ws.close()
            shutil.rmtree(self.root, ignore_errors=True)
            shutil.rmtree(self.tmux_dir, ignore_errors=True)
        finally:
            signal.signal(signal.SIGINT, previous)


def reap(pids: list[int], grace: float = 3.0) -> None:
    """The servers' hang-up ends these; whatever is still alive after `grace` is killed."""
    pids = [p for p in pids if p > 1 and p != os.getpid()]
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(proc.alive(p) for p in pids):
        time.sleep(0.1)
    for pid in pids:
        if proc.alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def run_in_sandbox(demo_speed: float, body: Callable[[BenchSandbox], T]) -> T:
    """`body` in a fresh sandbox, which is cleaned up whatever happens; SIGTERM and SIGHUP end
    the run as Ctrl-C does."""

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    box = BenchSandbox(demo_speed)
    try:
        return body(box)
    finally:
        log("cleaning up")
        box.close()

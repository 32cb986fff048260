"""A TUI in a pane of the sandbox's throwaway terminal server, as a person would run it: by
default the real app (`python -m workspace`), or any program (a bare Textual app, the latency
floor). Its tmux client processes are counted by the shim in a log of its own."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from benchmarks.harness.procstat import comm
from benchmarks.harness.sandbox import BenchSandbox, reap
from benchmarks.harness.shim import SHIM_LOG_VAR
from workspace.adapters import proc
from workspace.adapters.tmux import Tmux

APP = [sys.executable, "-m", "workspace"]


class Tui:
    """The program in a session of the terminal server ("tui" unless told: a new one of the
    same session replaces the last; two sessions run side by side, to interleave presses)."""

    def __init__(self, box: BenchSandbox, label: str, program: list[str] | None = None,
                 size: tuple[int, int] = (160, 48), session: str = "tui",
                 cwd: Path | None = None) -> None:
        self.box = box
        self.label = label
        self.session = session
        self.log = box.root / f"tmux-tui-{label}.log"
        path = f"{box.shim_dir}{os.pathsep}{os.environ.get('PATH', '')}"
        argv = program or APP
        box.term("kill-session", "-t", session, check=False)
        box.term("new-session", "-d", "-s", session, "-x", str(size[0]), "-y", str(size[1]),
                 "-c", str(cwd or box.repo), "--", "env", "-u", "COLUMNS", "-u", "LINES",
                 f"PATH={path}", f"{SHIM_LOG_VAR}={self.log}", *argv)
        self.pid = int(box.term("display-message", "-p", "-t", session, "#{pane_pid}").strip())

    def keys(self, *keys: str) -> None:
        self.box.term("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        """Literal text, as typed."""
        self.box.term("send-keys", "-t", self.session, "-l", "--", text)

    def text(self) -> str:
        return self.box.term("capture-pane", "-p", "-t", self.session)

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
            if any(comm(p) == "git" for p in proc.descendants(self.pid)[1:]):
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= 2.0:
                break
            time.sleep(0.1)
        time.sleep(extra)

    def close(self) -> None:
        self.box.term("kill-session", "-t", self.session, check=False)
        reap(proc.descendants(self.pid))


def server_pid(tmux: Tmux) -> int | None:
    """The pid of a tmux server (to read its CPU), None when none runs."""
    try:
        out = tmux.run("display-message", "-p", "#{pid}")
    except Exception:
        return None
    return int(out[0]) if out and out[0].strip().isdigit() else None

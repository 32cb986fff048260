"""py-spy, when installed (`pip install py-spy`), sampling a running TUI: which threads and
functions its time goes to. Optional: the benchmarks run without it."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

from benchmarks.harness.report import log


def py_spy() -> str | None:
    """py-spy on PATH, or next to this Python (a venv's bin)."""
    here = Path(sys.executable).parent / "py-spy"
    return shutil.which("py-spy") or (str(here) if here.exists() else None)


class Profile:
    """`py-spy record` of `pid` into `out` (collapsed stacks, one line per stack and thread,
    with the GIL's holder marked when `gil`), from start until `stop`."""

    def __init__(self, pid: int, out: Path, gil: bool = False, rate: int = 200) -> None:
        self.out = out
        self.proc: subprocess.Popen[bytes] | None = None
        binary = py_spy()
        if binary is None:
            log("py-spy is not installed; no profile")
            return
        argv = [binary, "record", "-p", str(pid), "-o", str(out), "-f", "raw", "-r",
                str(rate), "--threads", "--nonblocking"]
        if gil:
            argv.append("--gil")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self) -> Path | None:
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None
        if not self.out.exists():
            log(f"py-spy wrote no profile: {err.decode(errors='replace').strip()[-300:]}")
            return None
        return self.out

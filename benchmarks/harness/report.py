"""Progress lines, the machine a run measured, and the report's first line."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PROG = Path(sys.argv[0]).stem
"""The benchmark's name in its progress lines: the script that was run."""


def log(text: str) -> None:
    """A progress line on stderr (stdout holds only the report)."""
    print(f"[{PROG} {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def started_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def machine_info(real_tmux: str) -> dict[str, str]:
    """What the figures depend on, the load at the start included (the machines are shared)."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    tmux_version = subprocess.run([real_tmux, "-V"], capture_output=True, text=True).stdout
    try:
        textual = version("textual")
    except PackageNotFoundError:
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


def machine_line(name: str, started: str, machine: dict[str, str]) -> str:
    m = machine
    return (f"{name}  {started}  {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
            f"{m['tmux']}, Textual {m['textual']}, load at start {m['loadavg_at_start']}")

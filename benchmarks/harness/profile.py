"""Where a Python process's main thread spends its wall time, from py-spy samples taken from
outside (idle samples included: a loop held up by a sleep shows as that sleep). py-spy is not a
dependency: install it in the venv to profile (`pip install py-spy`)."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

OURS = "workspace/"
"""A frame of the package: a sample is charged to the innermost one (the line that waits or
works), not to the library call under it."""


class MainThreadProfile:
    def __init__(self, pid: int, seconds: float, out: Path, rate: int = 50) -> None:
        spy = shutil.which("py-spy")
        if spy is None:
            raise SystemExit("--profile needs py-spy on PATH (pip install py-spy)")
        self.out = out
        # --nonblocking: the process is not paused per sample, so what is measured beside it
        # stays close to what it costs unprofiled.
        self.child = subprocess.Popen(
            [spy, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))),
             "--rate", str(rate), "--idle", "--threads", "--nonblocking", "--format", "raw",
             "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def finish(self, top: int = 12) -> list[tuple[float, str]]:
        """(percent of the main thread's samples, innermost package frame), largest first."""
        try:
            self.child.wait(30)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
        return shares(self.out, top)


def shares(raw: Path, top: int) -> list[tuple[float, str]]:
    counts: Counter[str] = Counter()
    if not raw.exists():
        return []
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        if not n.isdigit() or "MainThread" not in frames[0]:
            continue
        ours = [f for f in frames[1:] if OURS in f]
        counts[ours[-1] if ours else frames[-1]] += int(n)
    total = sum(counts.values()) or 1
    return [(100.0 * n / total, frame) for frame, n in counts.most_common(top)]

"""What a benchmark reads about a process from Linux /proc (process trees and liveness come from
`workspace.adapters.proc`)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int, tid: int | None = None) -> list[str]:
    path = f"/proc/{pid}/task/{tid}/stat" if tid is not None else f"/proc/{pid}/stat"
    text = Path(path).read_text()
    # The command name may hold spaces and parentheses: the fields follow its last ')'.
    return text[text.rfind(")") + 2 :].split()


def cpu_ticks(pid: int) -> tuple[int, int]:
    """(own utime+stime, reaped children's cutime+cstime) in clock ticks."""
    fields = _stat_fields(pid)
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def main_thread_ticks(pid: int) -> int:
    """utime+stime of the process's main thread alone (the process's figure adds every other
    thread's, those that ended included)."""
    fields = _stat_fields(pid, pid)
    return int(fields[11]) + int(fields[12])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def comm(pid: int) -> str:
    """The process's command name; '' once it is gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of every core since boot, from /proc/stat's first line: what
    the whole machine did (other people's work too) next to what a benchmark measured."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


@dataclass
class CpuReading:
    window_s: float
    cpu_pct: float
    """The process's own user+system time, percent of one core."""
    cpu_children_pct: float
    """Plus the children it reaped in the window."""
    main_thread_pct: float
    """The part of `cpu_pct` spent by its main thread (the rest: the threads it started)."""
    rss_mb: float
    """Largest RSS sampled in the window."""
    machine_cores: float
    """Cores the whole machine kept busy over the window (of os.cpu_count())."""


class CpuMeter:
    """One process's CPU over a window, from /proc/<pid>/stat; `sample` (call it every second
    or so) keeps the peak RSS."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.own0, self.kids0 = cpu_ticks(pid)
        self.main0 = main_thread_ticks(pid)
        self.busy0, _ = machine_ticks()
        self.start = time.monotonic()
        self.peak = rss_mb(pid)

    def sample(self) -> None:
        self.peak = max(self.peak, rss_mb(self.pid))

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def stop(self) -> CpuReading:
        own1, kids1 = cpu_ticks(self.pid)
        main1 = main_thread_ticks(self.pid)
        busy1, _ = machine_ticks()
        elapsed = self.elapsed()
        self.sample()

        def pct(ticks: int) -> float:
            return 100.0 * ticks / CLK_TCK / elapsed

        return CpuReading(round(elapsed, 1), pct(own1 - self.own0),
                          pct(own1 - self.own0 + kids1 - self.kids0), pct(main1 - self.main0),
                          self.peak,
                          pct(busy1 - self.busy0) / 100)

"""Spawning from the TUI as a person does: `n`, a name, "How many", ctrl+s; the TUI then spawns
them in its own workers. And what the TUI process costs meanwhile (CPU from /proc)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from benchmarks.harness.procstat import CLK_TCK, cpu_ticks
from benchmarks.harness.tui import Tui

FORM_CUE = "First prompt"
"""Drawn only by the spawn form."""


def spawn_from_form(tui: Tui, name: str, count: int, base: str = "main") -> None:
    """Fill the spawn form: the name (typing replaces the suggestion), then Tab past preset,
    base and prompt to "How many" (focusing it selects its "1"), and ctrl+s."""
    tui.keys("n")
    tui.wait_text(FORM_CUE, timeout=20)
    # The form's worker fills the base branch in and resets the preset's options, which
    # takes the focus back to the name: keys typed before then go astray.
    tui.wait_text(f"▊  {base}", timeout=30)
    time.sleep(0.2)
    tui.type(name)
    for _ in range(4):  # one at a time: four Tabs sent at once did not all move the focus
        tui.keys("Tab")
        time.sleep(0.3)
    tui.type(str(count))
    tui.keys("C-s")
    deadline = time.monotonic() + 20
    while FORM_CUE in tui.text():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the spawn form did not close:\n{tui.text()}")
        time.sleep(0.05)


def agents_shown(tui: Tui) -> int:
    """The header's agent count ('20 agents'), 0 when none shows."""
    found = re.search(r"\b(\d+) agents?\b", tui.text())
    return int(found.group(1)) if found else 0


@dataclass
class CpuWindow:
    """The TUI's own CPU (user+system, percent of one core) over a stretch of the run."""

    label: str
    seconds: float
    cpu_pct: float


class CpuMeter:
    def __init__(self, pid: int, label: str) -> None:
        self.pid, self.label = pid, label
        self.start = time.monotonic()
        self.ticks = cpu_ticks(pid)[0]

    def stop(self) -> CpuWindow:
        elapsed = time.monotonic() - self.start
        used = cpu_ticks(self.pid)[0] - self.ticks
        return CpuWindow(self.label, round(elapsed, 1), 100.0 * used / CLK_TCK / elapsed)

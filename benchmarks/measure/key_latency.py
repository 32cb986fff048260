"""Key-press latency: send a key to a TUI, then capture-pane until its effect is drawn. The
figure includes one send-keys and the last capture-pane, a few ms each: `FLOOR_PROGRAM` measures
that alone."""

from __future__ import annotations

import time
from dataclasses import dataclass

from benchmarks.harness.stats import median, percentile
from benchmarks.harness.tui import Tui

HELP_TEXT = "Command palette: every action by name"
"""Drawn only by workspace's help screen (`?`)."""
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
"""The latency floor: a program that draws the help text the moment it reads `?` (run it with
`sys.executable -c`). What it measures is the harness (send-keys, tmux, capture-pane), not any
UI."""


@dataclass
class LatencyResult:
    agents: int
    state: str
    samples_ms: list[float]

    def summary(self) -> dict[str, float]:
        return {"median_ms": median(self.samples_ms), "p95_ms": percentile(self.samples_ms, 95)}


def measure_latency(tui: Tui, agents: int, state: str, presses: int, key: str = "?",
                    shown: str = HELP_TEXT, dismiss: str = "Escape") -> LatencyResult:
    """Send `key`, capture until `shown` is on screen; `dismiss`, capture until it is gone."""
    samples: list[float] = []
    for i in range(presses):
        time.sleep(pause_before(i))
        samples.append(press(tui, key, shown, dismiss))
    return LatencyResult(agents, state, samples)


def pause_before(i: int) -> float:
    """0.3-1.04 s before press `i`: presses land at different phases of the poll tick."""
    return 0.3 + 0.37 * (i % 3)


def press(tui: Tui, key: str, shown: str, dismiss: str) -> float:
    """One press: ms from sending `key` to `shown` on screen; then `dismiss`, and wait until
    `shown` is gone (not timed)."""
    start = time.perf_counter()
    tui.keys(key)
    deadline = time.monotonic() + 10
    while shown not in tui.text():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{shown!r} never appeared; screen:\n{tui.text()}")
        time.sleep(0.003)  # leave the CPU to the app under test
    elapsed = (time.perf_counter() - start) * 1000
    tui.keys(dismiss)
    deadline = time.monotonic() + 10
    while shown in tui.text():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{shown!r} never went away")
        time.sleep(0.02)
    return elapsed


HELP_TITLE = "Key press (send-keys ?) to the help screen drawn, ms"


def format_latency(results: list[LatencyResult], number: int = 3,
                   title: str = HELP_TITLE) -> list[str]:
    """The report's section; ratios are to the first 'idle' result (none: NaN)."""
    base = next((lat for lat in results if lat.state == "idle"), None)
    out = [f"{number}. {title}", "",
           f"{'agents':>6} {'state':<9}| {'presses':>7} {'median':>7} {'p95':>7} | "
           f"{'x median':>8} {'x p95':>6}"]
    for lat in results:
        s = lat.summary()
        ratio_med = ratio_p95 = float("nan")
        if base is not None:
            b = base.summary()
            ratio_med, ratio_p95 = s["median_ms"] / b["median_ms"], s["p95_ms"] / b["p95_ms"]
        out.append(
            f"{lat.agents:>6} {lat.state:<9}| {len(lat.samples_ms):>7} "
            f"{s['median_ms']:>7.1f} {s['p95_ms']:>7.1f} | {ratio_med:>8.2f} {ratio_p95:>6.2f}"
        )
    return out

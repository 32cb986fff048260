"""Key presses on two apps at once, interleaved: round after round, each probe (an app and a
kind of press) once, in an order that rotates, so both apps see the same machine and the same
load. A press is timed as key_latency.press times it (send-keys, then capture-pane until its
effect is drawn)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.harness.stats import median, percentile
from benchmarks.harness.tui import Tui
from benchmarks.measure.key_latency import pause_before, press


@dataclass(frozen=True)
class Probe:
    """One kind of press on one app: `key`, until `shown` is drawn; `dismiss` undoes it."""

    app: str
    """'ours' or 'floor'."""
    what: str
    """'help' (open the help screen) or 'select' (move the selection one row down)."""
    tui: Tui
    key: str
    shown: str
    dismiss: str


@dataclass
class PressResult:
    app: str
    what: str
    agents: int
    state: str
    samples_ms: list[float]

    def summary(self) -> dict[str, float]:
        return {"median_ms": median(self.samples_ms), "p95_ms": percentile(self.samples_ms, 95)}


def measure_interleaved(probes: list[Probe], agents: int, state: str, rounds: int,
                        more: Callable[[], bool] | None = None) -> list[PressResult]:
    """`rounds` rounds of every probe; with `more`, rounds go on (past `rounds` too) while it
    says so, and stop when it stops saying so (at least one round)."""
    results = [PressResult(p.app, p.what, agents, state, []) for p in probes]
    i = 0
    while (i < rounds if more is None else (more() or i == 0)):
        order = list(range(len(probes)))
        shift = i % len(order)
        for k in order[shift:] + order[:shift]:
            time.sleep(pause_before(i))
            p = probes[k]
            results[k].samples_ms.append(press(p.tui, p.key, p.shown, p.dismiss))
        i += 1
    return results


SELECTED = re.compile(r"worktrees/(bench-\d{3})\b")
"""How both apps say which row is selected: the agent's `cwd: …/worktrees/<name>` line (the
preview of workspace, the line under the floor's table)."""


def selected_name(tui: Tui) -> str | None:
    found = SELECTED.findall(tui.text())
    return found[-1] if len(set(found)) == 1 else None


def selection_marker(tui: Tui, timeout: float = 30.0) -> str:
    """The text that shows once the selection moved down one row (the next row's cwd): found
    by moving down and back up once."""
    deadline = time.monotonic() + timeout
    while (first := selected_name(tui)) is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{tui.label}: no selected row on screen:\n{tui.text()}")
        time.sleep(0.1)
    tui.keys("Down")
    while (below := selected_name(tui)) in (None, first):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{tui.label}: the selection never moved:\n{tui.text()}")
        time.sleep(0.05)
    tui.keys("Up")
    while selected_name(tui) != first:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{tui.label}: the selection never came back")
        time.sleep(0.05)
    return f"worktrees/{below}"


def format_presses(results: list[PressResult], number: int, title: str) -> list[str]:
    """The report's section: per kind of press and state, ours next to the floor."""
    out = [f"{number}. {title}", "",
           f"{'agents':>6} {'state':<9} {'press':<7}| {'ours med':>8} {'p95':>6} | "
           f"{'floor med':>9} {'p95':>6} | {'x median':>8} {'x p95':>6} | {'n':>3}"]
    keyed = {(r.agents, r.state, r.what, r.app): r for r in results}
    seen: list[tuple[int, str, str]] = []
    for r in results:
        if (r.agents, r.state, r.what) not in seen:
            seen.append((r.agents, r.state, r.what))
    for agents, state, what in seen:
        ours, floor = keyed.get((agents, state, what, "ours")), \
            keyed.get((agents, state, what, "floor"))
        o = ours.summary() if ours else {"median_ms": float("nan"), "p95_ms": float("nan")}
        f = floor.summary() if floor else {"median_ms": float("nan"), "p95_ms": float("nan")}
        n = len(ours.samples_ms) if ours else 0
        out.append(f"{agents:>6} {state:<9} {what:<7}| {o['median_ms']:>8.1f} {o['p95_ms']:>6.1f}"
                   f" | {f['median_ms']:>9.1f} {f['p95_ms']:>6.1f} | "
                   f"{o['median_ms'] / f['median_ms']:>8.2f} {o['p95_ms'] / f['p95_ms']:>6.2f}"
                   f" | {n:>3}")
    return out

"""Memory over many key presses that open and close screens: each app's RSS (from /proc) every
`every` presses, the apps' presses interleaved (one open-and-close each in turn), so both live
through the same stretch of the run."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.harness.procstat import rss_mb
from benchmarks.measure.interleaved import Probe
from benchmarks.measure.key_latency import press


@dataclass
class RssResult:
    app: str
    agents: int
    state: str
    screens: list[str]
    """What its presses opened and closed, in turn."""
    presses: list[int] = field(default_factory=list)
    """Key presses so far (an open and its close are two) at each sample..."""
    rss_mb: list[float] = field(default_factory=list)
    """...and the RSS then."""
    warmup: int = 0
    """Presses before the first sample (first openings build what is kept)."""

    def summary(self) -> dict[str, float]:
        if not self.rss_mb:
            return {"start_mb": float("nan"), "end_mb": float("nan"),
                    "growth_mb": float("nan"), "peak_mb": float("nan")}
        return {"start_mb": self.rss_mb[0], "end_mb": self.rss_mb[-1],
                "growth_mb": self.rss_mb[-1] - self.rss_mb[0], "peak_mb": max(self.rss_mb)}


def measure_rss(apps: dict[str, list[Probe]], agents: int, state: str, presses: int,
                warmup: int, every: int = 100) -> list[RssResult]:
    """`warmup` presses per app, then `presses` more, sampling RSS every `every` presses.
    Each app's probes take turns; each probe is two presses (open, close), so the counts are
    even."""
    if warmup % 2 or every % 2:
        raise ValueError("warmup and every count presses two at a time: give even numbers")
    results = {name: RssResult(name, agents, state, [p.what for p in probes], warmup=warmup)
               for name, probes in apps.items()}
    done = dict.fromkeys(apps, 0)
    turn = dict.fromkeys(apps, 0)
    total = warmup + presses
    while any(n < total for n in done.values()):
        for name, probes in apps.items():
            if done[name] >= total:
                continue
            p = probes[turn[name] % len(probes)]
            turn[name] += 1
            press(p.tui, p.key, p.shown, p.dismiss)
            done[name] += 2
            counted = done[name] - warmup
            if counted >= 0 and counted % every == 0:
                results[name].presses.append(counted)
                results[name].rss_mb.append(rss_mb(p.tui.pid))
    return list(results.values())


def format_rss(results: list[RssResult], number: int) -> list[str]:
    out = [f"{number}. RSS over key presses that open and close screens (MB; sampled every",
           "   100 presses after a warm-up; each open and each close is one press)", "",
           f"{'app':<6} {'agents':>6} {'state':<9} {'screens':<18}| {'presses':>7} | "
           f"{'start':>6} {'end':>6} {'growth':>6} {'peak':>6}"]
    for r in results:
        s = r.summary()
        counted = r.presses[-1] if r.presses else 0
        out.append(f"{r.app:<6} {r.agents:>6} {r.state:<9} {' '.join(r.screens):<18}| "
                   f"{counted:>7} | {s['start_mb']:>6.1f} {s['end_mb']:>6.1f} "
                   f"{s['growth_mb']:>+6.1f} {s['peak_mb']:>6.1f}")
    return out

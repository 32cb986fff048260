"""A short run of benchmarks/poll_bench.py (3 agents, a few ticks, short TUI windows): it still
works end to end, prints its report, cleans up after itself, and the polling budget of
DESIGN.md §5 holds (at most 2 tmux processes per tick, counted by the tmux shim). No timing
assertions: the figures themselves are for docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import TOP

BENCH = TOP / "benchmarks" / "poll_bench.py"


def test_poll_bench_at_three_agents(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    result = subprocess.run(
        [sys.executable, str(BENCH), "--agents", "3", "--ticks", "4", "--interval", "0.5",
         "--cpu-window", "2", "--settle", "0.5", "--presses", "2", "--latency-agents", "3",
         "--json", str(out)],
        capture_output=True, text=True, env=env, timeout=150,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = result.stdout
    for heading in ("1. Poll tick", "2. The TUI", "3. Key press"):
        assert heading in report, report

    data = json.loads(out.read_text())
    ticks = data["ticks"]
    assert {(t["agents"], t["state"]) for t in ticks} == {(3, "idle"), (3, "printing")}
    for t in ticks:
        # The shim counts every tmux process the tick started, independently of Tmux.calls.
        assert t["ours_shim"] and max(t["ours_shim"]) <= 2, t
        assert max(t["ours_calls"]) <= 2, t
        assert t["ours_shim"] == t["ours_shim_calls"], t
        assert min(t["naive_shim"]) == 6, t  # has-session + capture-pane per agent
    printing = next(t for t in ticks if t["state"] == "printing")
    assert max(printing["changing"]) == 3, "the agents must really be printing"
    assert {(u["agents"], u["state"]) for u in data["tui"]} == {
        (0, "idle"), (3, "idle"), (3, "printing")}
    assert [(lat["agents"], lat["state"], len(lat["samples_ms"])) for lat in data["latency"]] == [
        (0, "floor", 2), (0, "idle", 2), (3, "printing", 2)]
    for made in data["sandbox"]:
        assert not Path(made).exists(), f"the benchmark left {made} behind"

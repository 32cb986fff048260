"""A short run of benchmarks/autopilot_bench.py (3 demo agents, checks that pass on the second
turn, short windows): the real autopilot process goes through every phase, the report has its
sections, every turn end got its check, and the run cleans up after itself. No timing
assertions: the figures themselves are for docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import TOP

BENCH = TOP / "benchmarks" / "autopilot_bench.py"


def test_autopilot_bench_at_three_agents(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    result = subprocess.run(
        [sys.executable, str(BENCH), "--agents", "3", "--turns", "2", "--window", "2",
         "--settle", "0.5", "--intervals", "0.5", "--demo-speed", "4", "--timeout", "90",
         "--json", str(out)],
        capture_output=True, text=True, env=env, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for heading in ("1. Turn end -> check start", "2. CPU % of one core", "3. Budgets"):
        assert heading in result.stdout, result.stdout

    data = json.loads(out.read_text())
    assert sorted(w["kind"] for w in data["windows"]) == ["autopilot", "floor"]
    assert all(w["agents"] == 3 for w in data["windows"])
    [latency] = data["latency"]
    assert latency["states"] == {"review": 3}, latency  # every check passed in the end
    assert len(latency["to_check_s"]) == sum(latency["attempts"]) >= 6  # one per attempt
    assert latency["missed"] == 0 and latency["orphans"] == 0, latency
    [row] = data["summary"]
    assert row["interval"] == 0.5 and row["attempts"] == len(latency["to_check_s"])
    for made in data["sandbox"]:
        assert not Path(made).exists(), f"the benchmark left {made} behind"

"""A short run of benchmarks/refinery_bench.py (4 tasks, a 0.2 s gate, one repeat): it still
works end to end, and its counts are the bisection's (no timing assertions: the figures are
for docs/benchmarks.md). The benchmark itself checks that the bad task failed, the others
merged, and base never held BAD."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import TOP

BENCH = TOP / "benchmarks" / "refinery_bench.py"


def test_refinery_bench_with_four_tasks(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    result = subprocess.run(
        [sys.executable, str(BENCH), "--tasks", "4", "--repeats", "1", "--bad", "2",
         "--gate-seconds", "0.2", "--json", str(out)],
        capture_output=True, text=True, env=env, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| one bad | 4 |" in result.stdout
    runs = {(r["batch"], r["case"]): r for r in json.loads(out.read_text())["runs"]}
    # alone: one gate run per task; a batch of 4: one when all pass; with task 2 bad, the tip,
    # the first 2 and the first 1 (2 is the culprit, 1 lands), then 3 and 4 together
    assert {k: r["gate_runs"] for k, r in runs.items()} == {
        (1, "all pass"): 4, (4, "all pass"): 1, (1, "one bad"): 4, (4, "one bad"): 4}
    assert {k: r["base_moves"] for k, r in runs.items()} == {
        (1, "all pass"): 4, (4, "all pass"): 1, (1, "one bad"): 3, (4, "one bad"): 2}
    assert all(r["base_clean"] for r in runs.values())

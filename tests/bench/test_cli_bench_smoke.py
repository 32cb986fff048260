"""A short run of benchmarks/cli_bench.py (2 agents, 2 runs per command, the baseline being
this checkout's HEAD): it works end to end, both trees list the same agents, the process counts
are there, and it cleans up after itself. No timing assertions: the figures are for
docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import TOP

BENCH = TOP / "benchmarks" / "cli_bench.py"


def test_cli_bench_at_two_agents(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    result = subprocess.run(
        [sys.executable, str(BENCH), "--agents", "2", "--runs", "2", "--baseline", "HEAD",
         "--json", str(out)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "`ls --json` of before and now agree: yes" in result.stdout, result.stdout
    data = json.loads(out.read_text())
    rows = {(r["command"], r["state"], r["tree"]): r for r in data["summary"]}
    assert rows[("python -c pass", "", "")]["git"] == 0
    for tree in ("before", "now"):
        assert rows[("ls --json", "idle", tree)]["tmux"] >= 2  # it really asked the server
        assert len(next(r for r in data["results"] if r["label"] == "ls --json"
                        and r["tree"] == tree)["ms"]) == 2
    assert ("ls --json --fresh", "printing", "now") in rows
    for made in data["sandbox"]:
        assert not Path(made).exists(), f"the benchmark left {made} behind"

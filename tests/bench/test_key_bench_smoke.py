"""A short run of benchmarks/key_bench.py (3 demo agents, 2 rounds, 20 presses for RSS, 2
spawns on a 200-file repository): it works end to end next to the bare Textual floor, every
section of the report is there with plausible contents, and it cleans up after itself. No
timing assertions: the figures are for docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import TOP

BENCH = TOP / "benchmarks" / "key_bench.py"


def test_key_bench_at_three_agents(tmp_path: Path) -> None:
    out = tmp_path / "keys.json"
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    result = subprocess.run(
        [sys.executable, str(BENCH), "--agents", "3", "--rounds", "2", "--rss-presses", "20",
         "--rss-warmup", "4", "--rss-every", "10", "--files", "200", "--spawns", "2",
         "--settle", "1", "--json", str(out)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout
    for section in ("Key press to its effect drawn", "RSS", "spawns from the TUI",
                    "the TUI's own CPU", "Budgets:"):
        assert section in text, text
    data = json.loads(out.read_text())

    # Every app and press, idle and printing, each with one sample per round.
    presses = {(r["app"], r["what"], r["state"]): r["samples_ms"] for r in data["presses"]}
    assert set(presses) == {(app, what, state) for app in ("ours", "floor")
                            for what in ("help", "select") for state in ("idle", "printing")}
    assert all(len(samples) == 2 and all(ms > 0 for ms in samples)
               for samples in presses.values()), presses

    # RSS read at the warm-up's end and every 10 presses after, for both apps.
    rss = {r["app"]: r for r in data["rss"]}
    assert set(rss) == {"ours", "floor"}
    for r in rss.values():
        assert r["presses"] == [0, 10, 20] and all(mb > 10 for mb in r["rss_mb"]), r
    assert rss["ours"]["screens"] == ["help", "tasks", "spawn"]
    assert rss["floor"]["screens"] == ["help"]

    # The spawning phase: `?` idle and during the spawns; the TUI's CPU in both; the agents.
    spawning = {(r["app"], r["state"]) for r in data["spawning"]}
    assert spawning == {("ours", "idle"), ("floor", "idle"), ("ours", "spawning"),
                        ("floor", "spawning")}
    assert [c["label"] for c in data["cpu"]] == ["idle", "spawning"]
    assert all(c["seconds"] > 0 and c["cpu_pct"] >= 0 for c in data["cpu"])
    assert data["spawned"] == 2

    budgets = [b["budget"] for b in data["budgets"]]
    assert any(b.startswith("help: median") for b in budgets), budgets
    assert any(b.startswith("select: p95") for b in budgets), budgets
    assert any(b.startswith("RSS within 5 MB") for b in budgets), budgets
    assert "help during spawns: median <= 1.5x idle" in budgets
    for made in data["sandbox"]:
        assert not Path(made).exists(), f"the benchmark left {made} behind"

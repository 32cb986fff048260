"""`workspace usage` counts killed agents, and the notify command is told with no TUI open:
the detached autopilot is the only poller here, run as a person would, from the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.paths import TOP
from tests.support.wait import wait_for

SINK = TOP / "tests" / "support" / "notify_sink.py"


def status(repo: Path, name: str) -> str:
    listed = json.loads(run_cli("ls", "--json", cwd=repo).stdout)
    return next((a["status"] for a in listed if a["name"] == name), "")


def test_usage_counts_a_killed_agent(repo: Path) -> None:
    write_user_config('[workspace]\ndefault_preset = "demo"\n')
    assert run_cli("spawn", "spent", "-m", "add a note [noask]", cwd=repo).returncode == 0
    wait_for(lambda: status(repo, "spent") == "waiting", 40, what="spent to wait")
    listed = json.loads(run_cli("ls", "--json", cwd=repo).stdout)
    tokens = listed[0]["tokens"]["total"]
    assert tokens > 0
    assert run_cli("kill", "spent", "--discard", cwd=repo).returncode == 0
    assert json.loads(run_cli("ls", "--json", cwd=repo).stdout) == []

    report = json.loads(run_cli("usage", "--json", cwd=repo).stdout)
    assert report["by"] == "day" and report["total"]["tokens"]["total"] == tokens
    assert report["rows"][0]["agents"] == ["spent"]
    by_agent = json.loads(run_cli("usage", "--by", "agent", "--json", cwd=repo).stdout)
    assert by_agent["rows"][0]["agent"] == "spent" and by_agent["rows"][0]["ended"] is True
    text = run_cli("usage", "--by", "agent", cwd=repo).stdout.splitlines()
    assert text[0].split()[:3] == ["AGENT", "PRESET", "TASK"]
    assert text[1].startswith("spent (ended)") and text[-1].startswith("total")
    bad = run_cli("usage", "--since", "last tuesday", cwd=repo)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "YYYY-MM-DD" in bad.stderr


def test_the_autopilot_notifies_with_the_tui_closed(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "received.jsonl"
    command = json.dumps([sys.executable, str(SINK), str(out)])
    write_user_config(f'[workspace]\ndefault_preset = "demo"\n[notify]\ncommand = {command}\n')
    started = run_cli("autopilot", "--start", cwd=repo)
    assert started.returncode == 0, started.stderr
    try:
        assert run_cli("spawn", "alone", "-m", "add a note [noask]", cwd=repo).returncode == 0
        # Nothing here polls: only the autopilot's own ticks can tell it.
        lines = wait_for(lambda: out.read_text().splitlines() if out.exists() else [], 60,
                         what="the autopilot to tell the notify command")
        event = json.loads(json.loads(lines[0])["stdin"])
        assert (event["event"], event["agent"], event["status"]) == (
            "needs_you", "alone", "waiting")
    finally:
        stopped = run_cli("autopilot", "--stop", cwd=repo)
    assert stopped.returncode == 0, stopped.stderr

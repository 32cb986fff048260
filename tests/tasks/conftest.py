"""The autopilot's tests: a fleet of scripted agents (tests/support/fleet.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.fleet import Fleet, write_fleet_config
from workspace.service import Workspace


@pytest.fixture
def fleet(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
          ) -> Iterator[Callable[..., Fleet]]:
    opened: list[Workspace] = []

    def make(extra: str = "", max_agents: int = 5, workspace: str = "",
             merge: str = "") -> Fleet:
        plan, log = tmp_path / "plan.json", tmp_path / "agents.log"
        plan.write_text("{}")
        monkeypatch.setenv("SCRIPT_PLAN", str(plan))
        monkeypatch.setenv("SCRIPT_LOG", str(log))
        write_fleet_config(max_agents, extra, workspace=workspace, merge=merge)
        ws = Workspace.open(repo)
        opened.append(ws)
        return Fleet(ws, plan, log)

    yield make
    for ws in opened:
        ws.close()

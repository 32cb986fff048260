"""The autopilot's tests: scripted agents (tests/support/scripted_agent.py) run by generic
presets, a plan of what each task's agent does per attempt, and a log of when each worked."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.config import write_user_config
from tests.support.paths import TOP
from workspace.service import Workspace

AGENT = TOP / "tests" / "support" / "scripted_agent.py"


@dataclass
class Fleet:
    ws: Workspace
    plan_file: Path
    log_file: Path

    def plan(self, steps: dict[str, list[str]]) -> None:
        self.plan_file.write_text(json.dumps(steps))

    def spans(self) -> list[tuple[str, float, float]]:
        """(task, start, end) of every step an agent took, from the agents' own log."""
        starts: dict[str, list[float]] = {}
        out: list[tuple[str, float, float]] = []
        if not self.log_file.exists():
            return out
        for line in self.log_file.read_text().splitlines():
            what, task, at = line.split()
            if what == "start":
                starts.setdefault(task, []).append(float(at))
            elif starts.get(task):
                out.append((task, starts[task].pop(0), float(at)))
        return out

    def run(self, timeout: float = 90) -> list[str]:
        """Run the autopilot here until it has nothing left to do; what it said."""
        said: list[str] = []
        stop = threading.Event()
        errors: list[BaseException] = []

        def go() -> None:
            try:
                self.ws.run_autopilot(until_done=True, stop=stop, say=said.append)
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=go, daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            stop.set()
            thread.join(10)
            raise AssertionError("the autopilot did not finish in time; it said:\n"
                                 + "\n".join(said))
        if errors:
            raise errors[0]
        return said


@pytest.fixture
def fleet(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
          ) -> Iterator[Callable[..., Fleet]]:
    opened: list[Workspace] = []

    def make(extra: str = "", max_agents: int = 5) -> Fleet:
        plan, log = tmp_path / "plan.json", tmp_path / "agents.log"
        plan.write_text("{}")
        monkeypatch.setenv("SCRIPT_PLAN", str(plan))
        monkeypatch.setenv("SCRIPT_LOG", str(log))
        write_user_config(f"""[workspace]
default_preset = "oneshot"
[merge]
cleanup = "never"
[tasks]
max_agents = {max_agents}
interval = 0.2
[presets.oneshot]
kind = "generic"
command = "{sys.executable}"
args = ["{AGENT}", "oneshot"]
prompt_args = ["{{prompt}}"]
[presets.repl]
kind = "generic"
command = "{sys.executable}"
args = ["{AGENT}", "repl"]
{extra}""")
        ws = Workspace.open(repo)
        opened.append(ws)
        return Fleet(ws, plan, log)

    yield make
    for ws in opened:
        ws.close()

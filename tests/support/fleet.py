"""A fleet of scripted agents (tests/support/scripted_agent.py) for the autopilot's tests: the
config with their presets, the plan of what each task's agent does per attempt, the log of
when each worked, and running the autopilot until it is done."""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

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


def write_fleet_config(max_agents: int = 5, extra: str = "", default: str = "oneshot",
                       poll_interval: float = 1.0, tasks: str = "", workspace: str = "",
                       merge: str = "") -> None:
    """The person's config: scripted presets `oneshot` (one step per run) and `repl` (one
    step per message), the autopilot looking every 0.2 s."""
    write_user_config(f"""[workspace]
default_preset = "{default}"
poll_interval = {poll_interval}
{workspace}[merge]
cleanup = "never"
{merge}[tasks]
max_agents = {max_agents}
interval = 0.2
{tasks}[presets.oneshot]
kind = "generic"
command = "{sys.executable}"
args = ["{AGENT}", "oneshot"]
prompt_args = ["{{prompt}}"]
[presets.repl]
kind = "generic"
command = "{sys.executable}"
args = ["{AGENT}", "repl"]
{extra}""")

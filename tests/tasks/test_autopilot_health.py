"""The autopilot's health care, without an LLM: a crashed agent is restarted up to a limit and
then left to the person; a stuck one gets one nudge and is then flagged."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.support.fleet import Fleet
from workspace.core.agent import Status
from workspace.core.tasks.model import TaskSpec, TaskState


def test_a_crashing_agent_is_restarted_then_left_to_the_person(
        fleet: Callable[..., Fleet]) -> None:
    f = fleet()
    task = f.ws.add_task(TaskSpec("Crashes", check="true"))
    f.plan({task.id: ["crash:3"]})
    pilot = f.ws.new_autopilot()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "needs you" not in f.ws.task(task.id).reason:
        f.ws.refresh()
        pilot.tick()
        time.sleep(0.3)
    done = f.ws.task(task.id)
    assert done.state == TaskState.RUNNING
    assert done.reason.endswith("crashed 3 times: exited with status 3; needs you"), done.reason
    assert done.attempts[0].restarts == 2  # [tasks] crash_restarts
    kinds = [kind for _, _, _, kind, _ in f.ws.task_events(task.id)]
    assert kinds.count("restart") == 2
    assert f.ws.agent(done.agent or "").status == Status.CRASHED


def test_a_stuck_agent_gets_one_nudge_then_is_flagged(fleet: Callable[..., Fleet]) -> None:
    f = fleet(workspace="stuck_after = 3\n")
    task = f.ws.add_task(TaskSpec("Quiet", preset="demo", prompt="Think [quiet] [slow] [noask]",
                                  check="true"))
    pilot = f.ws.new_autopilot()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "looks stuck" not in f.ws.task(task.id).reason:
        f.ws.refresh()
        pilot.tick()
        time.sleep(0.3)
    done = f.ws.task(task.id)
    kinds = [kind for _, _, _, kind, _ in f.ws.task_events(task.id)]
    assert kinds.count("nudged") == 1, kinds
    assert done.attempts[0].nudged
    assert "looks stuck; needs you" in done.reason

"""A task's agent whose turn ended while the autopilot runs waits for the autopilot (to check
its work, loop it or merge it), not for the person: it is not counted, listed or told as
needing them until the autopilot hands the task over (review) or stops."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.fleet import Fleet
from tests.support.wait import wait_for
from workspace.core import format as fmt
from workspace.core.agent import Agent, Status
from workspace.core.tasks.model import TaskSpec, TaskState


def test_the_autopilots_turn_is_not_the_persons(fleet: Callable[..., Fleet], repo: Path,
                                                 tmp_path: Path) -> None:
    told = tmp_path / "told.jsonl"
    writer = f"import sys; open({str(told)!r}, 'a').write(sys.stdin.read())"
    f = fleet(workspace=f"[notify]\ncommand = [{json.dumps(sys.executable)}, \"-c\", "
                        f"{json.dumps(writer)}]\n")
    task = f.ws.add_task(TaskSpec("Write it", preset="repl", check="sleep 6 && test -f it.txt"))
    f.plan({task.id: ["write:it.txt:done"]})
    stop = threading.Event()
    pilot = threading.Thread(target=f.ws.run_autopilot, kwargs={"stop": stop}, daemon=True)
    pilot.start()
    try:
        def worker() -> Agent | None:
            return next((a for a in f.ws.refresh().agents if a.task_id == task.id), None)

        def worker_if(check: Callable[[Agent], bool]) -> Agent | None:
            agent = worker()
            return agent if agent is not None and check(agent) else None

        # Its turn ended; the check runs (6 s): the autopilot's turn.
        seen = wait_for(lambda: worker_if(lambda a: a.autopilot), 60,
                        what="the worker waiting for the autopilot")
        assert seen is not None
        assert seen.status == Status.WAITING and not seen.needs_you
        assert f.ws.task(task.id).state.active
        snapshot = f.ws.refresh()
        assert snapshot.needs_you == 0
        assert fmt.status_label(seen) == "autopilot's turn"
        listed = run_cli("ls", "--json", cwd=repo)
        assert json.loads(listed.stdout)[0]["autopilot"] is True
        # The check passed: the task waits in review, and now the agent is the person's.
        wait_for(lambda: f.ws.task(task.id).state == TaskState.REVIEW, 60, what="review")
        after = wait_for(lambda: worker_if(lambda a: a.needs_you), 15,
                         what="the worker needing the person")
        assert after is not None
        assert not after.autopilot and f.ws.refresh().needs_you == 1
    finally:
        stop.set()
        pilot.join(30)
    events = [json.loads(line) for line in told.read_text().splitlines()] \
        if told.exists() else []
    assert any(e["event"] != "needs_you" and e.get("task") == task.id for e in events), events
    # Its turn's end was the autopilot's: never told as needing the person.
    assert not [e for e in events if e["event"] == "needs_you" and e["agent"] == seen.name]
    # The autopilot stopped: a waiting agent is the person's again.
    wait_for(lambda: worker_if(lambda a: a.needs_you), 15, what="stopped")

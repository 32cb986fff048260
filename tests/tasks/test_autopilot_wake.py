"""The autopilot's early look (service/tasks/wake.py): an agent that stops working wakes its
loop before the interval ends; work in progress, and what the file held before, do not."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from tests.support.wait import wait_for
from workspace.core.agent import Agent
from workspace.service import Workspace
from workspace.service.tasks.wake import TurnWatch


def _agent(agent_id: str) -> Agent:
    return Agent(id=agent_id, name=f"t1-{agent_id}", preset="demo", branch="ws/x", base="main",
                 base_sha="abc", worktree="/w", session="x", created_at=0.0, task_id="t1")


def _append(path: Path, event: str) -> None:
    with path.open("a") as out:
        out.write(json.dumps({"event": event, "data": {}, "at": time.time()}) + "\n")


def test_a_turn_end_wakes_the_loop_and_work_does_not(repo: Path) -> None:
    ws = Workspace.open(repo)
    stop = threading.Event()
    turns = TurnWatch(ws.ctx, stop)
    try:
        agent = _agent("a1")
        events = ws.ctx.paths(agent.id).events
        events.parent.mkdir(parents=True, exist_ok=True)
        _append(events, "Stop")  # before it was followed: the poll's to read, not news
        turns.follow([agent])
        turns.begin()
        assert not turns.wait(0.5)

        # The watcher starts in a thread: a line written before it watches goes unseen
        # (the loop's timer looks then), so write until one is seen.
        def woken_by_a_turn_end() -> bool:
            _append(events, "Stop")
            return turns.wait(0.5)

        wait_for(woken_by_a_turn_end, timeout=20, what="a Stop event to wake the loop")
        for event in ("UserPromptSubmit", "PreToolUse", "PostToolUse"):  # working: no news
            turns.begin()
            _append(events, event)
            assert not turns.wait(1.0), event
        turns.begin()
        _append(events, "PermissionRequest")  # it asks for something: the autopilot looks
        assert turns.wait(20)
        turns.begin()
        turns.follow([])  # not one of its tasks' agents any more
        _append(events, "Stop")
        assert not turns.wait(1.0)
        turns.begin()
        stop.set()  # stopping wakes it too
        assert turns.wait(20)
    finally:
        turns.close()
        ws.close()


def test_with_nothing_watched_the_timer_and_the_stop_rule(repo: Path) -> None:
    ws = Workspace.open(repo)
    stop = threading.Event()
    turns = TurnWatch(ws.ctx, stop)
    try:
        turns.begin()
        assert not turns.wait(0.2)
        stop.set()
        assert not turns.wait(20)  # returns at once on stop, not woken by an agent
    finally:
        turns.close()
        ws.close()

"""A poll tick reads every agent's state once and writes the new ones together, each only over
the state it was folded from: a person's action that another process wrote in between is
kept, and the tick's signals are folded into it."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.review import spawn_shell
from tests.support.wait import wait_status
from workspace.core.agent import Status
from workspace.core.status import PlaceSeen, Signal, reduce
from workspace.service import Workspace


def test_a_pause_written_between_the_ticks_read_and_write_is_kept(ws: Workspace,
                                                                  repo: Path) -> None:
    spawn_shell(ws, "s")
    wait_status(ws, "s", Status.WAITING)
    rows = ws.ctx.store.agent_rows()
    agent, row = next((a, r) for a, r in rows if a.name == "s")
    now = time.time()
    signals: list[Signal] = [PlaceSeen(now, "branch ws/s is gone")]
    folded = {agent.id: (reduce(row.state, signals, now, ws.ctx.policy("shell")), signals)}
    other = Workspace.open(repo)  # another process: the person pauses the agent
    try:
        other.pause("s")
        written = ws.poller._store_states(rows, folded, now, {})
        assert agent.id not in written  # its fold was not written over the pause...
        after = ws.agent("s")
        assert after.status == Status.PAUSED  # ...the pause is kept
        assert after.problem == "branch ws/s is gone"  # and the tick's signals are in it
    finally:
        other.resume("s")
        other.close()

"""The header's totals stay when agents go: today's and the whole workspace's cost count killed
agents too (a trial saw the header fall from $0.72 to $0.46 after kills). With the TUI open,
its own polls tell the notify command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.support.config import write_user_config
from tests.support.paths import TOP
from tests.support.pilot import SIZE, main, status, until
from tests.support.wait import wait_for
from workspace.core import format as fmt
from workspace.core.agent import Status
from workspace.service import Workspace
from workspace.ui.app import WorkspaceApp


def header(app: WorkspaceApp) -> str:
    return str(main(app).query_one("#header").render())


async def test_the_header_keeps_what_killed_agents_cost(app: WorkspaceApp, repo: Path) -> None:
    ws = app.ws
    for name in ("first", "second"):
        ws.spawn(name, preset="demo", prompt="add a note [noask]")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "first") == status(app, "second")
                    == Status.WAITING, 40, "both to wait")
        spent = wait_for(lambda: ws.usage_summary().all.cost_usd, 10)
        shown = f"today {fmt.cost(spent)} · all {fmt.cost(spent)}"
        await until(pilot, lambda: shown in header(app), 10, f"the header to say {shown!r}")
        ws.kill("first", discard=True)
        await until(pilot, lambda: "1 agent " in header(app), 10, "the kill to show")
        assert shown in header(app), header(app)


async def test_the_tui_tells_the_notify_command(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "received.jsonl"
    command = json.dumps([sys.executable, str(TOP / "tests" / "support" / "notify_sink.py"),
                          str(out)])
    write_user_config('[workspace]\ndefault_preset = "demo"\npoll_interval = 0.3\n'
                      f"[notify]\ncommand = {command}\n")
    app = WorkspaceApp(Workspace.open(repo))
    app.ws.spawn("told", preset="demo", prompt="add a note [noask]")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: status(app, "told") == Status.WAITING, 40, "waiting")
        await until(pilot, out.exists, 20, "the command to be told")
    event = json.loads(json.loads(out.read_text().splitlines()[0])["stdin"])
    assert (event["agent"], event["status"]) == ("told", "waiting")

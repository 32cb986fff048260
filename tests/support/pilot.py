"""Driving the real Textual app with Pilot: the one async wait, and reading what the main
screen shows."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot

from workspace.core.agent import Status
from workspace.ui.app import WorkspaceApp
from workspace.ui.screens.main import MainScreen
from workspace.ui.widgets.agent_table import AgentTable

SIZE = (160, 48)


async def until(pilot: Pilot[None], check: Callable[[], object], timeout: float = 30,
                what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await pilot.pause(0.1)


async def palette_shows(pilot: Pilot[None], app: WorkspaceApp, typed: str) -> str:
    """Open the command palette, type `typed`: the prompts it offers, as one text."""
    from textual.command import CommandPalette

    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(app.screen, CommandPalette), 5, "the palette")
    await pilot.press(*typed)
    await pilot.pause(0.5)
    return " ".join(str(o.prompt) for o in app.screen.query_one(
        "CommandList").options)  # type: ignore[attr-defined]


def main(app: WorkspaceApp) -> MainScreen:
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, MainScreen)
    return screen


def status(app: WorkspaceApp, name: str) -> Status | None:
    snapshot = main(app).snapshot
    if snapshot is None:
        return None
    for agent in snapshot.agents:
        if agent.name == name:
            return agent.status
    return None


def row_text(app: WorkspaceApp, name: str) -> str:
    table = app.screen.query_one(AgentTable) if isinstance(app.screen, MainScreen) else \
        main(app).query_one(AgentTable)
    for index in range(table.row_count):
        cells = [str(c) for c in table.get_row_at(index)]
        if name in cells:
            return " | ".join(cells)
    return ""

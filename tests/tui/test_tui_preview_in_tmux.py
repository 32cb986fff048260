"""The preview in the real TUI, in an 80x24 terminal, as a person sees it: a demo agent whose
pane is full asks permission on its last rows, and the preview shows the question and its
options whole, with the pane's long lines cut, never wrapped onto the next row."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from tests.support.config import write_user_config
from tests.support.terminal import Terminal
from tests.support.wait import wait_for, wait_status
from workspace.core.agent import Status
from workspace.core.panes import strip_ansi
from workspace.service import Workspace

pytestmark = pytest.mark.tui

# Wider than the preview at 80 columns (the demo prints a task's first 100 characters); the
# cue after them keeps the demo from asking, and off the screen.
TITLE = "Write down what the preview should show when an agent's screen is taller than it is"
ASK = "Allow demo to create"
OPTIONS = "  y  yes     a  yes, and don't ask again     n  no (esc)"


def long_task(n: int, cue: str) -> str:
    return f"{TITLE}, part {n:02d} of a long session...".ljust(100, ".") + f" {cue}"


def turn_ended(ws: Workspace, turn: int) -> bool:
    """The demo worked on part `turn` and is back at its prompt."""
    ws.refresh()
    agent = ws.agent("tall")
    lines = [line.strip() for line in strip_ansi(ws.preview_screen(agent.id)).splitlines()]
    lines = [line for line in lines if line]
    worked = any(line.startswith("> ") and f"part {turn:02d}" in line for line in lines)
    return worked and lines[-1] == "demo>" and agent.status == Status.WAITING


def test_a_question_on_the_last_rows_of_a_full_pane_is_shown_whole(repo: Path) -> None:
    write_user_config('[workspace]\ndefault_preset = "demo"\npoll_interval = 0.5\n'
                      'window_size = "200x30"\n')
    term = Terminal(size=(80, 24))
    ws = Workspace.open(repo)
    started = False
    try:
        ws.spawn("tall", prompt=long_task(1, "[noask]"))
        wait_status(ws, "tall", Status.WAITING, timeout=60)
        pane = next(p for p in ws.ctx.tmux.list_panes() or [] if p.session == "tall")
        turns = 1
        while pane.cursor[1] < 29:  # fill the pane to its last row
            turns += 1
            assert turns < 12, f"the pane never filled: cursor at {pane.cursor}"
            ws.send("tall", long_task(turns, "[noask]"))
            wait_for(partial(turn_ended, ws, turns), 60, what=f"turn {turns} to end")
            pane = next(p for p in ws.ctx.tmux.list_panes() or [] if p.session == "tall")

        term.start_workspace(repo)
        started = True
        term.wait_text("tall", "waiting for you")
        ws.send("tall", long_task(turns + 1, "[ask]"))
        screen = term.wait_text(ASK, OPTIONS.strip(), timeout=60)
        pane = next(p for p in ws.ctx.tmux.list_panes() or [] if p.session == "tall")
        assert pane.cursor[1] >= 27, pane.cursor  # the question is on the pane's last rows

        lines = screen.splitlines()
        ask_row = next(i for i, line in enumerate(lines) if ASK in line)
        assert lines[ask_row + 1].startswith(" " + OPTIONS), lines[ask_row:ask_row + 2]
        # The task lines are cut at the preview's edge: no row carries the rest of one.
        tasks = [i for i, line in enumerate(lines) if TITLE[:30] in line]
        assert tasks, screen
        for i in tasks:
            assert len(lines[i]) <= 80 and "..." not in lines[i + 1], lines[i:i + 2]
        # after the options, only the row the agent's cursor waits on, then the footer
        assert lines[ask_row + 2:] == ["", lines[-1]] and "n New agent" in lines[-1], lines

        term.keys("y")
        term.wait_text("allowed", timeout=30)
    except AssertionError:
        if started:
            print(term.text())
        raise
    finally:
        term.close()
        ws.close()

"""The real TUI in tmux with twelve demo agents asking permission (issue 11): at 80x24 the
table keeps status, name, cost and the reason, names keep the ends where they differ and the
footer keeps ? and q; at 200x50 one * and one y approve all twelve."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.config import write_user_config
from tests.support.terminal import Terminal
from tests.support.wait import wait_for
from workspace.core.agent import Status
from workspace.service import Workspace

pytestmark = pytest.mark.tui

NAMES = [f"add-input-validation-to-the-api-{i}" for i in range(1, 13)]


@pytest.fixture
def narrow(repo: Path) -> Iterator[Terminal]:
    write_user_config('[workspace]\ndefault_preset = "demo"\npoll_interval = 0.5\n')
    terminal = Terminal(size=(80, 24))
    yield terminal
    terminal.close()


def resize(term: Terminal, width: int, height: int) -> None:
    term.tmux("resize-window", "-t", "t", "-x", str(width), "-y", str(height))


def test_twelve_asking_approved_with_one_mark_all_and_one_y(narrow: Terminal,
                                                            repo: Path) -> None:
    ws = Workspace.open(repo)
    for name in NAMES:
        ws.spawn(name, preset="demo", prompt=f"validate {name[-2:]} [ask]")
    term = narrow
    term.start_workspace(repo)
    screen = term.wait_text("12 agents", "12 need you", timeout=60)

    # 80x24: what must stay, stays.
    lines = screen.splitlines()
    header = next(line for line in lines if "STATUS" in line)
    assert all(column in header for column in ("NAME", "COST", "TASK / REASON"))
    assert not any(column in header for column in ("TOKENS", "CTX", "PRESET", "AGE"))
    rows = [line for line in lines if "needs permission" in line]
    assert len(rows) >= 5  # as many as the table's height shows
    shown = [re.search(r"add-input\S*", row).group() for row in rows]  # type: ignore[union-attr]
    assert len(set(shown)) == len(shown) and all("…" in s for s in shown), shown
    assert all(re.search(r"-\d+$", s) for s in shown), shown  # the differing end stays
    assert all("$" in row and "wants to use" in row for row in rows), rows
    assert re.search(r"\? Help\s+q Quit", lines[-1]), lines[-1]

    # 200x50: one * marks all twelve, one y approves them all.
    resize(term, 200, 50)
    screen = term.wait_text(NAMES[0], "TOKENS", "CTX")
    assert sum(name in screen for name in NAMES) == 12  # whole names when there is room
    term.keys("*")
    term.wait_text("12 marked")
    term.keys("y")
    try:
        wait_for(lambda: "needs permission" not in term.text(), 30, what="every one approved")
    except AssertionError:
        raise AssertionError(term.text()) from None
    ws.refresh()
    assert not [a.name for a in ws.agents() if a.status == Status.NEEDS_PERMISSION]
    term.wait_text("approved add-input-validation-to-the-api-")
    resize(term, 80, 24)
    term.wait_text("? Help")
    ws.close()

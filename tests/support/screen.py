"""What the main screen shows, read in a Pilot test as a person would see it: the table's
lines as drawn, the footer's keys that are on screen, the toasts."""

from __future__ import annotations

from tests.support.pilot import main
from workspace.ui.app import WorkspaceApp
from workspace.ui.widgets.agent_table import AgentTable
from workspace.ui.widgets.footer import KeyFooter

SIZES = ((80, 24), (200, 50))
"""A laptop's terminal and a wide one: every fleet view is looked at at both."""


def table_lines(app: WorkspaceApp) -> list[str]:
    """The agent table as drawn on screen, its header first."""
    table = main(app).query_one(AgentTable)
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


def footer_keys(app: WorkspaceApp) -> list[str]:
    """The actions' keys the footer shows inside the terminal's width, left to right (not
    the command palette's, at its right end)."""
    footer = app.screen.query_one(KeyFooter)
    width = app.size.width
    return [hint.shown for _start, end, hint in footer.drawn
            if end <= width and hint is not footer.palette]


def toasts(app: WorkspaceApp, title: str = "") -> list[str]:
    """Every notification so far (with that title)."""
    return [n.message for n in app._notifications if not title or n.title == title]

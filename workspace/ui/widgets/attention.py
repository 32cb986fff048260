"""Telling the person who started needing them: one bell and one toast for every agent that
did within a moment (workspace/ui/attention.py decides what and when), and the list of who
needs them, in the order they started, for the attention list and `g`."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

from workspace.core.agent import Agent
from workspace.core.notify import terminal_sequence
from workspace.service import Workspace
from workspace.ui.attention import AttentionLog, Need, say
from workspace.ui.dialogs.attention import AttentionScreen


class Attention(Widget):
    DEFAULT_CSS = "Attention { display: none; }"

    def __init__(self, ws: Workspace, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.ws = ws
        self.needs = AttentionLog()
        self._timer: Timer | None = None

    def seen(self, agents: tuple[Agent, ...]) -> None:
        """A poll's snapshot: note who started or stopped needing the person."""
        self.needs.seen(agents, time.time())
        self._schedule()

    def order(self) -> list[Need]:
        """Who needs the person, in the order they started needing them."""
        return self.needs.order()

    def walk(self, select_next: Callable[[list[str]], bool]) -> None:
        """`g`: the table's cursor to the next agent of the list (the filter's hidden ones
        are skipped)."""
        order = [n.agent_id for n in self.order()]
        if not order:
            self.notify("Nobody needs you right now.", timeout=3)
        elif not select_next(order):
            self.notify(f"{len(order)} need you, all hidden by the filter: a lists them",
                        severity="warning")

    def show_list(self, shown: tuple[str, ...], select: Callable[[str], None]) -> None:
        """`a`: the list; the agent chosen from it is selected (`shown`: the ids the table's
        filter shows)."""
        needs = self.order()
        hidden = {n.agent_id for n in needs if n.agent_id not in set(shown)}
        self.app.push_screen(AttentionScreen(needs, hidden),
                             lambda chosen: select(chosen) if chosen else None)

    def _schedule(self) -> None:
        due = self.needs.due_at()
        if due is None or self._timer is not None:
            return
        self._timer = self.set_timer(max(due - time.time(), 0.05), self._tell)

    def _tell(self) -> None:
        self._timer = None
        news = self.needs.take(time.time())
        if news:
            settings = self.ws.settings.workspace
            if settings.bell:
                self.app.bell()
            if settings.notify:
                self.notify(say(news) + ("" if len(news) == 1 else " · a lists them"),
                            title="needs you", severity="warning", timeout=6, markup=False)
            self._terminal_notify("needs you", say(news))
        self._schedule()

    def _terminal_notify(self, title: str, body: str) -> None:
        """The terminal's own desktop notification (OSC 9 or 777, [notify] terminal), one per
        burst like the toast, through tmux when the TUI runs inside it. Textual has no public
        call for raw output; App.bell() and its clipboard copy write to the driver the same
        way, so the sequence is not cut into a frame being drawn."""
        kind = self.ws.settings.notify.terminal
        sequence = terminal_sequence(kind, title, body, in_tmux=bool(os.environ.get("TMUX")))
        driver = self.app._driver
        if sequence and driver is not None and not self.app.is_headless:
            driver.write(sequence)

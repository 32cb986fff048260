"""Leftover worktrees (kept by a kill, or left by a crash) and tmux sessions no agent owns:
offered for cleanup, never removed silently."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


@dataclass(frozen=True)
class CleanupChoice:
    kind: str
    """worktree | session"""
    target: str
    discard: bool = False


class CleanupScreen(ModalScreen[CleanupChoice | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Close"),
        Binding("d", "discard", "Remove, discarding work"),
    ]
    DEFAULT_CSS = """
    CleanupScreen { align: center middle; }
    CleanupScreen > Vertical { width: 100; max-width: 100%; height: auto; max-height: 90%;
                               border: thick $primary;
                               background: $surface; padding: 1 2; }
    CleanupScreen OptionList { height: auto; max-height: 20; margin: 1 0; }
    CleanupScreen #hint { color: $text-muted; }
    """

    def __init__(self, worktrees: list[tuple[str, str]], sessions: list[str]) -> None:
        super().__init__()
        self.worktrees = worktrees
        self.sessions = sessions

    def compose(self) -> ComposeResult:
        options = [Option(f"worktree {path}  (branch {branch})", id=f"worktree:{path}")
                   for path, branch in self.worktrees]
        options += [Option(f"tmux session {s} (no agent)", id=f"session:{s}")
                    for s in self.sessions]
        with Vertical():
            yield Static("[b]Leftovers[/b] made by workspace that no agent owns")
            if options:
                yield OptionList(*options)
                yield Static("enter remove (kept if it holds unmerged work) · d remove and "
                             "discard its work (a recovery ref is saved) · esc close", id="hint")
            else:
                yield Static("Nothing to clean up.", id="hint")

    def _current(self, discard: bool) -> None:
        options = self.query(OptionList)
        if not options:
            return
        option_list = options.first()
        index = option_list.highlighted
        if index is None:
            return
        option_id = option_list.get_option_at_index(index).id or ""
        kind, _, target = option_id.partition(":")
        self.dismiss(CleanupChoice(kind, target, discard))

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self._current(discard=False)

    def action_discard(self) -> None:
        self._current(discard=True)

    def action_cancel(self) -> None:
        self.dismiss(None)

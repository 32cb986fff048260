"""Leftovers: worktrees workspace made that no agent owns (kept by a kill, left by a crash) and
its tmux sessions no agent owns. Looks for them when asked (c), offers each for cleanup, and
removes only what the person picks. Shows nothing itself."""

from __future__ import annotations

from textual import on
from textual.widget import Widget

from workspace.service import Workspace
from workspace.ui.dialogs.cleanup import CleanupChoice, CleanupScreen
from workspace.ui.jobs import run_job
from workspace.ui.messages import LeftoversFound


class Leftovers(Widget):
    DEFAULT_CSS = "Leftovers { display: none; }"

    def __init__(self, ws: Workspace, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.ws = ws

    def look(self) -> None:
        def job() -> None:
            leftovers = [(r.path, r.branch) for r in self.ws.leftovers()]
            self.post_message(LeftoversFound(leftovers, list(self.ws.unknown_sessions())))

        run_job(self, "look for leftovers", job)

    @on(LeftoversFound)
    def _show_leftovers(self, message: LeftoversFound) -> None:
        self.app.push_screen(CleanupScreen(message.worktrees, message.sessions), self._chosen)

    def _chosen(self, choice: CleanupChoice | None) -> None:
        if choice is None:
            return
        if choice.kind == "session":
            def end_session() -> str:
                self.ws.kill_unknown_session(choice.target)
                return f"ended tmux session {choice.target}"

            run_job(self, "kill session", end_session)
        else:
            run_job(self, "clean up",
                    lambda: self.ws.cleanup(choice.target, discard=choice.discard))

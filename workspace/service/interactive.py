"""What an interactive front end needs from the outside world: the command that attaches to an
agent's pane, file-change events for diff refreshes, theme files."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

from workspace.adapters.themes import ThemeFile, theme_files
from workspace.adapters.watch import watch_worktrees
from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.core.names import suggest_name
from workspace.service.polling import PollingMixin


class InteractiveMixin(PollingMixin):
    def attach_command(self, name: str) -> tuple[list[str], dict[str, str]]:
        """argv and env that attach this terminal to the agent's session. TMUX is dropped so
        it also works from inside the person's own tmux (a nested client of our server)."""
        agent = self.agent(name)
        if not self.tmux.has_session(agent.session):
            raise UsageError(f"{name}'s tmux session is gone; restart it first")
        env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        return self.tmux.attach_argv(agent.session), env

    def watch_changes(self, agents: list[Agent], stop: threading.Event) -> Iterator[set[str]]:
        """Ids of agents whose worktree files or branch changed, one set per debounced burst."""
        worktrees = {a.id: Path(a.worktree) for a in agents}
        refs = {a.id: self.repo.common_dir / "refs" / "heads" / a.branch for a in agents}
        yield from watch_worktrees(worktrees, refs, stop)

    def theme_files(self) -> tuple[list[ThemeFile], list[str]]:
        return theme_files()

    def suggest_name(self, preset: str, task: str = "") -> str:
        return suggest_name(preset, [a.name for a in self.agents()], task)

    def branch_names(self) -> list[str]:
        return self._branch_names()

    def default_base(self) -> str:
        return self.repo.current_branch() or ""

    def preset_names(self) -> list[str]:
        return [p.name for p in self.settings.presets]

    def run_attached(self, name: str) -> int:
        """Attach this terminal to the agent's pane until the detach key; blocks."""
        import subprocess

        argv, env = self.attach_command(name)
        return subprocess.run(argv, env=env, check=False).returncode

    def unknown_sessions(self) -> list[str]:
        known = {a.session for a in self.agents()}
        return sorted({p.session for p in self.tmux.list_panes() or []} - known)

    def burn_rate(self, agent_id: str, minutes: int = 30) -> list[float]:
        """Tokens per minute over the last `minutes`, oldest first (the detail sparkline)."""
        import time

        now = time.time()
        buckets = [0.0] * minutes
        for at, total, _ in self.store.usage_series(agent_id, now - minutes * 60):
            index = min(int((at - (now - minutes * 60)) // 60), minutes - 1)
            if index >= 0:
                buckets[index] += total
        return buckets

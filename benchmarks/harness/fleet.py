"""A fleet of demo agents spawned through the real service, each either idle at its prompt or
printing (the demo agent's spinner, 10 frames a second)."""

from __future__ import annotations

import time
from collections.abc import Callable

from benchmarks.harness.report import log
from workspace.service import Workspace

BUSY_CUE = "esc to interrupt"
"""The demo agent's spinner line while it works."""
IDLE_CUE = "demo>"
PRINT_PROMPT = "benchmark: keep printing [slow] [noask]"
"""[slow] thinks for 30-60 s divided by WORKSPACE_DEMO_SPEED: at 0.05, it prints for 10-20 min."""


class Fleet:
    """The demo agents, spawned through the real service."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.sessions: list[tuple[str, str]] = []
        """(session, pane id) per agent."""

    def grow(self, n: int, spawn_s: list[float]) -> None:
        """Spawn agents until there are `n`; each spawn's wall time goes to `spawn_s`."""
        while len(self.sessions) < n:
            name = f"bench-{len(self.sessions) + 1:03d}"
            start = time.perf_counter()
            agent = self.ws.spawn(name, preset="demo")
            spawn_s.append(time.perf_counter() - start)
            self.sessions.append((agent.session, agent.pane_id or ""))
            if len(self.sessions) % 10 == 0:
                log(f"  spawned {len(self.sessions)}/{n}")

    def screens(self) -> dict[str, str]:
        return self.ws.ctx.tmux.capture([pane for _, pane in self.sessions], colors=False)

    def _all(self, keys: Callable[[str], list[str]]) -> None:
        """One tmux process for every pane (commands chained with ';')."""
        args: list[str] = []
        for _, pane in self.sessions:
            if args:
                args.append(";")
            args += keys(pane)
        if args:
            self.ws.ctx.tmux.run(*args)

    def make_idle(self) -> None:
        # Escape interrupts a demo turn; at the prompt it only clears the (empty) line.
        self._all(lambda pane: ["send-keys", "-t", pane, "Escape"])
        self._wait(lambda last: last.startswith(IDLE_CUE), "every agent at its prompt")

    def make_printing(self) -> None:
        self._all(lambda pane: ["send-keys", "-t", pane, "-l", "--", PRINT_PROMPT, ";",
                                "send-keys", "-t", pane, "Enter"])
        self._wait(lambda last: BUSY_CUE in last, "every agent printing")

    def _wait(self, ok: Callable[[str], bool], what: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        bad: list[str] = []
        while time.monotonic() < deadline:
            screens = self.screens()
            bad = [pane for _, pane in self.sessions
                   if not ok(_last_line(screens.get(pane, "")))]
            if not bad:
                return
            time.sleep(0.3)
        raise RuntimeError(f"timed out waiting for {what}: {len(bad)} pane(s) not there")


def _last_line(screen: str) -> str:
    lines = [line for line in screen.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""

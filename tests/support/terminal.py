"""A person's terminal: a throwaway tmux server (never the workspace's own) running a command in
one pane, driven with send-keys and read with capture-pane."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.support.wait import wait_for


class Terminal:
    def __init__(self, name: str = "person", size: tuple[int, int] = (160, 48)) -> None:
        self.socket = name
        self.size = size

    def tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise AssertionError(f"tmux {args[0]}: {result.stderr}")
        return result.stdout

    def start(self, cwd: Path, *argv: str) -> None:
        """Run argv in the pane directly (its pid is the program's)."""
        # tmux's global environment may hold COLUMNS/LINES of 80x24: not for our pane.
        self.tmux("new-session", "-d", "-s", "t", "-x", str(self.size[0]), "-y",
                  str(self.size[1]), "-c", str(cwd), "--", "env", "-u", "COLUMNS", "-u",
                  "LINES", *argv)
        self.tmux("set-option", "-t", "t", "remain-on-exit", "on")

    def start_workspace(self, cwd: Path, *args: str) -> None:
        self.start(cwd, sys.executable, "-m", "workspace", *args)

    def respawn_workspace(self, cwd: Path, *args: str) -> None:
        self.tmux("respawn-pane", "-k", "-t", "t", "-c", str(cwd), "--", "env", "-u", "COLUMNS",
                  "-u", "LINES", sys.executable, "-m", "workspace", *args)

    @property
    def pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "t", "#{pane_pid}").strip())

    @property
    def dead(self) -> bool:
        return self.tmux("display-message", "-p", "-t", "t", "#{pane_dead}").strip() == "1"

    # A person's pace. Textual runs key bindings (Tab = next field) as queued actions while
    # characters go straight to the focused widget, so keys fired within a few milliseconds
    # can land in the wrong field; nobody types that fast.
    PACE = 0.2

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "t", key)
            time.sleep(self.PACE)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "t", "-l", "--", text)
        time.sleep(self.PACE)

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def wait_text(self, *fragments: str, timeout: float = 30) -> str:
        def seen() -> str:
            screen = self.text()
            return screen if all(f in screen for f in fragments) else ""

        try:
            return wait_for(seen, timeout, what=f"{fragments} on screen")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- screen ---\n{self.text()}") from None

    def wait_gone(self, fragment: str, timeout: float = 30) -> None:
        try:
            wait_for(lambda: fragment not in self.text(), timeout, what=f"{fragment!r} to go")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- screen ---\n{self.text()}") from None

    def spawn_by_keys(self, name: str, prompt: str) -> None:
        """n, the spawn form filled in as a person types it, Ctrl-S."""
        self.keys("n")
        self.wait_text("New agent", "First prompt")
        self.type(name)  # replaces the suggested name, which starts selected
        self.keys("Tab", "Tab", "Tab")  # preset, base, prompt
        self.type(prompt)
        self.keys("C-s")
        self.wait_gone("First prompt", 10)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)

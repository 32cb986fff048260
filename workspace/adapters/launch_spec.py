"""The launch spec a pane's launcher reads (see launch.py): argv, environment, cwd. Written
privately and atomically; the launcher deletes it once read (it may hold secrets)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from workspace.adapters.agents.base import AgentPaths
from workspace.adapters.files import write_json

LAUNCHER = Path(__file__).resolve().parent / "launch.py"
NOT_INHERITED = frozenset({"TMUX", "TMUX_PANE", "COLUMNS", "LINES"})
"""Set by tmux for the agent's pane, or given by its terminal: the spawner's values would be
wrong there (a stale COLUMNS makes TUIs draw at the wrong size)."""


def write_launch_spec(paths: AgentPaths, argv: list[str], env: dict[str, str], cwd: str,
                      install_hint: str) -> list[str]:
    """Write the spec and return the pane command that runs it. The agent gets the environment
    of the process that spawns it (the person's shell, through the CLI or the TUI), not the
    long-lived tmux server's, with `env` on top."""
    inherited = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    paths.exit_status.unlink(missing_ok=True)  # a relaunch starts without an ending
    write_json(paths.launch_spec, {"argv": argv, "env": {**inherited, **env}, "cwd": cwd,
                                   "install_hint": install_hint,
                                   "exit_file": str(paths.exit_status)})
    return [sys.executable, "-I", "-S", str(LAUNCHER), str(paths.launch_spec)]


def recorded_exit(paths: AgentPaths) -> int | None:
    """The exit code the launcher wrote when the agent ended, if it did."""
    try:
        text = paths.exit_status.read_text(encoding="ascii").strip()
    except OSError:
        return None
    return int(text) if text.lstrip("-").isdigit() else None

"""The sandbox tests and benchmarks run in, isolated from the developer's machine: HOME, XDG dirs
and tmux's socket dir point at fresh temp dirs (so no ~/.tmux.conf, no real config, no real
agent-CLI folders are read), git has a fixed identity and no system config, and no variable
points at the caller's tmux client or agent CLIs.

One copy, two users: tests/conftest.py applies `environment()` per test through monkeypatch;
benchmarks/harness/sandbox.py applies it to its own process for a whole run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters.proc import descendants

CLEARED = ("TMUX", "TMUX_PANE", "WORKSPACE_CONFIG_DIR", "CLAUDE_CONFIG_DIR", "CODEX_HOME")
"""Unset in the sandbox: each would lead to the caller's tmux client, config or agent CLIs."""


@dataclass(frozen=True)
class Person:
    """The git identity commits are made with."""

    name: str
    email: str


TEST_PERSON = Person("Test Person", "test@example.com")


def make_tmux_dir(prefix: str) -> Path:
    """A fresh TMUX_TMPDIR; the caller removes it (after `kill_tmux_servers`)."""
    # UNIX socket paths are limited to ~107 bytes: keep tmux's dir short.
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


def make_home(home: Path, person: Person = TEST_PERSON) -> Path:
    """Create the sandbox's HOME with the one dotfile everything needs: a git identity."""
    home.mkdir()
    (home / ".gitconfig").write_text(f"[user]\n\tname = {person.name}\n\temail = {person.email}\n"
                                     "[init]\n\tdefaultBranch = main\n")
    return home


def environment(home: Path, tmux_dir: Path, person: Person = TEST_PERSON,
                demo_speed: str = "4") -> dict[str, str]:
    """The variables to set (and `CLEARED` the ones to unset) for a sandbox at `home`."""
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "TMUX_TMPDIR": str(tmux_dir),
        "SHELL": "/bin/sh",
        "WORKSPACE_DEMO_SPEED": demo_speed,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": person.name,
        "GIT_AUTHOR_EMAIL": person.email,
        "GIT_COMMITTER_NAME": person.name,
        "GIT_COMMITTER_EMAIL": person.email,
    }


def kill_tmux_servers(tmux_dir: Path, tmux: str = "tmux") -> None:
    """Every tmux server that has a socket under this TMUX_TMPDIR, and every process of its
    panes: a paused agent (SIGSTOPped) would not die of the server's hang-up and outlive the
    test."""
    for socket in tmux_dir.glob("tmux-*/*"):
        panes = subprocess.run([tmux, "-S", str(socket), "list-panes", "-a", "-F",
                                "#{pane_pid}"], capture_output=True, text=True).stdout
        pids = [pid for line in panes.split() if line.isdigit()
                for pid in descendants(int(line))]
        for sig in (signal.SIGCONT, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
        subprocess.run([tmux, "-S", str(socket), "kill-server"], capture_output=True)

"""Every test runs against real parts, isolated from the developer's machine: HOME, XDG dirs and
the tmux socket dir are pinned to fresh temp dirs, so no ~/.tmux.conf, no real config and no
real agent-CLI folders are read, and every tmux server a test starts is killed after it. The
sandbox itself is tests/support/sandbox.py (the benchmarks run in the same one)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.config import write_user_config
from tests.support.gitrepo import make_repo
from tests.support.sandbox import (
    CLEARED,
    environment,
    kill_tmux_servers,
    make_home,
    make_tmux_dir,
)
from tests.support.terminal import Terminal
from workspace.service import Workspace


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = make_home(tmp_path / "home")
    tmux_dir = make_tmux_dir("wst-")
    for name, value in environment(home, tmux_dir).items():
        monkeypatch.setenv(name, value)
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    yield home
    kill_tmux_servers(tmux_dir)
    shutil.rmtree(tmux_dir, ignore_errors=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


@pytest.fixture
def ws(repo: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(repo)
    yield workspace
    workspace.close()




@pytest.fixture
def term(repo: Path) -> Iterator[Terminal]:
    """A person's terminal (its own tmux server) for the real TUI, demo agents by default."""
    write_user_config('[workspace]\ndefault_preset = "demo"\npoll_interval = 0.5\n')
    terminal = Terminal()
    yield terminal
    terminal.close()


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

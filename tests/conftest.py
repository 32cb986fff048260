"""Every test runs against real parts, isolated from the developer's machine: HOME, XDG dirs and
the tmux socket dir are pinned to fresh temp dirs, so no ~/.tmux.conf, no real config and no
real agent-CLI folders are read, and every tmux server a test starts is killed after it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.gitrepo import make_repo
from tests.support.terminal import Terminal
from workspace.adapters.locations import user_config_file
from workspace.service import Workspace
from workspace.ui.app import WorkspaceApp


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    # UNIX socket paths are limited to ~107 bytes: keep tmux's dir short.
    tmux_dir = Path(tempfile.mkdtemp(prefix="wst-", dir="/tmp"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("TMUX_TMPDIR", str(tmux_dir))
    monkeypatch.setenv("SHELL", "/bin/sh")
    monkeypatch.setenv("WORKSPACE_DEMO_SPEED", "4")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Person")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Person")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.com")
    for var in ("TMUX", "TMUX_PANE", "WORKSPACE_CONFIG_DIR", "CLAUDE_CONFIG_DIR", "CODEX_HOME"):
        monkeypatch.delenv(var, raising=False)
    (home / ".gitconfig").write_text("[user]\n\tname = Test Person\n\temail = test@example.com\n"
                                     "[init]\n\tdefaultBranch = main\n")
    yield home
    kill_tmux_servers(tmux_dir)
    shutil.rmtree(tmux_dir, ignore_errors=True)


def kill_tmux_servers(tmux_dir: Path) -> None:
    for socket in tmux_dir.glob("tmux-*/*"):
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


@pytest.fixture
def ws(repo: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(repo)
    yield workspace
    workspace.close()


def write_user_config(text: str) -> None:
    path = user_config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def open_ws(repo: Path) -> Iterator[Callable[[str], Workspace]]:
    """Open the workspace on `repo` with this [merge] config (no gate, no automatic clean-up
    unless given); closed after the test."""
    opened: list[Workspace] = []

    def make(merge_toml: str = "") -> Workspace:
        write_user_config(f"[merge]\ncleanup = \"never\"\n{merge_toml}")
        ws = Workspace.open(repo)
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


@pytest.fixture
def app(repo: Path) -> WorkspaceApp:
    """The real TUI app on `repo`, demo agents by default, polling fast."""
    write_user_config('[workspace]\ndefault_preset = "demo"\npoll_interval = 0.3\n')
    return WorkspaceApp(Workspace.open(repo))


@pytest.fixture
def term(repo: Path) -> Iterator[Terminal]:
    """A person's terminal (its own tmux server) for the real TUI, demo agents by default."""
    write_user_config('[workspace]\ndefault_preset = "demo"\npoll_interval = 0.5\n')
    terminal = Terminal()
    yield terminal
    terminal.close()


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

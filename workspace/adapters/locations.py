"""Where things live on disk. One place, honouring XDG and env overrides."""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home() / fallback


def config_dir() -> Path:
    """User config: $WORKSPACE_CONFIG_DIR, else $XDG_CONFIG_HOME/workspace."""
    override = os.environ.get("WORKSPACE_CONFIG_DIR")
    if override:
        return Path(override)
    return _xdg("XDG_CONFIG_HOME", ".config") / "workspace"


def user_config_file() -> Path:
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def user_state_dir() -> Path:
    """The person's own state (which repository config files they trust):
    $XDG_STATE_HOME/workspace. Never inside a repository."""
    return _xdg("XDG_STATE_HOME", ".local/state") / "workspace"


def data_dir() -> Path:
    """User data (the demo repository): $XDG_DATA_HOME/workspace."""
    return _xdg("XDG_DATA_HOME", ".local/share") / "workspace"


REPO_CONFIG_NAME = ".workspace.toml"
"""The optional per-repo config file, at the top of the main checkout."""


def state_dir(git_common_dir: Path) -> Path:
    """The workspace's state: `<git-common-dir>/workspace/`, so every checkout finds it."""
    return git_common_dir / "workspace"

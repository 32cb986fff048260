"""The one change workspace makes to a person's Claude Code config: it marks each agent's
worktree as trusted, so Claude starts without its folder-trust dialog (nothing is answered by
pressing keys on screen text), and removes that entry again when the worktree is removed.

The file is Claude's global config: `$CLAUDE_CONFIG_DIR/.claude.json`, else `~/.claude.json`
(a preset's env CLAUDE_CONFIG_DIR wins). Only `projects["<worktree>"].hasTrustDialogAccepted`
is written; every other key is kept as it was. Writes are atomic (a temp file in the same
folder, then rename) and keep the file's mode. A file that is not valid JSON is never touched:
Claude then shows its trust dialog, which the person answers. See docs/agents/claude.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from workspace.adapters.files import write_json

TRUST_KEY = "hasTrustDialogAccepted"


def global_config(env: dict[str, str]) -> Path:
    value = env.get("CLAUDE_CONFIG_DIR") or os.environ.get("CLAUDE_CONFIG_DIR")
    if value:
        return Path(value).expanduser() / ".claude.json"
    return Path.home() / ".claude.json"


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write(path: Path, data: dict[str, Any]) -> None:
    write_json(path, data, mode=None, indent=2)  # the person's file: keep its mode


def trust_folder(config: Path, folder: Path) -> bool:
    """Mark the folder trusted. True when the file was changed."""
    data = _read(config)
    if data is None:
        return False
    projects = data.setdefault("projects", {})
    if not isinstance(projects, dict):
        return False
    entry = projects.setdefault(str(folder), {})
    if not isinstance(entry, dict) or entry.get(TRUST_KEY) is True:
        return False
    entry[TRUST_KEY] = True
    _write(config, data)
    return True


def forget_folder(config: Path, folder: Path) -> bool:
    """Remove the folder's entry (its worktree is gone). True when the file was changed."""
    data = _read(config)
    if not data:
        return False
    projects = data.get("projects")
    if not isinstance(projects, dict) or str(folder) not in projects:
        return False
    del projects[str(folder)]
    _write(config, data)
    return True

"""The TUI tests' app: the real Textual app on a real workspace, demo agents by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.config import write_user_config
from workspace.service import Workspace
from workspace.ui.app import WorkspaceApp


@pytest.fixture
def app(repo: Path) -> WorkspaceApp:
    """The real TUI app on `repo`, demo agents by default, polling fast."""
    write_user_config('[workspace]\ndefault_preset = "demo"\npoll_interval = 0.3\n')
    return WorkspaceApp(Workspace.open(repo))

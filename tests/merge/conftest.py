"""The merge tests' workspace: opened with a [merge] config of the test's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.config import write_user_config
from workspace.service import Workspace


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

"""Codex pane rules against screens captured from codex-cli 0.169.0 (tests/fixtures/panes/codex)."""

from __future__ import annotations

import pytest

from tests.support import paths
from workspace.adapters.agents.rules import load_rules
from workspace.core.agent import Status

FIXTURES = paths.FIXTURES / "panes" / "codex"


@pytest.mark.parametrize("name", ["needs_permission", "working", "waiting"])
def test_codex_screens(name: str) -> None:
    screen = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    assert load_rules("codex").classify(screen)[0] == Status(name)

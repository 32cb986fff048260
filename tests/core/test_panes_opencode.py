"""opencode pane rules against screens captured from opencode 1.18.33
(tests/fixtures/panes/opencode, see its README)."""

from __future__ import annotations

import pytest

from tests.support import paths
from workspace.adapters.agents.rules import load_rules
from workspace.core.agent import Status

FIXTURES = paths.FIXTURES / "panes" / "opencode"


@pytest.mark.parametrize(("name", "status"), [
    ("needs_permission", Status.NEEDS_PERMISSION),
    ("needs_permission-always-confirm", Status.NEEDS_PERMISSION),
    ("waiting-after-reject", Status.WAITING),
    ("working", Status.WORKING),
    ("working-esc-armed", Status.WORKING),
    ("waiting", Status.WAITING),
    ("waiting-new-session", Status.WAITING),
])
def test_opencode_screens(name: str, status: Status) -> None:
    screen = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    assert load_rules("opencode").classify(screen)[0] == status

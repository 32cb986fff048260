"""Where the tests find the repository's own files, wherever a test file sits."""

from __future__ import annotations

from pathlib import Path

TOP = Path(__file__).resolve().parent.parent.parent
"""The repository's top folder."""
FIXTURES = TOP / "tests" / "fixtures"
"""Real transcript records and pane captures, one folder per CLI."""

"""Review verbs: diff and merge (filled in by the review/merge work)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workspace.cli.verbs import VerbAdder


def add_verbs(verb: VerbAdder) -> None:
    return None

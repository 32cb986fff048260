"""Which actions the footer shows when the terminal is too narrow for all of them: the
lowest ranks (workspace/core/actions.py: help and quit first), in their own order. Only what
the footer shows changes: every key still works."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from rich.cells import cell_len
from textual.binding import ActiveBinding, Binding

from workspace.core.actions import ACTIONS

RANKS = {a.name: a.rank for a in ACTIONS}

PALETTE = 14
"""Cells the command palette's key takes at the footer's right end."""
PAD = 3
"""Cells around each key and its description."""


def fit(items: list[tuple[str, str, str, int]], width: int) -> set[str]:
    """`items`: (action, key as shown, description, rank) of every action the footer would
    show. Returns the actions that fit in `width` cells, best ranks first."""
    room = width - PALETTE
    kept: set[str] = set()
    for action, key, description, _ in sorted(items, key=lambda item: item[3]):
        need = cell_len(key) + cell_len(description) + PAD
        if need > room:
            continue
        room -= need
        kept.add(action)
    return kept


def narrowed(active: dict[str, ActiveBinding], width: int,
             key_display: Callable[[Binding], str]) -> dict[str, ActiveBinding]:
    """A screen's active bindings with those the footer has no room for marked not shown."""
    items = [(b.binding.action, key_display(b.binding), b.binding.description,
              RANKS.get(b.binding.action, 99)) for b in active.values() if b.binding.show]
    kept = fit(items, width)
    return {key: b if not b.binding.show or b.binding.action in kept else
            b._replace(binding=dataclasses.replace(b.binding, show=False))
            for key, b in active.items()}

"""The state database (<git-common-dir>/workspace/state.db): agents and tasks."""

from __future__ import annotations

from workspace.adapters.store.agents import Store, UsageTotals, WorktreeRecord
from workspace.adapters.store.database import SCHEMA_VERSION
from workspace.adapters.store.health import PRIVATE_FILE, StateError, restrict
from workspace.adapters.store.tasks import TaskStore

__all__ = [
    "PRIVATE_FILE",
    "SCHEMA_VERSION",
    "StateError",
    "Store",
    "TaskStore",
    "UsageTotals",
    "WorktreeRecord",
    "restrict",
]

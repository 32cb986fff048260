"""The state database (<git-common-dir>/workspace/state.db): agents and tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workspace.adapters.store.agents import Store, UsageTotals, WorktreeRecord
from workspace.adapters.store.database import SCHEMA_VERSION
from workspace.adapters.store.health import PRIVATE_FILE, StateError, restrict
from workspace.adapters.store.rows import AgentRow, RowsRead, with_state

if TYPE_CHECKING:
    from workspace.adapters.store.tasks import TaskStore


def __getattr__(name: str) -> object:
    # The tasks' store (and the task model) load on first use: most verbs read no task.
    if name == "TaskStore":
        from workspace.adapters.store.tasks import TaskStore

        return TaskStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PRIVATE_FILE",
    "SCHEMA_VERSION",
    "AgentRow",
    "RowsRead",
    "StateError",
    "Store",
    "TaskStore",
    "UsageTotals",
    "WorktreeRecord",
    "restrict",
    "with_state",
]

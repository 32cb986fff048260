"""Merge: an agent's work into its base branch, never half-done, one merge at a time.
plan.py checks and builds (reading only), apply.py makes the merge, queue.py runs several,
batch.py lands several at once (stack.py stacks them, batch_steps.py lands them as one).

Names are imported on first use (PEP 562), so every command's look for a merge left
half-made (intent.py: one stat) does not load the merge machinery."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workspace.service.merge.apply import DEFAULT_LOCK_WAIT, Merger, StepCallback
    from workspace.service.merge.batch import Batcher, RoundReport
    from workspace.service.merge.errors import (
        CheckoutBlocked,
        GateFailed,
        MergeBusy,
        MergeConflict,
        MergeRefused,
        NothingToMerge,
    )
    from workspace.service.merge.gate_tree import GateUnprepared
    from workspace.service.merge.plan import Planner
    from workspace.service.merge.queue import MergeQueue
    from workspace.service.merge.results import (
        CleanupReport,
        MergeCheck,
        MergeResult,
        QueueReport,
    )

_HOME = {
    **dict.fromkeys(("DEFAULT_LOCK_WAIT", "Merger", "StepCallback"), "apply"),
    **dict.fromkeys(("CheckoutBlocked", "GateFailed", "MergeBusy", "MergeConflict",
                     "MergeRefused", "NothingToMerge"), "errors"),
    "Planner": "plan",
    **dict.fromkeys(("Batcher", "RoundReport"), "batch"),
    "GateUnprepared": "gate_tree",
    "MergeQueue": "queue",
    **dict.fromkeys(("CleanupReport", "MergeCheck", "MergeResult", "QueueReport"), "results"),
}


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_LOCK_WAIT",
    "Batcher",
    "CheckoutBlocked",
    "CleanupReport",
    "GateFailed",
    "GateUnprepared",
    "MergeBusy",
    "MergeCheck",
    "MergeConflict",
    "MergeQueue",
    "MergeRefused",
    "MergeResult",
    "Merger",
    "NothingToMerge",
    "Planner",
    "QueueReport",
    "RoundReport",
    "StepCallback",
]

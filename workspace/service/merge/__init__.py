"""Merge: an agent's work into its base branch, never half-done, one merge at a time.
plan.py checks and builds (reading only), apply.py makes the merge, queue.py runs several,
batch.py lands several at once (stack.py stacks them, batch_steps.py lands them as one)."""

from __future__ import annotations

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
from workspace.service.merge.plan import Planner
from workspace.service.merge.queue import MergeQueue
from workspace.service.merge.results import CleanupReport, MergeCheck, MergeResult, QueueReport

__all__ = [
    "DEFAULT_LOCK_WAIT",
    "Batcher",
    "CheckoutBlocked",
    "CleanupReport",
    "GateFailed",
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

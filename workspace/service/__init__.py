"""The service layer: the one place that orchestrates the adapters and owns policy. The UI and
the CLI import only from here (and from core).

Each name is imported on first use (PEP 562): `from workspace.service import Workspace` loads
the front, not the doctor, the demo or the merge machinery, so a CLI verb pays only for what
it runs."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workspace.adapters.repo_trust import RepoTrust
    from workspace.service.adopt import Adopted
    from workspace.service.demo import DemoSetup, demo_repo_path, open_demo
    from workspace.service.doctor import DoctorReport, Finding, Severity, doctor_report
    from workspace.service.fleet import SpawnOutcome
    from workspace.service.merge import (
        CheckoutBlocked,
        CleanupReport,
        GateFailed,
        MergeBusy,
        MergeCheck,
        MergeConflict,
        MergeRefused,
        MergeResult,
        NothingToMerge,
        QueueReport,
    )
    from workspace.service.messaging import SendResult
    from workspace.service.pulls import PrPlan, PrResult
    from workspace.service.reconcile import ReconcileReport
    from workspace.service.snapshot import Snapshot
    from workspace.service.tasks.plans import PlanView
    from workspace.service.tasks.process import AutopilotStatus
    from workspace.service.usage import UsageReport
    from workspace.service.workspace import Workspace
    from workspace.service.worktrees import KillReport

_HOME = {
    "RepoTrust": "workspace.adapters.repo_trust",
    "Adopted": "workspace.service.adopt",
    "DemoSetup": "workspace.service.demo",
    "demo_repo_path": "workspace.service.demo",
    "open_demo": "workspace.service.demo",
    "DoctorReport": "workspace.service.doctor",
    "Finding": "workspace.service.doctor",
    "Severity": "workspace.service.doctor",
    "doctor_report": "workspace.service.doctor",
    "SpawnOutcome": "workspace.service.fleet",
    **dict.fromkeys(("CheckoutBlocked", "CleanupReport", "GateFailed", "MergeBusy", "MergeCheck",
                     "MergeConflict", "MergeRefused", "MergeResult", "NothingToMerge",
                     "QueueReport"), "workspace.service.merge"),
    "SendResult": "workspace.service.messaging",
    "Snapshot": "workspace.service.snapshot",
    "PrPlan": "workspace.service.pulls",
    "PrResult": "workspace.service.pulls",
    "ReconcileReport": "workspace.service.reconcile",
    "PlanView": "workspace.service.tasks.plans",
    "AutopilotStatus": "workspace.service.tasks.process",
    "UsageReport": "workspace.service.usage",
    "Workspace": "workspace.service.workspace",
    "KillReport": "workspace.service.worktrees",
}
"""Where each public name lives."""


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:  # also how `from workspace.service import trust` finds the submodule
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "Adopted",
    "AutopilotStatus",
    "CheckoutBlocked",
    "CleanupReport",
    "DemoSetup",
    "DoctorReport",
    "Finding",
    "GateFailed",
    "KillReport",
    "MergeBusy",
    "MergeCheck",
    "MergeConflict",
    "MergeRefused",
    "MergeResult",
    "NothingToMerge",
    "PlanView",
    "PrPlan",
    "PrResult",
    "QueueReport",
    "ReconcileReport",
    "RepoTrust",
    "SendResult",
    "Severity",
    "Snapshot",
    "SpawnOutcome",
    "UsageReport",
    "Workspace",
    "demo_repo_path",
    "doctor_report",
    "open_demo",
]

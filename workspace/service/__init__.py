"""The service layer: the one place that orchestrates the adapters and owns policy. The UI and
the CLI import only from here (and from core)."""

from __future__ import annotations

from workspace.adapters.repo_trust import RepoTrust
from workspace.service.adopt import Adopted
from workspace.service.demo import DemoSetup, demo_repo_path, open_demo
from workspace.service.doctor import DoctorReport, Finding, Severity, doctor_report
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
from workspace.service.poller import Snapshot
from workspace.service.pulls import PrPlan, PrResult
from workspace.service.reconcile import ReconcileReport
from workspace.service.tasks.plans import PlanView
from workspace.service.tasks.process import AutopilotStatus
from workspace.service.usage import UsageReport
from workspace.service.workspace import Workspace
from workspace.service.worktrees import KillReport

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
    "UsageReport",
    "Workspace",
    "demo_repo_path",
    "doctor_report",
    "open_demo",
]

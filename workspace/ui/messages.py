"""Facts the workers report to the UI."""

from __future__ import annotations

from textual.message import Message

from workspace.core.review.queue import QueueState
from workspace.core.review.radar import Radar
from workspace.service import MergeResult, PrPlan, ReconcileReport, Snapshot
from workspace.ui.screens.merge import MergePlanView


class AgentsPolled(Message):
    """A poll tick finished. A newer snapshot supersedes an older one still queued."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AgentsPolled)


class DiffsUpdated(Message):
    """Diff stats of some agents were recomputed after their files changed."""

    def __init__(self, agent_ids: set[str]) -> None:
        super().__init__()
        self.agent_ids = agent_ids


class ActionFinished(Message):
    """A service action ran in a worker: its one-line result, or the error a person can fix."""

    def __init__(self, text: str, error: bool = False, refresh: bool = True) -> None:
        super().__init__()
        self.text = text
        self.error = error
        self.refresh = refresh


class WorkspaceReconciled(Message):
    def __init__(self, report: ReconcileReport) -> None:
        super().__init__()
        self.report = report


class RadarUpdated(Message):
    """The conflict radar looked again: shared files and predicted conflicts."""

    def __init__(self, radar: Radar) -> None:
        super().__init__()
        self.radar = radar

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RadarUpdated)


class MergeChecked(Message):
    """A dry run of a merge finished: what it would do, or why it cannot."""

    def __init__(self, plan: MergePlanView) -> None:
        super().__init__()
        self.plan = plan


class MergeStepped(Message):
    """A merge under way reached a step ('gate', 'updating base'...)."""

    def __init__(self, name: str, step: str) -> None:
        super().__init__()
        self.name = name
        self.step = step


class MergeFinished(Message):
    def __init__(self, result: MergeResult) -> None:
        super().__init__()
        self.result = result


class QueueChanged(Message):
    """The merge queue moved on (an agent started, merged or stopped it)."""

    def __init__(self, state: QueueState) -> None:
        super().__init__()
        self.state = state


class PrPlanned(Message):
    """What pushing and opening a pull request would do, ready for the person to confirm."""

    def __init__(self, plan: PrPlan) -> None:
        super().__init__()
        self.plan = plan


class GateReported(Message):
    """The merge gate failed: its one-line verdict and what it printed."""

    def __init__(self, text: str, output: str) -> None:
        super().__init__()
        self.text = text
        self.output = output

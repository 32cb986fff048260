"""Facts the workers report to the UI."""

from __future__ import annotations

from textual.message import Message

from workspace.service.polling import ReconcileReport, Snapshot


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

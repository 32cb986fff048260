"""Why a merge was not made. Every refusal is a MergeRefused (a UsageError): one line saying
what and how to fix it, and nothing was changed."""

from __future__ import annotations

from workspace.core.command import CommandResult
from workspace.core.errors import UsageError
from workspace.core.review.mergetree import MergeTreeResult


class MergeRefused(UsageError):
    """The merge was not made and nothing was changed."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.name = name


class NothingToMerge(MergeRefused):
    pass


class MergeConflict(MergeRefused):
    def __init__(self, message: str, name: str, base: str, result: MergeTreeResult) -> None:
        super().__init__(message, name)
        self.base = base
        self.result = result

    @property
    def files(self) -> tuple[str, ...]:
        return self.result.conflicted


class CheckoutBlocked(MergeRefused):
    def __init__(self, message: str, name: str, blockers: tuple[str, ...]) -> None:
        super().__init__(message, name)
        self.blockers = blockers


class GateFailed(MergeRefused):
    def __init__(self, message: str, name: str, gate: CommandResult) -> None:
        super().__init__(message, name)
        self.gate = gate


class MergeBusy(MergeRefused):
    pass

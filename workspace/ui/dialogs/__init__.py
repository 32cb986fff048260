"""The modal dialogs the main screen opens: each asks one thing and dismisses with the answer;
the screen (or the widget that opened it) acts on it."""

from __future__ import annotations

from workspace.ui.dialogs.cleanup import CleanupChoice, CleanupScreen
from workspace.ui.dialogs.confirm import ConfirmScreen
from workspace.ui.dialogs.help import HelpScreen
from workspace.ui.dialogs.kill import KillChoice, KillScreen
from workspace.ui.dialogs.merge import MergePlanView, MergeRequest, MergeScreen
from workspace.ui.dialogs.send import SendScreen
from workspace.ui.dialogs.spawn import SpawnRequest, SpawnScreen

__all__ = [
    "CleanupChoice",
    "CleanupScreen",
    "ConfirmScreen",
    "HelpScreen",
    "KillChoice",
    "KillScreen",
    "MergePlanView",
    "MergeRequest",
    "MergeScreen",
    "SendScreen",
    "SpawnRequest",
    "SpawnScreen",
]

"""The settings model and its one declaration of every config key (see model.py)."""

from __future__ import annotations

from workspace.core.settings.declare import Key, Kind, Spec, allowed, describe, problems
from workspace.core.settings.model import (
    CLEANUP_CHOICES,
    MERGE_STRATEGIES,
    PRESET_KINDS,
    Cleanup,
    MergeSettings,
    MergeStrategy,
    NotifySettings,
    PresetKind,
    PresetSpec,
    SensitiveKey,
    Settings,
    SettingValue,
    TasksSettings,
    WorkspaceSettings,
    WorktreeSettings,
)
from workspace.core.settings.tables import (
    PRESET_NAME_RULE,
    TABLE_NAMES,
    TABLES,
    Table,
    declared_keys,
    key_clashes,
    table,
)

__all__ = [
    "CLEANUP_CHOICES",
    "MERGE_STRATEGIES",
    "PRESET_KINDS",
    "PRESET_NAME_RULE",
    "TABLES",
    "TABLE_NAMES",
    "Cleanup",
    "Key",
    "Kind",
    "MergeSettings",
    "MergeStrategy",
    "NotifySettings",
    "PresetKind",
    "PresetSpec",
    "SensitiveKey",
    "SettingValue",
    "Settings",
    "Spec",
    "Table",
    "TasksSettings",
    "WorkspaceSettings",
    "WorktreeSettings",
    "allowed",
    "declared_keys",
    "describe",
    "key_clashes",
    "problems",
    "table",
]

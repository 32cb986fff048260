"""The tables a config file may hold, each with its declared keys, derived from the model."""

from __future__ import annotations

from dataclasses import dataclass

from workspace.core.actions import ACTIONS
from workspace.core.settings.declare import Key, Spec, keys_of
from workspace.core.settings.model import (
    MergeSettings,
    NotifySettings,
    PresetSpec,
    TasksSettings,
    WorkspaceSettings,
    WorktreeSettings,
)


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    keys: tuple[Key, ...]
    named: bool = False
    """[presets.<name>]: one table per name, each with these keys."""
    example: str = ""
    """A valid TOML snippet for the docs and (commented out) the example file."""

    def key(self, name: str) -> Key | None:
        for k in self.keys:
            if k.name == name:
                return k
        return None

    @property
    def names(self) -> list[str]:
        return sorted(k.name for k in self.keys)


PRESET_NAME_RULE = "preset names use lowercase letters, digits, '-' and '_'"

TABLES: tuple[Table, ...] = (
    Table("workspace", "", keys_of(WorkspaceSettings, "workspace")),
    Table("merge", "", keys_of(MergeSettings, "merge")),
    Table("tasks", "Tasks and the autopilot (workspace task, workspace autopilot).",
          keys_of(TasksSettings, "tasks")),
    Table("notify", "Notifications outside the TUI (docs/notify.md).",
          keys_of(NotifySettings, "notify"),
          example=(
              "[notify]\n"
              'command = ["sh", "-c", "notify-send workspace \\"$WORKSPACE_NOTIFY_MESSAGE\\""]\n'
          )),
    Table("worktree", "Preparing each new agent's worktree before the agent starts.",
          keys_of(WorktreeSettings, "worktree"),
          example=(
              "[worktree]\n"
              'copy = [".env", ".env.local"]\n'
              'symlink = ["node_modules/"]\n'
              'post_create = ["npm", "ci", "--offline"]\n'
          )),
    Table(
        "keys",
        "Any action can be remapped: action = \"key\""
        " (Textual key names: \"n\", \"ctrl+n\", \"f2\", ...).",
        tuple(
            Key("keys", a.name, "str",
                Spec(a.help, pattern=r"\S+", shape="be one key name, like 'n' or 'ctrl+n'"),
                default=a.key)
            for a in ACTIONS
        ),
    ),
    Table(
        "presets",
        "Presets: how to run each agent CLI. Every field of a built-in preset can be"
        " overridden, and\nnew presets (kind \"generic\") can run any command.",
        keys_of(PresetSpec, "presets.<name>"),
        named=True,
        example=(
            "[presets.mytool]\n"
            'kind = "generic"\n'
            'command = "mytool"\n'
            'args = ["--interactive"]\n'
            'prompt_args = ["--task", "{prompt}"]\n'
        ),
    ),
)

TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)


def table(name: str) -> Table | None:
    for t in TABLES:
        if t.name == name:
            return t
    return None


def declared_keys() -> list[Key]:
    return [k for t in TABLES for k in t.keys]


def key_clashes(keys: dict[str, str]) -> list[tuple[str, str, str]]:
    """(action, key, the action already bound to it) for each key bound twice, given the
    actions remapped in `keys` (the rest keep their default keys)."""
    bound: dict[str, str] = {}
    clashes: list[tuple[str, str, str]] = []
    # Defaults first, so a clash is reported at the line the person wrote.
    for a in sorted(ACTIONS, key=lambda a: a.name in keys):
        key = keys.get(a.name, a.key)
        if key in bound:
            clashes.append((a.name, key, bound[key]))
        else:
            bound[key] = a.name
    return clashes

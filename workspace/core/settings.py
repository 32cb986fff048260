"""The settings model: what config files can say, with defaults. Pure data.

The loader (`workspace.adapters.config`) reads TOML, validates it strictly against `SCHEMA`
and builds a `Settings`. config.example.toml documents every key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workspace.core.actions import ACTIONS

MERGE_STRATEGIES = ("squash", "merge", "rebase")
CLEANUP_CHOICES = ("ask", "always", "never")
PRESET_KINDS = ("claude", "codex", "gemini", "aider", "opencode", "shell", "demo", "generic")


@dataclass(frozen=True)
class PresetSpec:
    """How to run one agent CLI. Built-ins come from the adapters; config may override any
    field or add presets of kind `generic` (any command)."""

    name: str
    kind: str
    command: str
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    prompt_args: tuple[str, ...] | None = None
    """How the first prompt is passed on the command line (`{prompt}` is replaced);
    None: it is typed into the agent once it is ready."""
    rules: str = ""
    """Pane rules to use: a preset name (built-in rules) or a path to a TOML file."""
    install_hint: str = ""

    @property
    def env_dict(self) -> dict[str, str]:
        return dict(self.env)


@dataclass(frozen=True)
class WorkspaceSettings:
    default_preset: str = "claude"
    branch_prefix: str = "ws"
    worktree_root: str = "../{repo}-worktrees"
    poll_interval: float = 1.0
    stuck_after: float = 300.0
    quiet_after: float = 8.0
    theme: str = "workspace-dark"
    detach_key: str = "C-]"
    bell: bool = True
    notify: bool = True
    budget_usd: float = 0.0
    window_size: str = "200x50"
    history_limit: int = 10000


@dataclass(frozen=True)
class MergeSettings:
    strategy: str = "squash"
    gate: tuple[str, ...] = ()
    gate_timeout: float = 600.0
    cleanup: str = "ask"


@dataclass(frozen=True)
class Settings:
    workspace: WorkspaceSettings = field(default_factory=WorkspaceSettings)
    merge: MergeSettings = field(default_factory=MergeSettings)
    keys: tuple[tuple[str, str], ...] = ()
    presets: tuple[PresetSpec, ...] = ()
    sources: tuple[str, ...] = ()
    """The files these settings were read from, in order."""

    def key_for(self, action: str) -> str:
        return dict(self.keys).get(action, "")

    def preset(self, name: str) -> PresetSpec | None:
        for p in self.presets:
            if p.name == name:
                return p
        return None


# What each table may hold: key -> (type name, description). Types: str, float, int, bool,
# list[str], table[str].
SCHEMA: dict[str, dict[str, str]] = {
    "workspace": {
        "default_preset": "str",
        "branch_prefix": "str",
        "worktree_root": "str",
        "poll_interval": "float",
        "stuck_after": "float",
        "quiet_after": "float",
        "theme": "str",
        "detach_key": "str",
        "bell": "bool",
        "notify": "bool",
        "budget_usd": "float",
        "window_size": "str",
        "history_limit": "int",
    },
    "merge": {
        "strategy": "str",
        "gate": "list[str]",
        "gate_timeout": "float",
        "cleanup": "str",
    },
    "keys": {a.name: "str" for a in ACTIONS},
    "presets.*": {
        "kind": "str",
        "command": "str",
        "args": "list[str]",
        "env": "table[str]",
        "prompt_args": "list[str]",
        "rules": "str",
    },
}

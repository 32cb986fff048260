"""Agent CLI integrations: one module per kind, chosen by the preset's `kind`, each imported
when a preset of its kind is first used (a CLI verb on demo agents loads no other)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workspace.adapters.agents.base import Generic
    from workspace.core.settings import PresetSpec

_KINDS: dict[str, tuple[str, str]] = {
    "aider": ("aider", "Aider"),
    "claude": ("claude", "Claude"),
    "codex": ("codex", "Codex"),
    "demo": ("demo", "Demo"),
    "gemini": ("gemini", "Gemini"),
    "opencode": ("opencode", "Opencode"),
    "shell": ("shell", "Shell"),
}
"""Kind -> (its module here, its class)."""


def integration_for(spec: PresetSpec) -> Generic:
    module, name = _KINDS.get(spec.kind, ("base", "Generic"))
    kind: type[Generic] = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    return kind(spec)

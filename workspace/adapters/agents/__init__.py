"""Agent CLI integrations: one module per kind, chosen by the preset's `kind`."""

from __future__ import annotations

from workspace.adapters.agents.aider import Aider
from workspace.adapters.agents.base import Generic
from workspace.adapters.agents.claude import Claude
from workspace.adapters.agents.codex import Codex
from workspace.adapters.agents.demo import Demo
from workspace.adapters.agents.gemini import Gemini
from workspace.adapters.agents.opencode import Opencode
from workspace.adapters.agents.shell import Shell
from workspace.core.settings import PresetSpec

_KINDS: dict[str, type[Generic]] = {
    "aider": Aider,
    "claude": Claude,
    "codex": Codex,
    "demo": Demo,
    "gemini": Gemini,
    "opencode": Opencode,
    "shell": Shell,
}


def integration_for(spec: PresetSpec) -> Generic:
    return _KINDS.get(spec.kind, Generic)(spec)

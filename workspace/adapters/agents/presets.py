"""The built-in presets: how to run each agent CLI by default. Config may override any field."""

from __future__ import annotations

import os
import sys

from workspace.core.settings import PresetSpec


def default_shell() -> str:
    return os.environ.get("SHELL") or "/bin/sh"


def builtin_presets() -> tuple[PresetSpec, ...]:
    return (
        PresetSpec(
            name="claude",
            kind="claude",
            command="claude",
            prompt_args=("{prompt}",),
            rules="claude",
            install_hint="npm install -g @anthropic-ai/claude-code",
            # Edits without asking; shell commands still ask (bypassPermissions in your config
            # for none at all). Only for tasks filed with --unattended.
            unattended_args=("--permission-mode", "acceptEdits"),
        ),
        PresetSpec(
            name="codex",
            kind="codex",
            command="codex",
            prompt_args=("{prompt}",),
            rules="codex",
            install_hint="npm install -g @openai/codex",
            # Never asks; commands run in its workspace-write sandbox (checked on codex 0.169.0:
            # it has no --full-auto).
            unattended_args=("--ask-for-approval", "never", "--sandbox", "workspace-write"),
        ),
        PresetSpec(
            name="gemini",
            kind="gemini",
            command="gemini",
            prompt_args=("--prompt-interactive", "{prompt}"),
            rules="gemini",
            install_hint="npm install -g @google/gemini-cli",
            unattended_args=("--approval-mode=auto_edit",),
        ),
        PresetSpec(
            name="aider",
            kind="aider",
            command="aider",
            args=("--no-show-release-notes", "--no-check-update", "--no-gitignore"),
            prompt_args=None,
            rules="aider",
            install_hint="python -m pip install aider-install && aider-install",
            unattended_args=("--yes-always",),
        ),
        PresetSpec(
            name="opencode",
            kind="opencode",
            command="opencode",
            prompt_args=None,
            rules="opencode",
            install_hint="npm install -g opencode-ai",
        ),
        PresetSpec(
            name="shell",
            kind="shell",
            command=default_shell(),
            prompt_args=None,
            rules="",
            install_hint="set $SHELL or the command of [presets.shell] in your config",
        ),
        PresetSpec(
            name="demo",
            kind="demo",
            command=sys.executable,
            args=("-m", "workspace.demo.agent"),
            prompt_args=("--prompt={prompt}",),
            rules="demo",
            install_hint="the demo agent ships with workspace; reinstall workspace",
        ),
    )

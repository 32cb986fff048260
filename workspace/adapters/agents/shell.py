"""The person's shell: working while a command runs in the foreground, waiting at the prompt."""

from __future__ import annotations

from pathlib import Path

from workspace.adapters.agents.base import Generic
from workspace.core.agent import Status
from workspace.core.status import Policy


class Shell(Generic):
    kind = "shell"

    def policy(self, base: Policy) -> Policy:
        return base

    def pane_status(self, screen: str, command: str) -> tuple[Status | None, str]:
        shell = Path(self.spec.command).name
        if not command or command == shell or command.lstrip("-") == shell:
            return Status.WAITING, "at the shell prompt"
        return Status.WORKING, f"running {command}"

    def ready_for_input(self, screen: str, command: str) -> bool:
        return bool(screen.strip())

    def approve_keys(self, always: bool) -> list[str]:
        return ["y", "Enter"]

    def interrupt_keys(self) -> list[str]:
        return ["C-c"]

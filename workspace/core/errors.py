"""Errors a person can cause. Each carries one line that says what is wrong and how to fix it;
the CLI prints it and exits with code 2, the TUI shows it as a notification."""

from __future__ import annotations


class UsageError(Exception):
    """A mistake or missing prerequisite the person can fix (exit code 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

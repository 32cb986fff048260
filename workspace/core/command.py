"""What an external command did (the merge gate, gh): a plain record, built by the runner
adapter and read by the service and the UI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int | None
    """None when the command did not finish (timed out) or could not start."""
    output: str
    """stdout and stderr interleaved (the end, where failures are reported)."""
    duration: float
    timed_out: bool = False
    missing: bool = False
    """The program was not found or is not executable."""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def describe(self, timeout: float, what: str = "the gate command") -> str:
        """Why it did not pass, in one clause."""
        shown = " ".join(self.argv)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        if self.missing:
            return f"{what} {shown!r} could not be run ({self.output.strip()})"
        if self.timed_out:
            return f"{what} {shown!r} did not finish within {timeout:g}s"
        return f"{what} {shown!r} failed with status {self.returncode}"

"""External commands beside git and tmux: the merge gate and the GitHub CLI. argv lists only,
never a shell; a timeout ends the command's whole process group."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from workspace.core.command import CommandResult

OUTPUT_LIMIT = 64_000
"""Characters of output kept (the end: where failures are reported)."""


def find_program(name: str) -> str | None:
    return shutil.which(name)


def run_command(argv: list[str] | tuple[str, ...], cwd: Path, timeout: float,
                env: dict[str, str] | None = None) -> CommandResult:
    """Run argv in cwd with no stdin; on timeout, SIGTERM then SIGKILL its process group."""
    started = time.monotonic()
    full_env = {**os.environ, **(env or {})}
    try:
        child = subprocess.Popen(
            list(argv), cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
    except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
        return CommandResult(tuple(argv), None, str(exc), 0.0, missing=True)
    timed_out = False
    try:
        out, _ = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(child)
        try:
            out, _ = child.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            # A grandchild that left the group still holds the pipe: stop reading.
            out = b""
            if child.stdout is not None:
                child.stdout.close()
            child.wait(timeout=5)
    text = out.decode("utf-8", "replace")[-OUTPUT_LIMIT:]
    return CommandResult(tuple(argv), None if timed_out else child.returncode, text,
                         time.monotonic() - started, timed_out=timed_out)


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(child.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            child.wait(timeout=grace or 5)
            if sig == signal.SIGTERM:
                # The leader is gone; make sure the rest of its group is too.
                os.killpg(child.pid, signal.SIGKILL)
            return
        except subprocess.TimeoutExpired:
            continue
        except (ProcessLookupError, PermissionError):
            return

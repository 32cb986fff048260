"""External commands beside git and tmux: the merge gate, the GitHub CLI, a worktree's
post_create, the notify command. argv lists only, never a shell; a timeout ends the command's
whole process group, and so does the death of the process that ran it (guard.py), except for
notifications, which are delivered detached (deliver.py) so that nothing waits for them."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from workspace.core.command import CommandResult

OUTPUT_LIMIT = 64_000
"""Characters of output kept (the end: where failures are reported)."""
GUARD = Path(__file__).resolve().parent / "guard.py"
DELIVER = Path(__file__).resolve().parent / "deliver.py"
LOG_LIMIT = 1_000_000
"""Bytes of the notify log before it is set aside (as <log>.1) and a new one started."""


def find_program(name: str) -> str | None:
    return shutil.which(name)


def run_command(argv: list[str] | tuple[str, ...], cwd: Path, timeout: float,
                env: dict[str, str] | None = None) -> CommandResult:
    """Run argv in cwd with no stdin; on timeout, SIGTERM then SIGKILL its process group.
    The command runs under guard.py, which SIGKILLs that group if this process dies first.
    The kernel ties that to the thread that starts the command (PR_SET_PDEATHSIG): callers
    wait here for the result, the TUI's merge workers included, so the thread outlives it."""
    started = time.monotonic()
    full_env = {**os.environ, **(env or {})}
    report, report_w = os.pipe()
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", str(GUARD), str(report_w), str(os.getpid()),
             *argv],
            cwd=cwd, env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True, pass_fds=(report_w,),
        )
    except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
        os.close(report)
        return CommandResult(tuple(argv), None, str(exc), 0.0, missing=True)
    finally:
        os.close(report_w)
    with os.fdopen(report, "rb") as reader:
        # Empty once the command started; else why it could not be (read until the guard
        # closes its end, which it does right after starting the command).
        problem = reader.read().decode("utf-8", "replace")
    if problem:
        child.communicate()
        return CommandResult(tuple(argv), None, problem, time.monotonic() - started,
                             missing=True)
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


def deliver_detached(argv: list[str] | tuple[str, ...], events: list[str], timeout: float,
                     cwd: Path, log: Path) -> None:
    """Run argv once per event (a JSON line on its stdin) in a detached process: returns at
    once, and the runs go on if this process exits; each is time-limited (deliver.py). What
    failed is told in `log`. Raises OSError if even the deliverer cannot start."""
    if log.exists() and log.stat().st_size > LOG_LIMIT:
        log.replace(log.with_name(log.name + ".1"))
    # The events in a file, not a pipe: a pipe could fill up and make this wait.
    with tempfile.TemporaryFile() as feed, \
            open(os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab") as out:
        feed.write("".join(f"{line}\n" for line in events).encode())
        feed.seek(0)
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", str(DELIVER), str(timeout), *argv],
            cwd=cwd, stdin=feed, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    # Reaped when it ends, so no zombie waits for this process's next Popen.
    threading.Thread(target=child.wait, daemon=True, name="notify-reaper").start()

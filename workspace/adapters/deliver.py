"""Deliver notifications: `python -I -S deliver.py TIMEOUT ARGV...` reads events from its stdin,
one JSON object a line, and runs ARGV once per event, in order, with that object (and a newline)
on ARGV's stdin and its title and message in WORKSPACE_NOTIFY_TITLE and
WORKSPACE_NOTIFY_MESSAGE (for commands that take words, not JSON).

It is started detached (its own session, stdin a file, stdout and stderr the notify log), so
the poll that started it never waits for it and a verb that exits at once loses nothing. Each
run may take TIMEOUT seconds; then its whole process group gets SIGTERM, and SIGKILL two
seconds later. What a run that failed printed goes to the log, with why. Standard library only.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

OUTPUT_KEPT = 2000
"""Characters of a failed run's output written to the log (its end)."""


def _log(what: str) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    sys.stdout.write(f"{stamp} {what}\n")
    sys.stdout.flush()


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(child.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            child.wait(timeout=grace)
            os.killpg(child.pid, signal.SIGKILL)  # the leader is gone: the rest of it too
            return
        except subprocess.TimeoutExpired:
            continue
        except (ProcessLookupError, PermissionError):
            return


def run_one(argv: list[str], line: str, timeout: float) -> None:
    env = dict(os.environ)
    try:
        event = json.loads(line)
    except ValueError:
        event = {}
    if isinstance(event, dict):
        env["WORKSPACE_NOTIFY_TITLE"] = str(event.get("title", ""))
        env["WORKSPACE_NOTIFY_MESSAGE"] = str(event.get("message", ""))
    else:
        event = {}
    what = f"{event.get('event', 'event')} {event.get('agent') or event.get('task') or ''}"
    what = what.strip()
    try:
        child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, env=env, process_group=0)
    except (OSError, ValueError) as exc:
        _log(f"{what}: could not run {argv[0]!r}: {exc}")
        return
    try:
        out, _ = child.communicate((line + "\n").encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        try:
            out, _ = child.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            out = b""  # a grandchild that left the group holds the pipe: stop reading
        _log(f"{what}: {argv[0]!r} did not finish within {timeout:g}s; ended it")
        _show(out)
        return
    if child.returncode != 0:
        _log(f"{what}: {argv[0]!r} failed with status {child.returncode}")
        _show(out)


def _show(out: bytes) -> None:
    text = out.decode("utf-8", "replace").rstrip()[-OUTPUT_KEPT:]
    if text:
        sys.stdout.write("".join(f"    {line}\n" for line in text.splitlines()))
        sys.stdout.flush()


def main(argv: list[str]) -> int:
    timeout, command = float(argv[1]), argv[2:]
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # its starter's terminal may go away
    for line in sys.stdin.read().splitlines():
        if line.strip():
            run_one(command, line, timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Guard: `python -I -S guard.py REPORT_FD PARENT_PID ARGV...` runs ARGV as its child and
ends ARGV's whole process group when the process that started the guard dies, however it dies
(SIGKILL included), so a merge killed while its gate runs leaves no gate behind.

The runner starts the guard as the leader of a new session; ARGV and whatever ARGV starts stay
in that session's process group. The kernel tells the guard its parent died
(PR_SET_PDEATHSIG, Linux); the guard then SIGKILLs the group, itself included. A parent-death
signal on the gate itself would end only the gate, not the processes it started.

The guard writes to REPORT_FD an empty report when ARGV started, else why it could not
(the runner then reports the program as missing), and closes it. Otherwise it exits with ARGV's
status, or dies of ARGV's signal. Standard library only.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1
ORPHANED = signal.SIGHUP
"""The signal the kernel sends the guard when its parent dies: the group runs in a session
with no terminal, so no other hang-up reaches it."""


def _end_group(_signum: int = 0, _frame: object = None) -> None:
    os.killpg(0, signal.SIGKILL)


def _on_parent_death(parent: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(ORPHANED), 0, 0, 0)
    except (OSError, AttributeError):
        return  # not Linux: the gate outlives a killed merge, as it did before the guard
    if os.getppid() != parent:
        _end_group()  # the parent died before the signal was asked for


def main(argv: list[str]) -> int:
    report, parent, command = int(argv[1]), int(argv[2]), argv[3:]
    signal.signal(ORPHANED, _end_group)
    # A timeout sends TERM to the whole group: the command has it too, and is given its grace
    # period; the guard waits for it rather than leave first.
    signal.signal(signal.SIGTERM, lambda _s, _f: None)
    _on_parent_death(parent)
    try:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    except (OSError, ValueError) as exc:
        os.write(report, str(exc).encode("utf-8", "replace") or b"could not start")
        os.close(report)
        return 127
    os.close(report)
    status = child.wait()  # a signal's handler runs, then the wait goes on (PEP 475)
    if status < 0:
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Running one tmux client process, and finding a tmux recent enough."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from workspace.core.errors import UsageError

MIN_VERSION = (3, 2)


class TmuxError(Exception):
    pass


@dataclass(frozen=True)
class TmuxResult:
    """What one tmux client process said: its stdout lines (trailing empty ones dropped) and
    its non-empty stderr lines."""

    returncode: int
    stdout: list[str]
    stderr: list[str]


def run_tmux(argv: list[str]) -> TmuxResult:
    """One tmux client process. Run with subprocess itself: a library over it cost every
    command of the CLI ~45 ms of imports for what is one call."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, encoding="utf-8",
                              errors="backslashreplace", check=False)
    except FileNotFoundError:
        raise UsageError("tmux is not installed or not on PATH; install tmux 3.2 or newer"
                         ) from None
    out = done.stdout.split("\n")
    while out and out[-1] == "":
        out.pop()
    return TmuxResult(done.returncode, out, [line for line in done.stderr.split("\n") if line])


def find_tmux() -> str:
    """The tmux binary, checked to be recent enough; UsageError otherwise."""
    path = shutil.which("tmux")
    if path is None:
        raise UsageError(
            "tmux is not installed or not on PATH; install tmux 3.2 or newer "
            "(e.g. 'apt install tmux' or 'brew install tmux')"
        )
    result = run_tmux([path, "-V"])
    text = " ".join(result.stdout)
    match = re.search(r"(\d+)\.(\d+)", text)
    if match is None:
        raise UsageError(f"cannot tell the version of {path} ({text!r}); install tmux 3.2 or newer")
    version = (int(match.group(1)), int(match.group(2)))
    if version < MIN_VERSION:
        raise UsageError(
            f"tmux {version[0]}.{version[1]} is too old; install tmux 3.2 or newer"
        )
    return path

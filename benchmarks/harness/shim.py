"""A `tmux` shim that counts tmux client processes independently of our own counter
(`Tmux.calls`): it appends one line per invocation to the log named by $WS_BENCH_TMUX_LOG, then
execs the real tmux."""

from __future__ import annotations

from pathlib import Path

SHIM_LOG_VAR = "WS_BENCH_TMUX_LOG"


def write_shim(directory: Path, real_tmux: str) -> Path:
    """Create `directory`/tmux; put `directory` first on a PATH (or run the shim by its path)."""
    directory.mkdir()
    shim = directory / "tmux"
    shim.write_text(
        "#!/bin/sh\n"
        f'printf "tmux %s\\n" "$*" >> "${{{SHIM_LOG_VAR}:-/dev/null}}"\n'
        f'exec {real_tmux} "$@"\n'
    )
    shim.chmod(0o755)
    return shim


def shim_count(log: Path) -> int:
    """tmux processes logged so far. (The benchmarks pass no argument holding a newline, so one
    line is one process.)"""
    try:
        with open(log, "rb") as handle:
            return sum(1 for line in handle if line.startswith(b"tmux "))
    except FileNotFoundError:
        return 0

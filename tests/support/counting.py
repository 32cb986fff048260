"""Count the git and tmux processes a real CLI command starts: shims first on PATH log each
call, then exec the real program."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.cli import run_cli


class ProcessCounter:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        for name in ("git", "tmux"):
            real = shutil.which(name)
            shim = directory / name
            shim.write_text(f'#!/bin/sh\necho "$*" >> {directory}/{name}.log\n'
                            f'exec {real} "$@"\n')
            shim.chmod(0o755)

    def calls(self, name: str) -> list[str]:
        log = self.directory / f"{name}.log"
        return log.read_text().splitlines() if log.exists() else []

    def run(self, *args: str, cwd: Path) -> tuple[int, int]:
        """(git, tmux) processes of one `workspace ARGS` that must succeed."""
        for log in self.directory.glob("*.log"):
            log.unlink()
        result = run_cli(*args, cwd=cwd,
                         env={"PATH": f"{self.directory}{os.pathsep}{os.environ['PATH']}"})
        assert result.returncode == 0, result.stderr
        return len(self.calls("git")), len(self.calls("tmux"))

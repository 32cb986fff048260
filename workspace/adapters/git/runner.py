"""The one way this package runs git: an argv list (never a shell) with a fixed environment."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from workspace.core.errors import UsageError

BASE_ENV = {
    # No opportunistic index refresh: a read never writes a worktree's index.
    "GIT_OPTIONAL_LOCKS": "0",
    # Nobody is at a terminal to answer a credential prompt.
    "GIT_TERMINAL_PROMPT": "0",
    # Some callers match git's messages, which must be the untranslated ones.
    "LC_ALL": "C",
    "GIT_PAGER": "cat",
}


class GitError(Exception):
    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


@dataclass(frozen=True)
class GitResult:
    status: int
    out: str
    err: str

    @property
    def ok(self) -> bool:
        return self.status == 0

    def error(self, fallback: str) -> GitError:
        """A GitError saying what git said, or `fallback` when it said nothing."""
        return GitError(self.err.strip() or fallback, self.err)


def run(cwd: str | Path, args: Sequence[str], env: Mapping[str, str] | None = None,
        timeout: float | None = None, stdin: bytes | None = None) -> GitResult:
    """Run git in `cwd` and return its status, stdout and stderr, whatever the status.
    `timeout`: seconds after which git and what it started are killed (for what may wait on
    a network); `stdin`: what git reads on its standard input (`update-ref --stdin`).
    Output is decoded as UTF-8, undecodable bytes kept as surrogate escapes."""
    # subprocess itself, not a library over it: scripts run the CLI often, and importing
    # GitPython cost every verb that runs git ~50 ms.
    full_env = {**os.environ, "LANGUAGE": "C", **BASE_ENV, **(env or {})}
    try:
        process = subprocess.Popen(
            ["git", *args], cwd=cwd, env=full_env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        if not os.access(cwd, os.X_OK):  # gone, or not ours to enter: as git says it
            return GitResult(128, "", f"fatal: cannot change to '{cwd}': {exc.strerror}")
        if isinstance(exc, FileNotFoundError):
            raise UsageError("git is not installed or not on PATH; install git 2.38 or "
                             "newer") from None
        raise
    with process:
        try:
            out, err = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(process.pid)
            out, err = process.communicate()
            err = f"Timeout: git {args[0]} did not complete in {timeout:g} secs.".encode()
    status = process.returncode
    return GitResult(int(status or 0), out.decode("utf-8", "surrogateescape"),
                     err.decode("utf-8", "surrogateescape").removesuffix("\n"))


def _kill_tree(pid: int) -> None:
    """git and the processes it started (a clone's remote helpers), children first."""
    from workspace.adapters.proc import descendants

    for victim in reversed(descendants(pid)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(victim, signal.SIGKILL)


def run_git(cwd: str | Path, *args: str, env: Mapping[str, str] | None = None,
            check: bool = True) -> str:
    """Run git in `cwd` and return stdout; a failure raises GitError unless `check` is off."""
    result = run(cwd, args, env)
    if check and not result.ok:
        raise result.error(f"git {args[0]} failed with status {result.status}")
    return result.out


class Git:
    """git bound to one repository: runs in its main checkout unless told another `cwd`."""

    def __init__(self, top: Path, common_dir: Path) -> None:
        self.top = top
        self.common_dir = common_dir
        self._worktrees_dir: Path | None = None

    @property
    def worktrees_dir(self) -> Path:
        """Where git keeps its linked worktrees' records, resolved once (asked per agent)."""
        if self._worktrees_dir is None:
            self._worktrees_dir = (self.common_dir / "worktrees").resolve()
        return self._worktrees_dir

    def run(self, *args: str, cwd: str | Path | None = None,
            env: Mapping[str, str] | None = None, timeout: float | None = None,
            stdin: bytes | None = None) -> GitResult:
        return run(cwd or self.top, args, env, timeout, stdin)

    def out(self, *args: str, cwd: str | Path | None = None,
            env: Mapping[str, str] | None = None, check: bool = True) -> str:
        return run_git(cwd or self.top, *args, env=env, check=check)

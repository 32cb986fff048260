"""The one way this package runs git: an argv list (never a shell) with a fixed environment."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
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
    `timeout`: seconds after which git is killed (for what may wait on a network); `stdin`:
    what git reads on its standard input (`update-ref --stdin`)."""
    # Imported on first use: GitPython takes ~60 ms to import, which a verb running no git
    # should not pay.
    import git

    # GitPython takes stdin as a file; one on disk cannot fill up and block like a pipe.
    with tempfile.TemporaryFile() if stdin is not None else nullcontext() as feed:
        if feed is not None and stdin is not None:
            feed.write(stdin)
            feed.seek(0)
        try:
            status, out, err = git.Git(str(cwd)).execute(
                ["git", *args],
                istream=feed,
                env={**BASE_ENV, **(env or {})},
                with_extended_output=True,
                with_exceptions=False,
                strip_newline_in_stdout=False,
                kill_after_timeout=timeout,
            )
        except git.GitCommandNotFound:
            raise UsageError("git is not installed or not on PATH; install git 2.38 or newer"
                             ) from None
    return GitResult(int(status or 0), str(out), str(err))


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

    def run(self, *args: str, cwd: str | Path | None = None,
            env: Mapping[str, str] | None = None, timeout: float | None = None,
            stdin: bytes | None = None) -> GitResult:
        return run(cwd or self.top, args, env, timeout, stdin)

    def out(self, *args: str, cwd: str | Path | None = None,
            env: Mapping[str, str] | None = None, check: bool = True) -> str:
        return run_git(cwd or self.top, *args, env=env, check=check)

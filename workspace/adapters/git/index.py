"""Index files: a worktree's real one (read, and put back byte for byte) and temporary ones in
which trees of a worktree are built without ever writing its real index."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters.git.runner import Git


@dataclass(frozen=True)
class TempIndex:
    file: Path
    """In a temp dir of its own, removed with it: callers may put scratch files beside it."""

    @property
    def env(self) -> dict[str, str]:
        """The environment that makes git use this index instead of the worktree's."""
        return {"GIT_INDEX_FILE": str(self.file)}


@contextmanager
def temporary_index(git: Git, worktree: Path, seed: bytes | None = None,
                    head: str | None = None) -> Iterator[TempIndex]:
    """An index of our own for `worktree`: a copy of `seed` (the real index's bytes, whose stat
    data spares re-hashing unchanged files), else `head`'s tree read in, else empty."""
    with tempfile.TemporaryDirectory(prefix="workspace-index-") as tmp:
        index = TempIndex(Path(tmp) / "index")
        if seed is not None:
            index.file.write_bytes(seed)
        elif head:
            git.out("read-tree", head, cwd=worktree, env=index.env)
        yield index


def index_file(git: Git, worktree: Path) -> Path:
    return Path(git.out("rev-parse", "--path-format=absolute", "--git-path", "index",
                        cwd=worktree).strip())


def read_index(git: Git, worktree: Path) -> bytes | None:
    """The worktree's index as it is; None when it has none."""
    try:
        return index_file(git, worktree).read_bytes()
    except FileNotFoundError:
        return None


def index_at(git: Git, worktree: Path, commit: str) -> bytes:
    """The worktree's index as a mixed reset to `commit` would leave it (`commit`'s entries,
    stat data kept where the content is the same), built in a copy: the caller writes it with
    `write_index` in its own process, so no git left running can write it later."""
    with temporary_index(git, worktree, seed=read_index(git, worktree)) as index:
        git.out("read-tree", "--reset", commit, cwd=worktree, env=index.env)
        return index.file.read_bytes()


def write_index(git: Git, worktree: Path, data: bytes) -> None:
    """Put the worktree's index back as it was, by git's own protocol: write index.lock
    (exclusively: it fails if git is writing the index now), then rename it over."""
    path = index_file(git, worktree)
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except BaseException:
        lock.unlink(missing_ok=True)
        raise
    lock.replace(path)

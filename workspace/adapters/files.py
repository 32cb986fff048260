"""Small files the workspace keeps beside its database: written atomically, read forgivingly,
and locked with flock (the OS drops a lock when its holder dies, so a lock never goes stale)."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE = 0o600


def atomic_write(path: Path, data: str | bytes, mode: int | None = PRIVATE) -> None:
    """Replace `path` with `data` in one rename: a reader sees the old file or the new one,
    never half of either. The file gets `mode` (private by default: state files hold prompts
    and environments); None keeps the mode of the file it replaces (someone else's file)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if mode is None:
        mode = path.stat().st_mode & 0o777 if path.exists() else PRIVATE
    raw = data.encode("utf-8") if isinstance(data, str) else data
    # A unique name: several threads and processes may write the same file at once.
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_json(path: Path, value: object, mode: int | None = PRIVATE, indent: int | None = None
               ) -> None:
    atomic_write(path, json.dumps(value, indent=indent), mode)


def read_json(path: Path) -> dict[str, object] | None:
    """The JSON object in `path`, or None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


class LockBusy(Exception):
    """The lock is held by another process (or another open of the file) past the wait."""


@contextmanager
def hold_lock(path: Path, wait: float | None = None, holder: dict[str, object] | None = None
              ) -> Iterator[None]:
    """Hold an exclusive flock on `path` for the block. `wait`: None blocks until free,
    else seconds to keep trying before raising LockBusy. `holder`: written into the file
    while held (who holds it, for the message of whoever waits), emptied on release."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE)
    try:
        if wait is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + max(wait, 0.0)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockBusy(str(path)) from None
                    time.sleep(0.05)
        if holder is not None:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(holder).encode(), 0)
        try:
            yield
        finally:
            if holder is not None:
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def is_locked(path: Path) -> bool:
    """True while some process holds `path`'s lock (checked without waiting)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False

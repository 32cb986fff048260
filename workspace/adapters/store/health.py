"""What can be wrong with the state database's files, said in one line with the fix, and the
repairs that lose nothing: a damaged file is set aside (renamed, never deleted), and modes
this user may fix are fixed.

SQLite's own error names (`sqlite_errorname`) decide the kind; the file system is then asked
which file is the culprit, since SQLite says "readonly database" also when only its `-shm`
file or the folder is read-only."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from workspace.core.errors import UsageError

DAMAGED = "damaged"
READ_ONLY = "read-only"
LOCKED = "locked"
NEWER = "newer"
UNOPENABLE = "cannot open"
FULL = "disk full"
IO = "i/o error"

_KINDS = {
    "SQLITE_CORRUPT": DAMAGED, "SQLITE_NOTADB": DAMAGED,
    "SQLITE_READONLY": READ_ONLY, "SQLITE_PERM": READ_ONLY,
    "SQLITE_BUSY": LOCKED, "SQLITE_LOCKED": LOCKED,
    "SQLITE_CANTOPEN": UNOPENABLE, "SQLITE_FULL": FULL, "SQLITE_IOERR": IO,
}
"""By the prefix of SQLite's error name (SQLITE_READONLY_DBMOVED is read-only too). Other
errors (a constraint, a misuse) are the program's, and are not dressed as the person's."""

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class StateError(UsageError):
    """The state database cannot be used as it is; `kind` is one of the constants above."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def kind_of(exc: sqlite3.Error) -> str | None:
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    for prefix, kind in _KINDS.items():
        if name == prefix or name.startswith(prefix + "_"):
            return kind
    return None


def companions(path: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it (write-ahead log, shared memory)."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def unwritable(path: Path) -> Path | None:
    """The first of the folder, the database and its companions that exists and cannot be
    written by this process (the folder also when the database is missing)."""
    for candidate in [path.parent, *companions(path)]:
        if candidate.exists() and not os.access(candidate, os.W_OK):
            return candidate
    return None


def _how_to_make_writable(culprit: Path) -> str:
    try:
        mode = culprit.stat().st_mode
    except OSError:
        mode = 0
    if mode & stat.S_IWUSR and culprit.stat().st_uid == os.geteuid():
        # Writable by its mode: an immutable flag or a read-only mount stops it.
        return f"clear its immutable flag (chattr -i {culprit}) or remount it read-write"
    return f"make it writable (chmod u+w {culprit}, or 'workspace doctor --repair')"


def describe(path: Path, exc: sqlite3.Error, kind: str) -> str:
    """One line: which file, what is wrong, how to fix it."""
    if kind == DAMAGED:
        return (f"{path} is damaged ({exc}); run 'workspace doctor --repair' to keep it aside "
                f"as {path.name}.damaged-<time> and start afresh, then 'workspace adopt' "
                "to bring back running agents")
    if kind in (READ_ONLY, UNOPENABLE):
        culprit = unwritable(path)
        if culprit is not None:
            return read_only_line(path, culprit)
        if not path.parent.is_dir():
            return f"cannot open {path}: its folder {path.parent} is missing or not a folder"
        if path.is_dir():
            return f"cannot open {path}: it is a folder; move it away and retry"
        return (f"cannot open {path} ({exc}); check that this user may read and write it "
                "('workspace doctor' diagnoses it)")
    if kind == LOCKED:
        return (f"{path} is locked by another process (waited for it); let it finish, or find "
                f"it with 'fuser {path}', and retry")
    if kind == FULL:
        return f"cannot write {path}: the disk is full; free some space and retry"
    return f"cannot read or write {path} ({exc}); 'workspace doctor' diagnoses it"


def read_only_line(path: Path, culprit: Path) -> str:
    what = f"{path} is read-only" if culprit == path else \
        f"{culprit} is read-only, so the state in {path} cannot be written"
    return f"{what}; {_how_to_make_writable(culprit)}"


def state_error(path: Path, exc: sqlite3.Error) -> StateError | None:
    """The person's view of an SQLite error, or None if it is not about the files."""
    kind = kind_of(exc)
    if kind == UNOPENABLE and unwritable(path) is not None:
        kind = READ_ONLY  # it cannot make its -wal or -shm file there
    return None if kind is None else StateError(describe(path, exc, kind), kind)


def newer_error(path: Path, version: int, readable: int) -> StateError:
    return StateError(
        f"{path} was written by a newer workspace (state version {version}, this one reads "
        f"{readable}); upgrade workspace to use this repository", NEWER)


# -- looking without changing anything (the doctor) ------------------------------------------


@dataclass(frozen=True)
class Health:
    kind: str | None
    """None: usable (or not made yet)."""
    detail: str


def check(path: Path, readable_version: int) -> Health:
    """Is the database usable? Opens it read-only and changes nothing (no file is made)."""
    culprit = unwritable(path)
    if culprit is not None:
        return Health(READ_ONLY, read_only_line(path, culprit))
    if not path.exists():
        return Health(None, f"{path} (made at first use)")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error as exc:
        return _health(path, exc)
    try:
        verdict = db.execute("PRAGMA quick_check").fetchone()
        if verdict is None or verdict[0] != "ok":
            detail = "no answer" if verdict is None else verdict[0]
            return Health(DAMAGED, describe(path, sqlite3.DatabaseError(detail), DAMAGED))
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        version = int(row[0]) if row and str(row[0]).isdigit() else 1
        if version > readable_version:
            return Health(NEWER, str(newer_error(path, version, readable_version)))
        agents = db.execute("SELECT count(*) FROM agents").fetchone()[0]
    except sqlite3.Error as exc:
        if "no such table" in str(exc):
            return Health(None, f"{path} (empty: no agents recorded)")
        return _health(path, exc)
    finally:
        db.close()
    busy = _writer_waits(path)
    if busy is not None:
        return busy
    return Health(None, f"{path} (version {version}, {agents} agent row(s))")


def _writer_waits(path: Path) -> Health | None:
    """Readers pass a write lock (WAL): ask for the write lock itself, and give it back."""
    try:
        db = sqlite3.connect(path, timeout=2.0, isolation_level=None)
    except sqlite3.Error as exc:
        return _health(path, exc)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
    except sqlite3.Error as exc:
        return _health(path, exc)
    finally:
        db.close()
    return None


def _health(path: Path, exc: sqlite3.Error) -> Health:
    kind = kind_of(exc) or DAMAGED
    return Health(kind, describe(path, exc, kind))


# -- repairs that lose nothing ------------------------------------------------------------


def set_aside(path: Path) -> Path:
    """Rename the database and its companions to `<name>.damaged-<time>[-wal|-shm]`, so a
    fresh one starts; nothing is deleted. Returns the new name of the database."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for source, suffix in zip(companions(path), ("", "-wal", "-shm"), strict=True):
        if source.exists():
            source.rename(target.with_name(target.name + suffix))
    return target


def restrict(path: Path) -> None:
    """Take group's and others' access away from a file or folder of this user; the owner's
    own bits stay as they are (a read-only file stays read-only: said, not undone)."""
    try:
        current = path.stat()
        if current.st_uid == os.geteuid() and current.st_mode & 0o077:
            path.chmod(stat.S_IMODE(current.st_mode) & ~0o077)
    except OSError:
        pass  # immutable, say: opening tells what matters


def make_private(path: Path, mode: int) -> bool:
    """Give a file or folder of this user `mode` (group and others lose access, the owner
    gets it back). False if that was not possible (another owner, an immutable flag)."""
    try:
        current = path.stat()
        if current.st_uid != os.geteuid():
            return False
        if stat.S_IMODE(current.st_mode) != mode:
            path.chmod(mode)
    except OSError:
        return False
    return True


def fix_modes(path: Path) -> list[str]:
    """Make the state folder and the database's files private and writable by this user.
    Returns what was changed, one phrase each."""
    changed = []
    for target, mode in [(path.parent, PRIVATE_DIR)] + [(p, PRIVATE_FILE)
                                                        for p in companions(path)]:
        if not target.exists():
            continue
        before = stat.S_IMODE(target.stat().st_mode)
        if before != mode and make_private(target, mode):
            changed.append(f"{target} {before:o} -> {mode:o}")
    return changed

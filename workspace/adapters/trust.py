"""Which repository config files the person trusts, and for which content.

One JSON file in the person's own state dir (`$XDG_STATE_HOME/workspace/trust.json`, mode
0600), never in a repository, so a repository cannot trust itself:

    {"version": 1, "files": {"/abs/repo/.workspace.toml": {"sha256": "...", "at": 1.7e9}}}

A record holds for one path and one content: a changed file (another digest) or the same
file at another path (a moved or second clone) needs trust again. The path counts because a
file's commands are relative to its repository (`make check` runs that repository's
Makefile): the same text in another clone is another program."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from workspace.adapters.files import hold_lock, read_json, write_json
from workspace.adapters.locations import user_state_dir

VERSION = 1


def digest(data: bytes) -> str:
    """What a trust record holds of a file's content: its sha256, hex."""
    return hashlib.sha256(data).hexdigest()


def trust_file() -> Path:
    return user_state_dir() / "trust.json"


def _key(path: Path) -> str:
    # The folder is resolved (a symlinked checkout is one repository), the file's own name
    # kept: the bytes read through it are what was hashed.
    return str(path.parent.resolve() / path.name)


class TrustStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or trust_file()

    def _files(self) -> dict[str, object]:
        data = read_json(self.path) or {}
        files = data.get("files")
        # Unreadable or from a newer version: nothing is trusted (the safe way to be wrong).
        return files if data.get("version") == VERSION and isinstance(files, dict) else {}

    def recorded(self, path: Path) -> str | None:
        """The digest trusted for `path`, or None."""
        record = self._files().get(_key(path))
        if isinstance(record, dict) and isinstance(record.get("sha256"), str):
            return str(record["sha256"])
        return None

    def trusted(self, path: Path, sha256: str) -> bool:
        return self.recorded(path) == sha256

    def trust(self, path: Path, sha256: str) -> None:
        with hold_lock(self.path.with_name("trust.lock")):
            files = self._files()
            files[_key(path)] = {"sha256": sha256, "at": time.time()}
            self._write(files)

    def revoke(self, path: Path) -> bool:
        """Forget the trust in `path`; False if there was none."""
        with hold_lock(self.path.with_name("trust.lock")):
            files = self._files()
            if files.pop(_key(path), None) is None:
                return False
            self._write(files)
            return True

    def _write(self, files: dict[str, object]) -> None:
        write_json(self.path, {"version": VERSION, "files": files}, indent=2)

"""Diff statistics from `git diff --numstat -z` output and untracked files. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from workspace.core.agent import DiffStat


@dataclass(frozen=True)
class FileStat:
    path: str
    added: int
    removed: int
    binary: bool = False
    old_path: str | None = None
    status: str = "M"
    """A (added), M (modified), D (deleted), R (renamed), U (untracked)."""


def parse_numstat_z(output: str) -> list[FileStat]:
    """Parse `git diff --numstat -z`. Renames come as `a\\tr\\t\\0old\\0new\\0`."""
    stats: list[FileStat] = []
    parts = output.split("\0")
    i = 0
    while i < len(parts):
        head = parts[i]
        i += 1
        if not head:
            continue
        fields = head.split("\t", 2)
        if len(fields) < 3:
            continue
        added_s, removed_s, path = fields
        binary = added_s == "-" or removed_s == "-"
        added = 0 if binary else int(added_s)
        removed = 0 if binary else int(removed_s)
        if path == "" and i + 1 < len(parts):
            old, new = parts[i], parts[i + 1]
            i += 2
            stats.append(FileStat(new, added, removed, binary, old_path=old, status="R"))
        else:
            stats.append(FileStat(path, added, removed, binary))
    return stats


def count_text_lines(data: bytes) -> int | None:
    """Lines in an untracked file as git would count them; None for binary content."""
    if b"\0" in data[:8192]:
        return None
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def summarize(files: list[FileStat]) -> DiffStat:
    return DiffStat(
        files=len(files),
        added=sum(f.added for f in files),
        removed=sum(f.removed for f in files),
    )


_CODES = {"M": "modified", "A": "added", "D": "deleted", "R": "renamed", "C": "copied",
          "T": "type changed", "U": "conflicted"}


def describe_porcelain(line: str) -> str:
    """A `git status --porcelain` line in words: '?? a.txt' -> 'new file a.txt (untracked)'."""
    if len(line) < 4:
        return line
    code, path = line[:2], line[3:]
    if code == "??":
        return f"new file {path} (untracked)"
    staged, unstaged = code[0], code[1]
    kind = _CODES.get(unstaged if unstaged != " " else staged, "changed")
    where = "staged" if unstaged == " " else ("partly staged" if staged != " " else "")
    return f"{kind} {path}" + (f" ({where})" if where else "")

"""`git merge-tree --write-tree` results: the tree a trial merge made, the paths it left
conflicted and git's message about each conflict (the git adapter runs it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workspace.core.format import listing


@dataclass(frozen=True)
class ConflictInfo:
    """One informational message of `git merge-tree`: the paths, the kind (content, binary,
    rename/delete, modify/delete, add/add, ...), git's own sentence."""

    paths: tuple[str, ...]
    kind: str
    message: str


@dataclass(frozen=True)
class MergeTreeResult:
    tree: str
    clean: bool
    conflicted: tuple[str, ...] = ()
    """Paths left conflicted."""
    conflicts: tuple[ConflictInfo, ...] = ()

    def kinds_of(self, path: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.kind for c in self.conflicts if path in c.paths))

    def describe(self, limit: int = 6) -> str:
        """'a.py (content), b.png (binary), c.txt (rename/delete)'."""
        parts = []
        for path in self.conflicted:
            kinds = [k for k in self.kinds_of(path) if k != "content"] or ["content"]
            parts.append(f"{path} ({', '.join(kinds)})")
        return listing(parts, limit)


_KIND = re.compile(r"^CONFLICT \(([^)]*)\)")


def parse_merge_tree(output: str, clean: bool) -> MergeTreeResult:
    """Parse `git merge-tree --write-tree --name-only -z` output: the tree, the conflicted
    paths, then the informational messages (<n>\\0<path>...\\0<type>\\0<message>\\0)."""
    fields = output.split("\0")
    tree = fields[0].strip() if fields else ""
    conflicted: list[str] = []
    i = 1
    while i < len(fields) and fields[i] != "":
        conflicted.append(fields[i])
        i += 1
    i += 1
    conflicts: list[ConflictInfo] = []
    while i < len(fields):
        count_s = fields[i]
        if not count_s.isdigit():
            break
        count = int(count_s)
        paths = tuple(fields[i + 1:i + 1 + count])
        kind_s = fields[i + 1 + count] if i + 1 + count < len(fields) else ""
        message = fields[i + 2 + count] if i + 2 + count < len(fields) else ""
        i += 3 + count
        match = _KIND.match(kind_s)
        if match is None:
            continue  # "Auto-merging" and other notes
        kind = "content" if match.group(1) in ("contents", "content") else match.group(1)
        conflicts.append(ConflictInfo(paths, kind, message.strip()))
    return MergeTreeResult(tree, clean, tuple(dict.fromkeys(conflicted)), tuple(conflicts))

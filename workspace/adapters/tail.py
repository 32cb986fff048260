"""Read JSONL files incrementally from a stored offset: never re-read a file whole.

A trailing line without its newline is left for the next read (the writer is mid-line). A line
longer than MAX_LINE is skipped and counted, never loaded. A file that shrank was replaced or
truncated: reading starts again from 0 (usage records are keyed, so nothing counts twice).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MAX_LINE = 8 * 1024 * 1024
MAX_READ = 32 * 1024 * 1024
"""At most this much per call; the rest is read on the next tick."""


@dataclass(frozen=True)
class Chunk:
    lines: list[tuple[str, int]]
    """(line, byte offset where it starts)."""
    offset: int
    """Where the next read starts."""
    skipped: int = 0
    """Lines skipped for being longer than MAX_LINE."""


def size_of(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def read_new_lines(path: Path, offset: int) -> Chunk:
    size = size_of(path)
    if size is None:
        return Chunk([], offset)
    if size < offset:
        offset = 0
    if size == offset:
        return Chunk([], offset)
    lines: list[tuple[str, int]] = []
    skipped = 0
    with open(path, "rb") as handle:
        handle.seek(offset)
        budget = min(size - offset, MAX_READ)
        data = handle.read(budget)
        position = offset
        start = 0
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                break
            raw = data[start:end]
            if len(raw) > MAX_LINE:
                skipped += 1
            else:
                lines.append((raw.decode("utf-8", "replace"), position + start))
            start = end + 1
        rest = len(data) - start
        new_offset = position + start
        if rest > MAX_LINE or (start == 0 and len(data) == MAX_READ):
            # One line bigger than we will ever load: skip to its end.
            new_offset, found = _skip_line(handle, position + start, size)
            skipped += int(found)
    return Chunk(lines, new_offset, skipped)


def _skip_line(handle: object, start: int, size: int) -> tuple[int, bool]:
    """Offset just past the next newline at or after `start` (or `start` if none yet)."""
    fd = handle.fileno()  # type: ignore[attr-defined]
    position = start
    while position < size:
        block = os.pread(fd, 1024 * 1024, position)
        if not block:
            break
        at = block.find(b"\n")
        if at >= 0:
            return position + at + 1, True
        position += len(block)
    return start, False

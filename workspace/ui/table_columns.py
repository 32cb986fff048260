"""The agent table's columns and how they share a width. Pure (no Textual).

The name column takes the width the longest name needs (up to the longest name allowed), so
names are cut only when the terminal is narrow, and then in the middle (format.short_names).
When the line is too narrow for everything, columns drop in `DROP` order (context %, tokens,
preset, age, then the diff); status, name, cost and the task or reason always stay.
"""

from __future__ import annotations

from dataclasses import dataclass

from workspace.core.names import MAX_NAME


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    """Cells; 0 for the name (as wide as it needs) and the task (the rest of the line)."""


COLUMNS = (
    Column("mark", " ", 1),
    Column("status", "STATUS", 18),
    Column("name", "NAME", 0),
    Column("preset", "PRESET", 8),
    Column("age", "AGE", 6),
    Column("diff", "DIFF", 11),
    Column("tokens", "TOKENS", 7),
    Column("cost", "COST", 7),
    Column("ctx", "CTX", 4),
    Column("task", "TASK / REASON", 0),
)
DROP = ("ctx", "tokens", "preset", "age", "diff")
"""Columns that give way on a narrow line, first to go first."""
TASK_MIN = 20
NAME_MIN = 12
WIDE = 120
"""From this width on, two spaces between columns; below it, one."""


@dataclass(frozen=True)
class Layout:
    columns: tuple[tuple[str, int], ...]
    """(key, width) of each column shown, in order; the task's width is what is left."""
    gap: int

    def width_of(self, key: str) -> int:
        return next((w for k, w in self.columns if k == key), 0)

    def has(self, key: str) -> bool:
        return any(k == key for k, _ in self.columns)


def layout(width: int, longest_name: int) -> Layout:
    """Columns for a line `width` cells wide whose longest name is `longest_name`."""
    gap = 2 if width >= WIDE else 1
    name = max(len("NAME"), min(longest_name, MAX_NAME))
    keys = [c.key for c in COLUMNS]
    fixed = {c.key: c.width for c in COLUMNS}

    def used(shown: list[str], name_width: int) -> int:
        total = 0
        for key in shown:
            if key != "mark":
                total += gap
            total += name_width if key == "name" else fixed[key]
        return total

    for key in DROP:
        if used(keys, name) + TASK_MIN <= width:
            break
        keys.remove(key)
    spare = width - used(keys, name) - TASK_MIN
    if spare < 0:
        name = max(NAME_MIN, name + spare)
    task = max(width - used(keys, name), 0)
    return Layout(tuple((k, name if k == "name" else task if k == "task" else fixed[k])
                        for k in keys), gap)


LABELS = {c.key: c.label for c in COLUMNS}

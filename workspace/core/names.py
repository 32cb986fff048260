"""Rules for agent names (they become tmux session names and git branch names)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from workspace.core.errors import UsageError

MAX_NAME = 40
NAME_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def check_name(name: str) -> str:
    """Return `name` if it is a valid agent name, else raise a UsageError saying how to fix it."""
    if not name:
        raise UsageError("the agent name is empty; give a name like 'fix-login'")
    if len(name) > MAX_NAME:
        raise UsageError(
            f"the agent name {name[:20]!r}... is {len(name)} characters; use at most {MAX_NAME}"
        )
    if not NAME_RE.match(name):
        suggestion = slugify(name)
        hint = f"; try {suggestion!r}" if suggestion else ""
        raise UsageError(
            f"invalid agent name {name!r}: use lowercase letters, digits and single '-' or '_' "
            f"between them{hint}"
        )
    return name


def slugify(text: str, limit: int = MAX_NAME) -> str:
    """A valid name drawn from free text ('Fix the login bug!' -> 'fix-the-login-bug')."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug


def suggest_name(preset: str, taken: Iterable[str], task: str = "") -> str:
    """A free name: from the task's first words if there is one, else '<preset>-<n>'."""
    used = set(taken)
    stem = slugify(" ".join(task.split()[:4]), limit=24) if task else ""
    stem = stem or slugify(preset, limit=24) or "agent"
    if stem not in used and task:
        return stem
    n = 1
    while f"{stem}-{n}" in used:
        n += 1
    return f"{stem}-{n}"


def numbered(name: str, count: int) -> list[str]:
    """The names of `count` agents spawned at once as `name`, numbered as the spawn form
    numbers them: `name` alone for one, else `name-1` ... `name-N`."""
    return [name] if count == 1 else [f"{name}-{i}" for i in range(1, count + 1)]


def spawn_names(name: str, count: int, presets: list[str]) -> list[tuple[str, str | None]]:
    """(name, preset) of each agent of one spawn: `count` of each preset; with several
    presets (the same prompt on several CLIs) each one's are named `<name>-<preset>`.
    No preset: the default one, None."""
    if len(presets) <= 1:
        preset = presets[0] if presets else None
        return [(n, preset) for n in numbered(name, count)]
    return [(n, p) for p in presets for n in numbered(f"{name}-{slugify(p) or p}", count)]

"""When a stored diff may be shown again instead of computed anew (`ls`, at many agents).

A diff's key has two parts: what its files depend on as far as can be seen without git (the
HEAD's commit, the index, the top folder, the base), and the agent's screen (an agent writes
while it prints). The key is '<files part>|<screen part>'; the screen part has no '|'.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiffMark:
    """What a stored diff was computed at: its key ('' when not known) and when (epoch
    seconds; None when not known)."""

    key: str = ""
    at: float | None = None


def join_key(files: str, screen: str) -> str:
    return f"{files}|{screen}"


def reusable(stored: DiffMark | None, key: str, now: float, max_age: float) -> bool:
    """The stored diff may be shown as it is: its key is the one seen now; or only the
    screen moved and it was computed at most `max_age` seconds ago (the caller says its
    age). Its mark is then kept as it was: a later call that finds the screen still
    again must not take a diff from the printing time for one made while still."""
    if not key or stored is None or not stored.key:
        return False
    if stored.key == key:
        return True
    if stored.at is None or max_age <= 0:
        return False
    same_files = stored.key.rpartition("|")[0] == key.rpartition("|")[0]
    return same_files and 0 <= now - stored.at <= max_age

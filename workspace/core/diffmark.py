"""When a stored diff may be shown again instead of computed anew (`ls`, at many agents).

A diff's key has two parts: what its files depend on as far as can be seen without git (the
HEAD's commit, the index, the top folder, the base), and the agent's screen (an agent writes
while it prints). The key is '<files part>|<screen part>'; the screen part has no '|'.

Where only the screen moved, a diff at most `max_age` seconds old is shown again (`reusable`).
Diffs computed in one call would all pass `max_age` in one later call, which would then pay
for all of them at once; so past `SOFT_SHARE` of `max_age` (or sooner, where calls come further
apart than what that leaves) a diff shown again is due (`plan`):
`ls` computes every due one once its listing is out (no one waits for them); a caller that
computes them before it shows anything takes the oldest, at most `SOFT_PER_CALL` of the agents
per call. A diff past `max_age` is computed before it would be shown, whatever the count:
none older is ever shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

SOFT_SHARE = 0.75
"""Past this share of `max_age`, a diff shown again is due to be computed (a few per call)."""
SOFT_PER_CALL = 0.25
"""At most this share of the agents (rounded up) is computed in one call for being due, by a
caller that computes them before it shows anything: 100 agents' diffs spread over the calls
rather than each fifth paying for all of them (those past `max_age` count too)."""


GAP_MARGIN = 1.25
"""The next call is taken to come up to this much later than the last one did after the one
before (a script's pace is not exact)."""


@dataclass(frozen=True)
class DiffMark:
    """What a stored diff was computed at: its key ('' when not known) and when (epoch
    seconds; None when not known)."""

    key: str = ""
    at: float | None = None


def join_key(files: str, screen: str) -> str:
    return f"{files}|{screen}"


def files_part(worktree: str, base: str, base_tip: str, base_sha: str) -> str:
    """The files part of a key: the worktree's own key (HEAD's commit, index, top folder:
    adapters/git `diff_key`), its base branch and that branch's tip, the commit it started
    from. '' when the worktree's key could not be read (then the diff is computed)."""
    return f"{worktree}|{base}@{base_tip}|{base_sha}" if worktree else ""


def screen_part(hint: tuple[int, ...] | None) -> str:
    """The screen part of a key: the pane's change hint, '-' with no pane."""
    return ":".join(map(str, hint)) if hint else "-"


def diff_key(files: str, hint: tuple[int, ...] | None) -> str:
    """The whole key ('' when its files part is '')."""
    return join_key(files, screen_part(hint)) if files else ""


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


def soft_due(stored: DiffMark | None, key: str, now: float, max_age: float,
             gap: float = 0.0) -> bool:
    """A diff `reusable` shows again though the screen moved, past `SOFT_SHARE` of its
    bound, or past what the bound leaves once `gap` more seconds have gone (the time since
    the previous call, the next one's as far as can be told): it may be shown, but
    computing it now spares a later call computing it before it shows anything."""
    if not reusable(stored, key, now, max_age) or stored is None or stored.at is None:
        return False
    return stored.key != key and now - stored.at > min(SOFT_SHARE * max_age,
                                                       max_age - GAP_MARGIN * gap)


@dataclass(frozen=True)
class DiffPlan:
    """What one call does with each agent's stored diff (`plan`)."""

    now: frozenset[str]
    """Computed before anything is shown: no stored diff may be shown for these."""
    soon: frozenset[str]
    """Shown as stored, and computed once the listing is out (`later`), else right away:
    the oldest of the diffs past `SOFT_SHARE` of the bound."""
    shown: dict[str, float]
    """Shown as stored though the screen moved (the `soon` ones too): id -> when each was
    computed (the age to say)."""


def plan(marks: Mapping[str, tuple[DiffMark | None, str]], now: float, max_age: float,
         later: bool = False, previous: float | None = None) -> DiffPlan:
    """For agent id -> (its stored mark, its key now): every diff `reusable` refuses is
    computed now; then the `soft_due` ones, oldest first, soon: at most `SOFT_PER_CALL` of
    the agents in all, or every one with `later` (the caller computes them once its listing
    is out, where no one waits for them: a bound there would let some reach `max_age` at a
    call or so a second, and be computed before the next listing). `previous`: when the
    call before was (the next is taken to come as long after): a diff the bound would
    have passed by then is due too."""
    gap = max(0.0, now - previous) if previous is not None else 0.0
    must = {aid for aid, (mark, key) in marks.items()
            if not reusable(mark, key, now, max_age)}
    due = sorted((mark.at, aid) for aid, (mark, key) in marks.items()
                 if mark is not None and mark.at is not None and aid not in must
                 and soft_due(mark, key, now, max_age, gap))
    room = len(due) if later else math.ceil(SOFT_PER_CALL * len(marks)) - len(must)
    shown = {aid: mark.at for aid, (mark, key) in marks.items()
             if aid not in must and mark is not None and mark.at is not None
             and mark.key != key}
    return DiffPlan(frozenset(must), frozenset(aid for _, aid in due[:max(0, room)]), shown)

"""The status reducer: (previous state, signals, now) -> new state. Pure.

Sources, strongest first (docs/architecture.md "Status"): the agent's hooks, its transcript, its
pane text, process state. The process decides whether the agent is alive at all; the person's
own actions (pause, merge) come next; then the freshest structured source (hook or transcript);
pane text fills gaps and overrules a structured source that has stayed quiet while the pane
shows something else for longer than `quiet_after` (a Stop hook never fires on an interrupted
turn).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import IntEnum

from workspace.core.agent import Status

DEAD_STATUS_WAIT = 2.0
"""Seconds a dead pane without an exit status is given for tmux to report one."""


class Source(IntEnum):
    PROCESS = 0
    PANE = 1
    TRANSCRIPT = 2
    HOOK = 3


@dataclass(frozen=True)
class Observed:
    """A structured source (hook or transcript) says the agent is in `status` since `at`.

    `status=None` means a sign of life only (a tool call, transcript growth).
    """

    source: Source
    at: float
    status: Status | None
    reason: str = ""


@dataclass(frozen=True)
class PaneSeen:
    """One look at the pane: the status its text shows (None: nothing definite), and whether
    its content changed since the previous look."""

    at: float
    status: Status | None
    changed: bool
    reason: str = ""


@dataclass(frozen=True)
class ProcessSeen:
    """tmux's view of the agent's pane."""

    at: float
    present: bool
    dead: bool = False
    exit_status: int | None = None


@dataclass(frozen=True)
class PersonDid:
    """An action of the person that tells us the state for certain.

    action: paused | resumed | interrupted | approved | denied | merged | restarted |
    spawn_interrupted | merge_conflict | merge_clean
    detail: why, when it is not the person's own hand (a budget pause); for merge_conflict,
    what conflicts (shown in the agent's status reason until a merge or merge_clean)
    """

    at: float
    action: str
    detail: str = ""


@dataclass(frozen=True)
class PlaceSeen:
    """What is wrong with the agent's place (its worktree gone or cut off from the
    repository, its branch gone, submodules not initialised), or '' when nothing is. Shown
    before the reason until a look finds it right again."""

    at: float
    problem: str


Signal = Observed | PaneSeen | ProcessSeen | PersonDid | PlaceSeen


@dataclass(frozen=True)
class Policy:
    stuck_after: float = 300.0
    """Seconds of no output, tool call or transcript growth while working before `stuck`."""
    quiet_after: float = 8.0
    """Seconds a structured source may disagree with the pane before the pane wins."""
    idle_after: float = 3.0
    """For presets with no rules at all: seconds of unchanged pane that mean `waiting`."""
    activity_is_work: bool = False
    """The preset has no status rules: a changing pane means working (generic commands)."""


@dataclass(frozen=True)
class StatusState:
    status: Status = Status.STARTING
    since: float = 0.0
    reason: str = ""
    strong: Status | None = None
    strong_at: float = 0.0
    strong_source: Source | None = None
    strong_reason: str = ""
    pane: Status | None = None
    pane_since: float = 0.0
    pane_reason: str = ""
    activity_at: float = 0.0
    paused: bool = False
    paused_reason: str = ""
    merged: bool = False
    ended: Status | None = None
    ended_reason: str = ""
    conflict: str = ""
    """Why the agent's branch does not merge into base (set at merge time), or ''."""
    dead_at: float = 0.0
    """When its pane was first seen dead without an exit status (tmux can report the death a
    moment before the status), or 0."""
    place: str = ""
    """What is wrong with its worktree or branch (PlaceSeen), or ''."""

    def to_dict(self) -> dict[str, object]:
        return {
            "status": str(self.status),
            "since": self.since,
            "reason": self.reason,
            "strong": None if self.strong is None else str(self.strong),
            "strong_at": self.strong_at,
            "strong_source": None if self.strong_source is None else int(self.strong_source),
            "strong_reason": self.strong_reason,
            "pane": None if self.pane is None else str(self.pane),
            "pane_since": self.pane_since,
            "pane_reason": self.pane_reason,
            "activity_at": self.activity_at,
            "paused": self.paused,
            "paused_reason": self.paused_reason,
            "merged": self.merged,
            "ended": None if self.ended is None else str(self.ended),
            "ended_reason": self.ended_reason,
            "conflict": self.conflict,
            "dead_at": self.dead_at,
            "place": self.place,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> StatusState:
        def status(key: str) -> Status | None:
            value = data.get(key)
            return Status(str(value)) if value else None

        def num(key: str) -> float:
            value = data.get(key, 0.0)
            return float(value) if isinstance(value, int | float) else 0.0

        source = data.get("strong_source")
        return cls(
            status=status("status") or Status.STARTING,
            since=num("since"),
            reason=str(data.get("reason", "")),
            strong=status("strong"),
            strong_at=num("strong_at"),
            strong_source=Source(source) if isinstance(source, int) else None,
            strong_reason=str(data.get("strong_reason", "")),
            pane=status("pane"),
            pane_since=num("pane_since"),
            pane_reason=str(data.get("pane_reason", "")),
            activity_at=num("activity_at"),
            paused=bool(data.get("paused", False)),
            paused_reason=str(data.get("paused_reason", "")),
            merged=bool(data.get("merged", False)),
            ended=status("ended"),
            ended_reason=str(data.get("ended_reason", "")),
            conflict=str(data.get("conflict", "")),
            dead_at=num("dead_at"),
            place=str(data.get("place", "")),
        )


def initial_state(now: float) -> StatusState:
    return StatusState(status=Status.STARTING, since=now, activity_at=now, reason="launching")


def _sort_key(signal: Signal) -> float:
    return signal.at


def reduce(
    state: StatusState, signals: Iterable[Signal], now: float, policy: Policy
) -> StatusState:
    """Fold `signals` (in time order) into `state` and derive the status at `now`."""
    s = state
    for signal in sorted(signals, key=_sort_key):
        s = _apply(s, signal)
    status, reason = _derive(s, now, policy)
    if status != s.status:
        return replace(s, status=status, reason=reason, since=now)
    if reason != s.reason:
        return replace(s, reason=reason)
    return s


def _apply(s: StatusState, signal: Signal) -> StatusState:
    if isinstance(signal, Observed):
        s = replace(s, activity_at=max(s.activity_at, signal.at))
        if signal.status is None:
            return s
        # The freshest structured claim wins; on a tie the hook beats the transcript.
        newer = signal.at > s.strong_at
        tie_stronger = signal.at == s.strong_at and (
            s.strong_source is None or signal.source >= s.strong_source
        )
        if newer or tie_stronger:
            # A repeat of the same status without a reason keeps the more specific one.
            same = signal.status == s.strong
            reason = signal.reason or (s.strong_reason if same else "")
            return replace(
                s,
                strong=signal.status,
                strong_at=signal.at,
                strong_source=signal.source,
                strong_reason=reason,
            )
        return s
    if isinstance(signal, PaneSeen):
        if signal.changed:
            s = replace(s, activity_at=max(s.activity_at, signal.at))
        if signal.status != s.pane:
            s = replace(s, pane=signal.status, pane_since=signal.at, pane_reason=signal.reason)
        elif signal.reason and signal.reason != s.pane_reason:
            s = replace(s, pane_reason=signal.reason)
        return s
    if isinstance(signal, PlaceSeen):
        return replace(s, place=signal.problem)
    if isinstance(signal, ProcessSeen):
        if s.ended is not None:
            return s
        if not signal.present:
            return replace(s, ended=Status.CRASHED, ended_reason="its tmux session vanished")
        if signal.dead:
            if signal.exit_status == 0:
                return replace(s, ended=Status.EXITED, ended_reason="exited with status 0")
            if signal.exit_status is None:
                # tmux may not have the exit status yet: wait for it, briefly.
                if not s.dead_at:
                    return replace(s, dead_at=signal.at)
                if signal.at - s.dead_at < DEAD_STATUS_WAIT:
                    return s
                return replace(s, ended=Status.CRASHED,
                               ended_reason="ended without an exit status (killed by a signal?)")
            code = signal.exit_status
            why = f"killed by signal {-code}" if code < 0 else f"exited with status {code}"
            return replace(s, ended=Status.CRASHED, ended_reason=why)
        return s
    return _apply_person(s, signal)


def _apply_person(s: StatusState, signal: PersonDid) -> StatusState:
    at = signal.at
    match signal.action:
        case "paused":
            return replace(s, paused=True, paused_reason=signal.detail or "paused by you")
        case "resumed":
            return replace(s, paused=False, activity_at=max(s.activity_at, at))
        case "interrupted" | "denied":
            # The turn ends without a Stop hook: the agent now waits for the person.
            return replace(
                s,
                strong=Status.WAITING,
                strong_at=at,
                strong_source=Source.HOOK,
                strong_reason=f"{signal.action} by you",
                activity_at=max(s.activity_at, at),
            )
        case "approved":
            return replace(
                s,
                strong=Status.WORKING,
                strong_at=at,
                strong_source=Source.HOOK,
                strong_reason="approved by you",
                activity_at=max(s.activity_at, at),
            )
        case "merged":
            return replace(s, merged=True, conflict="")
        case "merge_conflict":
            return replace(s, conflict=signal.detail or "merge conflict with base")
        case "merge_clean":
            return replace(s, conflict="")
        case "spawn_interrupted":
            return replace(s, ended=Status.CRASHED,
                           ended_reason="its spawn was interrupted; restart it or kill it")
        case "restarted":
            return replace(initial_state(at), since=at)
        case _:
            return s


def _derive(s: StatusState, now: float, policy: Policy) -> tuple[Status, str]:
    status, reason = _derive_status(s, now, policy)
    if status == Status.MERGED:
        return status, reason
    # The status stays what the agent is doing; the reason says first what is wrong with its
    # place, then why a merge failed.
    for note in (s.conflict, s.place):
        if note:
            reason = f"{note} · {reason}" if reason else note
    return status, reason


def _derive_status(s: StatusState, now: float, policy: Policy) -> tuple[Status, str]:
    if s.merged:
        return Status.MERGED, "merged into base"
    if s.ended is not None:
        return s.ended, s.ended_reason
    if s.paused:
        return Status.PAUSED, s.paused_reason or "paused by you"
    level, reason = _level(s, now, policy)
    if level == Status.WORKING and now - s.activity_at >= policy.stuck_after:
        quiet = int(now - s.activity_at)
        return Status.STUCK, f"no output, tool call or transcript growth for {quiet}s"
    return level, reason


def _level(s: StatusState, now: float, policy: Policy) -> tuple[Status, str]:
    if s.strong is not None:
        disagree = s.pane is not None and s.pane != s.strong
        if disagree and now - max(s.strong_at, s.pane_since) >= policy.quiet_after:
            assert s.pane is not None
            return s.pane, s.pane_reason or "the screen shows it (the agent's hooks went quiet)"
        return s.strong, s.strong_reason
    if s.pane is not None:
        return s.pane, s.pane_reason
    if policy.activity_is_work:
        if now - s.activity_at < policy.idle_after:
            return Status.WORKING, "output is changing"
        return Status.WAITING, "output is quiet"
    return Status.STARTING, "launching"

"""Table tests of the pure status reducer: (previous state, signals, now) -> status."""

from __future__ import annotations

import pytest

from workspace.core.agent import Status
from workspace.core.status import (
    Observed,
    PaneSeen,
    PersonDid,
    Policy,
    ProcessSeen,
    Signal,
    Source,
    StatusState,
    initial_state,
    reduce,
)

HOOK, TRANSCRIPT = Source.HOOK, Source.TRANSCRIPT
ALIVE = ProcessSeen(0.0, present=True)
POLICY = Policy(stuck_after=300, quiet_after=8)


def run(signals: list[Signal], now: float, policy: Policy = POLICY,
        state: StatusState | None = None) -> StatusState:
    return reduce(state or initial_state(0.0), signals, now, policy)


CASES: list[tuple[str, list[Signal], float, Status]] = [
    ("nothing yet", [ALIVE], 1, Status.STARTING),
    ("session start hook", [ALIVE, Observed(HOOK, 1, Status.WAITING)], 2, Status.WAITING),
    ("prompt submitted", [Observed(HOOK, 1, Status.WAITING), Observed(HOOK, 2, Status.WORKING)],
     3, Status.WORKING),
    ("permission requested", [Observed(HOOK, 2, Status.WORKING),
                              Observed(HOOK, 3, Status.NEEDS_PERMISSION)], 4,
     Status.NEEDS_PERMISSION),
    ("turn finished", [Observed(HOOK, 2, Status.WORKING), Observed(HOOK, 9, Status.WAITING)], 10,
     Status.WAITING),
    ("pane fills the gap when no hooks", [PaneSeen(1, Status.WORKING, True)], 2, Status.WORKING),
    ("a fresh hook beats a disagreeing pane", [Observed(HOOK, 10, Status.WORKING),
                                               PaneSeen(11, Status.WAITING, False)], 12,
     Status.WORKING),
    # A Stop hook never fires on an interrupted turn: once the pane has shown the idle prompt
    # for longer than quiet_after, it wins.
    ("quiet hook overruled by the pane", [Observed(HOOK, 10, Status.WORKING),
                                          PaneSeen(11, Status.WAITING, False)], 20,
     Status.WAITING),
    ("an unknown pane never overrules", [Observed(HOOK, 10, Status.WORKING),
                                         PaneSeen(11, None, False)], 100, Status.WORKING),
    ("newest structured source wins", [Observed(HOOK, 10, Status.WORKING),
                                       Observed(TRANSCRIPT, 12, Status.WAITING)], 13,
     Status.WAITING),
    ("older transcript record does not override", [Observed(HOOK, 10, Status.WORKING),
                                                   Observed(TRANSCRIPT, 5, Status.WAITING)], 11,
     Status.WORKING),
    ("rate limit", [Observed(HOOK, 3, Status.RATE_LIMITED, "rate_limit")], 4,
     Status.RATE_LIMITED),
    ("stuck: working with no sign of life", [Observed(HOOK, 1, Status.WORKING)], 400,
     Status.STUCK),
    ("not stuck when output keeps changing", [Observed(HOOK, 1, Status.WORKING),
                                              PaneSeen(390, None, True)], 400, Status.WORKING),
    ("waiting is never stuck", [Observed(HOOK, 1, Status.WAITING)], 4000, Status.WAITING),
    ("exit 0", [Observed(HOOK, 1, Status.WORKING), ProcessSeen(2, True, True, 0)], 3,
     Status.EXITED),
    ("exit 1", [ProcessSeen(2, True, True, 1)], 3, Status.CRASHED),
    ("dead, exit status not reported yet",
     [Observed(HOOK, 1, Status.WORKING), ProcessSeen(2, True, True, None)], 2, Status.WORKING),
    ("dead, then its exit status 0", [Observed(HOOK, 1, Status.WORKING),
                                      ProcessSeen(2, True, True, None),
                                      ProcessSeen(3, True, True, 0)], 3, Status.EXITED),
    ("dead with no exit status for long (a signal)",
     [ProcessSeen(2, True, True, None), ProcessSeen(5, True, True, None)], 5, Status.CRASHED),
    ("session vanished", [Observed(HOOK, 1, Status.WORKING), ProcessSeen(2, False)], 3,
     Status.CRASHED),
    ("paused beats everything but the end", [Observed(HOOK, 1, Status.WORKING),
                                             PersonDid(2, "paused")], 3, Status.PAUSED),
    ("resumed", [Observed(HOOK, 1, Status.WORKING), PersonDid(2, "paused"),
                 PersonDid(3, "resumed")], 4, Status.WORKING),
    ("interrupted by the person", [Observed(HOOK, 1, Status.WORKING),
                                   PersonDid(2, "interrupted")], 3, Status.WAITING),
    ("approved", [Observed(HOOK, 1, Status.NEEDS_PERMISSION), PersonDid(2, "approved")], 3,
     Status.WORKING),
    ("denied", [Observed(HOOK, 1, Status.NEEDS_PERMISSION), PersonDid(2, "denied")], 3,
     Status.WAITING),
    ("merged is final", [Observed(HOOK, 1, Status.WAITING), PersonDid(2, "merged"),
                         Observed(HOOK, 3, Status.WORKING)], 4, Status.MERGED),
    ("crash beats pause", [PersonDid(1, "paused"), ProcessSeen(2, False)], 3, Status.CRASHED),
]


@pytest.mark.parametrize(("signals", "now", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_reducer(signals: list[Signal], now: float, expected: Status) -> None:
    assert run(signals, now).status == expected


def test_generic_commands_work_while_output_changes() -> None:
    policy = Policy(idle_after=3, activity_is_work=True)
    state = run([PaneSeen(10, None, True)], 11, policy)
    assert state.status == Status.WORKING
    assert run([], 20, policy, state).status == Status.WAITING


def test_a_signal_death_says_which_signal() -> None:
    state = run([ProcessSeen(2, True, True, -9)], 3)
    assert (state.status, state.reason) == (Status.CRASHED, "killed by signal 9")


def test_restart_clears_the_end() -> None:
    crashed = run([ProcessSeen(2, True, True, 3)], 3)
    assert crashed.status == Status.CRASHED
    again = run([PersonDid(4, "restarted")], 5, state=crashed)
    assert again.status == Status.STARTING


def test_since_moves_only_when_status_changes() -> None:
    state = run([Observed(HOOK, 1, Status.WORKING)], 2)
    assert state.since == 2
    later = run([Observed(HOOK, 5, Status.WORKING, "using Bash")], 6, state=state)
    assert later.since == 2


def test_reason_of_a_repeat_without_one_is_kept() -> None:
    state = run([Observed(HOOK, 1, Status.NEEDS_PERMISSION, "wants to use Write: a.py"),
                 Observed(HOOK, 1.1, Status.NEEDS_PERMISSION, "")], 2)
    assert state.reason == "wants to use Write: a.py"


def test_budget_pause_says_why() -> None:
    state = run([Observed(HOOK, 1, Status.WORKING), PersonDid(2, "paused", "budget $1.00")], 3)
    assert (state.status, state.reason) == (Status.PAUSED, "budget $1.00")


def test_state_round_trips_through_json_dict() -> None:
    state = run([Observed(HOOK, 1, Status.WORKING, "x"), PaneSeen(2, Status.WAITING, True),
                 PersonDid(3, "paused")], 4)
    assert StatusState.from_dict(state.to_dict()) == state

"""A problem with the agent's place (PlaceSeen) leaves its status alone and leads its reason,
survives a round trip through the store's dict, is cleared by a look that finds it right, and
is not shown once the agent is merged."""

from __future__ import annotations

from workspace.core.agent import Status
from workspace.core.status import (
    Observed,
    PersonDid,
    PlaceSeen,
    Policy,
    ProcessSeen,
    Signal,
    Source,
    StatusState,
    initial_state,
    reduce,
)

POLICY = Policy()
WAITING: list[Signal] = [ProcessSeen(1.0, present=True),
                         Observed(Source.HOOK, 1.0, Status.WAITING, "done")]


def test_the_problem_leads_the_reason_and_the_status_stays() -> None:
    state = reduce(initial_state(0.0), [*WAITING, PlaceSeen(2.0, "branch ws/a is gone")], 3.0,
                   POLICY)
    assert state.status == Status.WAITING
    assert state.reason == "branch ws/a is gone · done"
    assert StatusState.from_dict(state.to_dict()) == state


def test_a_look_that_finds_it_right_clears_it() -> None:
    state = reduce(initial_state(0.0), [*WAITING, PlaceSeen(2.0, "worktree /w is gone")], 3.0,
                   POLICY)
    state = reduce(state, [PlaceSeen(4.0, "")], 5.0, POLICY)
    assert state.place == "" and state.reason == "done"


def test_place_comes_before_a_merge_conflict_and_a_merged_agent_shows_neither() -> None:
    state = reduce(initial_state(0.0), [*WAITING, PersonDid(2.0, "merge_conflict", "a.txt"),
                                        PlaceSeen(2.0, "worktree /w is gone")], 3.0, POLICY)
    assert state.reason == "worktree /w is gone · a.txt · done"
    merged = reduce(state, [PersonDid(4.0, "merged")], 5.0, POLICY)
    assert merged.status == Status.MERGED and merged.reason == "merged into base"

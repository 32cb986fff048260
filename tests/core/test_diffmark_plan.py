"""Which diffs one `ls` computes (core/diffmark.py `plan`): every one that may not be shown
(`reusable` refuses it: none older than the bound is ever shown), then the oldest of those past
part of the bound, a bounded number per call, so that diffs computed together do not all
expire together; and the keys' parts, in the format `ls` has always stored."""

from __future__ import annotations

import math

import pytest

from workspace.core.diffmark import (
    SOFT_PER_CALL,
    SOFT_SHARE,
    DiffMark,
    diff_key,
    files_part,
    join_key,
    plan,
    screen_part,
    soft_due,
)

FILES = "c0ffee:1:2:3|main@abc|abc"
STILL = join_key(FILES, "100:5:0:3")
PRINTED = join_key(FILES, "101:5:0:3")
COMMITTED = join_key("beef:1:2:3|main@abc|abc", "101:5:0:3")
BOUND = 100.0
SOFT = SOFT_SHARE * BOUND


def test_the_key_is_the_one_ls_stored_before() -> None:
    assert files_part("c0ffee:1:2:3", "main", "abc", "abc") == FILES
    assert diff_key(FILES, (100, 5, 0, 3)) == STILL
    assert diff_key(FILES, None) == join_key(FILES, "-")  # no pane
    assert screen_part(None) == "-"
    assert files_part("", "main", "abc", "abc") == ""  # the worktree could not be read
    assert diff_key("", (1, 2, 3, 4)) == ""


@pytest.mark.parametrize(("stored", "key", "age", "expected"), [
    (DiffMark(STILL, 0.0), PRINTED, SOFT + 1, True),  # the screen moved, past the soft age
    (DiffMark(STILL, 0.0), PRINTED, SOFT, False),  # not yet
    (DiffMark(STILL, 0.0), STILL, SOFT + 1, False),  # nothing moved: shown whatever its age
    (DiffMark(STILL, 0.0), PRINTED, BOUND + 1, False),  # past the bound: not shown at all
    (DiffMark(STILL, 0.0), COMMITTED, SOFT + 1, False),  # its files moved: computed anyway
    (DiffMark(STILL, None), PRINTED, SOFT + 1, False),  # no time known
])
def test_soft_due(stored: DiffMark, key: str, age: float, expected: bool) -> None:
    assert soft_due(stored, key, now=age, max_age=BOUND) is expected


def marks(*ages: float, key: str = PRINTED) -> dict[str, tuple[DiffMark | None, str]]:
    """Agents a0, a1, ... each with a diff computed `age` seconds before now (0)."""
    return {f"a{i}": (DiffMark(STILL, -age), key) for i, age in enumerate(ages)}


def test_what_may_not_be_shown_is_computed_now_the_rest_shown_with_its_time() -> None:
    chosen = plan({**marks(10.0, BOUND + 1), "new": (None, PRINTED),
                   "moved": (DiffMark(STILL, -1.0), COMMITTED),
                   "still": (DiffMark(STILL, -500.0), STILL)}, now=0.0, max_age=BOUND)
    assert chosen.now == {"a1", "new", "moved"}
    assert chosen.soon == set()
    assert chosen.shown == {"a0": -10.0}  # "still" is as it was: not an old diff


def test_past_the_soft_age_the_oldest_are_due_a_bounded_number_per_call() -> None:
    ages = [SOFT + 1 + i for i in range(12)]  # a11 the oldest
    chosen = plan(marks(*ages), now=0.0, max_age=BOUND)
    per_call = math.ceil(SOFT_PER_CALL * 12)
    assert chosen.now == set()
    assert chosen.soon == {f"a{i}" for i in range(12 - per_call, 12)}
    # The due ones are still shown as they are in this call, with their times.
    assert set(chosen.shown) == {f"a{i}" for i in range(12)}


def test_those_past_the_bound_take_the_calls_share_first() -> None:
    ages = [BOUND + 1] * 3 + [SOFT + 1] * 9
    chosen = plan(marks(*ages), now=0.0, max_age=BOUND)
    assert chosen.now == {"a0", "a1", "a2"}  # never shown: whatever the share
    assert chosen.soon == set()  # the share (3 of 12) is taken
    chosen = plan(marks(*([BOUND + 1] * 2 + [SOFT + 1] * 10)), now=0.0, max_age=BOUND)
    assert len(chosen.now) == 2 and len(chosen.soon) == 1


def test_diffs_computed_together_spread_over_calls_and_none_is_shown_past_the_bound() -> None:
    """100 agents printing, a call every 1.1 s (the benchmark's paced loop), bound 5 s: after
    the first rounds no call computes more than its share, and no diff shown is older than
    the bound."""
    bound, pace = 5.0, 1.1
    at = dict.fromkeys((f"a{i}" for i in range(100)), 0.0)  # all computed in one call
    counts = []
    for call in range(1, 60):
        now = call * pace
        chosen = plan({aid: (DiffMark(STILL, t), PRINTED) for aid, t in at.items()}, now,
                      bound)
        assert all(now - at[aid] <= bound for aid in chosen.shown)
        for aid in chosen.now | chosen.soon:
            at[aid] = now
        counts.append(len(chosen.now | chosen.soon))
    assert max(counts[10:]) <= math.ceil(SOFT_PER_CALL * 100)
    assert max(counts) < 100  # before: every fifth call computed all of them


def test_a_caller_that_computes_them_after_its_listing_takes_every_due_one() -> None:
    ages = [BOUND + 1] + [SOFT + 1 + i for i in range(11)]
    chosen = plan(marks(*ages), now=0.0, max_age=BOUND, later=True)
    assert chosen.now == {"a0"}
    assert chosen.soon == {f"a{i}" for i in range(1, 12)}


@pytest.mark.parametrize("pace", [0.25, 1.35, 2.5, 3.0, 4.0])
def test_computed_after_each_listing_no_call_a_few_seconds_apart_computes_one_first(
        pace: float) -> None:
    """`ls` computes the due ones once its listing is out: at a call every `pace` seconds
    (the benchmark's paced loop: 1.1 s between calls of ~0.25 s), bound 5 s, after the
    first call none is computed before a listing."""
    bound = 5.0
    at = dict.fromkeys((f"a{i}" for i in range(100)), 0.0)
    now = 0.0
    for call in range(1, 60):
        previous, now = now, now + pace * (1.1 if call % 3 else 0.9)  # a script's pace varies
        chosen = plan({aid: (DiffMark(STILL, t), PRINTED) for aid, t in at.items()}, now,
                      bound, later=True, previous=previous)
        assert chosen.now == set(), (call, now)
        assert all(now - at[aid] <= bound for aid in chosen.shown)
        for aid in chosen.soon:
            at[aid] = now


def test_calls_further_apart_make_a_diff_due_sooner() -> None:
    # 2.5 s old, bound 5 s: not due at the soft age (3 s); due when the call before was 2.4 s
    # ago (the next, as far apart or a quarter more, could find it past 5 s).
    stored = DiffMark(STILL, -2.5)
    assert not soft_due(stored, PRINTED, now=0.0, max_age=5.0)
    assert not soft_due(stored, PRINTED, now=0.0, max_age=5.0, gap=1.0)
    assert soft_due(stored, PRINTED, now=0.0, max_age=5.0, gap=2.4)
    assert plan({"a": (stored, PRINTED)}, 0.0, 5.0, later=True, previous=-2.4).soon == {"a"}


def test_a_bound_of_zero_computes_every_moved_screen_now() -> None:
    chosen = plan(marks(0.5, 3.0), now=0.0, max_age=0.0)
    assert chosen.now == {"a0", "a1"} and chosen.soon == set() and chosen.shown == {}

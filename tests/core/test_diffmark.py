"""When `ls` may show a stored diff again: its key unchanged, or only the agent's screen moved
and the diff is at most the bound's seconds old."""

from __future__ import annotations

import pytest

from workspace.core.diffmark import DiffMark, join_key, reusable

FILES = "c0ffee:1:2:3|main@abc|abc"
STILL = join_key(FILES, "100:5:0:3")
PRINTED = join_key(FILES, "101:5:0:3")
COMMITTED = join_key("beef:1:2:3|main@abc|abc", "101:5:0:3")


@pytest.mark.parametrize(("stored", "key", "age", "max_age", "expected"), [
    (DiffMark(STILL, 0.0), STILL, 999.0, 5.0, True),  # nothing moved: whatever its age
    (DiffMark(STILL, None), STILL, 0.0, 5.0, True),  # a key of a version that kept no time
    (DiffMark(STILL, 0.0), PRINTED, 4.0, 5.0, True),  # only the screen, within the bound
    (DiffMark(STILL, 0.0), PRINTED, 5.0, 5.0, True),
    (DiffMark(STILL, 0.0), PRINTED, 5.1, 5.0, False),  # past the bound
    (DiffMark(STILL, 0.0), PRINTED, 1.0, 0.0, False),  # bound 0: the screen alone is enough
    (DiffMark(STILL, None), PRINTED, 1.0, 5.0, False),  # no time known: no age to say
    (DiffMark(STILL, 0.0), PRINTED, -1.0, 5.0, False),  # computed "in the future": clock moved
    (DiffMark(STILL, 0.0), COMMITTED, 1.0, 5.0, False),  # its files' part moved
    (DiffMark("", 0.0), STILL, 1.0, 5.0, False),  # stored without a key (a watcher's)
    (None, STILL, 0.0, 5.0, False),  # never computed
    (DiffMark(STILL, 0.0), "", 0.0, 5.0, False),  # the worktree could not be read
])
def test_reusable(stored: DiffMark | None, key: str, age: float, max_age: float,
                  expected: bool) -> None:
    assert reusable(stored, key, now=age, max_age=max_age) is expected


def test_a_base_branch_with_a_bar_in_its_name_stays_in_the_files_part() -> None:
    # git allows '|' in branch names; the screen part never holds one.
    files = "c0ffee:1:2:3|feat|x@abc|abc"
    assert reusable(DiffMark(join_key(files, "1:0:0:0"), 0.0), join_key(files, "2:0:0:0"),
                    now=1.0, max_age=5.0)
    assert not reusable(DiffMark(join_key(files, "1:0:0:0"), 0.0),
                        join_key("c0ffee:1:2:3|feat|y@abc|abc", "2:0:0:0"), now=1.0,
                        max_age=5.0)

from __future__ import annotations

from workspace.core import format as fmt
from workspace.core.agent import DiffStat


def test_figures_read_well() -> None:
    assert fmt.tokens(999) == "999"
    assert fmt.tokens(1234) == "1.2k"
    assert fmt.tokens(45_600) == "45.6k"  # was "45k": issue 12 asks for one rounding rule
    assert fmt.tokens(2_345_678) == "2.3M"
    assert fmt.cost(None) == "—"
    assert fmt.cost(0.0421) == "$0.04"
    assert fmt.cost(12.3) == "$12.3"
    assert fmt.age(5) == "5s"
    assert fmt.age(125) == "2m"
    assert fmt.age(3 * 3600 + 60) == "3h01m"
    assert fmt.diff(DiffStat()) == "—"
    assert fmt.diff(DiffStat(2, 10, 3)) == "+10 -3"


def test_token_figures_round_one_way_at_every_size() -> None:
    """Issue 12: 12,800 reads 12.8k, not 12k; rounding is half up, and a figure that rounds
    to 1000 of a unit reads in the next one."""
    cases = {
        999: "999", 1000: "1.0k", 1049: "1.0k", 1050: "1.1k", 1250: "1.3k", 9_999: "10.0k",
        12_800: "12.8k", 99_949: "99.9k", 99_950: "100k", 128_400: "128k", 999_499: "999k",
        999_500: "1.0M", 2_345_678: "2.3M", 12_800_000: "12.8M", 99_950_000: "100M",
        123_456_789: "123M",
    }
    assert {n: fmt.tokens(n) for n in cases} == cases


def test_porcelain_in_words() -> None:
    from workspace.core.diffstat import describe_porcelain

    assert describe_porcelain("?? a.txt") == "new file a.txt (untracked)"
    assert describe_porcelain(" M a.txt") == "modified a.txt"
    assert describe_porcelain("M  a.txt") == "modified a.txt (staged)"
    assert describe_porcelain("MM a.txt") == "modified a.txt (partly staged)"
    assert describe_porcelain(" D gone.txt") == "deleted gone.txt"

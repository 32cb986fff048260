from __future__ import annotations

from workspace.core import format as fmt
from workspace.core.agent import DiffStat


def test_figures_read_well() -> None:
    assert fmt.tokens(999) == "999"
    assert fmt.tokens(1234) == "1.2k"
    assert fmt.tokens(45_600) == "45k"
    assert fmt.tokens(2_345_678) == "2.3M"
    assert fmt.cost(None) == "—"
    assert fmt.cost(0.0421) == "$0.04"
    assert fmt.cost(12.3) == "$12.3"
    assert fmt.age(5) == "5s"
    assert fmt.age(125) == "2m"
    assert fmt.age(3 * 3600 + 60) == "3h01m"
    assert fmt.diff(DiffStat()) == "—"
    assert fmt.diff(DiffStat(2, 10, 3)) == "+10 -3"


def test_porcelain_in_words() -> None:
    from workspace.core.diffstat import describe_porcelain

    assert describe_porcelain("?? a.txt") == "new file a.txt (untracked)"
    assert describe_porcelain(" M a.txt") == "modified a.txt"
    assert describe_porcelain("M  a.txt") == "modified a.txt (staged)"
    assert describe_porcelain("MM a.txt") == "modified a.txt (partly staged)"
    assert describe_porcelain(" D gone.txt") == "deleted gone.txt"

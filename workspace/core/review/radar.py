"""The conflict radar's data: which files several agents touch, and which pairs of agents (or
an agent and its base) a merge is predicted to conflict for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Overlap:
    """A file touched by more than one agent."""

    path: str
    agents: tuple[str, ...]


@dataclass(frozen=True)
class PredictedConflict:
    """Merging `a` and `b` (two agents, or an agent and its base) would conflict in `files`."""

    a: str
    b: str
    files: tuple[str, ...]
    detail: str = ""
    with_base: bool = False
    """`b` is the base branch, not an agent: `a` cannot merge cleanly as it is."""


@dataclass(frozen=True)
class Radar:
    at: float = 0.0
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Agent name -> files its branch touches (committed and uncommitted)."""
    ids: Mapping[str, str] = field(default_factory=dict)
    """Agent name -> agent id."""
    overlaps: tuple[Overlap, ...] = ()
    conflicts: tuple[PredictedConflict, ...] = ()
    problems: Mapping[str, str] = field(default_factory=dict)
    """Agent name -> why it could not be looked at (worktree gone...)."""

    def shared(self, name: str) -> tuple[str, ...]:
        return tuple(o.path for o in self.overlaps if name in o.agents)

    def conflicts_of(self, name: str) -> tuple[PredictedConflict, ...]:
        return tuple(c for c in self.conflicts if name in (c.a, c.b) and
                     not (c.with_base and c.b == name))

    def shared_counts_by_id(self) -> dict[str, int]:
        """Agent id -> number of files it shares with other agents (the table's marker)."""
        return {self.ids[name]: len(self.shared(name)) for name in self.files
                if name in self.ids and self.shared(name)}


def find_overlaps(files_by_agent: Mapping[str, Iterable[str]]) -> tuple[Overlap, ...]:
    """Files touched by more than one agent, by path; agents in the order given."""
    owners: dict[str, list[str]] = {}
    for name, files in files_by_agent.items():
        for path in dict.fromkeys(files):
            owners.setdefault(path, []).append(name)
    return tuple(Overlap(path, tuple(names)) for path, names in sorted(owners.items())
                 if len(names) > 1)


def pairs_to_check(files_by_agent: Mapping[str, Iterable[str]]) -> list[tuple[str, str]]:
    """Agent pairs that share at least one file: the only ones a merge could conflict for
    (content conflicts need a common path; renames show both their paths)."""
    sets = {name: frozenset(files) for name, files in files_by_agent.items()}
    names = list(sets)
    return [(a, b) for i, a in enumerate(names) for b in names[i + 1:] if sets[a] & sets[b]]

"""The refinery's decisions, as pure functions: which tasks wait to merge and in what order,
which of them make the next batch, and the bisection that finds the culprit of a batch that
failed the gate. The service stacks, gates and lands (service/merge/batch.py); these say what
to do next from what is known."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from workspace.core.tasks.graph import merge_order
from workspace.core.tasks.model import Task, TaskState


def merge_queue(tasks: Iterable[Task]) -> list[Task]:
    """The tasks waiting to merge (state merging), in the queue's order: dependency, then
    priority, then age."""
    return merge_order(t for t in tasks if t.state == TaskState.MERGING)


def next_batch(queue: Sequence[tuple[str, str]], size: int) -> list[str]:
    """The next batch from the queue's (name, base branch) pairs, in order: up to `size` of
    them, all onto the first one's base (one base moves once per batch); the others wait."""
    if not queue or size < 1:
        return []
    base = queue[0][1]
    return [name for name, on in queue if on == base][:size]


@dataclass(frozen=True)
class Bisect:
    """Finding the first merge of a stack of `size` whose addition fails the gate.

    Prefix k is the stack's first k merges (prefix 0 is base as it is: taken to pass, since
    base only ever moves to a commit that passed). The tip is gated first; when it fails, the
    prefix halfway between the longest known to pass and the shortest known to fail is gated,
    until they are next to each other: then the shortest failing prefix's last merge is the
    culprit and the longest passing prefix lands. A stack that passes needs one gate run, a
    stack of n with a culprit 1 + ceil(log2 n)."""

    size: int
    good: int = 0
    """The longest prefix known to pass."""
    bad: int | None = None
    """The shortest prefix known to fail (None: none is known to)."""
    runs: int = 0

    @property
    def probe(self) -> int | None:
        """The prefix to gate next; None once decided."""
        if self.bad is None:
            return self.size if self.good < self.size else None
        if self.bad - self.good <= 1:
            return None
        return (self.good + self.bad) // 2

    @property
    def done(self) -> bool:
        return self.probe is None

    def record(self, passed: bool) -> Bisect:
        """The gate's result on `probe`."""
        probe = self.probe
        if probe is None:
            raise ValueError("the bisection is already decided")
        if passed:
            return replace(self, good=probe, runs=self.runs + 1)
        return replace(self, bad=probe, runs=self.runs + 1)

    @property
    def culprit(self) -> int | None:
        """The culprit's index in the stack (0-based) once decided; None when all pass."""
        return self.bad - 1 if self.done and self.bad is not None else None

    @property
    def landing(self) -> int:
        """How many merges (the stack's first) land once decided: all of a passing stack,
        those before the culprit otherwise."""
        return self.good

"""The merge queue's data: agents merged in order, each item in one state, kept as JSON
(`<state>/merge-queue.json`) so any front end, in any process, can show it. The same file
holds the refinery's queue (the autopilot's tasks waiting to merge, the batch in flight and
its culprit) and a person's queue (`merge --all-ready`, marked agents in the TUI)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum


class QueueItemState(StrEnum):
    """Where one agent is in the merge queue; the values are the strings of the JSON file."""

    QUEUED = "queued"
    MERGING = "merging"
    MERGED = "merged"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    """Its queue's process died while merging it (or its state could not be read)."""
    CULPRIT = "culprit"
    """The merge whose addition made its batch fail the gate (found by bisecting); its task
    went back to its agent with the gate's output."""
    REBASE = "rebase"
    """It conflicts with base: its agent was asked to rebase; it comes back once it has."""

    @classmethod
    def load(cls, value: object) -> QueueItemState:
        """A state read from the file. One this version does not know (a newer version's, a
        damaged file) reads as interrupted: never queued again, never claimed merged."""
        if isinstance(value, str):
            try:
                return cls(value)
            except ValueError:
                pass
        return cls.INTERRUPTED


STOPPED = (QueueItemState.FAILED, QueueItemState.CULPRIT, QueueItemState.REBASE)
"""Items the queue could not merge (a refusal, the gate's culprit, a conflict sent back)."""
REFINERY = "refinery"
"""`QueueState.kind` of the autopilot's queue (a person's queue has kind "")."""
_DEFAULTS: dict[str, object] = {"kind": "", "batch": 1, "step": "", "gate_runs": 0,
                                 "stopped": ""}


@dataclass(frozen=True)
class QueueItem:
    name: str
    state: QueueItemState = QueueItemState.QUEUED
    detail: str = ""
    task: str = ""
    """The task whose agent this is (the refinery's items), else ""."""


@dataclass(frozen=True)
class QueueState:
    items: tuple[QueueItem, ...] = ()
    running: bool = False
    started_at: float = 0.0
    updated_at: float = 0.0
    pid: int = 0
    kind: str = ""
    """REFINERY for the autopilot's queue, "" for a person's."""
    batch: int = 1
    """Up to this many merges land at once (stacked, gated once on the tip)."""
    step: str = ""
    """What the batch in flight is doing now ("gate on the tip of 4", ...); "" between."""
    gate_runs: int = 0
    """Gate runs so far in this run of the queue."""
    stopped: str = ""
    """Why the queue stopped with nothing decided and its items still queued (the gate's
    worktree could not be prepared, its program is not installed), in one line; "" else."""

    @property
    def queued(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.items if i.state == QueueItemState.QUEUED)

    @property
    def in_flight(self) -> tuple[str, ...]:
        """The batch being merged now (one name outside batches)."""
        return tuple(i.name for i in self.items if i.state == QueueItemState.MERGING)

    @property
    def culprit(self) -> QueueItem | None:
        return next((i for i in self.items if i.state == QueueItemState.CULPRIT), None)

    @property
    def merged(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.items if i.state == QueueItemState.MERGED)

    @property
    def failed(self) -> QueueItem | None:
        """The first item the queue could not merge."""
        return next((i for i in self.items if i.state in STOPPED), None)

    def with_item(self, name: str, state: QueueItemState, detail: str = "") -> QueueState:
        items = tuple(replace(i, state=state, detail=detail) if i.name == name else i
                      for i in self.items)
        return replace(self, items=items)

    def with_waiting(self, waiting: Sequence[tuple[str, str]]) -> QueueState:
        """This state and, queued after its items, the (name, task) pairs waiting to merge
        that it does not list yet, or lists from an earlier pass (merged, sent back)."""
        live = {i.name for i in self.items
                if i.state in (QueueItemState.QUEUED, QueueItemState.MERGING)}
        names = {name for name, _ in waiting}
        kept = tuple(i for i in self.items if i.name in live or i.name not in names)
        added = tuple(QueueItem(name, task=task) for name, task in waiting if name not in live)
        return replace(self, items=kept + added)

    def to_dict(self) -> dict[str, object]:
        """The file's form; what only batches and the refinery use is written when set, so a
        person's queue reads as it did before them."""
        items: list[dict[str, object]] = []
        for i in self.items:
            item: dict[str, object] = {"name": i.name, "state": i.state.value, "detail": i.detail}
            if i.task:
                item["task"] = i.task
            items.append(item)
        data: dict[str, object] = {
            "items": items,
            "running": self.running,
            "started_at": self.started_at,
            "updated_at": self.updated_at,
            "pid": self.pid,
        }
        extra = {"kind": self.kind, "batch": self.batch, "step": self.step,
                 "gate_runs": self.gate_runs, "stopped": self.stopped}
        data.update({k: v for k, v in extra.items() if v != _DEFAULTS[k]})
        return data

    def as_json(self) -> dict[str, object]:
        """What `workspace merge --queue --json` prints: every field, and the batch in
        flight and the culprit by name."""
        data = {**self.to_dict(), "kind": self.kind or "queue", "batch": self.batch,
                "step": self.step, "gate_runs": self.gate_runs, "stopped": self.stopped,
                "in_flight": list(self.in_flight),
                "culprit": self.culprit.name if self.culprit else None}
        data["items"] = [{"name": i.name, "state": i.state.value, "detail": i.detail,
                          "task": i.task or None} for i in self.items]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> QueueState:
        raw = data.get("items")
        items = []
        for entry in raw if isinstance(raw, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                state = QueueItemState.load(entry.get("state", QueueItemState.QUEUED))
                items.append(QueueItem(str(entry["name"]), state, str(entry.get("detail", "")),
                                       str(entry.get("task") or "")))

        def num(key: str) -> float:
            value = data.get(key)
            return float(value) if isinstance(value, int | float) else 0.0

        return cls(tuple(items), bool(data.get("running", False)), num("started_at"),
                   num("updated_at"), int(num("pid")), str(data.get("kind") or ""),
                   max(int(num("batch")), 1), str(data.get("step") or ""),
                   int(num("gate_runs")), str(data.get("stopped") or ""))

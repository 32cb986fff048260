"""The merge queue's data: agents merged in order, each item in one state, kept as JSON
(`<state>/merge-queue.json`) so any front end, in any process, can show it."""

from __future__ import annotations

from collections.abc import Mapping
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


@dataclass(frozen=True)
class QueueItem:
    name: str
    state: QueueItemState = QueueItemState.QUEUED
    detail: str = ""


@dataclass(frozen=True)
class QueueState:
    items: tuple[QueueItem, ...] = ()
    running: bool = False
    started_at: float = 0.0
    updated_at: float = 0.0
    pid: int = 0

    @property
    def queued(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.items if i.state == QueueItemState.QUEUED)

    @property
    def merged(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.items if i.state == QueueItemState.MERGED)

    @property
    def failed(self) -> QueueItem | None:
        return next((i for i in self.items if i.state == QueueItemState.FAILED), None)

    def with_item(self, name: str, state: QueueItemState, detail: str = "") -> QueueState:
        items = tuple(QueueItem(i.name, state, detail) if i.name == name else i
                      for i in self.items)
        return replace(self, items=items)

    def to_dict(self) -> dict[str, object]:
        return {
            "items": [{"name": i.name, "state": i.state.value, "detail": i.detail}
                      for i in self.items],
            "running": self.running,
            "started_at": self.started_at,
            "updated_at": self.updated_at,
            "pid": self.pid,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> QueueState:
        raw = data.get("items")
        items = []
        for entry in raw if isinstance(raw, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                state = QueueItemState.load(entry.get("state", QueueItemState.QUEUED))
                items.append(QueueItem(str(entry["name"]), state, str(entry.get("detail", ""))))

        def num(key: str) -> float:
            value = data.get(key)
            return float(value) if isinstance(value, int | float) else 0.0

        return cls(tuple(items), bool(data.get("running", False)), num("started_at"),
                   num("updated_at"), int(num("pid")))

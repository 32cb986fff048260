"""A merge's intent: everything needed to finish or undo it, written durably before anything
moves, so that a merge killed at any instant is finished or undone by the next command.

Kept in <state>/merge-intent.json (fsync'd, replaced atomically), with the agent's index bytes
from before its uncommitted work was committed beside it (merge-intent.index): one merge at a
time (the merge lock), so one intent at a time. A batch (the refinery: several agents' merges
stacked, base moved once) is one intent too, `BatchIntent`: base's move, the checkout and the
guard once, and one member per agent (an `Intent` sharing those), each member's index bytes
in merge-intent-<agent id>.index.

`guard` names a ref (refs/workspace/merging/<nonce>) that every ref move made under the intent
verifies in the same git transaction (GitRepo.update_ref_while). A git process outlives the
merge that started it when that merge is SIGKILLed; whoever takes the intent over deletes the
guard first, so such a leftover move fails instead of landing after the decision."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from workspace.adapters.files import atomic_write, read_json, write_json

INTENT_FILE = "merge-intent.json"
INDEX_FILE = "merge-intent.index"
GUARD_PREFIX = "refs/workspace/merging"
VERSION = 1

PAUSE_ENV = "WORKSPACE_TEST_PAUSE_AT"
"""Test hook, not a setting: a merge (or a recovery) that reaches the named point prints
`paused at POINT` on stderr and sleeps, for a test to SIGKILL it at exactly that instant.
Points: after-intent, after-branch, after-index, after-base, after-checkout, after-merged,
recover-claimed."""


def pause(point: str) -> None:
    if os.environ.get(PAUSE_ENV) == point:
        print(f"paused at {point}", file=sys.stderr, flush=True)
        time.sleep(3600)


def new_guard() -> str:
    return f"{GUARD_PREFIX}/{os.getpid()}-{time.time_ns()}"


def digest(data: bytes | None) -> str:
    return "" if data is None else hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Wip:
    """The commit made of the agent's uncommitted work, and what to undo it to."""

    commit: str
    head: str
    """The branch's tip before it (undo: the branch back here)."""
    index: str
    """sha256 of the worktree's index bytes before (kept in INDEX_FILE; '' when none)."""
    reset: str = ""
    """sha256 of the index bytes written once the branch moved to `commit` ('' before)."""


@dataclass(frozen=True)
class Intent:
    agent_id: str
    agent: str
    branch: str
    worktree: str
    base: str
    ref: str
    old: str
    """Base's commit before the merge."""
    new: str
    """The commit base moves to."""
    strategy: str
    tip: str
    """The commit merged (the branch tip, or the commit of its uncommitted work)."""
    left: tuple[str, ...]
    """Untracked files the gate made, left out (for the merge record)."""
    checkout: str | None
    """The main checkout to bring along (base is checked out there), or None."""
    guard: str
    pid: int
    at: float
    wip: Wip | None = None

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["version"] = VERSION
        data["left"] = list(self.left)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Intent:
        if data.get("version") != VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        wip = data.get("wip")
        fields = {k: v for k, v in data.items() if k not in ("version", "wip", "left")}
        left = data.get("left")
        return cls(**fields,  # type: ignore[arg-type]
                   left=tuple(str(p) for p in left) if isinstance(left, list) else (),
                   wip=Wip(**wip) if isinstance(wip, dict) else None)


SHARED = ("base", "ref", "old", "new", "strategy", "checkout", "guard", "pid", "at")
"""The fields a batch's members share with it (base moves once, under one guard)."""


@dataclass(frozen=True)
class BatchIntent:
    """The merges of a batch, landed as one: base from `old` to `new` (the stack's tip),
    every member's uncommitted work committed first, every member marked merged."""

    base: str
    ref: str
    old: str
    new: str
    strategy: str
    checkout: str | None
    guard: str
    pid: int
    at: float
    members: tuple[Intent, ...]

    @property
    def names(self) -> str:
        return ", ".join(m.agent for m in self.members)

    def with_member(self, member: Intent) -> BatchIntent:
        return replace(self, members=tuple(member if m.agent_id == member.agent_id else m
                                           for m in self.members))

    def to_dict(self) -> dict[str, object]:
        data: dict[str, Any] = {k: getattr(self, k) for k in SHARED}
        data.update(version=VERSION, kind="batch")
        data["members"] = [{k: v for k, v in m.to_dict().items()
                            if k not in SHARED and k != "version"} for m in self.members]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> BatchIntent:
        shared: dict[str, Any] = {k: data[k] for k in SHARED}
        raw = data.get("members")
        if not isinstance(raw, list) or not raw:
            raise ValueError("a batch with no members")
        members = tuple(Intent.from_dict({**m, **shared, "version": VERSION}) for m in raw
                        if isinstance(m, dict))
        return cls(**shared, members=members)


def with_guard(intent: Intent, guard: str) -> Intent:
    return replace(intent, guard=guard, pid=os.getpid())


def batch_with_guard(batch: BatchIntent, guard: str) -> BatchIntent:
    return replace(batch, guard=guard, pid=os.getpid(),
                   members=tuple(with_guard(m, guard) for m in batch.members))


def with_reset(intent: Intent, reset: bytes) -> Intent:
    assert intent.wip is not None
    return replace(intent, wip=replace(intent.wip, reset=digest(reset)))


class IntentFile:
    """The intent in the state dir: cheap to ask about when there is none (one stat)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / INTENT_FILE
        self.index_path = state_dir / INDEX_FILE

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> Intent | BatchIntent | None:
        """The intent, None when there is none; ValueError when the file cannot be read as
        one (it is written atomically, so only a person or another version makes that)."""
        if not self.path.exists():
            return None
        data = read_json(self.path)
        if data is None:
            raise ValueError("not a JSON object")
        try:
            if data.get("kind") == "batch":
                if data.get("version") != VERSION:
                    raise ValueError(f"unknown version {data.get('version')!r}")
                return BatchIntent.from_dict(data)
            return Intent.from_dict(data)
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(str(exc)) from None

    def member_index(self, agent_id: str) -> Path:
        """Where a batch member's index bytes from before are kept."""
        return self.path.with_name(f"merge-intent-{agent_id}.index")

    def save(self, intent: Intent | BatchIntent, index: bytes | None = None) -> None:
        """Write the intent durably (the index bytes first, when given)."""
        if index is not None:
            atomic_write(self.index_path, index)
        write_json(self.path, intent.to_dict())

    def save_member_index(self, agent_id: str, index: bytes) -> None:
        atomic_write(self.member_index(agent_id), index)

    def saved_index(self, intent: Intent, path: Path | None = None) -> bytes | None:
        """The agent's index bytes from before the commit of its uncommitted work, when kept
        and intact (`path`: a batch member's)."""
        if intent.wip is None or not intent.wip.index:
            return None
        try:
            data = (path or self.index_path).read_bytes()
        except OSError:
            return None
        return data if digest(data) == intent.wip.index else None

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        self.index_path.unlink(missing_ok=True)
        for left in self.path.parent.glob("merge-intent-*.index"):
            left.unlink(missing_ok=True)

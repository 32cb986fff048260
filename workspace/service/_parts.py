"""The parts of the service that a `Workspace` makes on first use, and how each is made.
Each imports its module only then, so a CLI verb loads the parts it uses, not the merge
machinery, reviews (watchfiles), tasks and the autopilot (~40 ms of imports per verb)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar, overload

if TYPE_CHECKING:
    from workspace.service.adopt import Adopter
    from workspace.service.fleet import Fleet
    from workspace.service.merge import MergeQueue, Merger, Planner
    from workspace.service.pulls import PullRequests
    from workspace.service.review import Review
    from workspace.service.tasks.board import TaskBoard
    from workspace.service.tasks.plans import Planning
    from workspace.service.tasks.process import AutopilotProcess
    from workspace.service.usage import Usage
    from workspace.service.workspace import Workspace

T = TypeVar("T")
_MAKING = threading.RLock()
"""One part made at a time (the UI's workers may ask for one at once); re-entrant, as a part
asks for the parts it is made of."""


class Part(Generic[T]):
    """A Workspace attribute made by `make(workspace)` on first use, then kept on it."""

    def __init__(self, make: Callable[[Workspace], T]) -> None:
        self.make = make
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, ws: None, owner: type) -> Part[T]: ...

    @overload
    def __get__(self, ws: Workspace, owner: type) -> T: ...

    def __get__(self, ws: Workspace | None, owner: type) -> Part[T] | T:
        if ws is None:
            return self
        with _MAKING:
            made: T | None = ws.__dict__.get(self.name)
            if made is None:
                # Kept in the instance's dict, which wins over this (non-data) descriptor
                # from then on: later lookups cost nothing.
                made = ws.__dict__[self.name] = self.make(ws)
        return made


def adopter(ws: Workspace) -> Adopter:
    from workspace.service.adopt import Adopter

    return Adopter(ws.ctx)


def review(ws: Workspace) -> Review:
    from workspace.service.review import Review

    return Review(ws.ctx, ws.messenger)


def planner(ws: Workspace) -> Planner:
    from workspace.service.merge import Planner

    return Planner(ws.ctx, ws.review)


def merger(ws: Workspace) -> Merger:
    from workspace.service.merge import Merger

    return Merger(ws.ctx, ws.planner, ws.review, ws.poller, ws.lifecycle)


def queue(ws: Workspace) -> MergeQueue:
    from workspace.service.merge import MergeQueue

    return MergeQueue(ws.ctx, ws.merger)


def pulls(ws: Workspace) -> PullRequests:
    from workspace.service.pulls import PullRequests

    return PullRequests(ws.ctx)


def board(ws: Workspace) -> TaskBoard:
    from workspace.service.tasks.board import TaskBoard

    return TaskBoard(ws.ctx)


def pilot(ws: Workspace) -> AutopilotProcess:
    from workspace.service.tasks.process import AutopilotProcess

    return AutopilotProcess(ws.ctx, ws.new_autopilot, ws.refresh, ws.reconcile)


def planning(ws: Workspace) -> Planning:
    from workspace.service.tasks.plans import Planning

    return Planning(ws.ctx, ws.lifecycle, ws.messenger, ws.board)


def fleet(ws: Workspace) -> Fleet:
    from workspace.service.fleet import Fleet

    return Fleet(ws.ctx, ws.lifecycle, ws.poller)


def spending(ws: Workspace) -> Usage:
    from workspace.service.usage import Usage

    return Usage(ws.ctx)


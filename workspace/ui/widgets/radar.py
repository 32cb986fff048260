"""The conflict radar: which files agents share, and which branches would conflict (with each
other or with their base). Shows nothing itself: the table flags the rows, the Details tab
lists the files.

Its worker looks again when a watcher saw an agent's files change (news arrive on a queue,
so nothing is shared with the UI thread but that queue) and every RADAR_INTERVAL seconds
anyway, since bases and branches move too. It posts RadarUpdated; the handler keeps it.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Collection

from textual import on, work
from textual.widget import Widget
from textual.worker import get_current_worker

from workspace.core.agent import Agent
from workspace.core.review.radar import Radar
from workspace.ui.messages import RadarFailed, RadarUpdated

RADAR_INTERVAL = 10.0
"""Seconds between radar passes when no file changed."""

RadarLook = Callable[[Collection[str] | None], Radar]
"""The service's radar: ids of agents that changed (None: every agent) -> what it sees."""


class ConflictRadar(Widget):
    DEFAULT_CSS = "ConflictRadar { display: none; }"

    def __init__(self, look: RadarLook, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.look = look
        self.radar: Radar | None = None
        """The latest look; None until the first one."""
        self._news: queue.Queue[set[str]] = queue.Queue()

    def on_mount(self) -> None:
        self._loop()

    def on_unmount(self) -> None:
        self._news.put(set())  # wakes the worker so it sees it was cancelled

    def files_changed(self, agent_ids: set[str]) -> None:
        """A watcher saw these agents' files or branches change (debounced)."""
        self._news.put(set(agent_ids))

    @work(thread=True, exclusive=True, group="radar", exit_on_error=False,
          description="conflict radar")
    def _loop(self) -> None:
        worker = get_current_worker()
        changed: set[str] | None = None  # None until a first look at every agent succeeded
        while not worker.is_cancelled:
            try:
                self.post_message(RadarUpdated(self.look(changed)))
                changed = set()
            except Exception as exc:  # the radar is advice: never let it take the TUI down
                self.post_message(RadarFailed(str(exc)))
            try:
                news = self._news.get(timeout=RADAR_INTERVAL)
                while True:
                    if changed is not None:
                        changed |= news
                    news = self._news.get_nowait()
            except queue.Empty:
                pass

    @on(RadarUpdated)
    def _updated(self, message: RadarUpdated) -> None:
        self.radar = message.radar  # and on up to the screen, which redraws rows and details

    @on(RadarFailed)
    def _failed(self, message: RadarFailed) -> None:
        self.notify(f"conflict radar: {message.error}", severity="error", timeout=8)

    def rows(self, agent: Agent) -> list[tuple[str, str]]:
        """What the latest look says about this agent, for its details."""
        return radar_rows(self.radar, agent)


def radar_notes(radar: Radar) -> dict[str, str]:
    """Agent id -> the short note its table row shows (shared files, predicted conflicts)."""
    notes: dict[str, str] = {}
    for name, agent_id in radar.ids.items():
        # With its base first: once a sibling merged, that is the conflict to resolve.
        conflicts = sorted(radar.conflicts_of(name), key=lambda c: not c.with_base)
        shared = radar.shared(name)
        if conflicts:
            c = conflicts[0]
            other = c.b if c.a == name else c.a
            notes[agent_id] = f"conflicts with {other}: {', '.join(c.files[:2])}"
        elif shared:
            notes[agent_id] = f"shares {', '.join(shared[:2])}" + (
                f" +{len(shared) - 2}" if len(shared) > 2 else "")
    return notes


def base_conflict(radar: Radar, names: tuple[str, ...]) -> str:
    """Why these agents cannot merge as they are, if the radar found one conflicting with
    its base (for the merge form: '' when none does)."""
    for conflict in radar.conflicts:
        if conflict.with_base and conflict.a in names:
            what = ", ".join(conflict.files[:3]) or conflict.detail
            return f"{conflict.a} conflicts with {conflict.b} in {what}"
    return ""


def radar_rows(radar: Radar | None, agent: Agent) -> list[tuple[str, str]]:
    """Lines for the agent's details: files shared with others, predicted conflicts."""
    if radar is None:
        return [("radar", "looking…")]
    rows: list[tuple[str, str]] = []
    if agent.name in radar.problems:
        rows.append(("radar", radar.problems[agent.name]))
    for overlap in radar.overlaps:
        if agent.name in overlap.agents:
            others = ", ".join(n for n in overlap.agents if n != agent.name)
            rows.append(("shared", f"{overlap.path} (also {others})"))
    for conflict in radar.conflicts_of(agent.name):
        other = conflict.b if conflict.a == agent.name else conflict.a
        where = f"base {other}" if conflict.with_base else other
        what = conflict.detail or ", ".join(conflict.files)
        rows.append(("conflict", f"with {where}: {what}"))
    if not rows:
        rows.append(("radar", "no files shared with other agents"))
    return rows

"""Many agents at once: spawning several from one prompt (each standing alone), the plan each
agent works for (the `plan:` filter of core/filters.py), and the listing `ls` prints.

The listing is asked by scripts and agents often, so it costs little per agent: one
`for-each-ref` for all, one `list-panes`, one query for the stored diff keys, a few stats and
reads per agent; git runs only for the agents whose diff may have changed since it was last
computed (their key moved, see `_key`), a few at a time. Where only an agent's screen moved
(it prints, its HEAD, index, top folder and base are where they were), a diff computed at most
`[workspace] diff_max_age` seconds ago is shown again, and `ls --json` says its age; those
getting near the bound are computed again once the listing is out (`ls`, `compute_soon`), or a
bounded number per call by a caller that computes them first, so that diffs computed together
do not all expire in one later call (core/diffmark.py `plan`)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters.files import LockBusy, hold_lock
from workspace.adapters.git import GitError
from workspace.adapters.tmux import PaneInfo
from workspace.core.agent import Agent, DiffStat
from workspace.core.diffmark import DiffMark, diff_key, files_part, plan
from workspace.core.errors import UsageError
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.place import follow_moved_worktrees, note_place, place_problem
from workspace.service.poller import Poller
from workspace.service.snapshot import Snapshot

DIFF_WORKERS = 4
"""git processes run at once while diffs are computed for many agents."""
SOON_LOCK = "diffs-soon.lock"
"""Held while the diffs a listing left for later are computed (`compute_soon`)."""
LISTED = "listed"
"""A file in the state folder whose time is the last listing's (`_listed`)."""


@dataclass(frozen=True)
class SpawnOutcome:
    """One agent of a spawn of several: the agent made, or why not."""

    name: str
    preset: str | None
    agent: Agent | None = None
    error: str = ""


class Fleet:
    def __init__(self, ctx: Context, agents: Agents, poller: Poller) -> None:
        self.ctx = ctx
        self._agents = agents
        self._poller = poller
        self.shown_again: dict[str, float] = {}
        """After `update_diffs`: agent id -> when its diff was computed, for the diffs kept
        though the agent's screen moved (within diff_max_age): `ls` says they may be old."""
        self._times: dict[str, float] | None = None
        """After `update_diffs` (not `fresh`): agent id -> when its stored diff was computed,
        as that call left them (`diff_times` then asks no query)."""
        self.soon: list[tuple[Agent, str]] = []
        """After `update_diffs(defer=True)`: the agents whose diff is due soon, with the key
        each was seen at, for `compute_soon`."""
        self._soon_at = 0.0

    # -- spawning several -----------------------------------------------------------------

    def spawn_many(self, wanted: list[tuple[str, str | None]], base: str | None,
                   prompt: str, budget_usd: float | None) -> list[SpawnOutcome]:
        """(name, preset) each. Every precondition of every agent is checked before the
        first is made (UsageError: nothing made); then each spawn stands alone, one that
        fails says why and the others go on."""
        names = [name for name, _ in wanted]
        twice = [name for i, name in enumerate(names) if name in names[:i]]
        if twice:
            raise UsageError(f"the name {twice[0]!r} would be given twice; choose others")
        for name, preset in wanted:
            self._agents.check_spawn(name, preset, base)
        outcomes = []
        for name, preset in wanted:
            try:
                agent = self._agents.spawn(name, preset, base, prompt, budget_usd)
            except UsageError as exc:
                outcomes.append(SpawnOutcome(name, preset, error=str(exc)))
            else:
                outcomes.append(SpawnOutcome(name, preset, agent))
        return outcomes

    # -- which plan each agent works for --------------------------------------------------

    def agent_plans(self) -> dict[str, str]:
        """Agent id -> the plan it works for: its planner's or its workers' launch says so
        (WORKSPACE_PLAN), else its task's plan."""
        plans = self.ctx.store.launched_plans()
        by_task = {t.id: t.plan for t in self.ctx.store.tasks.all() if t.plan}
        for agent in self.ctx.store.agents():
            if agent.id not in plans and agent.task_id in by_task:
                plans[agent.id] = by_task[agent.task_id]
        return plans

    # -- the listing ----------------------------------------------------------------------

    def listing(self, fresh: bool = False, defer: bool = False) -> Snapshot:
        """Every agent as one tick sees it, with its diff statistics computed again where
        they may have changed (`fresh`: for every agent) and its worktree and branch
        looked at (gone? cut off?). `defer`: the diffs only due soon (core/diffmark.py
        `plan`) are shown as stored and left for `compute_soon`, which the caller runs once
        the listing is out."""
        panes = self.ctx.tmux.list_panes()
        read = self.ctx.store.rows_read()  # the tick's too, where nothing is written between
        self.update_diffs(panes, fresh, defer, [agent for agent, _ in read.rows])
        return self._poller.refresh(panes=panes, task_facts=False, read=read)

    def update_diffs(self, panes: list[PaneInfo] | None, fresh: bool = False,
                     defer: bool = False, agents: list[Agent] | None = None) -> None:
        """`panes`: what `list_panes` says now (their change hints are part of each key).
        `agents`: as the caller read them just now."""
        ctx = self.ctx
        self.shown_again = {}
        self._times = None
        self.soon = []
        agents = ctx.store.agents() if agents is None else agents
        if follow_moved_worktrees(ctx, agents):
            agents = ctx.store.agents()
        if not agents:
            return
        tips = ctx.repo.branch_tips()
        hints = {p.session: p.change_hint for p in panes or []}
        # Taken before any key is read: the age said of a diff is never less than its own.
        now = time.time()
        stored: dict[str, DiffMark] = {} if fresh else ctx.store.diff_marks()
        marks: dict[str, tuple[DiffMark | None, str]] = {}
        for agent in agents:
            if agent.spawn_complete:
                note_place(ctx, agent, place_problem(ctx, agent, tips))
            marks[agent.id] = (stored.get(agent.id), self._key(agent, tips, hints))
        chosen = plan(marks, now, ctx.settings.workspace.diff_max_age, later=defer,
                      previous=self._listed(now))
        later = chosen.soon if defer else frozenset()
        due = [agent for agent in agents
               if agent.id in chosen.now or (agent.id in chosen.soon and not defer)]
        self.soon = [(agent, marks[agent.id][1]) for agent in agents if agent.id in later]
        self._soon_at = now
        computing = {agent.id for agent in due}
        self.shown_again = {aid: at for aid, at in chosen.shown.items()
                            if aid not in computing}
        stats = self._diff_stats(due)
        times = {aid: mark.at for aid, mark in stored.items() if mark.at is not None}
        with ctx.store.transaction():
            for agent, stat in zip(due, stats, strict=True):
                if stat is not None:
                    ctx.store.set_diff(agent.id, stat, marks[agent.id][1], at=now)
                    times[agent.id] = now
        if not fresh:
            self._times = times

    def compute_soon(self) -> int:
        """Compute the diffs `update_diffs(defer=True)` left and store each with the key
        and time seen then (the key was read before: the diff is at least that new), unless
        a newer one was stored meanwhile. Through a connection of its own: it may run in a
        child process (`ls`: cli/common.py `after_exit`, made once this process's own
        connection is closed). Returns how many it computed."""
        from workspace.adapters.store import Store

        soon, self.soon = self.soon, []
        if not soon:
            return 0
        # One at a time: calls back to back would each compute the same ones (the next is
        # left to a later call).
        try:
            with hold_lock(self.ctx.state_dir / SOON_LOCK, wait=0):
                stats = self._diff_stats([agent for agent, _ in soon])
                store = Store(self.ctx.store.path)
                try:
                    for (agent, key), stat in zip(soon, stats, strict=True):
                        if stat is not None:
                            store.set_diff(agent.id, stat, key, at=self._soon_at,
                                           unless_newer=True)
                finally:
                    store.close()
        except LockBusy:
            return 0
        return len(soon)

    def _listed(self, now: float) -> float | None:
        """When the listing before this one was (None: not known), and this one noted for
        the next: a file's time, not a row (no write to the state per call)."""
        mark = self.ctx.state_dir / LISTED
        try:
            previous: float | None = mark.stat().st_mtime
        except OSError:
            previous = None
        try:
            mark.touch(mode=0o600)
            os.utime(mark, (now, now))
        except OSError:
            pass  # a read-only state: the next call knows less, no more
        return previous

    def diff_times(self) -> dict[str, float]:
        """Agent id -> when its stored diff was computed (agents never computed have none):
        as the last `update_diffs` left them, else read."""
        if self._times is not None:
            return dict(self._times)
        return {agent_id: mark.at for agent_id, mark in self.ctx.store.diff_marks().items()
                if mark.at is not None}

    def _key(self, agent: Agent, tips: Mapping[str, str],
             hints: Mapping[str, tuple[int, int, int, int]]) -> str:
        """What the agent's diff statistics depend on, as far as it can be seen without
        git: its HEAD's commit, index and top folder (git/diffs.py `diff_key`), its base's
        tip, and its pane's change hint (an agent writes files while its screen moves; one
        changing a tracked file in place with its screen still is not seen: `ls --fresh`,
        `workspace diff` and the TUI's worktree watcher see it), as core/diffmark.py's
        '<files part>|<screen part>'. '' when it cannot be read: then the diff is computed."""
        worktree = self.ctx.repo.diff_key(Path(agent.worktree), tips)
        files = files_part(worktree, agent.base, tips.get(agent.base, ""), agent.base_sha)
        return diff_key(files, hints.get(agent.session))

    def _diff_stats(self, agents: list[Agent]) -> list[DiffStat | None]:
        """Each agent's diff statistics (None where git failed: the stored ones stay), a few
        git processes at a time: they wait on the disk as much as on a core. Plain threads:
        concurrent.futures (and the logging it imports) cost each `ls` ~5 ms to import."""

        def one(agent: Agent) -> DiffStat | None:
            try:
                return self.ctx.repo.diff_stat(Path(agent.worktree), agent.base, agent.base_sha)
            except GitError:
                return None

        if len(agents) < 2:
            return [one(a) for a in agents]
        results: list[DiffStat | None] = [None] * len(agents)
        failed: list[BaseException] = []
        todo = iter(range(len(agents)))
        taking = threading.Lock()

        def work() -> None:
            while not failed:
                with taking:
                    i = next(todo, None)
                if i is None:
                    return
                try:
                    results[i] = one(agents[i])
                except BaseException as exc:  # said in the caller's thread, as a pool would
                    failed.append(exc)

        threads = [threading.Thread(target=work, daemon=True)
                   for _ in range(min(DIFF_WORKERS, len(agents)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failed:
            raise failed[0]
        return results

    def preset_problems(self) -> dict[str, str]:
        """Preset name -> why it cannot be spawned now (its CLI is not installed, or the
        repository's config that defines it waits for trust)."""
        problems: dict[str, str] = {}
        for preset in self.ctx.settings.presets:
            try:
                self.ctx.check_trusted(f"presets.{preset.name}")
                self._agents.resolve_command(preset.name)
            except UsageError as exc:
                problems[preset.name] = str(exc)
        return problems

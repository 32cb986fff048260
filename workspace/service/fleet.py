"""Many agents at once: spawning several from one prompt (each standing alone), the plan each
agent works for (the `plan:` filter of core/filters.py), and the listing `ls` prints.

The listing is asked by scripts and agents often, so it costs little per agent: one
`for-each-ref` for all, one `list-panes`, one query for the stored diff keys, a few stats and
reads per agent; git runs only for the agents whose diff may have changed since it was last
computed (their key moved, see `_key`), a few at a time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters.git import GitError
from workspace.adapters.tmux import PaneInfo
from workspace.core.agent import Agent, DiffStat
from workspace.core.errors import UsageError
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.place import follow_moved_worktrees, note_place, place_problem
from workspace.service.poller import Poller, Snapshot

DIFF_WORKERS = 4
"""git processes run at once while diffs are computed for many agents."""


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

    def listing(self, fresh: bool = False) -> Snapshot:
        """Every agent as one tick sees it, with its diff statistics computed again where
        they may have changed (`fresh`: for every agent) and its worktree and branch
        looked at (gone? cut off?)."""
        panes = self.ctx.tmux.list_panes()
        self.update_diffs(panes, fresh)
        return self._poller.refresh(panes=panes, task_facts=False)

    def update_diffs(self, panes: list[PaneInfo] | None, fresh: bool = False) -> None:
        """`panes`: what `list_panes` says now (their change hints are part of each key)."""
        ctx = self.ctx
        agents = ctx.store.agents()
        if follow_moved_worktrees(ctx, agents):
            agents = ctx.store.agents()
        if not agents:
            return
        tips = ctx.repo.branch_tips()
        hints = {p.session: p.change_hint for p in panes or []}
        stored = {} if fresh else ctx.store.diff_keys()
        due: list[tuple[Agent, str]] = []
        for agent in agents:
            if agent.spawn_complete:
                note_place(ctx, agent, place_problem(ctx, agent, tips))
            key = self._key(agent, tips, hints)
            if not key or stored.get(agent.id) != key:
                due.append((agent, key))
        stats = self._diff_stats([agent for agent, _ in due])
        with ctx.store.transaction():
            for (agent, key), stat in zip(due, stats, strict=True):
                if stat is not None:
                    ctx.store.set_diff(agent.id, stat, key)

    def _key(self, agent: Agent, tips: Mapping[str, str],
             hints: Mapping[str, tuple[int, int, int, int]]) -> str:
        """What the agent's diff statistics depend on, as far as it can be seen without
        git: its HEAD's commit, index and top folder (git/diffs.py `diff_key`), its base's
        tip, and its pane's change hint (an agent writes files while its screen moves; one
        changing a tracked file in place with its screen still is not seen: `ls --fresh`,
        `workspace diff` and the TUI's worktree watcher see it). '' when it cannot be read:
        then the diff is computed."""
        worktree = self.ctx.repo.diff_key(Path(agent.worktree), tips)
        if not worktree:
            return ""
        hint = hints.get(agent.session)
        return (f"{worktree}|{agent.base}@{tips.get(agent.base, '')}|{agent.base_sha}|"
                f"{':'.join(map(str, hint)) if hint else '-'}")

    def _diff_stats(self, agents: list[Agent]) -> list[DiffStat | None]:
        """Each agent's diff statistics (None where git failed: the stored ones stay), a few
        git processes at a time: they wait on the disk as much as on a core."""

        def one(agent: Agent) -> DiffStat | None:
            try:
                return self.ctx.repo.diff_stat(Path(agent.worktree), agent.base, agent.base_sha)
            except GitError:
                return None

        if len(agents) < 2:
            return [one(a) for a in agents]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(DIFF_WORKERS, len(agents))) as pool:
            return list(pool.map(one, agents))

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

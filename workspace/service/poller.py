"""One poll tick: look at tmux, the hook event files and the transcripts, fold the signals into
each agent's status, record usage, tell the person's notify command what changed (notify.py),
and return a snapshot.

Cost per tick, whatever the number of agents: one `list-panes`, one chained `capture-pane` for
the panes whose cheap change hint moved, a `stat` per event file and transcript, and reads of
only the bytes appended since the last tick.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from workspace.adapters.agents.base import Generic
from workspace.adapters.files import LockBusy, hold_lock, is_locked
from workspace.adapters.git import GitError
from workspace.adapters.launch_spec import recorded_exit
from workspace.adapters.tmux import PaneInfo, TmuxError
from workspace.core.agent import Agent, DiffStat, Status, Tokens, attention_order
from workspace.core.panes import strip_ansi
from workspace.core.status import PaneSeen, ProcessSeen, Signal, StatusState, reduce
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.messaging import Messenger
from workspace.service.notify import Notifier
from workspace.service.place import follow_moved_worktrees, note_place, place_problem
from workspace.service.signals import SignalReader

if TYPE_CHECKING:
    from workspace.core.tasks.model import Task

PENDING_PROMPT_TIMEOUT = 120.0
POLL_LOCK = "poll.lock"
AUTOPILOT_LOCK = "autopilot.lock"
"""Held by the running autopilot (tasks/process.py)."""
POLL_LOCK_WAIT = 10.0
"""Seconds a tick waits for another process's; then it goes on alone rather than hang too."""


@dataclass
class _PaneMemory:
    hint: tuple[int, int, int, int]
    digest: str
    screen: str
    captured_at: float
    pane_id: str = ""
    cursor: tuple[int, int] = (0, 0)
    """(column, line of `screen`) when it was captured."""


@dataclass(frozen=True)
class Snapshot:
    """What the UI renders: immutable, produced by one tick."""

    at: float
    agents: tuple[Agent, ...]
    screens: dict[str, str] = field(default_factory=dict)
    """Latest screen (with colours) per agent id, for the ones seen so far."""
    server_running: bool = True
    cursors: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Where the cursor was on each of those screens: (column, line of the screen's text)."""
    plans: dict[str, str] = field(default_factory=dict)
    """Agent id -> the plan it works for (its task's plan, or the plan it plans)."""
    titles: dict[str, str] = field(default_factory=dict)
    """Task and plan id -> its title (a plan's goal), for the tasks and plans agents work on."""
    verdicts: dict[str, dict[str, str]] = field(default_factory=dict)
    """Agent id -> the judge's last verdict on its task (shown beside its diff)."""

    @property
    def needs_you(self) -> int:
        return sum(1 for a in self.agents if a.needs_you)

    @property
    def tokens(self) -> Tokens:
        total = Tokens()
        for a in self.agents:
            total = total + a.tokens
        return total

    @property
    def cost_usd(self) -> float | None:
        costs = [a.cost_usd for a in self.agents if a.cost_usd is not None]
        return sum(costs) if costs else None

    def by_id(self, agent_id: str) -> Agent | None:
        for a in self.agents:
            if a.id == agent_id:
                return a
        return None


class Poller:
    def __init__(self, ctx: Context, agents: Agents, messenger: Messenger) -> None:
        self.ctx = ctx
        self._agents = agents
        self._messenger = messenger
        self._signals = SignalReader(ctx)
        self.notifier = Notifier(ctx)
        self._memory: dict[str, _PaneMemory] = {}
        self._present: dict[str, bool] = {}
        """Agent id -> its worktree folder existed at the last tick."""
        self._lock = threading.Lock()
        """One tick at a time (the TUI's poll worker and an action's refresh may overlap)."""

    def refresh(self, capture_all: bool = False,
                panes: list[PaneInfo] | Literal[False] | None = False,
                task_facts: bool = True) -> Snapshot:
        """One tick. Every pane whose content changed is captured (`capture_all`: every
        pane, after a restart of the front end). `panes`: what `list_panes` returned just
        now, to a caller that needed it too (`ls`): one tmux process fewer. `task_facts`:
        the snapshot's plans and titles (the TUI's; `ls` loads no task machinery).

        One tick at a time in the whole workspace, too (a lock in the state dir): two pollers
        (the TUI and the autopilot) reading the same offsets and states at once would each
        fold in part of what changed, and one's older state could overwrite the other's newer
        one (an agent seen waiting, then working again, then waiting: told twice)."""
        with self._lock, ExitStack() as held:
            try:
                held.enter_context(hold_lock(self.ctx.state_dir / POLL_LOCK,
                                             wait=POLL_LOCK_WAIT))
            except LockBusy:
                pass
            return self._tick(capture_all, panes, task_facts)

    def _tick(self, capture_all: bool, listed: list[PaneInfo] | Literal[False] | None,
              task_facts: bool) -> Snapshot:
        now = time.time()
        store = self.ctx.store
        agents = store.agents()
        panes = self.ctx.tmux.list_panes() if listed is False else listed
        by_session = {p.session: p for p in panes or []}
        screens = self._capture(agents, by_session, now, capture_all)
        for agent in agents:
            if agent.spawn_complete:
                self._update_agent(agent, by_session.get(agent.session),
                                   screens.get(agent.id), now)
                self._watch_place(agent)
        fresh = store.agents()
        # Read once per tick, and only where needed: ls reads no tasks unless one waits.
        waits = any(a.task_id and a.status == Status.WAITING for a in fresh)
        pilot_runs = waits and is_locked(self.ctx.state_dir / AUTOPILOT_LOCK)
        ids = {a.task_id for a in fresh if a.task_id}  # its agents' tasks, not the history
        tasks = {t.id: t for t in store.tasks.some(ids)} if ids and (task_facts or pilot_runs) \
            else {}
        if pilot_runs:
            fresh = autopilot_turns(fresh, tasks)
        self._enforce_budgets(fresh)
        self.notifier.after_tick(fresh)
        plans, titles, verdicts = self._task_facts(fresh, tasks) if task_facts else \
            ({}, {}, {})
        return Snapshot(
            at=now,
            agents=tuple(attention_order(fresh)),
            screens={aid: m.screen for aid, m in self._memory.items()},
            server_running=panes is not None,
            cursors={aid: m.cursor for aid, m in self._memory.items()},
            plans=plans,
            titles=titles,
            verdicts=verdicts,
        )

    def _task_facts(self, agents: list[Agent], tasks: Mapping[str, Task]
                    ) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, str]]]:
        """Agent id -> its plan, task and plan id -> title (the TUI groups and filters by
        task and plan), agent id -> its task's verdict. `tasks`: by id, read when an agent
        has one."""
        if not agents:
            return {}, {}, {}
        planned = self.ctx.store.tasks.plans()
        goals = {p.id: p.goal for p in planned}
        planner = {p.agent: p.id for p in planned if p.agent}
        plans: dict[str, str] = {}
        titles: dict[str, str] = {}
        verdicts: dict[str, dict[str, str]] = {}
        for agent in agents:
            task = tasks.get(agent.task_id or "")
            if task is not None:
                titles[task.id] = task.title
                if task.verdict and task.agent == agent.name:  # its worker's, not its judge's
                    verdicts[agent.id] = task.verdict
            plan = task.plan if task is not None else planner.get(agent.name)
            if plan:
                plans[agent.id] = plan
                titles[plan] = goals.get(plan, "")
        return plans, titles, verdicts

    def _capture(self, agents: list[Agent], by_session: dict[str, PaneInfo], now: float,
                 capture_all: bool) -> dict[str, tuple[str, bool]]:
        """Capture, in one tmux process, the panes whose change hint moved. Returns
        agent id -> (screen, changed since the last capture)."""
        wanted: dict[str, tuple[str, PaneInfo]] = {}
        for agent in agents:
            pane = by_session.get(agent.session)
            if pane is None:
                continue
            memory = self._memory.get(agent.id)
            # window_activity has one-second resolution: recapture while it is current.
            moved = memory is None or memory.hint != pane.change_hint
            recent = pane.activity >= int(now) - 1 and not pane.dead
            if capture_all or moved or recent:
                wanted[pane.pane_id] = (agent.id, pane)
        if not wanted:
            return {}
        try:
            captured = self.ctx.tmux.capture_screens(list(wanted))
        except TmuxError:
            return {}
        result: dict[str, tuple[str, bool]] = {}
        for pane_id, seen in captured.items():
            if pane_id not in wanted:
                continue
            agent_id, pane = wanted[pane_id]
            screen = seen.text
            digest = hashlib.blake2b(screen.encode(), digest_size=16).hexdigest()
            memory = self._memory.get(agent_id)
            changed = memory is not None and memory.digest != digest
            self._memory[agent_id] = _PaneMemory(pane.change_hint, digest, screen, now,
                                                 pane_id, seen.cursor)
            result[agent_id] = (screen, changed)
        return result

    def _update_agent(self, agent: Agent, pane: PaneInfo | None,
                      seen: tuple[str, bool] | None, now: float) -> None:
        integ = self.ctx.integration(agent.preset)
        signals: list[Signal] = []
        if pane is None:
            signals.append(ProcessSeen(now, present=False))
        else:
            code = pane.dead_status
            if pane.dead and code is None:
                code = recorded_exit(self.ctx.paths(agent.id))
            signals.append(ProcessSeen(now, True, pane.dead, code))
        plain = ""
        if seen is not None and pane is not None:
            screen, changed = seen
            plain = strip_ansi(screen)
            status, reason = integ.pane_status(plain, pane.command)
            signals.append(PaneSeen(now, status, changed, reason))
        signals.extend(self._signals.read(agent, integ))
        old = self.ctx.store.state_of(agent.id)
        if old is None:
            return
        new = reduce(old, signals, now, self.ctx.policy(agent.preset))
        if new != old:
            self.ctx.store.set_state(agent.id, new)
        if pane is not None and not pane.dead and plain:
            self._deliver_pending_prompt(agent, integ, new, plain, pane)

    # -- first prompt, budgets ----------------------------------------------------------

    def _deliver_pending_prompt(self, agent: Agent, integ: Generic, state: StatusState,
                                screen: str, pane: PaneInfo) -> None:
        store = self.ctx.store
        launch = store.launch_of(agent.id)
        pending = launch.get("pending_prompt")
        if not isinstance(pending, str) or not pending:
            return
        since = launch.get("pending_since")
        start = since if isinstance(since, int | float) else agent.created_at
        too_late = time.time() - start > PENDING_PROMPT_TIMEOUT
        if too_late or state.status.ended:
            store.update_agent(agent.id, launch={**launch, "pending_prompt": ""})
            return
        if not integ.ready_for_input(screen, pane.command):
            return
        # Claim it first: a second poller (TUI and CLI at once) must not type it twice.
        store.update_agent(agent.id, launch={**launch, "pending_prompt": ""})
        self._messenger.paste_and_submit(agent, pane.pane_id, pending, submit=True)

    def pending_prompt(self, name: str) -> str:
        agent = self.ctx.agent(name)
        value = self.ctx.store.launch_of(agent.id).get("pending_prompt")
        return value if isinstance(value, str) else ""

    def budget_of(self, agent: Agent) -> float | None:
        if agent.budget_usd is not None:
            return agent.budget_usd if agent.budget_usd > 0 else None
        default = self.ctx.settings.workspace.budget_usd
        return default if default > 0 else None

    def _enforce_budgets(self, agents: list[Agent]) -> None:
        for agent in agents:
            budget = self.budget_of(agent)
            if budget is None or agent.cost_usd is None or agent.cost_usd < budget:
                continue
            if agent.status == Status.PAUSED or agent.status.ended:
                continue
            detail = f"budget ${budget:.2f} reached (spent ${agent.cost_usd:.2f})"
            try:
                self._agents.pause(agent.name, detail=detail)
            except Exception:
                continue

    # -- diffs and screens --------------------------------------------------------------

    def update_diff(self, agent: Agent, tips: dict[str, str] | None = None) -> DiffStat:
        """Its diff statistics, and a look at its worktree and branch (gone? cut off?), both
        asked when they changed (and by `ls`). `tips`: every branch's commit, for many."""
        if agent.spawn_complete:
            note_place(self.ctx, agent, place_problem(self.ctx, agent, tips))
        started = time.time()  # the age `ls --json` says is counted from here
        try:
            stat = self.ctx.repo.diff_stat(Path(agent.worktree), agent.base, agent.base_sha)
        except GitError:
            return agent.diff
        if stat != agent.diff:
            self.ctx.store.set_diff(agent.id, stat, at=started)
        return stat

    def update_diffs(self, names: list[str] | None = None) -> None:
        agents = [a for a in self.ctx.store.agents() if names is None or a.name in names]
        if follow_moved_worktrees(self.ctx, agents):
            agents = [a for a in self.ctx.store.agents() if names is None or a.name in names]
        tips = self.ctx.repo.branch_tips() if len(agents) > 1 else None
        for agent in agents:
            self.update_diff(agent, tips)

    def _watch_place(self, agent: Agent) -> None:
        """A stat per agent per tick: a worktree that vanishes or comes back is looked at
        closely (git) at once, not only when its diff is next asked for."""
        present = os.path.isdir(agent.worktree)  # noqa: PTH112 (no Path built per tick)
        seen = self._present.get(agent.id)
        self._present[agent.id] = present
        # First sight: look closely only if the row and the stat disagree (no folder and no
        # problem said, or a problem said that may be gone now).
        if (seen is None and present == bool(agent.problem)) or (seen is not None
                                                                   and seen != present):
            if not present and follow_moved_worktrees(self.ctx, [agent]):
                return  # the next tick looks at it where it is now
            note_place(self.ctx, agent, place_problem(self.ctx, agent))

    def preview_screen(self, agent_id: str) -> str:
        memory = self._memory.get(agent_id)
        return memory.screen if memory else ""

    def pane_history(self, agent_id: str, lines: int) -> str:
        """The agent's scrollback (its last `lines` lines) and its screen, with colours, in
        one tmux process: asked for when the person scrolls back, never by a tick."""
        memory = self._memory.get(agent_id)
        if memory is None or not memory.pane_id:
            return ""
        try:
            return self.ctx.tmux.capture_history(memory.pane_id, lines)
        except TmuxError:
            return memory.screen


def autopilot_turns(agents: list[Agent], tasks: Mapping[str, Task]) -> list[Agent]:
    """With the autopilot running: the agents waiting for it rather than the person, marked.
    A task's agent whose turn ended while its task is under way (running, checking, merging):
    the autopilot acts next, so it is not told, counted or listed as needing the person."""
    return [replace(a, autopilot=True) if a.status == Status.WAITING and
            (task := tasks.get(a.task_id or "")) is not None and task.state.active else a
            for a in agents]

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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from workspace.adapters.agents.base import Generic
from workspace.adapters.files import LockBusy, hold_lock, is_locked
from workspace.adapters.git import GitError
from workspace.adapters.launch_spec import recorded_exit
from workspace.adapters.store import AgentRow, RowsRead, with_state
from workspace.adapters.store.sources import Offsets
from workspace.adapters.tmux import PaneInfo, TmuxError
from workspace.core.agent import Agent, DiffStat, Status, attention_order
from workspace.core.diffmark import diff_key, files_part
from workspace.core.panes import strip_ansi
from workspace.core.status import PaneSeen, Policy, ProcessSeen, Signal, StatusState, reduce
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.messaging import Messenger
from workspace.service.notify import Notifier
from workspace.service.place import follow_moved_worktrees, note_place, place_problem
from workspace.service.signals import SignalReader

# Snapshot lived here first: its importers still find it here (an explicit re-export).
from workspace.service.snapshot import Snapshot as Snapshot
from workspace.service.snapshot import autopilot_turns

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
                task_facts: bool = True, read: RowsRead | None = None) -> Snapshot:
        """One tick. Every pane whose content changed is captured (`capture_all`: every
        pane, after a restart of the front end). `panes`: what `list_panes` returned just
        now, to a caller that needed it too (`ls`): one tmux process fewer. `task_facts`:
        the snapshot's plans and titles (the TUI's; `ls` loads no task machinery). `read`:
        the agents' rows as the caller read them just before, used if nothing was written
        since (the states it writes are compared with the stored ones all the same).

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
            return self._tick(capture_all, panes, task_facts, read)

    def _tick(self, capture_all: bool, listed: list[PaneInfo] | Literal[False] | None,
              task_facts: bool, read: RowsRead | None) -> Snapshot:
        now = time.time()
        store = self.ctx.store
        if read is None or not store.still(read):
            read = store.rows_read()
        rows, written, others = read.rows, read.changes, read.version
        offsets = store.all_sources()
        panes = self.ctx.tmux.list_panes() if listed is False else listed
        by_session = {p.session: p for p in panes or []}
        agents = [agent for agent, _ in rows]
        screens = self._capture(agents, by_session, now, capture_all)
        folded: dict[str, tuple[StatusState, list[Signal]]] = {}
        policies: dict[str, Policy] = {}
        for agent, row in rows:
            if agent.spawn_complete:
                folded[agent.id] = self._update_agent(
                    agent, row, by_session.get(agent.session), screens.get(agent.id),
                    offsets.get(agent.id, {}), now, policies)
        # The statuses in one transaction, each only over the state it was folded from.
        states = self._store_states(rows, folded, now, policies)
        for agent in agents:
            if agent.spawn_complete:
                self._watch_place(agent)
        if store.changes() == written + len(states) and store.data_version() == others:
            # Nothing but these statuses was written, here or elsewhere: no need to read
            # every row again.
            fresh = [with_state(a, states[a.id]) if a.id in states else a for a in agents]
        else:
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

    def _store_states(self, rows: list[tuple[Agent, AgentRow]],
                      folded: dict[str, tuple[StatusState, list[Signal]]], now: float,
                      policies: dict[str, Policy]) -> dict[str, StatusState]:
        """Write the states that changed, each only if its row still holds the state it was
        folded from (a person's action in another process may have landed since the rows
        were read: then its signals are folded into that one). Returns agent id -> the
        state written."""
        stored = {agent.id: (agent, row) for agent, row in rows}
        written: dict[str, StatusState] = {}
        changes = []
        for agent_id, (new, _) in folded.items():
            agent, row = stored[agent_id]
            if new != row.state:
                changes.append((agent_id, new, row.stored))
                written[agent_id] = new
        for agent_id in self.ctx.store.set_states(changes):
            del written[agent_id]
            agent, _ = stored[agent_id]
            for _ in range(3):
                now_stored = self.ctx.store.stored_state(agent_id)
                if now_stored is None:
                    break  # gone (killed meanwhile)
                state, text = now_stored
                new = reduce(state, folded[agent_id][1], now,
                             self._policy(agent.preset, policies))
                if new == state or not self.ctx.store.set_states([(agent_id, new, text)]):
                    break
        return written

    def _policy(self, preset: str, policies: dict[str, Policy]) -> Policy:
        found = policies.get(preset)
        if found is None:
            found = policies[preset] = self.ctx.policy(preset)
        return found

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

    def _update_agent(self, agent: Agent, row: AgentRow, pane: PaneInfo | None,
                      seen: tuple[str, bool] | None, offsets: Offsets, now: float,
                      policies: dict[str, Policy]) -> tuple[StatusState, list[Signal]]:
        """The agent's signals since the last tick, folded into its state as the tick read
        it: (the new state, the signals), for the tick to write."""
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
        signals.extend(self._signals.read(agent, integ, offsets))
        new = reduce(row.state, signals, now, self._policy(agent.preset, policies))
        # Only where the row said a first prompt waits (most never do, or did long ago).
        if pane is not None and not pane.dead and plain and \
                row.launch_record().get("pending_prompt"):
            self._deliver_pending_prompt(agent, integ, new, plain, pane)
        return new, signals

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
        asked when they changed (and by `ls`). `tips`: every branch's commit, for many; for
        one, read here (in place of the look-up of its branch alone): the diff is stored
        with its key (core/diffmark.py), so that the next `ls` need not compute it again."""
        if tips is None:
            try:
                tips = self.ctx.repo.branch_tips()
            except GitError:
                tips = None
        if agent.spawn_complete:
            note_place(self.ctx, agent, place_problem(self.ctx, agent, tips))
        key = self._diff_key(agent, tips)  # read before computing: the diff is newer
        started = time.time()  # the age `ls --json` says is counted from here
        try:
            stat = self.ctx.repo.diff_stat(Path(agent.worktree), agent.base, agent.base_sha)
        except GitError:
            return agent.diff
        if stat != agent.diff or key:
            self.ctx.store.set_diff(agent.id, stat, key, at=started)
        return stat

    def _diff_key(self, agent: Agent, tips: dict[str, str] | None) -> str:
        """The key `ls` would see for the agent's worktree now, with the screen as this
        process's last tick saw it ('-' before any): a screen seen no later than the diff
        is computed, so an `ls` that finds it moved since treats the diff as one that may
        be old (diff_max_age). '' without the branches' tips."""
        if tips is None:
            return ""
        worktree = self.ctx.repo.diff_key(Path(agent.worktree), tips)
        memory = self._memory.get(agent.id)
        return diff_key(files_part(worktree, agent.base, tips.get(agent.base, ""),
                                   agent.base_sha), memory.hint if memory else None)

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

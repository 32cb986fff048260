"""One poll tick: look at tmux, the hook event files and the transcripts, fold the signals into
each agent's status, record usage, and return a snapshot. Also reconcile at start.

Cost per tick, whatever the number of agents: one `list-panes`, one chained `capture-pane` for
the panes whose cheap change hint moved, a `stat` per event file and transcript, and reads of
only the bytes appended since the last tick.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from workspace.adapters import pricing, proc
from workspace.adapters.agents.base import Generic, TranscriptSource
from workspace.adapters.git import GitError
from workspace.adapters.store import WorktreeRecord
from workspace.adapters.tail import read_new_lines, size_of
from workspace.adapters.tmux import PaneInfo, TmuxError
from workspace.core.agent import Agent, DiffStat, Status, Tokens, attention_order
from workspace.core.errors import UsageError
from workspace.core.panes import strip_ansi
from workspace.core.status import (
    Observed,
    PaneSeen,
    ProcessSeen,
    Signal,
    StatusState,
    reduce,
)
from workspace.core.transcripts.base import SessionSeen, UsageRecord
from workspace.core.transcripts.claude import ClaudeTranscript
from workspace.service.lifecycle import spawn_in_progress
from workspace.service.messaging import MessagingMixin

PENDING_PROMPT_TIMEOUT = 120.0


@dataclass
class _PaneMemory:
    hint: tuple[int, int, int, int]
    digest: str
    screen: str
    captured_at: float


@dataclass(frozen=True)
class Snapshot:
    """What the UI renders: immutable, produced by one tick."""

    at: float
    agents: tuple[Agent, ...]
    screens: dict[str, str] = field(default_factory=dict)
    """Latest screen (with colours) per agent id, for the ones seen so far."""
    server_running: bool = True
    tmux_calls: int = 0
    skipped_lines: int = 0

    @property
    def needs_you(self) -> int:
        return sum(1 for a in self.agents if a.status.needs_you)

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


@dataclass(frozen=True)
class ReconcileReport:
    adopted: tuple[str, ...] = ()
    crashed: tuple[str, ...] = ()
    cleared: tuple[str, ...] = ()
    leftovers: tuple[WorktreeRecord, ...] = ()
    unknown_sessions: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        out = []  # agents still running need no word: the table shows them
        if self.crashed:
            out.append(f"{', '.join(self.crashed)}: session vanished (crashed)")
        if self.cleared:
            out.append(f"cleared interrupted spawn(s): {', '.join(self.cleared)}")
        if self.leftovers:
            out.append(
                f"{len(self.leftovers)} worktree(s) made by workspace have no agent "
                "(press c, or 'workspace cleanup')"
            )
        if self.unknown_sessions:
            out.append(f"tmux sessions with no agent: {', '.join(self.unknown_sessions)}")
        return out


class PollingMixin(MessagingMixin):
    _memory: dict[str, _PaneMemory]
    _poll_lock: threading.Lock

    def _poll_state(self) -> None:
        if not hasattr(self, "_memory"):
            self._memory = {}
            self._poll_lock = threading.Lock()

    def refresh(self, focus: str | None = None, capture_all: bool = False) -> Snapshot:
        """One tick. `focus` is the id of the agent shown in the preview: its screen is
        captured whenever it changed."""
        self._poll_state()
        with self._poll_lock:
            return self._tick(focus, capture_all)

    def _tick(self, focus: str | None, capture_all: bool) -> Snapshot:
        now = time.time()
        calls = self.tmux.calls
        agents = self.store.agents()
        panes = self.tmux.list_panes()
        by_session = {p.session: p for p in panes or []}
        screens = self._capture(agents, by_session, now, focus, capture_all)
        skipped = 0
        for agent in agents:
            if not agent.spawn_complete:
                continue
            pane = by_session.get(agent.session)
            skipped += self._update_agent(agent, pane, screens.get(agent.id), now)
        fresh = self.store.agents()
        self._enforce_budgets(fresh)
        return Snapshot(
            at=now,
            agents=tuple(attention_order(fresh)),
            screens={aid: m.screen for aid, m in self._memory.items()},
            server_running=panes is not None,
            tmux_calls=self.tmux.calls - calls,
            skipped_lines=skipped,
        )

    def _capture(self, agents: list[Agent], by_session: dict[str, PaneInfo], now: float,
                 focus: str | None, capture_all: bool) -> dict[str, tuple[str, bool]]:
        """Capture, in one tmux process, the panes whose change hint moved. Returns
        agent id -> (screen, changed since the last capture)."""
        wanted: dict[str, str] = {}
        for agent in agents:
            pane = by_session.get(agent.session)
            if pane is None:
                continue
            memory = self._memory.get(agent.id)
            # window_activity has one-second resolution: recapture while it is current.
            moved = memory is None or memory.hint != pane.change_hint
            recent = pane.activity >= int(now) - 1 and not pane.dead
            if capture_all or moved or recent:
                wanted[pane.pane_id] = agent.id
        if not wanted:
            return {}
        try:
            captured = self.tmux.capture(list(wanted))
        except TmuxError:
            return {}
        result: dict[str, tuple[str, bool]] = {}
        for pane_id, screen in captured.items():
            agent_id = wanted.get(pane_id)
            if agent_id is None:
                continue
            pane = next(p for p in by_session.values() if p.pane_id == pane_id)
            digest = hashlib.blake2b(screen.encode(), digest_size=16).hexdigest()
            memory = self._memory.get(agent_id)
            changed = memory is not None and memory.digest != digest
            self._memory[agent_id] = _PaneMemory(pane.change_hint, digest, screen, now)
            result[agent_id] = (screen, changed)
        return result

    def _update_agent(self, agent: Agent, pane: PaneInfo | None,
                      seen: tuple[str, bool] | None, now: float) -> int:
        integ = self.integration(agent.preset)
        signals: list[Signal] = []
        if pane is None:
            signals.append(ProcessSeen(now, present=False))
        else:
            code = pane.dead_status
            if pane.dead and code is None:
                code = self._recorded_exit(agent)
            signals.append(ProcessSeen(now, True, pane.dead, code))
        plain = ""
        if seen is not None and pane is not None:
            screen, changed = seen
            plain = strip_ansi(screen)
            status, reason = integ.pane_status(plain, pane.command)
            signals.append(PaneSeen(now, status, changed, reason))
        signals.extend(self._hook_signals(agent, integ))
        observed, skipped = self._transcript_signals(agent, integ)
        signals.extend(observed)
        old = self.store.state_of(agent.id)
        if old is None:
            return skipped
        new = reduce(old, signals, now, self.policy(agent.preset))
        if new != old:
            self.store.set_state(agent.id, new)
        if pane is not None and not pane.dead and plain:
            self._deliver_pending_prompt(agent, integ, new, plain, pane)
        return skipped

    def _recorded_exit(self, agent: Agent) -> int | None:
        """The exit code the launcher wrote when the agent ended, if it did."""
        try:
            text = self.paths(agent.id).exit_status.read_text(encoding="ascii").strip()
        except OSError:
            return None
        return int(text) if text.lstrip("-").isdigit() else None

    # -- hook events --------------------------------------------------------------------

    def _hook_signals(self, agent: Agent, integ: Generic) -> list[Signal]:
        path = self.paths(agent.id).events
        key = str(path)
        offset, state = self.store.source(agent.id, key)
        size = size_of(path)
        if size is None or size == offset:
            return []
        chunk = read_new_lines(path, offset)
        signals: list[Signal] = []
        for line, _ in chunk.lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict):
                continue
            event = str(record.get("event", ""))
            data = record.get("data")
            data = data if isinstance(data, dict) else {}
            at = record.get("at")
            at = float(at) if isinstance(at, int | float) else time.time()
            observation = integ.agent_hook_observation(agent, event, data, at)
            if observation is not None:
                signals.append(observation)
            announced = integ.announced_transcript(event, data)
            if announced is not None:
                self._register_transcript(agent, announced)
            session = data.get("session_id")
            if isinstance(session, str) and session and session != agent.session_id:
                self.store.update_agent(agent.id, session_id=session)
        self.store.set_source(agent.id, key, chunk.offset, state)
        return signals

    def _register_transcript(self, agent: Agent, path: Path) -> None:
        key = f"transcript:{path}"
        if key not in self.store.sources_of(agent.id):
            self.store.set_source(agent.id, key, 0, {})

    # -- transcripts --------------------------------------------------------------------

    def _transcript_sources(self, agent: Agent, integ: Generic) -> list[TranscriptSource]:
        sources = {str(s.path): s for s in integ.transcripts(agent, self.paths(agent.id))}
        for key in self.store.sources_of(agent.id):
            if key.startswith("transcript:"):
                path = key.removeprefix("transcript:")
                if path not in sources:
                    parser = (next(iter(sources.values())).parser if sources
                              else integ.transcript_parser() or ClaudeTranscript)
                    sources[path] = TranscriptSource(Path(path), parser)
        return list(sources.values())

    def _transcript_signals(self, agent: Agent, integ: Generic) -> tuple[list[Signal], int]:
        signals: list[Signal] = []
        skipped = 0
        for source in self._transcript_sources(agent, integ):
            key = f"transcript:{source.path}"
            offset, state = self.store.source(agent.id, key)
            size = size_of(source.path)
            if size is None or size == offset:
                continue
            chunk = read_new_lines(source.path, offset)
            saved = state.get("parser")
            parser = source.parser(saved if isinstance(saved, dict) else None)
            last_usage: UsageRecord | None = None
            with self.store.transaction():
                for line, where in chunk.lines:
                    for finding in parser.feed(line, f"{source.path.name}@{where}"):
                        if isinstance(finding, UsageRecord):
                            self._record_usage(agent, finding)
                            last_usage = finding
                        elif isinstance(finding, Observed):
                            signals.append(finding)
                        elif isinstance(finding, SessionSeen):
                            self._session_seen(agent, finding)
                parser.skipped += chunk.skipped
                self.store.set_source(agent.id, key, chunk.offset, {"parser": parser.state()})
            if last_usage is not None:
                self._update_context(agent, last_usage)
            skipped += parser.skipped
        return signals, skipped

    def _record_usage(self, agent: Agent, record: UsageRecord) -> None:
        cost = record.cost_usd
        if cost is None:
            cost = pricing.cost_usd(record.model, record.tokens, record.at)
        self.store.add_usage(agent.id, record.key, record.model, record.tokens, cost, record.at)

    def _update_context(self, agent: Agent, record: UsageRecord) -> None:
        window = record.context_window or pricing.context_window(record.model)
        pct = None
        if window and record.context_tokens is not None:
            pct = round(100.0 * record.context_tokens / window, 1)
        self.store.update_agent(agent.id, model=record.model, context_pct=pct)

    def _session_seen(self, agent: Agent, seen: SessionSeen) -> None:
        if seen.session_id and not agent.session_id:
            self.store.update_agent(agent.id, session_id=seen.session_id)
        if seen.model:
            self.store.update_agent(agent.id, model=seen.model)

    # -- first prompt, budgets ----------------------------------------------------------

    def _deliver_pending_prompt(self, agent: Agent, integ: Generic, state: StatusState,
                                screen: str, pane: PaneInfo) -> None:
        launch = self.store.launch_of(agent.id)
        pending = launch.get("pending_prompt")
        if not isinstance(pending, str) or not pending:
            return
        too_late = time.time() - agent.created_at > PENDING_PROMPT_TIMEOUT
        if too_late or state.status.ended:
            self.store.update_agent(agent.id, launch={**launch, "pending_prompt": ""})
            return
        if not integ.ready_for_input(screen, pane.command):
            return
        # Claim it first: a second poller (TUI and CLI at once) must not type it twice.
        self.store.update_agent(agent.id, launch={**launch, "pending_prompt": ""})
        self.paste_and_submit(agent, pane.pane_id, pending, submit=True)

    def pending_prompt(self, name: str) -> str:
        agent = self.agent(name)
        value = self.store.launch_of(agent.id).get("pending_prompt")
        return value if isinstance(value, str) else ""

    def budget_of(self, agent: Agent) -> float | None:
        if agent.budget_usd is not None:
            return agent.budget_usd if agent.budget_usd > 0 else None
        default = self.settings.workspace.budget_usd
        return default if default > 0 else None

    def _enforce_budgets(self, agents: list[Agent]) -> None:
        for agent in agents:
            budget = self.budget_of(agent)
            if budget is None or agent.cost_usd is None or agent.cost_usd < budget:
                continue
            if agent.status in (Status.PAUSED,) or agent.status.ended:
                continue
            detail = f"budget ${budget:.2f} reached (spent ${agent.cost_usd:.2f})"
            try:
                self.pause(agent.name, detail=detail)
            except Exception:
                continue

    # -- diffs --------------------------------------------------------------------------

    def update_diff(self, agent: Agent) -> DiffStat:
        try:
            stat = self.repo.diff_stat(Path(agent.worktree), agent.base, agent.base_sha)
        except GitError:
            return agent.diff
        if stat != agent.diff:
            self.store.set_diff(agent.id, stat)
        return stat

    def update_diffs(self, names: list[str] | None = None) -> None:
        for agent in self.store.agents():
            if names is None or agent.name in names:
                self.update_diff(agent)

    # -- start-up reconciliation -----------------------------------------------------------

    def reconcile(self) -> ReconcileReport:
        """Make the stored picture agree with tmux and git after any crash or reboot."""
        adopted, crashed, cleared = [], [], []
        panes = self.tmux.list_panes() or []
        by_session = {p.session: p for p in panes}
        for agent in self.store.agents():
            pane = by_session.get(agent.session)
            if not agent.spawn_complete:
                if spawn_in_progress(self.paths(agent.id)):
                    continue
                if pane is not None:
                    self.store.update_agent(agent.id, pane_id=pane.pane_id, spawn_complete=1)
                    adopted.append(agent.name)
                elif Path(agent.worktree).exists() or self.repo.branch_exists(agent.branch):
                    # The spawn died half-way: keep the row, so what it made stays listed;
                    # the person restarts or kills it (kill removes it safely).
                    self._record(agent, "spawn_interrupted")
                    self.store.update_agent(agent.id, spawn_complete=1)
                    crashed.append(agent.name)
                else:
                    self.store.delete_agent(agent.id)
                    self.store.forget_worktree(agent.worktree)
                    cleared.append(agent.name)
                continue
            if pane is not None:
                if pane.pane_id != agent.pane_id:
                    self.store.update_agent(agent.id, pane_id=pane.pane_id)
                if not agent.status.ended:
                    adopted.append(agent.name)
            elif not agent.status.ended:
                crashed.append(agent.name)
        known_sessions = {a.session for a in self.store.agents()}
        unknown = tuple(sorted(s for s in by_session if s not in known_sessions))
        self.refresh(capture_all=True)
        return ReconcileReport(
            adopted=tuple(adopted),
            crashed=tuple(crashed),
            cleared=tuple(cleared),
            leftovers=tuple(self.leftovers()),
            unknown_sessions=unknown,
        )

    def leftovers(self) -> list[WorktreeRecord]:
        """Worktrees this tool made that no agent owns (kept by a kill, or left by a crash)."""
        owned = {a.worktree for a in self.store.agents()}
        found: dict[str, WorktreeRecord] = {}
        for record in self.store.worktrees():
            if record.path in owned:
                continue
            if Path(record.path).is_dir() or self.repo.branch_exists(record.branch):
                found[record.path] = record
            else:
                self.store.forget_worktree(record.path)
        prefix = self.settings.workspace.branch_prefix + "/"
        root = str(self.worktree_root())
        try:
            worktrees = self.repo.worktrees()
        except GitError:
            worktrees = []
        for wt in worktrees:
            if wt.path in owned or wt.path in found or not wt.branch:
                continue
            if wt.branch.startswith(prefix) and wt.path.startswith(root + "/"):
                found[wt.path] = WorktreeRecord(wt.path, wt.branch,
                                                wt.branch.removeprefix(prefix), 0.0)
        return list(found.values())

    def cleanup(self, path: str, discard: bool = False) -> str:
        """Remove a leftover worktree and its branch: at once if they hold nothing that is not
        on base, else only with `discard`, after saving a recovery ref."""
        leftovers = self.leftovers()
        record = next((r for r in leftovers if r.path == path), None)
        if record is None:
            known = ", ".join(r.path for r in leftovers) or "none"
            raise UsageError(f"{path} is not a leftover worktree of this workspace; "
                             f"leftovers: {known}")
        worktree = Path(record.path)
        base = self.repo.current_branch() or "HEAD"
        unsaved = self.repo.unsaved_work(worktree if worktree.is_dir() else None,
                                         record.branch, base)
        if not unsaved.empty and not discard:
            return (f"kept {record.path}: it holds {unsaved.describe()}; "
                    "use --discard to remove it (a recovery ref is saved first)")
        ref = None
        if not unsaved.empty:
            ref = self.repo.save_recovery_ref(worktree if worktree.is_dir() else None,
                                              record.branch, record.agent_name)
        if worktree.is_dir():
            if not self.repo.is_linked_worktree(worktree):
                return f"kept {record.path}: it is not a linked worktree of this repository"
            self.repo.remove_worktree(worktree)
        else:
            self.repo.git("worktree", "prune")
        if self.repo.branch_exists(record.branch):
            self.repo.delete_branch(record.branch)
        self.store.forget_worktree(record.path)
        tail = f"; recoverable from {ref}" if ref else ""
        return f"removed {record.path} and branch {record.branch}{tail}"

    def kill_unknown_session(self, session: str) -> None:
        known = {a.session for a in self.store.agents()}
        if session in known:
            raise ValueError(f"{session} belongs to an agent; kill the agent instead")
        pane = next((p for p in self.tmux.list_panes() or [] if p.session == session), None)
        proc.terminate(pane.pid if pane else None, "")
        self.tmux.kill_session(session)

    def preview_screen(self, agent_id: str) -> str:
        self._poll_state()
        memory = self._memory.get(agent_id)
        return memory.screen if memory else ""

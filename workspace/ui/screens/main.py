"""The main screen: agent table, live preview, details; every action on agents.

Background work follows one idiom: thread workers call the service and post messages
(AgentsPolled, DiffsUpdated, ActionFinished, ...); handlers on the UI thread only render.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from workspace.core import format as fmt
from workspace.core.actions import ACTIONS
from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError
from workspace.service import Snapshot, Workspace
from workspace.ui.dialogs.cleanup import CleanupChoice, CleanupScreen
from workspace.ui.dialogs.help import HelpScreen
from workspace.ui.dialogs.kill import KillChoice, KillScreen
from workspace.ui.dialogs.send import SendScreen
from workspace.ui.dialogs.spawn import SpawnRequest, SpawnScreen
from workspace.ui.keys import display_key, textual_to_tmux, tmux_to_textual
from workspace.ui.messages import ActionFinished, AgentsPolled, DiffsUpdated, WorkspaceReconciled
from workspace.ui.screens.review_actions import ReviewActions
from workspace.ui.widgets.agent_table import AgentTable
from workspace.ui.widgets.detail import AgentDetail
from workspace.ui.widgets.diff_panel import DiffPanel
from workspace.ui.widgets.header import WorkspaceHeader
from workspace.ui.widgets.preview import PanePreview

EMPTY = "No agents yet. Press [b]n[/b] to spawn one, or [b]?[/b] for help."


class UnsavedWorkFound(Message):
    def __init__(self, agent: Agent, uncommitted: tuple[str, ...], commits: tuple[str, ...]):
        super().__init__()
        self.agent = agent
        self.uncommitted = uncommitted
        self.commits = commits


class LeftoversFound(Message):
    def __init__(self, worktrees: list[tuple[str, str]], sessions: list[str]) -> None:
        super().__init__()
        self.worktrees = worktrees
        self.sessions = sessions


class MainScreen(ReviewActions):
    BINDINGS = [
        Binding(a.key, a.name, a.title, show=a.show, id=a.name) for a in ACTIONS
    ]
    DEFAULT_CSS = """
    MainScreen #top { height: 45%; min-height: 6; }
    MainScreen #empty { height: 1fr; content-align: center middle; color: $text-muted; }
    MainScreen #tabs { height: 1fr; }
    MainScreen #typing-hint { height: 1; background: $warning; color: $background;
                              padding: 0 1; display: none; }
    MainScreen #typing-hint.on { display: block; }
    MainScreen .bar { height: 1; padding: 0 1; display: none; background: $panel; }
    MainScreen .bar.on { display: block; }
    """

    def __init__(self, ws: Workspace) -> None:
        super().__init__(ws)
        self.burn: list[float] = []
        self._wake = threading.Event()
        self._keys: queue.Queue[tuple[str, str, str]] = queue.Queue()
        self._watching: frozenset[str] = frozenset()
        self._watch_stop: threading.Event | None = None
        self._poll_errors = 0
        self.detach_key = ws.settings.workspace.detach_key

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield WorkspaceHeader(self.ws.repo.name, id="header")
        with Vertical(id="top"):
            yield AgentTable(id="agents")
            yield Static(EMPTY, id="empty")
        yield Static("", id="typing-hint")
        yield Static("", id="review-bar", classes="bar")
        yield Static("", id="queue-bar", classes="bar")
        with TabbedContent(id="tabs"):
            with TabPane("Preview", id="tab-preview"):
                yield PanePreview(id="preview")
            with TabPane("Diff", id="tab-diff"):
                yield DiffPanel(self.ws.diff, id="diff")
            with TabPane("Details", id="tab-details"):
                yield AgentDetail(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(WorkspaceHeader).show(None)
        self.query_one("#agents").display = False
        self.query_one(AgentTable).focus()
        self._reconcile()
        self._poll()
        self._typist()
        self._radar_loop()
        self._load_queue()

    def on_unmount(self) -> None:
        if self._watch_stop is not None:
            self._watch_stop.set()
        self._wake.set()
        self._radar_wake.set()

    # -- background work ----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="reconcile", exit_on_error=False,
          description="reconcile with tmux and git")
    def _reconcile(self) -> None:
        try:
            report = self.ws.reconcile()
        except UsageError as exc:
            self.post_message(ActionFinished(str(exc), error=True))
            return
        self.post_message(WorkspaceReconciled(report))

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False,
          description="poll tmux, hooks and transcripts")
    def _poll(self) -> None:
        worker = get_current_worker()
        interval = self.ws.settings.workspace.poll_interval
        while not worker.is_cancelled:
            try:
                snapshot = self.ws.refresh(focus=self.focus_id)
                if self.focus_id:
                    self.burn = self.ws.burn_rate(self.focus_id)
                self.post_message(AgentsPolled(snapshot))
                self._poll_errors = 0
            except Exception as exc:
                self._poll_errors += 1
                if self._poll_errors == 1:
                    self.post_message(ActionFinished(f"polling failed: {exc}", error=True,
                                                     refresh=False))
            self._wake.wait(interval)
            self._wake.clear()

    def wake(self) -> None:
        self._wake.set()

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False,
          description="watch worktrees for changes")
    def _watch(self, agents: list[Agent]) -> None:
        stop = threading.Event()
        if self._watch_stop is not None:
            self._watch_stop.set()
        self._watch_stop = stop
        by_id = {a.id: a for a in agents}
        for agent in agents:
            if stop.is_set():
                return
            self.ws.update_diff(agent)
        self.post_message(DiffsUpdated(set(by_id)))
        for changed in self.ws.watch_changes(agents, stop):
            for agent_id in changed:
                if agent_id in by_id:
                    self.ws.update_diff(by_id[agent_id])
            self.post_message(DiffsUpdated(changed))

    @work(thread=True, exclusive=True, group="typist", exit_on_error=False,
          description="type keys into an agent")
    def _typist(self) -> None:
        """One consumer, so keys typed inline reach the agent in order."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            try:
                name, literal, key = self._keys.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                self.ws.type_keys(name, [key] if key else [], literal)
            except UsageError as exc:
                self.post_message(ActionFinished(str(exc), error=True))
            self._wake.set()

    # -- facts from workers -------------------------------------------------------------

    @on(AgentsPolled)
    def _polled(self, message: AgentsPolled) -> None:
        previous = self.snapshot
        snapshot = message.snapshot
        self.snapshot = snapshot
        has_agents = bool(snapshot.agents)
        self.query_one("#agents").display = has_agents
        self.query_one("#empty").display = not has_agents
        self.table.show(snapshot.agents)
        self.query_one(WorkspaceHeader).show(snapshot)
        if self.focus_id is None and has_agents:
            self.focus_id = self.table.selected_id
        self._show_focus()
        self._alert(previous, snapshot)
        ids = frozenset(a.id for a in snapshot.agents)
        if ids != self._watching:
            self._watching = ids
            self._watch(list(snapshot.agents))

    def _alert(self, previous: Snapshot | None, snapshot: Snapshot) -> None:
        """Bell and toast when an agent starts needing the person."""
        if previous is None:
            return
        before = {a.id: a.status for a in previous.agents}
        settings = self.ws.settings.workspace
        for agent in snapshot.agents:
            old = before.get(agent.id)
            if agent.status.needs_you and old is not None and not old.needs_you:
                if settings.bell:
                    self.app.bell()
                if settings.notify:
                    reason = f": {agent.status_reason}" if agent.status_reason else ""
                    self.notify(f"{agent.name} {fmt.STATUS_LABEL[agent.status]}{reason}",
                                title="needs you", severity="warning", timeout=6)

    @on(DiffsUpdated)
    def _diffs_updated(self, message: DiffsUpdated) -> None:
        self.review_files_changed(message.agent_ids)
        self.wake()

    @on(ActionFinished)
    def _action_finished(self, message: ActionFinished) -> None:
        if message.text:
            self.notify(message.text, severity="error" if message.error else "information",
                        timeout=8 if message.error else 4)
        if message.refresh:
            self.wake()

    @on(WorkspaceReconciled)
    def _reconciled(self, message: WorkspaceReconciled) -> None:
        for line in message.report.lines():
            self.notify(line, title="since last time", timeout=8)

    @on(AgentTable.Selected)
    def _selected(self, message: AgentTable.Selected) -> None:
        if message.agent_id != self.focus_id:
            self.focus_id = message.agent_id
            self.burn = []
            self._show_focus()
            self.review_focus_changed()
            self.wake()

    def _show_focus(self) -> None:
        agent = self.selected
        preview = self.query_one(PanePreview)
        if agent is None:
            preview.show_screen("", "Select an agent to see its screen here.")
            self.query_one(AgentDetail).show(None, [], None, [])
            return
        screen = self.snapshot.screens.get(agent.id, "") if self.snapshot else ""
        preview.show_screen(screen, f"{agent.name}: no output yet")
        self.query_one(AgentDetail).show(agent, self.burn, self.ws.budget_of(agent),
                                         self.radar_rows(agent))

    # -- actions ------------------------------------------------------------------------

    def action_spawn(self) -> None:
        taken = {a.name for a in self.snapshot.agents} if self.snapshot else set()
        preset = self.ws.settings.workspace.default_preset
        screen = SpawnScreen(
            presets=self.ws.preset_names(),
            default_preset=preset,
            base=self.ws.default_base(),
            branches=self.ws.branch_names(),
            suggested=self.ws.suggest_name(preset),
            taken=taken,
        )
        self.app.push_screen(screen, self._spawn_requested)

    def _spawn_requested(self, request: SpawnRequest | None) -> None:
        if request is None:
            return
        self.notify(f"spawning {', '.join(request.names)}…", timeout=3)
        for name in request.names:
            self.run_action_in_worker(
                f"spawn {name}",
                lambda name=name: self._spawn_one(name, request),  # type: ignore[misc]
            )

    def _spawn_one(self, name: str, request: SpawnRequest) -> str:
        agent = self.ws.spawn(name, preset=request.preset, base=request.base,
                              prompt=request.prompt, budget_usd=request.budget)
        return f"spawned {agent.name} ({agent.preset}) on {agent.branch}"

    def action_attach(self) -> None:
        agent = self._need_agent()
        if agent is None:
            return
        try:
            with self.app.suspend():
                self.ws.run_attached(agent.name)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to tmux; use 'workspace attach "
                        f"{agent.name}' in another terminal", severity="warning")
        except UsageError as exc:
            self.notify(str(exc), severity="error")
        self.app.refresh()
        self.wake()

    def action_send(self) -> None:
        targets = self._marked_or_selected()
        if not targets:
            return
        names = [a.name for a in targets]
        self.app.push_screen(SendScreen(names), lambda text: self._send(names, text))

    def _send(self, names: list[str], text: str | None) -> None:
        if not text:
            return

        def job() -> str:
            results = self.ws.send_many(names, text)
            failed = [r for r in results if not r.ok]
            if failed:
                raise UsageError("; ".join(r.error for r in failed))
            return f"sent to {', '.join(names)}"

        self.run_action_in_worker("send", job)

    def action_type_inline(self) -> None:
        agent = self._need_agent()
        if agent is None:
            return
        if agent.status.ended:
            self.notify(f"{agent.name} has {agent.status.value}; press r to restart it",
                        severity="warning")
            return
        self.query_one(TabbedContent).active = "tab-preview"
        preview = self.query_one(PanePreview)
        preview.start_typing(tmux_to_textual(self.detach_key))
        hint = self.query_one("#typing-hint", Static)
        hint.update(f"Typing into {agent.name}: every key goes to the agent. "
                    f"{display_key(self.detach_key)} stops.")
        hint.add_class("on")

    @on(PanePreview.KeyTyped)
    def _key_typed(self, message: PanePreview.KeyTyped) -> None:
        agent = self.selected
        if agent is None:
            return
        literal, key = textual_to_tmux(message.key, message.character)
        if literal or key:
            self._keys.put((agent.name, literal, key))

    @on(PanePreview.TypingEnded)
    def _typing_ended(self) -> None:
        self.query_one("#typing-hint", Static).remove_class("on")
        self.table.focus()

    def action_next_attention(self) -> None:
        if self.snapshot is None:
            return
        waiting = sorted((a for a in self.snapshot.agents if a.status.needs_you),
                         key=lambda a: (a.status_since, a.name))
        if not waiting:
            self.notify("Nobody needs you right now.")
            return
        ids = [a.id for a in waiting]
        current = self.focus_id
        nxt = ids[(ids.index(current) + 1) % len(ids)] if current in ids else ids[0]
        self.table.select_id(nxt)

    def _agent_action(self, verb: str, job: Callable[[Agent], str],
                      need: Status | None = None) -> None:
        agent = self._need_agent()
        if agent is None:
            return
        if need is not None and agent.status != need:
            self.notify(f"{agent.name} is {fmt.STATUS_LABEL[agent.status]}, not "
                        f"{fmt.STATUS_LABEL[need]}", severity="warning")
            return
        self.run_action_in_worker(f"{verb} {agent.name}", lambda: job(agent))

    def action_approve(self) -> None:
        def job(agent: Agent) -> str:
            self.ws.approve(agent.name)
            return f"approved {agent.name}"

        self._agent_action("approve", job, Status.NEEDS_PERMISSION)

    def action_approve_always(self) -> None:
        def job(agent: Agent) -> str:
            self.ws.approve(agent.name, always=True)
            return f"approved {agent.name} for this session"

        self._agent_action("approve", job, Status.NEEDS_PERMISSION)

    def action_deny(self) -> None:
        def job(agent: Agent) -> str:
            self.ws.deny(agent.name)
            return f"denied {agent.name}"

        self._agent_action("deny", job, Status.NEEDS_PERMISSION)

    def action_interrupt(self) -> None:
        def job(agent: Agent) -> str:
            self.ws.interrupt(agent.name)
            return f"interrupted {agent.name}"

        self._agent_action("interrupt", job)

    def action_pause(self) -> None:
        def job(agent: Agent) -> str:
            if agent.status == Status.PAUSED:
                self.ws.resume(agent.name)
                return f"resumed {agent.name}"
            self.ws.pause(agent.name)
            return f"paused {agent.name}"

        self._agent_action("pause", job)

    def action_restart(self) -> None:
        def job(agent: Agent) -> str:
            self.ws.restart(agent.name)
            return f"restarted {agent.name}"

        self._agent_action("restart", job)

    def action_kill(self) -> None:
        agent = self._need_agent()
        if agent is None:
            return

        def job() -> None:
            unsaved = self.ws.kill_preview(agent.name)
            self.post_message(UnsavedWorkFound(agent, unsaved.uncommitted, unsaved.commits))

        self.run_action_in_worker(f"check {agent.name}", job)

    @on(UnsavedWorkFound)
    def _confirm_kill(self, message: UnsavedWorkFound) -> None:
        agent = message.agent
        screen = KillScreen(agent.name, agent.worktree, agent.branch, message.uncommitted,
                            message.commits)

        def chosen(choice: KillChoice | None) -> None:
            if choice is None:
                return
            self.table.marked.discard(agent.id)
            self.run_action_in_worker(
                f"kill {agent.name}",
                lambda: self.ws.kill(agent.name, discard=choice == "discard").summary(),
            )

        self.app.push_screen(screen, chosen)

    def action_mark(self) -> None:
        agent = self._need_agent()
        if agent is None:
            return
        self.table.marked ^= {agent.id}
        self.table.refresh_marks()
        self.table.action_cursor_down()

    def action_cleanup(self) -> None:
        def job() -> None:
            leftovers = [(r.path, r.branch) for r in self.ws.leftovers()]
            sessions = list(self.ws.unknown_sessions())
            self.post_message(LeftoversFound(leftovers, sessions))

        self.run_action_in_worker("look for leftovers", job)

    @on(LeftoversFound)
    def _show_leftovers(self, message: LeftoversFound) -> None:
        def chosen(choice: CleanupChoice | None) -> None:
            if choice is None:
                return
            if choice.kind == "session":
                def end_session() -> str:
                    self.ws.kill_unknown_session(choice.target)
                    return f"ended tmux session {choice.target}"

                self.run_action_in_worker("kill session", end_session)
            else:
                self.run_action_in_worker(
                    "clean up", lambda: self.ws.cleanup(choice.target, discard=choice.discard))

        self.app.push_screen(CleanupScreen(message.worktrees, message.sessions), chosen)

    def action_help(self) -> None:
        keys = {a.name: self.ws.settings.key_for(a.name) or a.key for a in ACTIONS}
        self.app.push_screen(HelpScreen(keys, display_key(self.detach_key)))

    def action_quit(self) -> None:
        self.app.exit()

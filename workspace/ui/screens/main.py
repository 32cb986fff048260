"""The main screen: it lays the widgets out, binds every action's key and wires what one
widget learns to the others. The work is the widgets' (the Poller polls and watches, the
ConflictRadar looks for shared files, the MergeBar merges, AgentTabs shows the selected agent,
Leftovers offers what no agent owns for cleanup, RepoTrustCheck asks to trust the repository's
config);
the screen's own actions ask through a dialog and run the service call with `run_job`. Workers
post facts (workspace.ui.messages); only handlers, on the UI thread, change what is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from workspace.core import format as fmt
from workspace.core.actions import ACTIONS
from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError
from workspace.service import Snapshot, Workspace
from workspace.ui.dialogs.help import show_help
from workspace.ui.dialogs.kill import KillChoice, KillScreen
from workspace.ui.dialogs.send import SendScreen
from workspace.ui.dialogs.spawn import SpawnRequest, SpawnScreen
from workspace.ui.jobs import run_job
from workspace.ui.keys import display_key, tmux_to_textual
from workspace.ui.messages import (
    ActionFinished,
    AgentsPolled,
    DiffsUpdated,
    KeysDelivered,
    MergeFinished,
    RadarUpdated,
    UnsavedWorkFound,
)
from workspace.ui.screens.tasks import TasksScreen
from workspace.ui.widgets.agent_table import AgentTable
from workspace.ui.widgets.agent_tabs import AgentTabs
from workspace.ui.widgets.footer import KeyFooter
from workspace.ui.widgets.header import WorkspaceHeader
from workspace.ui.widgets.leftovers import Leftovers
from workspace.ui.widgets.merge_bar import MergeBar
from workspace.ui.widgets.poller import Poller
from workspace.ui.widgets.preview import PanePreview
from workspace.ui.widgets.radar import ConflictRadar, radar_notes
from workspace.ui.widgets.trust import RepoTrustCheck

EMPTY = "No agents yet. Press [b]n[/b] to spawn one, or [b]?[/b] for help."


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding(a.key, a.name, a.title, show=a.show, id=a.name) for a in ACTIONS
    ]
    DEFAULT_CSS = """
    MainScreen #top { height: 45%; min-height: 6; }
    MainScreen #empty { height: 1fr; content-align: center middle; color: $text-muted; }
    MainScreen #typing-hint { height: 1; background: $warning; color: $background;
                              padding: 0 1; display: none; }
    MainScreen #typing-hint.on { display: block; }
    """

    def __init__(self, ws: Workspace) -> None:
        super().__init__()
        self.ws = ws
        self.snapshot: Snapshot | None = None
        self.focus_id: str | None = None
        self.detach_key = ws.settings.workspace.detach_key
        self._burn: list[float] = []
        """The focused agent's tokens per minute, as the last poll found them."""
        self._budgets: dict[str, float | None] = {}

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield WorkspaceHeader(self.ws.name, id="header")
        with Vertical(id="top"):
            yield AgentTable(id="agents")
            yield Static(EMPTY, id="empty")
        yield Static("", id="typing-hint")
        yield MergeBar(self.ws, id="merge-bar")
        yield AgentTabs(self.ws, id="agent-tabs")
        yield Poller(self.ws, id="poller")
        yield ConflictRadar(self.ws.radar, id="radar")
        yield Leftovers(self.ws, id="leftovers")
        yield RepoTrustCheck(self.ws, id="trust")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(WorkspaceHeader).show(None)
        self.query_one("#agents").display = False
        self.table.focus()

    @property
    def table(self) -> AgentTable:
        return self.query_one(AgentTable)

    @property
    def selected(self) -> Agent | None:
        if self.snapshot is None or self.focus_id is None:
            return None
        return self.snapshot.by_id(self.focus_id)

    def _need_agent(self) -> Agent | None:
        agent = self.selected
        if agent is None:
            self.notify("No agent selected. Press n to spawn one.", severity="warning")
        return agent

    def _marked_or_selected(self) -> list[Agent]:
        """The marked agents in table order, else the selected one."""
        if self.snapshot is None:
            return []
        marked = [a for a in self.snapshot.agents if a.id in self.table.marked]
        if marked:
            return marked
        agent = self._need_agent()
        return [agent] if agent else []

    # -- facts from workers -------------------------------------------------------------

    @on(AgentsPolled)
    def _polled(self, message: AgentsPolled) -> None:
        self.snapshot = snapshot = message.snapshot
        self._budgets = message.budgets
        if message.focus == self.focus_id:
            self._burn = message.burn
        has_agents = bool(snapshot.agents)
        self.query_one("#agents").display = has_agents
        self.query_one("#empty").display = not has_agents
        self.table.show(snapshot.agents)
        self.query_one(WorkspaceHeader).show(snapshot, message.autopilot)
        if self.focus_id is None and has_agents:
            self._focus(self.table.selected_id)
        self._show_focus()

    @on(DiffsUpdated)
    def _diffs_updated(self, message: DiffsUpdated) -> None:
        agent = self.selected
        if agent is not None and agent.id in message.agent_ids:
            self.query_one(AgentTabs).files_changed(agent.name)
        self.query_one(ConflictRadar).files_changed(message.agent_ids)
        self.query_one(Poller).wake()

    @on(RadarUpdated)
    def _radar_updated(self, message: RadarUpdated) -> None:
        self.table.radar = radar_notes(message.radar)
        if self.snapshot is not None:
            self.table.show(self.snapshot.agents)
        self._show_focus()

    @on(ActionFinished)
    def _action_finished(self, message: ActionFinished) -> None:
        if message.text:
            self.notify(message.text, severity="error" if message.error else "information",
                        timeout=8 if message.error else 4)
        if message.refresh:
            self.query_one(Poller).wake()

    @on(KeysDelivered)
    def _keys_delivered(self) -> None:
        self.query_one(Poller).wake()  # the preview shows what the keys did at once

    @on(MergeFinished)
    def _merged(self, message: MergeFinished) -> None:
        if self.snapshot is not None:
            for agent in self.snapshot.agents:
                if agent.name == message.result.name:
                    self.table.marked.discard(agent.id)
        self.table.refresh_marks()

    @on(AgentTable.Selected)
    def _selected(self, message: AgentTable.Selected) -> None:
        if message.agent_id != self.focus_id:
            self._focus(message.agent_id)
            self._show_focus()

    def _focus(self, agent_id: str | None) -> None:
        self.focus_id = agent_id
        self._burn = []
        self.query_one(Poller).follow(agent_id)
        agent = self.selected
        self.query_one(AgentTabs).follow(agent.name if agent else None)

    def _show_focus(self) -> None:
        agent = self.selected
        snapshot = self.snapshot
        screen = snapshot.screens.get(agent.id, "") if agent and snapshot else ""
        cursor = snapshot.cursors.get(agent.id) if agent and snapshot else None
        radar = self.query_one(ConflictRadar).rows(agent) if agent else []
        budget = self._budgets.get(agent.id) if agent else None
        self.query_one(AgentTabs).show(agent, screen, cursor, self._burn, budget, radar)

    # -- spawn, attach, send, type --------------------------------------------------------

    def action_spawn(self) -> None:
        taken = {a.name for a in self.snapshot.agents} if self.snapshot else set()
        self.app.push_screen(SpawnScreen(self.ws, taken), self._spawn_requested)

    def _spawn_requested(self, request: SpawnRequest | None) -> None:
        if request is None:
            return
        self.notify(f"spawning {', '.join(request.names)}…", timeout=3)
        for name in request.names:
            run_job(self, f"spawn {name}", partial(self._spawn_one, name, request))

    def _spawn_one(self, name: str, request: SpawnRequest) -> str:
        agent = self.ws.spawn(name, preset=request.preset, base=request.base,
                              prompt=request.prompt, budget_usd=request.budget)
        return f"spawned {agent.name} ({agent.preset}) on {agent.branch}"

    def action_attach(self) -> None:
        agent = self._need_agent()
        if agent is None:
            return
        try:
            with self.app.suspend():  # the terminal is the agent's until the detach key
                self.ws.run_attached(agent.name)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to tmux; use 'workspace attach "
                        f"{agent.name}' in another terminal", severity="warning")
        except UsageError as exc:
            self.notify(str(exc), severity="error")
        self.app.refresh()
        self.query_one(Poller).wake()

    def action_send(self) -> None:
        names = [a.name for a in self._marked_or_selected()]
        if names:
            self.app.push_screen(SendScreen(names), lambda text: self._send(names, text))

    def _send(self, names: list[str], text: str | None) -> None:
        if not text:
            return

        def job() -> str:
            results = self.ws.send_many(names, text)
            failed = [r for r in results if not r.ok]
            if failed:
                raise UsageError("; ".join(r.error for r in failed))
            # What cleaning the message changed reads the same for every agent: say it once.
            changed = next((r.changes for r in results if r.changes), "")
            return f"sent to {', '.join(names)}" + (f" ({changed})" if changed else "")

        run_job(self, "send", job)

    def action_type_inline(self) -> None:
        agent = self._need_agent()
        if agent is None:
            return
        if agent.status.ended:
            self.notify(f"{agent.name} has {agent.status.value}; press r to restart it",
                        severity="warning")
            return
        self.query_one(AgentTabs).start_typing(agent.name, tmux_to_textual(self.detach_key))
        hint = self.query_one("#typing-hint", Static)
        hint.update(f"Typing into {agent.name}: every key goes to the agent. "
                    f"{display_key(self.detach_key)} stops.")
        hint.add_class("on")

    @on(PanePreview.TypingEnded)
    @on(PanePreview.BackToLive)
    def _typing_ended(self) -> None:
        self.query_one("#typing-hint", Static).remove_class("on")
        self.table.focus()

    # -- tasks and the autopilot ----------------------------------------------------------

    def action_tasks(self) -> None:
        self.app.push_screen(TasksScreen(self.ws), self._jump_to)

    def _jump_to(self, name: str | None) -> None:
        """Back from the Tasks view: select the agent it asked for."""
        if name is None or self.snapshot is None:
            return
        for agent in self.snapshot.agents:
            if agent.name == name:
                self.table.select_id(agent.id)
                return
        self.notify(f"{name} is no longer an agent here (merged and cleaned up?)",
                    severity="warning")

    def action_autopilot(self) -> None:
        def job() -> str:
            if self.ws.autopilot_status().running:
                self.ws.stop_autopilot()
                return "autopilot off"
            return f"autopilot on (pid {self.ws.start_autopilot().pid})"

        run_job(self, "autopilot", job)

    def action_next_attention(self) -> None:
        if self.snapshot is not None and not self.table.select_next_needing(self.snapshot.agents):
            self.notify("Nobody needs you right now.")

    # -- actions on the selected agent ----------------------------------------------------

    def _agent_job(self, verb: str, call: Callable[[str], object], done: str,
                   need: Status | None = None) -> None:
        """Run one service call on the selected agent; `done` ('approved {}') is its line."""
        agent = self._need_agent()
        if agent is None:
            return
        if need is not None and agent.status != need:
            self.notify(f"{agent.name} is {fmt.STATUS_LABEL[agent.status]}, not "
                        f"{fmt.STATUS_LABEL[need]}", severity="warning")
            return

        def job() -> str:
            call(agent.name)
            return done.format(agent.name)

        run_job(self, f"{verb} {agent.name}", job)

    def action_approve(self) -> None:
        self._agent_job("approve", self.ws.approve, "approved {}", Status.NEEDS_PERMISSION)

    def action_approve_always(self) -> None:
        self._agent_job("approve", lambda name: self.ws.approve(name, always=True),
                        "approved {} for this session", Status.NEEDS_PERMISSION)

    def action_deny(self) -> None:
        self._agent_job("deny", self.ws.deny, "denied {}", Status.NEEDS_PERMISSION)

    def action_interrupt(self) -> None:
        self._agent_job("interrupt", self.ws.interrupt, "interrupted {}")

    def action_pause(self) -> None:
        agent = self.selected
        if agent is not None and agent.status == Status.PAUSED:
            self._agent_job("pause", self.ws.resume, "resumed {}")
        else:
            self._agent_job("pause", self.ws.pause, "paused {}")

    def action_restart(self) -> None:
        self._agent_job("restart", self.ws.restart, "restarted {}")

    def action_ask_rebase(self) -> None:
        agent = self._need_agent()
        if agent is not None:
            self.query_one(MergeBar).ask_to_rebase(agent)

    def action_kill(self) -> None:
        agent = self._need_agent()
        if agent is None:
            return

        def job() -> None:
            unsaved = self.ws.kill_preview(agent.name)
            self.post_message(UnsavedWorkFound(agent, unsaved.uncommitted, unsaved.commits))

        run_job(self, f"check {agent.name}", job)

    @on(UnsavedWorkFound)
    def _confirm_kill(self, message: UnsavedWorkFound) -> None:
        agent = message.agent

        def chosen(choice: KillChoice | None) -> None:
            if choice is None:
                return
            self.table.marked.discard(agent.id)
            run_job(self, f"kill {agent.name}",
                    lambda: self.ws.kill(agent.name, discard=choice == "discard").summary())

        self.app.push_screen(KillScreen(agent.name, agent.worktree, agent.branch,
                                        message.uncommitted, message.commits), chosen)

    def action_mark(self) -> None:
        agent = self._need_agent()
        if agent is not None:
            self.table.toggle_mark(agent.id)

    def action_merge(self) -> None:
        targets = self._marked_or_selected()
        if targets:
            self.query_one(MergeBar).merge(targets)

    def action_push_pr(self) -> None:
        agent = self._need_agent()
        if agent is not None:
            self.query_one(MergeBar).open_pr(agent)

    def action_diff(self) -> None:
        agent = self._need_agent()
        if agent is not None:
            self.query_one(AgentTabs).diff(agent.name)

    def action_preview(self) -> None:
        self.query_one(AgentTabs).open("preview")

    def action_details(self) -> None:
        self.query_one(AgentTabs).open("details")

    def action_scroll_back(self) -> None:
        if self._need_agent() is not None:
            self.query_one(AgentTabs).scroll_back()

    # -- the rest ---------------------------------------------------------------------------

    def action_cleanup(self) -> None:
        self.query_one(Leftovers).look()

    def action_trust_repo(self) -> None:
        self.query_one(RepoTrustCheck).ask()

    def action_help(self) -> None:
        keys = {a.name: self.ws.settings.key_for(a.name) or a.key for a in ACTIONS}
        show_help(self.app, keys, display_key(self.detach_key))

    def action_quit(self) -> None:
        self.app.exit()


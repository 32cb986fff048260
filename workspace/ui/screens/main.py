"""The main screen: it lays the widgets out, binds every action's key and wires what one
widget learns to the others. The work is the widgets' (the Poller polls and watches, the
ConflictRadar looks for shared files, Attention says who started needing you, AgentActions
acts on the marked or selected agents, the Spawner spawns, the MergeBar merges, AgentTabs
shows the selected agent, Leftovers offers what no agent owns for cleanup, RepoTrustCheck asks
to trust the repository's config); the screen's own actions ask through a dialog and run the
service call with `run_job`. Workers post facts (workspace.ui.messages); only handlers, on the
UI thread, change what is shown.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen
from textual.widgets import Static

from workspace.core.actions import ACTIONS
from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError
from workspace.service import Snapshot, Workspace
from workspace.ui import footer_fit
from workspace.ui.dialogs.help import show_help
from workspace.ui.dialogs.merge import MergeScreen
from workspace.ui.jobs import run_job
from workspace.ui.keys import display_key, tmux_to_textual
from workspace.ui.messages import (
    ActionFinished,
    AgentsPolled,
    DiffsUpdated,
    KeysDelivered,
    MergeFinished,
    RadarUpdated,
)
from workspace.ui.screens.tasks import TasksScreen
from workspace.ui.widgets.agent_actions import AgentActions
from workspace.ui.widgets.agent_table import AgentTable
from workspace.ui.widgets.agent_tabs import AgentTabs
from workspace.ui.widgets.attention import Attention
from workspace.ui.widgets.fleet import Fleet
from workspace.ui.widgets.footer import KeyFooter
from workspace.ui.widgets.header import WorkspaceHeader
from workspace.ui.widgets.leftovers import Leftovers
from workspace.ui.widgets.merge_bar import MergeBar
from workspace.ui.widgets.poller import Poller
from workspace.ui.widgets.preview import PanePreview
from workspace.ui.widgets.radar import ConflictRadar, base_conflict, radar_notes
from workspace.ui.widgets.spawner import Spawner
from workspace.ui.widgets.trust import RepoTrustCheck


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding(a.key, a.name, a.title, show=a.show, id=a.name) for a in ACTIONS
    ]
    DEFAULT_CSS = """
    MainScreen #top { height: 45%; min-height: 6; }
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
        yield Fleet(id="top")
        yield Static("", id="typing-hint")
        yield MergeBar(self.ws, id="merge-bar")
        yield AgentTabs(self.ws, id="agent-tabs")
        yield Poller(self.ws, id="poller")
        yield ConflictRadar(self.ws.radar, id="radar")
        yield Attention(self.ws, id="attention")
        yield AgentActions(self.ws, lambda ids: self.fleet.unmark(ids), id="agent-actions")
        yield Spawner(self.ws, self._names, id="spawner")
        yield Leftovers(self.ws, id="leftovers")
        yield RepoTrustCheck(self.ws, id="trust")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(WorkspaceHeader).show(None)
        self.table.focus()

    def on_resize(self) -> None:
        self.refresh_bindings()  # the footer keeps what fits (active_bindings)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Every binding; the footer shows those that fit (help and quit first)."""
        return footer_fit.narrowed(super().active_bindings, self.size.width,
                                   self.app.get_key_display)

    @property
    def fleet(self) -> Fleet:
        return self.query_one(Fleet)

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
            self.notify("No agent selected. Press n to spawn one." if not self.snapshot or
                        not self.snapshot.agents else "No agent selected: the cursor is on "
                        "a group header.", severity="warning")
        return agent

    def _marked_or_selected(self) -> list[Agent]:
        """The marked agents the table shows, in its order, else the selected one."""
        if self.snapshot is None:
            return []
        marked = self.fleet.marked(self.snapshot)
        if marked:
            return marked
        agent = self._need_agent()
        return [agent] if agent else []

    def _names(self) -> set[str]:
        return {a.name for a in self.snapshot.agents} if self.snapshot else set()

    # -- facts from workers -------------------------------------------------------------

    @on(AgentsPolled)
    def _polled(self, message: AgentsPolled) -> None:
        before, self.snapshot = self.snapshot, message.snapshot
        snapshot = message.snapshot
        if before is not None and _landed(before, snapshot):
            # Base may have moved (a merge here, in the CLI or by the autopilot): the others
            # may conflict with it now, and their rows say so without waiting for a look.
            self.query_one(ConflictRadar).files_changed({a.id for a in snapshot.agents})
        self._budgets = message.budgets
        if message.focus == self.focus_id:
            self._burn = message.burn
        self.fleet.show(snapshot)
        self.query_one(WorkspaceHeader).show(snapshot, message.autopilot, message.usage)
        self.query_one(Attention).seen(snapshot.agents)
        if self.focus_id is None and snapshot.agents:
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
            self.fleet.show(self.snapshot)
        form = self.app.screen
        if isinstance(form, MergeScreen):  # a conflict found while the form is open
            form.conflict_known(base_conflict(message.radar, form.plan.names))
        self._show_focus()

    @on(ActionFinished)
    def _action_finished(self, message: ActionFinished) -> None:
        if message.text:
            self.notify(message.text, severity="error" if message.error else "information",
                        timeout=8 if message.error else 4, markup=False)
        if message.refresh:
            self.query_one(Poller).wake()

    @on(KeysDelivered)
    def _keys_delivered(self) -> None:
        self.query_one(Poller).wake()  # the preview shows what the keys did at once

    @on(MergeFinished)
    def _merged(self, message: MergeFinished) -> None:
        if self.snapshot is not None:
            self.fleet.unmark([a.id for a in self.snapshot.agents
                               if a.name == message.result.name])

    @on(AgentTable.Selected)
    def _selected(self, message: AgentTable.Selected) -> None:
        if message.agent_id != self.focus_id:
            self._focus(message.agent_id)
            self._show_focus()

    @on(AgentTable.ViewChanged)
    def _view_changed(self, message: AgentTable.ViewChanged) -> None:
        self.query_one(WorkspaceHeader).hidden_by_filter(message.hidden)

    def _focus(self, agent_id: str | None) -> None:
        self.focus_id = agent_id
        self._burn = []
        poller = self.query_one(Poller)
        poller.follow(agent_id)
        # Its tick once the move is drawn (at once, it took turns with the drawing for the GIL).
        self.call_after_refresh(poller.wake)
        agent = self.selected
        self.query_one(AgentTabs).follow(agent.name if agent else None)

    def _show_focus(self) -> None:
        agent = self.selected
        radar = self.query_one(ConflictRadar).rows(agent) if agent else []
        budget = self._budgets.get(agent.id) if agent else None
        self.query_one(AgentTabs).show(agent, self.snapshot, self._burn, budget, radar)

    # -- spawn, attach, send, type --------------------------------------------------------

    def action_spawn(self) -> None:
        self.query_one(Spawner).open()

    def action_attach(self) -> None:
        if self.table.cursor_group is not None and self.table.selected_id is None:
            self.table.toggle_fold()  # enter on a group header folds or unfolds it
            return
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
                self.fleet.select(agent.id)
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

    # -- who needs you --------------------------------------------------------------------

    def action_next_attention(self) -> None:
        self.query_one(Attention).walk(self.table.select_next)

    def action_attention(self) -> None:
        self.query_one(Attention).show_list(self.table.shown_ids, self.fleet.select)

    # -- marks, filter, group, sort -------------------------------------------------------

    def action_mark(self) -> None:
        if not self.fleet.mark():
            self._need_agent()

    def action_mark_all(self) -> None:
        self.fleet.mark_all()

    def action_unmark_all(self) -> None:
        self.fleet.unmark_all()

    def action_filter(self) -> None:
        self.fleet.filter()

    def action_group(self) -> None:
        self.fleet.cycle_group()

    def action_sort(self) -> None:
        self.fleet.cycle_sort()

    # -- actions on the marked or selected agents -------------------------------------------

    @property
    def _actions(self) -> AgentActions:
        return self.query_one(AgentActions)

    def action_send(self) -> None:
        self._actions.send(self._marked_or_selected())

    def action_approve(self) -> None:
        self._actions.approve(self._marked_or_selected())

    def action_approve_always(self) -> None:
        self._actions.approve(self._marked_or_selected(), always=True)

    def action_deny(self) -> None:
        self._actions.deny(self._marked_or_selected())

    def action_interrupt(self) -> None:
        self._actions.interrupt(self._marked_or_selected())

    def action_pause(self) -> None:
        self._actions.pause(self._marked_or_selected())

    def action_restart(self) -> None:
        self._actions.restart(self._marked_or_selected())

    def action_kill(self) -> None:
        self._actions.kill(self._marked_or_selected())

    def action_merge(self) -> None:
        targets = self._marked_or_selected()
        if targets:
            self.query_one(MergeBar).merge(targets)

    def action_ask_rebase(self) -> None:
        agent = self._need_agent()
        if agent is not None:
            self.query_one(MergeBar).ask_to_rebase(agent)

    def action_push_pr(self) -> None:
        agent = self._need_agent()
        if agent is not None:
            self.query_one(MergeBar).open_pr(agent)

    # -- tabs -------------------------------------------------------------------------------

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


def _landed(before: Snapshot, now: Snapshot) -> bool:
    """An agent merged, or went (merged and cleaned up, or killed), since `before`."""
    merged = {a.id for a in before.agents if a.status == Status.MERGED}
    return any(a.status == Status.MERGED and a.id not in merged for a in now.agents) or \
        bool({a.id for a in before.agents} - {a.id for a in now.agents})

"""The review half of the main screen: the Diff tab, the conflict radar, merge (one agent or
a queue of marked ones), ask-to-rebase, push and pull request.

Same idiom as the rest: thread workers call the service and post facts (RadarUpdated,
MergeChecked, MergeStepped, QueueChanged, MergeFinished...); handlers only render.
"""

from __future__ import annotations

import threading

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Static, TabbedContent
from textual.worker import get_current_worker

from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.core.review.queue import QueueItemState, QueueState
from workspace.core.review.radar import Radar
from workspace.core.settings import MERGE_STRATEGIES
from workspace.service import GateFailed, MergeCheck, MergeConflict, MergeResult, Workspace
from workspace.ui.messages import (
    ActionFinished,
    GateReported,
    MergeChecked,
    MergeFinished,
    MergeStepped,
    PrPlanned,
    QueueChanged,
    RadarUpdated,
)
from workspace.ui.screens.agent_screen import AgentScreen
from workspace.ui.screens.confirm import ConfirmScreen
from workspace.ui.screens.merge import MergePlanView, MergeRequest, MergeScreen
from workspace.ui.widgets.diff_panel import DiffPanel

RADAR_INTERVAL = 10.0
"""Seconds between radar passes when no file changed (bases and branches move too)."""
QUEUE_GLYPH = {QueueItemState.MERGED: "✓", QueueItemState.FAILED: "✗",
               QueueItemState.MERGING: "…", QueueItemState.INTERRUPTED: "!"}


class ReviewActions(AgentScreen):
    def __init__(self, ws: Workspace) -> None:
        super().__init__(ws)
        self.radar: Radar | None = None
        self._radar_wake = threading.Event()
        self._radar_lock = threading.Lock()
        self._radar_changed: set[str] = set()
        self._merging: str | None = None

    # -- the Diff tab ---------------------------------------------------------------------

    @property
    def diff_panel(self) -> DiffPanel:
        return self.query_one(DiffPanel)

    def _diff_tab_open(self) -> bool:
        return self.query_one(TabbedContent).active == "tab-diff"

    def action_diff(self) -> None:
        """First press opens the Diff tab; pressing again switches whole branch / WIP."""
        agent = self._need_agent()
        if agent is None:
            return
        tabs = self.query_one(TabbedContent)
        if tabs.active != "tab-diff":
            tabs.active = "tab-diff"
            self.diff_panel.show(agent.name)
        else:
            self.diff_panel.toggle_mode()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-diff":
            agent = self.selected
            self.diff_panel.show(agent.name if agent else None)

    def review_focus_changed(self) -> None:
        """The selection moved: the open Diff tab follows it."""
        if self._diff_tab_open():
            agent = self.selected
            self.diff_panel.show(agent.name if agent else None)

    def review_files_changed(self, agent_ids: set[str]) -> None:
        """A watcher saw these agents' files or branches change (debounced)."""
        agent = self.selected
        if agent is not None and agent.id in agent_ids and self._diff_tab_open():
            self.diff_panel.show(agent.name, reload=True)
        with self._radar_lock:
            self._radar_changed |= agent_ids
        self._radar_wake.set()

    # -- the conflict radar ---------------------------------------------------------------

    @work(thread=True, exclusive=True, group="radar", exit_on_error=False,
          description="conflict radar")
    def _radar_loop(self) -> None:
        worker = get_current_worker()
        first = True
        while not worker.is_cancelled:
            with self._radar_lock:
                changed, self._radar_changed = self._radar_changed, set()
            try:
                self.post_message(RadarUpdated(self.ws.radar(None if first else changed)))
                first = False
            except Exception as exc:  # the radar is advice: never let it take the TUI down
                self.post_message(ActionFinished(f"conflict radar: {exc}", error=True,
                                                 refresh=False))
            self._radar_wake.wait(RADAR_INTERVAL)
            self._radar_wake.clear()

    @on(RadarUpdated)
    def _radar_updated(self, message: RadarUpdated) -> None:
        self.radar = message.radar
        self.table.radar = radar_notes(message.radar)
        if self.snapshot is not None:
            self.table.show(self.snapshot.agents)
        self._show_focus()

    def radar_rows(self, agent: Agent) -> list[tuple[str, str]]:
        """Lines for the agent's detail: files shared with others, predicted conflicts."""
        radar = self.radar
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

    def _show_focus(self) -> None:
        raise NotImplementedError  # MainScreen draws the focused agent

    # -- merge ----------------------------------------------------------------------------

    def action_merge(self) -> None:
        targets = self._marked_or_selected()
        if not targets:
            return
        settings = self.ws.settings.merge
        if len(targets) > 1:
            names = tuple(a.name for a in targets)
            bases = {a.base for a in targets}
            self._ask_merge(MergePlanView(
                names=names, base=", ".join(sorted(bases)), strategies=MERGE_STRATEGIES,
                strategy=settings.strategy, gate=" ".join(settings.gate)))
            return
        agent = targets[0]

        def job() -> None:
            check = self.ws.check_merge(agent.name, commit_wip=True)
            self.post_message(MergeChecked(plan_view(self.ws, agent, check)))

        self.run_action_in_worker(f"check merge of {agent.name}", job)

    @on(MergeChecked)
    def _merge_checked(self, message: MergeChecked) -> None:
        self._ask_merge(message.plan)

    def _ask_merge(self, plan: MergePlanView) -> None:
        def chosen(request: MergeRequest | None) -> None:
            if request is None:
                return
            if len(request.names) > 1:
                self._run_queue(request)
            else:
                self._run_merge(request)

        self.app.push_screen(MergeScreen(plan), chosen)

    def _run_merge(self, request: MergeRequest) -> None:
        name = request.names[0]

        def job() -> str | None:
            try:
                result = self.ws.merge(
                    name, strategy=request.strategy, gate=request.gate,
                    commit_wip=request.commit_wip, message=request.wip_message,
                    on_step=lambda step: self._post(MergeStepped(name, step)))
            except GateFailed as exc:
                self.post_message(MergeStepped(name, ""))
                self.post_message(GateReported(str(exc), exc.gate.output))
                raise
            except MergeConflict as exc:
                self.post_message(MergeStepped(name, ""))
                raise MergeConflict(f"{exc} — press R to ask {name} to rebase", name, exc.base,
                                    exc.result) from None
            except BaseException:
                self.post_message(MergeStepped(name, ""))
                raise
            self.post_message(MergeStepped(name, ""))
            self.post_message(MergeFinished(result))
            return None

        self.run_action_in_worker(f"merge {name}", job)

    @on(GateReported)
    def _gate_reported(self, message: GateReported) -> None:
        lines = message.output.rstrip().splitlines()[-200:]
        self.app.push_screen(ConfirmScreen(message.text, "\n".join(lines) or "(no output)",
                                           yes="Close", no=None))

    @on(MergeStepped)
    def _merge_stepped(self, message: MergeStepped) -> None:
        bar = self.query_one("#review-bar", Static)
        if message.step:
            bar.update(f"merging {message.name}: {message.step}…")
            bar.add_class("on")
        else:
            bar.remove_class("on")

    @on(MergeFinished)
    def _merge_finished(self, message: MergeFinished) -> None:
        result = message.result
        # The summary says so when a clean-up asked for could not be done: make it stand out.
        self.notify(result.summary(), title="merged", timeout=10 if result.cleanup_error else 8,
                    severity="warning" if result.cleanup_error else "information")
        self.table.marked.discard(self._id_of(result.name))
        self.table.refresh_marks()
        if result.cleanup is not None:
            self.notify(result.cleanup.summary(), timeout=6)
        elif result.cleanup_offered:
            self._offer_cleanup(result)

    def _offer_cleanup(self, result: MergeResult) -> None:
        details = (f"End its session, remove its worktree and delete its branch "
                   f"{result.branch}: its work is on {result.base} now.")

        def chosen(yes: bool | None) -> None:
            if yes:
                self.run_action_in_worker(
                    f"clean up {result.name}",
                    lambda: self.ws.cleanup_merged(result.name).summary())

        self.app.push_screen(
            ConfirmScreen(f"{result.name} is merged. Clean it up?", details,
                          yes="Clean up", no="Keep it"), chosen)

    def _post(self, message: Message) -> None:
        self.post_message(message)

    def _id_of(self, name: str) -> str:
        if self.snapshot is not None:
            for agent in self.snapshot.agents:
                if agent.name == name:
                    return agent.id
        return ""

    # -- the merge queue ------------------------------------------------------------------

    def _run_queue(self, request: MergeRequest) -> None:
        def job() -> str:
            report = self.ws.merge_queue(
                list(request.names), strategy=request.strategy, gate=request.gate,
                commit_wip=request.commit_wip,
                on_progress=lambda state: self._post(QueueChanged(state)))
            for result in report.results:
                self.post_message(MergeFinished(result))
            if report.ok:
                return f"merge queue done: merged {', '.join(report.state.merged)}"
            queued = f"; still queued: {', '.join(report.queued)}" if report.queued else ""
            raise UsageError(f"merge queue stopped at {report.failed}: {report.error}{queued}")

        self.run_action_in_worker("merge queue", job)

    @on(QueueChanged)
    def _queue_changed(self, message: QueueChanged) -> None:
        self.show_queue(message.state)

    def show_queue(self, state: QueueState) -> None:
        bar = self.query_one("#queue-bar", Static)
        if not state.items or (not state.running and len(state.merged) == len(state.items)):
            bar.remove_class("on")
            return
        parts = Text("merge queue: ", style="bold")
        for i, item in enumerate(state.items):
            if i:
                parts.append(" · ")
            glyph = QUEUE_GLYPH.get(item.state, "◌")
            style = {QueueItemState.MERGED: "green", QueueItemState.FAILED: "red bold",
                     QueueItemState.MERGING: "bold"}.get(item.state, "")
            parts.append(f"{glyph} {item.name} {item.state}", style=style)
        if not state.running and state.queued:
            parts.append("   fix it, then m with the rest marked", style="dim")
        bar.update(parts)
        bar.add_class("on")

    def _load_queue(self) -> None:
        """A queue left stopped (or interrupted) by an earlier run is shown at start."""
        def job() -> None:
            self.post_message(QueueChanged(self.ws.queue_state()))

        self.run_action_in_worker("read the merge queue", job)

    # -- ask to rebase, push and PR ---------------------------------------------------------

    def action_ask_rebase(self) -> None:
        agent = self._need_agent()
        if agent is None:
            return

        def job() -> str:
            text = self.ws.ask_to_rebase(agent.name)
            return f"asked {agent.name} to rebase: {text.splitlines()[0]}"

        self.run_action_in_worker(f"ask {agent.name} to rebase", job)

    def action_push_pr(self) -> None:
        agent = self._need_agent()
        if agent is None:
            return

        def job() -> None:
            problem = self.ws.pr_problem()
            if problem:
                raise UsageError(problem)
            self.post_message(PrPlanned(self.ws.pr_plan(agent.name)))

        self.run_action_in_worker(f"plan a pull request for {agent.name}", job)

    @on(PrPlanned)
    def _pr_planned(self, message: PrPlanned) -> None:
        plan = message.plan

        def chosen(yes: bool | None) -> None:
            if yes:
                self.run_action_in_worker(f"open a pull request for {plan.name}", lambda: (
                    f"opened {self.ws.create_pr(plan.name, plan.remote).url or 'a pull request'}"
                ))

        details = f"push {plan.branch} to {plan.remote}, then open a pull request into " \
                  f"{plan.base}:\n\n{plan.title}\n\n{plan.body}"
        self.app.push_screen(ConfirmScreen(f"Push {plan.name} and open a pull request?",
                                           details, yes="Push and open PR", no="Cancel"),
                             chosen)


def plan_view(ws: Workspace, agent: Agent, check: MergeCheck) -> MergePlanView:
    settings = ws.settings.merge
    count = len(check.commits)
    stat = check.stat
    summary = f"{count} commit{'s' if count != 1 else ''}, {stat.files} file" \
              f"{'s' if stat.files != 1 else ''} +{stat.added} -{stat.removed}" if check.ok else ""
    return MergePlanView(
        names=(agent.name,), base=check.base, strategies=MERGE_STRATEGIES,
        strategy=check.strategy, gate=" ".join(settings.gate), commits=check.commits,
        stat=summary, checkout=check.checkout, uncommitted=check.uncommitted,
        wip_message=check.wip_message,
        problem=check.problem, conflict=check.conflicts is not None and
        not check.conflicts.clean)


def radar_notes(radar: Radar) -> dict[str, str]:
    """Agent id -> the short note its table row shows (shared files, predicted conflicts)."""
    notes: dict[str, str] = {}
    for name, agent_id in radar.ids.items():
        conflicts = radar.conflicts_of(name)
        shared = radar.shared(name)
        if conflicts:
            c = conflicts[0]
            other = c.b if c.a == name else c.a
            notes[agent_id] = f"conflicts with {other}: {', '.join(c.files[:2])}"
        elif shared:
            notes[agent_id] = f"shares {', '.join(shared[:2])}" + (
                f" +{len(shared) - 2}" if len(shared) > 2 else "")
    return notes

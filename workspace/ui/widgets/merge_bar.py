"""Landing an agent's work on its base: merge one agent (checked first, its steps shown on one
line), a queue of marked ones (the queue bar below it), or push and open a pull request; and
ask an agent whose branch no longer merges cleanly to rebase.

It asks through the merge form and the confirm dialog, runs the service calls in its own
workers, and handles the facts they post (MergeChecked, MergeStepped, GateReported,
MergeFinished, PrPlanned). MergeFinished goes on up to the screen, which unmarks the agent.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from workspace.core import format as fmt
from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.core.settings import MERGE_STRATEGIES
from workspace.service import GateFailed, MergeCheck, MergeConflict, MergeResult, Workspace
from workspace.ui.dialogs.confirm import ConfirmScreen
from workspace.ui.dialogs.merge import MergePlanView, MergeRequest, MergeScreen
from workspace.ui.jobs import run_job
from workspace.ui.messages import (
    GateReported,
    MergeChecked,
    MergeFinished,
    MergeStepped,
    PrPlanned,
)
from workspace.ui.widgets.merge_queue_bar import MergeQueueBar


class MergeBar(Vertical):
    DEFAULT_CSS = """
    MergeBar { height: auto; }
    MergeBar > .bar { height: 1; padding: 0 1; display: none; background: $panel; }
    MergeBar > .bar.on { display: block; }
    """

    def __init__(self, ws: Workspace, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.ws = ws

    def compose(self) -> ComposeResult:
        yield Static("", id="review-bar", classes="bar")
        yield MergeQueueBar(self.ws, id="queue-bar", classes="bar")

    @property
    def gate(self) -> str:
        return " ".join(self.ws.settings.merge.gate)

    # -- merge ----------------------------------------------------------------------------

    def merge(self, agents: list[Agent]) -> None:
        """One agent: check it (in a worker), then ask. Several: ask to merge them as a queue
        (each is checked when its turn comes)."""
        if len(agents) > 1:
            self._ask(MergePlanView(
                names=tuple(a.name for a in agents),
                base=", ".join(sorted({a.base for a in agents})), strategies=MERGE_STRATEGIES,
                strategy=self.ws.settings.merge.strategy, gate=self.gate))
            return
        agent = agents[0]

        def job() -> None:
            self.post_message(MergeChecked(agent, self.ws.check_merge(agent.name,
                                                                      commit_wip=True)))

        run_job(self, f"check merge of {agent.name}", job)

    @on(MergeChecked)
    def _checked(self, message: MergeChecked) -> None:
        message.stop()
        self._ask(plan_view(message.agent, message.check, self.gate))

    def _ask(self, plan: MergePlanView) -> None:
        def chosen(request: MergeRequest | None) -> None:
            if request is None:
                return
            if len(request.names) > 1:
                self.query_one(MergeQueueBar).run(request)
            else:
                self._run(request)

        self.app.push_screen(MergeScreen(plan), chosen)

    def _run(self, request: MergeRequest) -> None:
        name = request.names[0]

        def job() -> None:
            try:
                result = self.ws.merge(
                    name, strategy=request.strategy, gate=request.gate,
                    commit_wip=request.commit_wip, message=request.wip_message,
                    on_step=lambda step: self._stepped(name, step))
            except GateFailed as exc:
                self.post_message(GateReported(str(exc), exc.gate.output))
                raise
            except MergeConflict as exc:
                raise MergeConflict(f"{exc} — press R to ask {name} to rebase", name, exc.base,
                                    exc.result) from None
            finally:
                self._stepped(name, "")
            self.post_message(MergeFinished(result))

        run_job(self, f"merge {name}", job)

    def _stepped(self, name: str, step: str) -> None:
        self.post_message(MergeStepped(name, step))

    @on(MergeStepped)
    def _show_step(self, message: MergeStepped) -> None:
        message.stop()
        bar = self.query_one("#review-bar", Static)
        if message.step:
            bar.update(f"merging {message.name}: {message.step}…")
            bar.add_class("on")
        else:
            bar.remove_class("on")

    @on(GateReported)
    def _gate_reported(self, message: GateReported) -> None:
        message.stop()
        lines = message.output.rstrip().splitlines()[-200:]
        self.app.push_screen(ConfirmScreen(message.text, "\n".join(lines) or "(no output)",
                                           yes="Close", no=None))

    @on(MergeFinished)
    def _merged(self, message: MergeFinished) -> None:
        result = message.result
        # The summary says so when a clean-up asked for could not be done: make it stand out.
        self.notify(result.summary(), title="merged", timeout=10 if result.cleanup_error else 8,
                    severity="warning" if result.cleanup_error else "information")
        if result.cleanup is not None:
            self.notify(result.cleanup.summary(), timeout=6)
        elif result.cleanup_offered:
            self._offer_cleanup(result)

    def _offer_cleanup(self, result: MergeResult) -> None:
        details = (f"End its session, remove its worktree and delete its branch "
                   f"{result.branch}: its work is on {result.base} now.")

        def chosen(yes: bool | None) -> None:
            if yes:
                run_job(self, f"clean up {result.name}",
                        lambda: self.ws.cleanup_merged(result.name).summary())

        self.app.push_screen(
            ConfirmScreen(f"{result.name} is merged. Clean it up?", details,
                          yes="Clean up", no="Keep it"), chosen)

    def ask_to_rebase(self, agent: Agent) -> None:
        def job() -> str:
            text = self.ws.ask_to_rebase(agent.name)
            return f"asked {agent.name} to rebase: {text.splitlines()[0]}"

        run_job(self, f"ask {agent.name} to rebase", job)

    # -- push and pull request ----------------------------------------------------------------

    def open_pr(self, agent: Agent) -> None:
        def job() -> None:
            problem = self.ws.pr_problem()
            if problem:
                raise UsageError(problem)
            self.post_message(PrPlanned(self.ws.pr_plan(agent.name)))

        run_job(self, f"plan a pull request for {agent.name}", job)

    @on(PrPlanned)
    def _pr_planned(self, message: PrPlanned) -> None:
        message.stop()
        plan = message.plan

        def chosen(yes: bool | None) -> None:
            if yes:
                run_job(self, f"open a pull request for {plan.name}", lambda: (
                    f"opened {self.ws.create_pr(plan.name, plan.remote).url or 'a pull request'}"
                ))

        details = f"push {plan.branch} to {plan.remote}, then open a pull request into " \
                  f"{plan.base}:\n\n{plan.title}\n\n{plan.body}"
        self.app.push_screen(ConfirmScreen(f"Push {plan.name} and open a pull request?",
                                           details, yes="Push and open PR", no="Cancel"),
                             chosen)


def plan_view(agent: Agent, check: MergeCheck, gate: str) -> MergePlanView:
    """What the merge form shows for one agent, from the service's dry run."""
    stat = check.stat
    summary = f"{fmt.plural(len(check.commits), 'commit')}, {fmt.plural(stat.files, 'file')} " \
              f"+{stat.added} -{stat.removed}" if check.ok else ""
    return MergePlanView(
        names=(agent.name,), base=check.base, strategies=MERGE_STRATEGIES,
        strategy=check.strategy, gate=gate, commits=check.commits, stat=summary,
        checkout=check.checkout, uncommitted=check.uncommitted,
        wip_message=check.wip_message,
        problem=check.problem, conflict=check.conflicts is not None and
        not check.conflicts.clean)

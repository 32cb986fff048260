"""`Workspace`: the one front the UI and the CLI call. It opens the shared context and
composes the parts of the service, each owning its own state:

    agents      spawn, kill, pause, resume, restart, attach     (agents.py)
    messenger   send, type, interrupt, approve, deny            (messaging.py)
    poller      the poll tick, first prompts, budgets, diffs    (poller.py, signals.py)
    reconciler  start-up reconciliation, leftovers, cleanup     (reconcile.py)
    adopter     agents no row owns, adopted back                (adopt.py)
    review      diffs, conflict radar, ask to rebase            (review.py)
    planner, merger, queue   merges and the merge queue         (merge/)
    pulls       push and pull requests                          (pulls.py)
    board       tasks: filing, approving, what agents report    (tasks/board.py)
    pilot       the autopilot and its process                   (tasks/autopilot.py, process.py)

Each method here only hands over to the part that owns it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from workspace.adapters.git import UnsavedWork
from workspace.adapters.repo_trust import GATE, WORKTREE_ROOT, RepoTrust
from workspace.adapters.store import WorktreeRecord
from workspace.adapters.themes import ThemeFile, theme_files
from workspace.core.agent import Agent, DiffStat
from workspace.core.errors import UsageError
from workspace.core.names import suggest_name
from workspace.core.review.diff import BRANCH, Diff
from workspace.core.review.mergetree import MergeTreeResult
from workspace.core.review.queue import QueueState
from workspace.core.review.radar import Radar
from workspace.core.settings import Settings
from workspace.core.tasks.model import Plan, Task, TaskSpec, TaskState
from workspace.core.text import Cleaned
from workspace.service.adopt import Adopted, Adopter
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.merge import (
    DEFAULT_LOCK_WAIT,
    CleanupReport,
    MergeCheck,
    MergeQueue,
    Merger,
    MergeResult,
    Planner,
    QueueReport,
    StepCallback,
)
from workspace.service.messaging import Messenger, SendResult
from workspace.service.poller import Poller, Snapshot
from workspace.service.pulls import PrPlan, PrResult, PullRequests
from workspace.service.reconcile import Reconciler, ReconcileReport
from workspace.service.review import Review
from workspace.service.tasks.autopilot import Autopilot
from workspace.service.tasks.board import JUDGE, TaskBoard, refuse_judge
from workspace.service.tasks.plans import Planning, PlanView
from workspace.service.tasks.process import AutopilotProcess, AutopilotStatus
from workspace.service.worktrees import KillReport


class Workspace:
    """Open with `Workspace.open(cwd)`. Methods raise UsageError for mistakes a person can fix;
    every method may run in a worker thread."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        """The shared context (the adapters): for the service's parts and for tests. The UI
        and the CLI call the methods below instead."""
        self.lifecycle = Agents(ctx)
        self.messenger = Messenger(ctx)
        self.poller = Poller(ctx, self.lifecycle, self.messenger)
        self.reconciler = Reconciler(ctx, self.poller)
        self.adopter = Adopter(ctx)
        self.review = Review(ctx, self.messenger)
        self.planner = Planner(ctx, self.review)
        self.merger = Merger(ctx, self.planner, self.review, self.poller, self.lifecycle)
        self.queue = MergeQueue(ctx, self.merger)
        self.pulls = PullRequests(ctx)
        self.board = TaskBoard(ctx)
        self.pilot = AutopilotProcess(ctx, self.new_autopilot, self.refresh, self.reconcile)
        self.planning = Planning(ctx, self.lifecycle, self.messenger, self.board)
        self.recovered: str | None = None
        """What opening did about a merge a killed process left half-made (one line)."""

    def new_autopilot(self) -> Autopilot:
        return Autopilot(self.ctx, self.lifecycle, self.messenger, self.merger, self.review)

    @classmethod
    def open(cls, cwd: Path | None = None) -> Workspace:
        """Opening first finishes or undoes a merge a killed process left half-made, so that
        every command (a verb, the TUI, the autopilot) starts from base, the main checkout and
        the agents' statuses agreeing (a recovery that fails leaves the intent for the next
        command: a merge refuses until then, this command goes on); then it settles what an
        interrupted spawn left (reconcile.py `settle`: cheap when nothing was)."""
        ws = cls(Context.open(cwd))
        try:
            ws.recovered = ws.merger.recover()
        except UsageError as exc:
            ws.recovered = str(exc)
        ws.reconciler.settle()
        return ws

    def close(self) -> None:
        self.ctx.close()

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    @property
    def name(self) -> str:
        """The repository's folder name (the TUI's title)."""
        return self.ctx.repo.name

    # -- agents ---------------------------------------------------------------------------

    def agents(self) -> list[Agent]:
        return self.ctx.store.agents()

    def agent(self, name: str) -> Agent:
        return self.ctx.agent(name)

    def spawn(self, name: str, preset: str | None = None, base: str | None = None,
              prompt: str = "", budget_usd: float | None = None) -> Agent:
        # The program first (Context.preset checks it again wherever one is looked up to run),
        # then the path.
        self.ctx.check_trusted(f"presets.{preset or self.settings.workspace.default_preset}")
        self.ctx.check_trusted(WORKTREE_ROOT)
        return self.lifecycle.spawn(name, preset, base, prompt, budget_usd)

    def kill(self, name: str, discard: bool = False) -> KillReport:
        return self.lifecycle.kill(name, discard)

    def kill_preview(self, name: str) -> UnsavedWork:
        return self.lifecycle.kill_preview(name)

    def pause(self, name: str) -> Agent:
        return self.lifecycle.pause(name)

    def resume(self, name: str) -> Agent:
        return self.lifecycle.resume(name)

    def restart(self, name: str) -> Agent:
        return self.lifecycle.restart(name)

    def attach_command(self, name: str) -> tuple[list[str], dict[str, str]]:
        return self.lifecycle.attach_command(name)

    def run_attached(self, name: str) -> int:
        return self.lifecycle.run_attached(name)

    def is_running(self, agent: Agent) -> bool:
        """The agent's tmux pane exists (alive or dead)."""
        return self.ctx.pane(agent) is not None

    # -- messages -------------------------------------------------------------------------

    def send(self, name: str, text: str, submit: bool = True) -> Cleaned:
        """Returns the message as typed and what cleaning changed (Cleaned.summary)."""
        return self.messenger.send(name, text, submit)

    def send_many(self, names: list[str], text: str) -> list[SendResult]:
        return self.messenger.send_many(names, text)

    def type_keys(self, name: str, keys: list[str], literal: str = "") -> None:
        self.messenger.type_keys(name, keys, literal)

    def interrupt(self, name: str) -> None:
        self.messenger.interrupt(name)

    def approve(self, name: str, always: bool = False) -> None:
        self.messenger.approve(name, always)

    def deny(self, name: str) -> None:
        self.messenger.deny(name)

    # -- polling and reconciling ----------------------------------------------------------

    def refresh(self, capture_all: bool = False) -> Snapshot:
        return self.poller.refresh(capture_all)

    def preview_screen(self, agent_id: str) -> str:
        return self.poller.preview_screen(agent_id)

    def pane_history(self, agent_id: str, lines: int = 2000) -> str:
        """The agent's last `lines` lines of scrollback and its screen (for scrolling back)."""
        return self.poller.pane_history(agent_id, lines)

    def pending_prompt(self, name: str) -> str:
        return self.poller.pending_prompt(name)

    def budget_of(self, agent: Agent) -> float | None:
        return self.poller.budget_of(agent)

    def update_diff(self, agent: Agent) -> DiffStat:
        return self.poller.update_diff(agent)

    def update_diffs(self, names: list[str] | None = None) -> None:
        self.poller.update_diffs(names)

    def burn_rate(self, agent_id: str, minutes: int = 30) -> list[float]:
        """Tokens per minute over the last `minutes`, oldest first (the detail sparkline)."""
        now = time.time()
        start = now - minutes * 60
        buckets = [0.0] * minutes
        for at, total, _ in self.ctx.store.usage_series(agent_id, start):
            index = min(int((at - start) // 60), minutes - 1)
            if index >= 0:
                buckets[index] += total
        return buckets

    def reconcile(self) -> ReconcileReport:
        return self.reconciler.reconcile()

    def leftovers(self) -> list[WorktreeRecord]:
        return self.reconciler.leftovers()

    def cleanup(self, path: str, discard: bool = False) -> str:
        return self.reconciler.cleanup(path, discard)

    def orphans(self) -> list[str]:
        """Names of agents that run in the private server with no row in the state (it was
        lost or set aside): `adopt` brings them back."""
        return [o.name for o in self.adopter.orphans()]

    def adopt(self, names: list[str] | None = None, preset: str | None = None
              ) -> list[Adopted]:
        """Give agents that no row owns their rows back: the named ones (a running session
        or a leftover worktree), or every running one."""
        return self.adopter.adopt(list(names or []), preset)

    def unknown_sessions(self) -> list[str]:
        return self.reconciler.unknown_sessions()

    def kill_unknown_session(self, session: str) -> None:
        self.reconciler.kill_unknown_session(session)

    # -- what a front end shows -----------------------------------------------------------

    def theme_files(self) -> tuple[list[ThemeFile], list[str]]:
        return theme_files()

    def suggest_name(self, preset: str, task: str = "") -> str:
        return suggest_name(preset, [a.name for a in self.agents()], task)

    def branch_names(self) -> list[str]:
        return self.ctx.repo.branch_names()

    def default_base(self) -> str:
        return self.ctx.repo.current_branch() or ""

    def preset_names(self) -> list[str]:
        return [p.name for p in self.ctx.settings.presets]

    def preset_problems(self) -> dict[str, str]:
        """Preset name -> why it cannot be spawned now (its CLI is not installed, or the
        repository's config that defines it waits for trust), for the spawn form."""
        problems: dict[str, str] = {}
        for name in self.preset_names():
            try:
                self.ctx.check_trusted(f"presets.{name}")
                self.lifecycle.resolve_command(name)
            except UsageError as exc:
                problems[name] = str(exc)
        return problems

    def watch_changes(self, agents: list[Agent], stop: threading.Event) -> Iterator[set[str]]:
        return self.review.watch_changes(agents, stop)

    # -- review ---------------------------------------------------------------------------

    def diff(self, name: str, mode: str = BRANCH) -> Diff:
        return self.review.diff(name, mode)

    def radar(self, changed: Collection[str] | None = None) -> Radar:
        return self.review.radar(changed)

    def conflicts_with_base(self, name: str) -> MergeTreeResult:
        return self.review.conflicts_with_base(name)

    def ask_to_rebase(self, name: str) -> str:
        return self.review.ask_to_rebase(name)

    # -- merge ----------------------------------------------------------------------------

    def check_merge(self, name: str, strategy: str | None = None,
                    commit_wip: bool = False) -> MergeCheck:
        return self.planner.check(name, strategy, commit_wip)

    def merge(self, name: str, *, strategy: str | None = None, gate: bool = True,
              cleanup: bool | None = None, message: str | None = None,
              commit_wip: bool = False, wait: float = DEFAULT_LOCK_WAIT,
              on_step: StepCallback | None = None) -> MergeResult:
        self._refuse_judges(name)
        if gate:
            self.ctx.check_trusted(GATE)
        return self.merger.merge(name, strategy=strategy, gate=gate, cleanup=cleanup,
                                 message=message, commit_wip=commit_wip, wait=wait,
                                 on_step=on_step)

    def _refuse_judges(self, name: str) -> None:
        """A task's judge never changes base: not from its own shell, not its own branch."""
        refuse_judge("merge")
        if self.ctx.store.launch_of(self.ctx.agent(name).id).get("role") == JUDGE:
            raise UsageError(f"{name} is a task's judge: its branch is never merged")

    def cleanup_merged(self, name: str) -> CleanupReport:
        return self.merger.cleanup_merged(name)

    def queue_state(self) -> QueueState:
        return self.queue.state()

    def ready_to_merge(self, commit_wip: bool = False) -> list[str]:
        return self.queue.ready(commit_wip)

    def merge_queue(self, names: list[str], *, strategy: str | None = None, gate: bool = True,
                    cleanup: bool | None = None, commit_wip: bool = False,
                    wait: float = DEFAULT_LOCK_WAIT,
                    on_progress: Callable[[QueueState], None] | None = None) -> QueueReport:
        for name in names:
            self._refuse_judges(name)
        if gate:
            self.ctx.check_trusted(GATE)
        return self.queue.run(names, strategy=strategy, gate=gate, cleanup=cleanup,
                              commit_wip=commit_wip, wait=wait, on_progress=on_progress)

    # -- trust in the repository's own config ---------------------------------------------

    def trust_notice(self) -> RepoTrust | None:
        """The repository's `.workspace.toml` when some of it waits for the person's trust
        (what it would run: `lines()`, `summary()`), else None. A front end shows it once and
        offers `trust_repo_config(notice.digest)`. Reads the config again: the file may have
        changed since the workspace opened (then the settings follow it too)."""
        self.ctx.reload_settings()
        trust = self.ctx.repo_trust
        return trust if trust is not None and trust.needs_trust else None

    def trust_repo_config(self, sha256: str) -> RepoTrust:
        """Trust the repository's file as shown (its digest `sha256`; a file changed since is
        refused) and use all of it from now on."""
        return self.ctx.trust_repo_config(sha256)

    def revoke_repo_trust(self) -> bool:
        """Stop trusting the repository's file; False if it was not trusted."""
        return self.ctx.revoke_repo_trust()

    # -- pull requests --------------------------------------------------------------------

    def pr_plan(self, name: str, remote: str | None = None, title: str | None = None,
                body: str | None = None, draft: bool = False) -> PrPlan:
        return self.pulls.plan(name, remote, title, body, draft)

    def pr_problem(self) -> str:
        return self.pulls.problem()

    def create_pr(self, name: str, remote: str | None = None, title: str | None = None,
                  body: str | None = None, draft: bool = False) -> PrResult:
        return self.pulls.create(name, remote, title, body, draft)

    # -- tasks ----------------------------------------------------------------------------

    def tasks(self, state: TaskState | None = None) -> list[Task]:
        return self.board.all(state)

    def task(self, task_id: str) -> Task:
        return self.board.get(task_id)

    def add_task(self, spec: TaskSpec, created_by: str | None = None) -> Task:
        return self.board.add(spec, created_by=created_by)

    def edit_task(self, task_id: str, spec: TaskSpec) -> Task:
        return self.board.edit(task_id, spec)

    def import_tasks(self, path: Path) -> list[Task]:
        return self.board.import_file(path)

    def cancel_task(self, task_id: str) -> Task:
        return self.board.cancel(task_id)

    def retry_task(self, task_id: str) -> Task:
        return self.board.retry(task_id)

    def approve_task(self, task_id: str) -> Task:
        """A proposed task may run; a task in review merges (now, unless the autopilot runs:
        then the autopilot merges it at its next look)."""
        task = self.board.approve(task_id)
        if task.state == TaskState.MERGING and not self.pilot.status().running:
            return self.new_autopilot().merge_now(task)
        return task

    def report_done(self, task_id: str | None) -> Task:
        return self.board.report_done(task_id)

    def report_fail(self, task_id: str | None, reason: str) -> Task:
        return self.board.report_fail(task_id, reason)

    def give_verdict(self, task_id: str | None, verdict: str, reason: str) -> Task:
        return self.board.verdict(task_id, verdict, reason)

    def delete_task(self, task_id: str) -> None:
        self.board.delete(task_id)

    # -- plans ----------------------------------------------------------------------------

    def start_plan(self, goal: str, preset: str | None = None) -> Plan:
        return self.planning.create(goal, preset)

    def plans(self) -> list[PlanView]:
        return self.planning.views()

    def plan(self, plan_id: str) -> PlanView:
        return self.planning.view(plan_id)

    def approve_plan(self, plan_id: str, auto_subplans: bool = False) -> PlanView:
        return self.planning.approve(plan_id, auto_subplans)

    def cancel_plan(self, plan_id: str) -> PlanView:
        return self.planning.cancel(plan_id)

    def ask_planner(self, plan_id: str, text: str) -> None:
        self.planning.ask(plan_id, text)

    def task_events(self, task_id: str) -> list[tuple[int, str, float, str, str]]:
        return self.ctx.store.tasks.events(self.board.get(task_id).id)

    # -- the autopilot --------------------------------------------------------------------

    def run_autopilot(self, until_done: bool = False, stop: threading.Event | None = None,
                      say: Callable[[str], None] | None = None) -> None:
        self.pilot.run(until_done, stop, say)

    def start_autopilot(self) -> AutopilotStatus:
        return self.pilot.start()

    def stop_autopilot(self) -> bool:
        return self.pilot.stop()

    def autopilot_status(self) -> AutopilotStatus:
        return self.pilot.status()


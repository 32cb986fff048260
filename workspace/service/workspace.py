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
    spending    usage and cost, ended agents' too               (usage.py)
    fleet       several agents at once: spawn, plans, `ls`      (fleet.py)

Parts past the first four are made on first use (_parts.py), so a verb imports only its own.
Each method only hands over to the part that owns it; those on tasks, plans and the autopilot
are in tasks/front.py (inherited)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from workspace.adapters.repo_trust import WORKTREE_ROOT
from workspace.core.agent import Agent, DiffStat
from workspace.core.errors import UsageError
from workspace.core.names import suggest_name
from workspace.core.settings import Settings
from workspace.service import _parts
from workspace.service._parts import Part
from workspace.service.agents import Agents
from workspace.service.context import Context
from workspace.service.messaging import Messenger
from workspace.service.poller import Poller, Snapshot
from workspace.service.reconcile import Reconciler
from workspace.service.tasks.front import TaskVerbs

if TYPE_CHECKING:
    from workspace.adapters.git import UnsavedWork
    from workspace.adapters.repo_trust import RepoTrust
    from workspace.adapters.store import WorktreeRecord
    from workspace.adapters.themes import ThemeFile
    from workspace.core.review.diff import Diff
    from workspace.core.review.mergetree import MergeTreeResult
    from workspace.core.review.queue import QueueState
    from workspace.core.review.radar import Radar
    from workspace.core.text import Cleaned
    from workspace.core.usage import UsageSummary
    from workspace.service.adopt import Adopted
    from workspace.service.fleet import SpawnOutcome
    from workspace.service.merge import CleanupReport, MergeCheck, MergeResult, QueueReport
    from workspace.service.merge.apply import StepCallback
    from workspace.service.messaging import SendResult
    from workspace.service.pulls import PrPlan, PrResult
    from workspace.service.reconcile import ReconcileReport
    from workspace.service.tasks.autopilot import Autopilot
    from workspace.service.usage import UsageReport
    from workspace.service.worktrees import KillReport


class Workspace(TaskVerbs):
    """Open with `Workspace.open(cwd)`. Methods raise UsageError for mistakes a person can fix;
    every method may run in a worker thread."""

    # Made on first use (_parts.py): a CLI verb needs a few of them, and importing every
    # part (merges, reviews with watchfiles, tasks, the autopilot) cost each verb ~40 ms.
    adopter = Part(_parts.adopter)
    review = Part(_parts.review)
    planner = Part(_parts.planner)
    merger = Part(_parts.merger)
    queue = Part(_parts.queue)
    pulls = Part(_parts.pulls)
    board = Part(_parts.board)
    pilot = Part(_parts.pilot)
    planning = Part(_parts.planning)
    fleet = Part(_parts.fleet)
    spending = Part(_parts.spending)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        """The shared context (the adapters): for the service's parts and for tests. The UI
        and the CLI call the methods below instead."""
        self.lifecycle = Agents(ctx)
        self.messenger = Messenger(ctx)
        self.poller = Poller(ctx, self.lifecycle, self.messenger)
        self.reconciler = Reconciler(ctx, self.poller)
        self.recovered: str | None = None
        """What opening did about a merge a killed process left half-made (one line)."""

    def new_autopilot(self) -> Autopilot:
        from workspace.service.tasks.autopilot import Autopilot

        return Autopilot(self.ctx, self.lifecycle, self.messenger, self.merger, self.review)

    @classmethod
    def open(cls, cwd: Path | None = None) -> Workspace:
        """Opening first finishes or undoes a merge a killed process left half-made (every
        command starts with base, the checkout and the statuses agreeing; a failed recovery
        stays for the next), then settles what an interrupted spawn left (reconcile.py)."""
        from workspace.service.merge.intent import IntentFile

        ws = cls(Context.open(cwd))
        if IntentFile(ws.ctx.state_dir).exists():  # one stat when no merge was left
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

    def spawn_many(self, wanted: list[tuple[str, str | None]], base: str | None = None,
                   prompt: str = "", budget_usd: float | None = None) -> list[SpawnOutcome]:
        """Several agents from one prompt, (name, preset) each (core/names.py spawn_names):
        every precondition is checked before the first is made (UsageError: nothing made);
        then each spawn stands alone, and one that fails says why in its outcome."""
        for _, preset in wanted:
            self.ctx.check_trusted(f"presets.{preset or self.settings.workspace.default_preset}")
        self.ctx.check_trusted(WORKTREE_ROOT)
        return self.fleet.spawn_many(wanted, base, prompt, budget_usd)

    def agent_plans(self) -> dict[str, str]:
        """Agent id -> the id of the plan it works for (core/filters.py `plan:`)."""
        return self.fleet.agent_plans()

    def listing(self, fresh: bool = False) -> Snapshot:
        """What `ls` shows: one tick, with diff statistics computed again only where they
        may have changed (`fresh`: everywhere) and worktrees and branches looked at."""
        return self.fleet.listing(fresh)

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

    def check_message(self, text: str) -> Cleaned:
        """The message as it would be sent; UsageError if it cannot be sent to anyone."""
        return self.messenger.check_message(text)

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

    def usage_summary(self) -> UsageSummary:
        """Today's and the whole workspace's usage and cost, killed agents' included."""
        return self.spending.summary()

    def usage(self, by: str = "day", since: str | None = None) -> UsageReport:
        """`workspace usage`: per day, preset, agent or task, since a date (YYYY-MM-DD)."""
        return self.spending.report(by, since)

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
        from workspace.adapters.themes import theme_files

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
        """Preset name -> why it cannot be spawned now, for the spawn form."""
        return self.fleet.preset_problems()

    def watch_changes(self, agents: list[Agent], stop: threading.Event) -> Iterator[set[str]]:
        return self.review.watch_changes(agents, stop)

    # -- review ---------------------------------------------------------------------------

    def diff(self, name: str, mode: str | None = None) -> Diff:
        """`mode`: core/review/diff.py BRANCH (the default) or WIP."""
        from workspace.core.review.diff import BRANCH

        return self.review.diff(name, mode or BRANCH)

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
              commit_wip: bool = False, wait: float | None = None,
              on_step: StepCallback | None = None) -> MergeResult:
        """`wait`: seconds to wait for another merge to finish (default: the merger's)."""
        from workspace.service.merge import DEFAULT_LOCK_WAIT
        from workspace.service.merge.refuse import guard_merge

        guard_merge(self.ctx, [name], gate)
        return self.merger.merge(name, strategy=strategy, gate=gate, cleanup=cleanup,
                                 message=message, commit_wip=commit_wip,
                                 wait=DEFAULT_LOCK_WAIT if wait is None else wait,
                                 on_step=on_step)

    def cleanup_merged(self, name: str) -> CleanupReport:
        return self.merger.cleanup_merged(name)

    def queue_state(self) -> QueueState:
        return self.queue.state()

    def queue_view(self) -> QueueState:
        """The merge queue with the tasks waiting to merge (`merge --queue`, the TUI)."""
        return self.queue.view()

    def ready_to_merge(self, commit_wip: bool = False) -> list[str]:
        return self.queue.ready(commit_wip)

    def merge_queue(self, names: list[str], *, strategy: str | None = None, gate: bool = True,
                    cleanup: bool | None = None, commit_wip: bool = False,
                    wait: float | None = None,
                    on_progress: Callable[[QueueState], None] | None = None,
                    batch: int | None = None) -> QueueReport:
        from workspace.service.merge import DEFAULT_LOCK_WAIT
        from workspace.service.merge.refuse import guard_merge

        guard_merge(self.ctx, names, gate)
        return self.queue.run(names, strategy=strategy, gate=gate, cleanup=cleanup,
                              commit_wip=commit_wip,
                              wait=DEFAULT_LOCK_WAIT if wait is None else wait,
                              on_progress=on_progress, batch=batch)

    # -- trust in the repository's own config, pull requests -------------------------------

    def trust_notice(self) -> RepoTrust | None:
        """The repository's `.workspace.toml` when some of it waits for trust (what it would
        run: `lines()`), else None; a front end offers `trust_repo_config(notice.digest)`.
        Reads the file again (it may have changed since opening; the settings follow)."""
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

    def pr_plan(self, name: str, remote: str | None = None, title: str | None = None,
                body: str | None = None, draft: bool = False) -> PrPlan:
        return self.pulls.plan(name, remote, title, body, draft)

    def pr_problem(self) -> str:
        return self.pulls.problem()

    def create_pr(self, name: str, remote: str | None = None, title: str | None = None,
                  body: str | None = None, draft: bool = False) -> PrResult:
        return self.pulls.create(name, remote, title, body, draft)

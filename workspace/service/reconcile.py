"""Making the stored picture agree with tmux and git after any crash or reboot, and the
worktrees and sessions that no agent owns (kept by a kill, left by a crash)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workspace.adapters import proc
from workspace.adapters.git import GitError
from workspace.adapters.store import WorktreeRecord
from workspace.adapters.tmux import PaneInfo
from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.core.format import plural
from workspace.service.agents import spawn_in_progress
from workspace.service.context import Context
from workspace.service.place import follow_moved_worktrees, unlinked_problem
from workspace.service.poller import Poller
from workspace.service.worktrees import check_unused, remove_worktree_and_branch


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
            out.append(f"cleared interrupted spawn{'s' if len(self.cleared) > 1 else ''}: "
                       f"{', '.join(self.cleared)}")
        if self.leftovers:
            out.append(
                f"{plural(len(self.leftovers), 'worktree')} made by workspace "
                f"{'has' if len(self.leftovers) == 1 else 'have'} no agent "
                "(press c, or 'workspace cleanup')"
            )
        if self.unknown_sessions:
            out.append(f"tmux sessions with no agent: {', '.join(self.unknown_sessions)} "
                       "('workspace adopt' brings back the agents among them)")
        return out


class Reconciler:
    def __init__(self, ctx: Context, poller: Poller) -> None:
        self.ctx = ctx
        self._poller = poller

    def reconcile(self) -> ReconcileReport:
        """Make the stored picture agree with tmux and git after any crash or reboot."""
        ctx, store = self.ctx, self.ctx.store
        adopted: list[str] = []
        crashed: list[str] = []
        cleared: list[str] = []
        by_session = {p.session: p for p in ctx.tmux.list_panes() or []}
        follow_moved_worktrees(ctx, store.agents())
        for agent in store.agents():
            pane = by_session.get(agent.session)
            if not agent.spawn_complete:
                outcome = self._settle_spawn(agent, pane)
                if outcome == "adopted":
                    adopted.append(agent.name)
                elif outcome == "crashed":
                    crashed.append(agent.name)
                elif outcome == "cleared":
                    cleared.append(agent.name)
                continue
            if pane is not None:
                if pane.pane_id != agent.pane_id:
                    store.update_agent(agent.id, pane_id=pane.pane_id)
                if not agent.status.ended:
                    adopted.append(agent.name)
            elif not agent.status.ended:
                crashed.append(agent.name)
        known = {a.session for a in store.agents()}
        # Sessions named _x are the workspace's own (the autopilot's), never an agent's.
        unknown = tuple(sorted(s for s in by_session if s not in known and s[:1] != "_"))
        self._poller.refresh(capture_all=True)
        return ReconcileReport(tuple(adopted), tuple(crashed), tuple(cleared),
                               tuple(self.leftovers()), unknown)

    def settle(self) -> list[str]:
        """What every command does first, cheaply (one query and a stat per agent when all
        is well): settle spawns that were interrupted (rows left `starting` whose spawn lock
        is free), and follow worktrees that git says have moved. Returns the names settled
        or followed."""
        ctx = self.ctx
        done = follow_moved_worktrees(ctx, ctx.store.agents())
        incomplete = [a for a in ctx.store.incomplete_agents()
                      if not spawn_in_progress(ctx.paths(a.id))]
        if incomplete:
            by_session = {p.session: p for p in ctx.tmux.list_panes() or []}
            for agent in incomplete:
                if self._settle_spawn(agent, by_session.get(agent.session)):
                    done.append(agent.name)
        return done

    def _settle_spawn(self, agent: Agent, pane: PaneInfo | None) -> str:
        """An incomplete row: 'adopted' if its session runs, 'crashed' if the spawn made
        something, 'cleared' if it made nothing; '' while its spawn is still under way."""
        ctx, store = self.ctx, self.ctx.store
        if spawn_in_progress(ctx.paths(agent.id)):
            return ""
        if pane is not None:
            store.update_agent(agent.id, pane_id=pane.pane_id, spawn_complete=1)
            return "adopted"
        if Path(agent.worktree).exists() or ctx.repo.branch_exists(agent.branch):
            # The spawn died half-way: keep the row, so what it made stays listed;
            # the person restarts or kills it (kill removes it safely).
            ctx.record(agent, "spawn_interrupted")
            store.update_agent(agent.id, spawn_complete=1)
            return "crashed"
        store.delete_agent(agent.id)
        store.forget_worktree(agent.worktree)
        return "cleared"

    def leftovers(self) -> list[WorktreeRecord]:
        """Worktrees this tool made that no agent owns (kept by a kill, or left by a crash)."""
        ctx = self.ctx
        owned = {a.worktree for a in ctx.store.agents()}
        found: dict[str, WorktreeRecord] = {}
        for record in ctx.store.worktrees():
            if record.path in owned:
                continue
            if Path(record.path).is_dir() or ctx.repo.branch_exists(record.branch):
                found[record.path] = record
            else:
                ctx.store.forget_worktree(record.path)
        prefix = ctx.settings.workspace.branch_prefix + "/"
        root = str(ctx.worktree_root())
        try:
            worktrees = ctx.repo.worktrees()
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
        ctx = self.ctx
        leftovers = self.leftovers()
        record = next((r for r in leftovers if r.path == path), None)
        if record is None:
            known = ", ".join(r.path for r in leftovers) or "none"
            raise UsageError(f"{path} is not a leftover worktree of this workspace; "
                             f"leftovers: {known}")
        worktree = Path(record.path)
        present = worktree if worktree.is_dir() else None
        if present is not None and not ctx.repo.is_linked_worktree(present):
            return f"kept {record.path}: {unlinked_problem(ctx, present, 'it')}"
        base = ctx.repo.current_branch() or "HEAD"
        try:
            unsaved = ctx.repo.unsaved_work(present, record.branch, base)
        except GitError as exc:
            raise UsageError(f"git cannot read {record.path} ({exc}); kept it") from None
        if not unsaved.empty and not discard:
            return (f"kept {record.path}: it holds {unsaved.describe()}; "
                    "use --discard to remove it (a recovery ref is saved first)")
        # Someone working in it (an agent whose row was lost, a shell): refused, in one line.
        check_unused(ctx, worktree)
        ref = None
        if not unsaved.empty or unsaved.in_base:
            ref = ctx.repo.save_recovery_ref(present, record.branch, record.agent_name)
        remove_worktree_and_branch(ctx, worktree, record.branch)
        tail = f"; recoverable from {ref}" if ref else ""
        return f"removed {record.path} and branch {record.branch}{tail}"

    def unknown_sessions(self) -> list[str]:
        known = {a.session for a in self.ctx.store.agents()}
        return sorted({p.session for p in self.ctx.tmux.list_panes() or []
                       if p.session[:1] != "_"} - known)

    def kill_unknown_session(self, session: str) -> None:
        known = {a.session for a in self.ctx.store.agents()}
        if session in known:
            raise UsageError(f"{session} belongs to an agent; kill the agent instead")
        pane = next((p for p in self.ctx.tmux.list_panes() or [] if p.session == session), None)
        proc.terminate(pane.pid if pane else None, "")
        self.ctx.tmux.kill_session(session)

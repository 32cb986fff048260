"""Spawn, kill, pause, resume and restart agents.

Spawn writes the agent's row first, then makes the worktree, then the tmux session, and marks
the row complete; on any failure it undoes what it made, so nothing is left half-made. A spawn
killed mid-way leaves a row that `reconcile` finishes or clears (see polling.py).
Kill never loses work: see `kill`.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from workspace.adapters import proc
from workspace.adapters.agents.base import AgentPaths, LaunchContext, LaunchPlan
from workspace.adapters.git import GitError, UnsavedWork
from workspace.adapters.tmux import TmuxError
from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError
from workspace.core.names import check_name
from workspace.core.status import PersonDid, initial_state, reduce
from workspace.service.base import WorkspaceBase

LAUNCHER = Path(__file__).resolve().parent.parent / "adapters" / "launch.py"
_NOT_INHERITED = frozenset({"TMUX", "TMUX_PANE", "COLUMNS", "LINES"})
"""Set by tmux for the agent's pane, or given by its terminal: the spawner's values would be
wrong there (a stale COLUMNS makes TUIs draw at the wrong size)."""
MAX_ARGV_PROMPT = 120_000
"""Bytes; a longer first prompt is pasted once the agent is ready (Linux caps one argument at
128 KiB)."""


@dataclass(frozen=True)
class KillReport:
    name: str
    worktree: str
    branch: str
    unsaved: UnsavedWork
    removed: bool
    """The worktree and branch were removed (nothing unsaved, or discarded)."""
    recovery_ref: str | None = None
    orphans_killed: int = 0

    def summary(self) -> str:
        if not self.removed:
            return (
                f"killed {self.name}; kept worktree {self.worktree} and branch {self.branch} "
                f"({self.unsaved.describe()} not on base)"
            )
        if self.recovery_ref:
            return (
                f"killed {self.name}; discarded {self.unsaved.describe()}, "
                f"recoverable from {self.recovery_ref}"
            )
        return f"killed {self.name}; removed its worktree and branch (nothing that is not on base)"


@contextmanager
def spawn_lock(paths: AgentPaths) -> Iterator[None]:
    """Held while a spawn is under way; the OS drops it if the process dies, so `reconcile`
    can tell a spawn in progress from one that was killed mid-way."""
    paths.dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.dir / "spawn.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def spawn_in_progress(paths: AgentPaths) -> bool:
    lock = paths.dir / "spawn.lock"
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


class LifecycleMixin(WorkspaceBase):
    def resolve_command(self, preset: str) -> str:
        spec = self.preset(preset)
        found = shutil.which(spec.command)
        if found is None:
            where = f"[presets.{spec.name}] command in your config"
            raise UsageError(
                f"{spec.command!r} for preset {spec.name!r} is not installed or not on PATH; "
                f"install it ({spec.install_hint}) or set {where}"
            )
        return found

    def check_spawn(self, name: str, preset: str | None, base: str | None) -> tuple[str, str]:
        """Every precondition of a spawn, before anything is made. Returns (base, base sha)."""
        check_name(name)
        self.resolve_command(preset or self.settings.workspace.default_preset)
        if self.store.agent_by_name(name) is not None:
            raise UsageError(f"an agent named {name!r} already exists; choose another name")
        if not self.repo.has_commits():
            raise UsageError(
                "the repository has no commits yet, so agents have no base; commit once "
                "(git commit --allow-empty -m 'initial commit') and retry"
            )
        if base is None:
            base = self.repo.current_branch()
            if base is None:
                raise UsageError(
                    f"the main checkout ({self.repo.top}) is on a detached HEAD; "
                    "pass --base BRANCH"
                )
        if not self.repo.branch_exists(base):
            raise UsageError(
                f"base branch {base!r} does not exist; pass --base with one of: "
                + ", ".join(self._branch_names()[:8])
            )
        base_sha = self.repo.rev(f"refs/heads/{base}")
        assert base_sha is not None
        branch = self.branch_for(name)
        if self.repo.branch_exists(branch):
            raise UsageError(
                f"branch {branch!r} already exists (left by an earlier agent?); choose another "
                "name, or clean it up first ('workspace cleanup')"
            )
        if not self.repo.check_branch_name(branch):
            raise UsageError(f"{branch!r} is not a valid branch name; change branch_prefix")
        worktree = self.worktree_root() / name
        if worktree.exists():
            raise UsageError(f"{worktree} already exists; choose another name or move it away")
        if self.tmux.has_session(name):
            raise UsageError(
                f"a tmux session named {name!r} already runs on the workspace server; "
                "choose another name"
            )
        return base, base_sha

    def _branch_names(self) -> list[str]:
        out = self.repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads/")
        return [b for b in out.splitlines() if b]

    def spawn(
        self,
        name: str,
        preset: str | None = None,
        base: str | None = None,
        prompt: str = "",
        budget_usd: float | None = None,
    ) -> Agent:
        """Create the worktree, branch and tmux session of a new agent and start it. Returns
        once the session exists; a first prompt that cannot go on the command line is typed in
        by the poller when the agent is ready."""
        with self._lock:
            preset = preset or self.settings.workspace.default_preset
            base, base_sha = self.check_spawn(name, preset, base)
            spec = self.preset(preset)
            integ = self.integration(preset)
            agent = Agent(
                id=uuid.uuid4().hex[:12],
                name=name,
                preset=spec.name,
                branch=self.branch_for(name),
                base=base,
                base_sha=base_sha,
                worktree=str(self.worktree_root() / name),
                session=name,
                created_at=time.time(),
                task=prompt,
                budget_usd=budget_usd,
                spawn_complete=False,
            )
            paths = self.paths(agent.id)
            with spawn_lock(paths):
                self.store.insert_agent(agent, initial_state(agent.created_at), {})
                made_worktree = False
                try:
                    # Recorded before it exists: if this process dies inside `git worktree add`,
                    # what git leaves is still known to be ours.
                    self.store.record_worktree(agent.worktree, agent.branch, name)
                    made_worktree = True
                    self.repo.add_worktree(Path(agent.worktree), agent.branch, base_sha)
                    on_argv = len(prompt.encode()) <= MAX_ARGV_PROMPT
                    ctx = LaunchContext(agent.id, name, Path(agent.worktree), paths, spec,
                                        prompt if on_argv else "")
                    plan = integ.launch(ctx)
                    pane_id = self._start_session(agent, plan, paths, spec.install_hint)
                    pending = "" if plan.prompt_on_argv else prompt
                    self.store.update_agent(
                        agent.id,
                        pane_id=pane_id,
                        session_id=plan.session_id,
                        spawn_complete=1,
                        launch={"pending_prompt": pending, "argv": plan.argv},
                    )
                except BaseException as exc:
                    self._undo_spawn(agent, made_worktree)
                    if isinstance(exc, GitError | TmuxError):
                        raise UsageError(f"could not spawn {name!r}: {exc}") from None
                    raise
        return self.agent(name)

    def _start_session(self, agent: Agent, plan: LaunchPlan, paths: AgentPaths,
                       install_hint: str) -> str:
        env = self._session_env(agent)
        self._write_launch_spec(paths, plan, agent.worktree, env, install_hint)
        argv = [sys.executable, "-I", "-S", str(LAUNCHER), str(paths.launch_spec)]
        return self.tmux.new_session(agent.session, agent.worktree, argv, env, self.window_size())

    def _session_env(self, agent: Agent) -> dict[str, str]:
        return {
            proc.ENV_MARK: agent.id,
            "WORKSPACE_AGENT": agent.name,
            "WORKSPACE_STATE_DIR": str(self.state_dir),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }

    @staticmethod
    def _write_launch_spec(paths: AgentPaths, plan: LaunchPlan, cwd: str, env: dict[str, str],
                           install_hint: str) -> None:
        """The agent gets the environment of the process that spawns it (the person's shell,
        through the CLI or the TUI), not the long-lived tmux server's. The launcher deletes
        this file once read: it may hold secrets."""
        paths.dir.mkdir(parents=True, exist_ok=True)
        inherited = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
        paths.exit_status.unlink(missing_ok=True)  # a relaunch starts without an ending
        spec = {"argv": plan.argv, "env": {**inherited, **env, **plan.env}, "cwd": cwd,
                "install_hint": install_hint, "exit_file": str(paths.exit_status)}
        tmp = paths.launch_spec.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(spec, handle)
        tmp.replace(paths.launch_spec)

    def _undo_spawn(self, agent: Agent, made_worktree: bool) -> None:
        """Remove what a failed spawn made. Keeps anything that holds work (it cannot, this
        early, but the rule holds everywhere)."""
        try:
            pane = self.pane(agent)
            proc.terminate(pane.pid if pane else None, agent.id, grace=1.0)
            self.tmux.kill_session(agent.session)
        except TmuxError:
            pass
        if made_worktree:
            worktree = Path(agent.worktree)
            unsaved = self.repo.unsaved_work(worktree if worktree.is_dir() else None,
                                             agent.branch, agent.base)
            if unsaved.empty:
                try:
                    self.repo.remove_worktree(worktree)
                    if self.repo.branch_exists(agent.branch):
                        self.repo.delete_branch(agent.branch)
                    self.store.forget_worktree(agent.worktree)
                except GitError:
                    pass
        self.store.delete_agent(agent.id)
        shutil.rmtree(self.paths(agent.id).dir, ignore_errors=True)

    # -- kill ---------------------------------------------------------------------------

    def kill_preview(self, name: str) -> UnsavedWork:
        """What `kill --discard` would throw away (the TUI's confirm shows it)."""
        agent = self.agent(name)
        return self.repo.unsaved_work(Path(agent.worktree), agent.branch, agent.base)

    def kill(self, name: str, discard: bool = False) -> KillReport:
        """End the agent's whole process tree and its session. Its worktree and branch are
        removed only if they hold nothing that is not on base, or if `discard` is set, and
        then only after a recovery ref keeps what they held."""
        with self._lock:
            agent = self.agent(name)
            pane = self.pane(agent)
            stubborn = proc.terminate(pane.pid if pane else None, agent.id)
            self.tmux.kill_session(agent.session)
            report = self._release_worktree(agent, discard)
            self.integration(agent.preset).cleanup(agent, report.removed)
            self.store.delete_agent(agent.id)
            shutil.rmtree(self.paths(agent.id).dir, ignore_errors=True)
            return replace(report, orphans_killed=len(stubborn))

    def _release_worktree(self, agent: Agent, discard: bool) -> KillReport:
        worktree = Path(agent.worktree)
        unsaved = self.repo.unsaved_work(worktree, agent.branch, agent.base)
        ours = self.store.is_known_worktree(agent.worktree)
        if not unsaved.empty and not discard:
            return KillReport(agent.name, agent.worktree, agent.branch, unsaved, removed=False)
        if worktree.exists() and not (ours and self.repo.is_linked_worktree(worktree)):
            # Not a worktree this tool made: never remove it.
            return KillReport(agent.name, agent.worktree, agent.branch, unsaved, removed=False)
        ref = None
        if not unsaved.empty:
            ref = self.repo.save_recovery_ref(worktree, agent.branch, agent.name)
            if ref is None:
                raise UsageError(f"could not save a recovery ref for {agent.name}; kept its work")
        self.repo.remove_worktree(worktree)
        if self.repo.branch_exists(agent.branch):
            self.repo.delete_branch(agent.branch)
        self.store.forget_worktree(agent.worktree)
        return KillReport(agent.name, agent.worktree, agent.branch, unsaved, True, ref)

    # -- pause / resume / restart -------------------------------------------------------

    def _record(self, agent: Agent, action: str, detail: str = "") -> None:
        state = self.store.state_of(agent.id) or initial_state(time.time())
        now = time.time()
        new = reduce(state, [PersonDid(now, action, detail)], now, self.policy(agent.preset))
        self.store.set_state(agent.id, new)

    def _running_pane(self, agent: Agent, verb: str) -> int:
        if agent.status.ended:
            raise UsageError(
                f"{agent.name} has {agent.status.value}; nothing to {verb} "
                f"(restart it with 'workspace restart {agent.name}')"
            )
        pane = self.pane(agent)
        if pane is None or pane.dead:
            raise UsageError(f"{agent.name}'s process is not running; nothing to {verb}")
        return pane.pid

    def pause(self, name: str, detail: str = "") -> Agent:
        agent = self.agent(name)
        if agent.status == Status.PAUSED:
            raise UsageError(f"{name} is already paused; resume it with 'workspace resume {name}'")
        pid = self._running_pane(agent, "pause")
        proc.pause(pid, agent.id)
        self._record(agent, "paused", detail)
        return self.agent(name)

    def resume(self, name: str) -> Agent:
        agent = self.agent(name)
        if agent.status != Status.PAUSED:
            raise UsageError(f"{name} is not paused (it is {agent.status.value})")
        pid = self._running_pane(agent, "resume")
        proc.resume(pid, agent.id)
        if agent.status_reason.startswith("budget"):
            # Resuming past the budget is the person's call: lift it for this agent.
            self.store.update_agent(agent.id, budget_usd=0.0)
        self._record(agent, "resumed")
        return self.agent(name)

    def restart(self, name: str) -> Agent:
        """Relaunch an exited or crashed agent in its worktree, resuming the CLI's own session
        where the CLI can."""
        with self._lock:
            agent = self.agent(name)
            if not agent.status.ended or agent.status == Status.MERGED:
                raise UsageError(
                    f"{name} is {agent.status.value}; only an exited or crashed agent can be "
                    "restarted"
                )
            if not Path(agent.worktree).is_dir():
                raise UsageError(
                    f"{name}'s worktree {agent.worktree} is gone; kill the agent and spawn anew"
                )
            spec = self.preset(agent.preset)
            integ = self.integration(agent.preset)
            paths = self.paths(agent.id)
            ctx = LaunchContext(agent.id, name, Path(agent.worktree), paths, spec, "",
                                agent.session_id)
            plan = integ.resume(ctx) if integ.resumable else integ.launch(ctx)
            env = self._session_env(agent)
            pane = self.pane(agent)
            if pane is not None:
                self._write_launch_spec(paths, plan, agent.worktree, env, spec.install_hint)
                argv = [sys.executable, "-I", "-S", str(LAUNCHER), str(paths.launch_spec)]
                self.tmux.respawn(pane.pane_id, agent.worktree, argv, env)
                pane_id = pane.pane_id
            else:
                pane_id = self._start_session(agent, plan, paths, spec.install_hint)
            self.store.update_agent(agent.id, pane_id=pane_id,
                                    session_id=plan.session_id or agent.session_id)
            self._record(agent, "restarted")
            return self.agent(name)

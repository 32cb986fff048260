"""Agents' lives: spawn, kill, pause, resume, restart, attach.

Spawn writes the agent's row first, then makes the worktree (and prepares it: setup.py), then
the tmux session, and marks the row complete; on any failure it undoes what it made, so nothing
is left half-made. A spawn killed mid-way leaves a row that the reconciler finishes or clears
(reconcile.py). Kill never loses work: see `kill`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path

from workspace.adapters import proc
from workspace.adapters.agents.base import AgentPaths, LaunchContext, LaunchPlan
from workspace.adapters.files import hold_lock, is_locked
from workspace.adapters.git import GitError, UnsavedWork
from workspace.adapters.launch_spec import write_launch_spec
from workspace.adapters.tmux import TmuxError
from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError
from workspace.core.names import check_name
from workspace.core.settings import PresetSpec
from workspace.core.status import initial_state
from workspace.service.context import Context
from workspace.service.identity import write_identity
from workspace.service.place import note_place, unlinked_problem
from workspace.service.setup import SetupFailed, check_setup_trusted, prepare
from workspace.service.worktrees import KillReport, release_worktree, try_remove

MAX_ARGV_PROMPT = 120_000
"""Bytes; a longer first prompt is pasted once the agent is ready (Linux: 128 KiB an arg)."""
SPAWN_LOCK = "spawn.lock"


def spawn_in_progress(paths: AgentPaths) -> bool:
    """A spawn holds its agent's lock while under way; the OS drops it if the process dies,
    so a spawn in progress can be told from one that was killed mid-way."""
    return is_locked(paths.dir / SPAWN_LOCK)


class Agents:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- spawn ----------------------------------------------------------------------------

    def resolve_command(self, preset: str) -> str:
        spec = self.ctx.preset(preset)
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
        try:
            return self._check_spawn(name, preset, base)
        except UsageError:
            # Another spawn of this name may have got its row in while these ran: its branch
            # or session is no "earlier agent's" leftover, it is that agent.
            if self.ctx.store.agent_by_name(name) is not None:
                raise self._taken(name) from None
            raise

    @staticmethod
    def _taken(name: str) -> UsageError:
        return UsageError(f"an agent named {name!r} already exists; choose another name")

    def _check_spawn(self, name: str, preset: str | None, base: str | None) -> tuple[str, str]:
        ctx, repo = self.ctx, self.ctx.repo
        check_name(name)
        self.resolve_command(preset or ctx.settings.workspace.default_preset)
        check_setup_trusted(ctx)
        if ctx.store.agent_by_name(name) is not None:
            raise self._taken(name)
        if not repo.has_commits():
            raise UsageError(
                "the repository has no commits yet, so agents have no base; commit once "
                "(git commit --allow-empty -m 'initial commit') and retry"
            )
        if base is None:
            base = repo.current_branch()
            if base is None:
                raise UsageError(
                    f"the main checkout ({repo.top}) is on a detached HEAD; pass --base BRANCH"
                )
        if not repo.branch_exists(base):
            raise UsageError(
                f"base branch {base!r} does not exist; pass --base with one of: "
                + ", ".join(repo.branch_names()[:8])
            )
        base_sha = repo.rev(f"refs/heads/{base}")
        assert base_sha is not None
        branch = ctx.branch_for(name)
        if repo.branch_exists(branch):
            raise UsageError(
                f"branch {branch!r} already exists (left by an earlier agent?); choose another "
                "name, or clean it up first ('workspace cleanup')"
            )
        if not repo.check_branch_name(branch):
            raise UsageError(f"{branch!r} is not a valid branch name; change branch_prefix")
        worktree = ctx.worktree_root() / name
        if worktree.exists():
            raise UsageError(f"{worktree} already exists; choose another name or move it away")
        if ctx.tmux.has_session(name):
            raise UsageError(
                f"a tmux session named {name!r} already runs on the workspace server (an "
                f"agent whose row was lost? 'workspace adopt {name}'); choose another name"
            )
        return base, base_sha

    def spawn(self, name: str, preset: str | None = None, base: str | None = None,
              prompt: str = "", budget_usd: float | None = None, task_id: str | None = None,
              unattended: bool = False, start_at: str | None = None, role: str = "",
              env: dict[str, str] | None = None) -> Agent:
        """Create the worktree, branch and tmux session of a new agent and start it. Returns
        once the session exists; a first prompt that cannot go on the command line is typed in
        by the poller when the agent is ready. `task_id`: the task it works on (the autopilot's
        agents); `unattended`: with the preset's own unattended flags (tasks that opt in);
        `start_at`: the commit its branch starts at (default: base's tip); `role`: "judge" for
        a task's reviewer, whose branch is never merged; `env`: more of its environment
        (WORKSPACE_PLAN for a plan's planners and workers)."""
        import uuid  # only a spawn needs it (it imports `platform`: each verb would pay)

        ctx = self.ctx
        with ctx.lock:
            preset = preset or ctx.settings.workspace.default_preset
            base, base_sha = self.check_spawn(name, preset, base)
            spec = ctx.preset(preset)
            agent = Agent(
                id=uuid.uuid4().hex[:12], name=name, preset=spec.name,
                branch=ctx.branch_for(name), base=base, base_sha=base_sha,
                worktree=str(ctx.worktree_root() / name), session=name,
                created_at=time.time(), task=prompt, budget_usd=budget_usd,
                spawn_complete=False, task_id=task_id,
            )
            paths = ctx.paths(agent.id)
            with hold_lock(paths.dir / SPAWN_LOCK):
                try:
                    # The row decides between two spawns of one name at once.
                    ctx.store.insert_agent(agent, initial_state(agent.created_at),
                                           {"role": role, "env": env or {}})
                except UsageError:
                    shutil.rmtree(paths.dir, ignore_errors=True)
                    raise
                made_worktree = False
                try:
                    write_identity(paths, agent)
                    # Recorded before it exists: if this process dies inside `git worktree add`,
                    # what git leaves is still known to be ours.
                    ctx.store.record_worktree(agent.worktree, agent.branch, name)
                    made_worktree = True
                    ctx.repo.add_worktree(Path(agent.worktree), agent.branch,
                                          start_at or base_sha)
                    submodules = prepare(ctx, agent)  # submodules first, then setup.py's
                    on_argv = len(prompt.encode()) <= MAX_ARGV_PROMPT
                    launch = LaunchContext(agent.id, name, Path(agent.worktree), paths, spec,
                                           prompt if on_argv else "")
                    plan = self._unattended(ctx.integration(preset).launch(launch), spec,
                                            unattended)
                    pane_id = self._start_session(agent, plan)
                    ctx.store.update_agent(
                        agent.id, pane_id=pane_id, session_id=plan.session_id,
                        spawn_complete=1,
                        launch={"pending_prompt": "" if plan.prompt_on_argv else prompt,
                                "argv": plan.argv, "unattended": unattended, "role": role,
                                "env": env or {}},
                    )
                except BaseException as exc:
                    self._undo_spawn(agent, made_worktree, isinstance(exc, SetupFailed))
                    if isinstance(exc, GitError | TmuxError):
                        raise UsageError(f"could not spawn {name!r}: {exc}") from None
                    raise
            if submodules:
                # The agent runs all the same; its row says what is missing, and how to fix it.
                note_place(ctx, ctx.agent(name), f"submodules not initialised ({submodules}); "
                           f"run: git -C {agent.worktree} submodule update --init --recursive")
        return ctx.agent(name)

    @staticmethod
    def _unattended(plan: LaunchPlan, spec: PresetSpec, unattended: bool) -> LaunchPlan:
        """The preset's unattended flags go right after the command, before its prompt."""
        if not unattended or not spec.unattended_args:
            return plan
        return replace(plan, argv=[plan.argv[0], *spec.unattended_args, *plan.argv[1:]])

    def _pane_command(self, agent: Agent, plan: LaunchPlan) -> list[str]:
        spec = self.ctx.preset(agent.preset)
        return write_launch_spec(self.ctx.paths(agent.id), plan.argv,
                                 {**self._session_env(agent), **plan.env}, agent.worktree,
                                 spec.install_hint)

    def _start_session(self, agent: Agent, plan: LaunchPlan) -> str:
        argv = self._pane_command(agent, plan)
        return self.ctx.tmux.new_session(agent.session, agent.worktree, argv,
                                         self._session_env(agent), self.ctx.window_size())

    def _session_env(self, agent: Agent) -> dict[str, str]:
        env = {
            proc.ENV_MARK: agent.id,
            "WORKSPACE_AGENT": agent.name,
            "WORKSPACE_STATE_DIR": str(self.ctx.state_dir),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
        launch = self.ctx.store.launch_of(agent.id)
        extra = launch.get("env")
        if isinstance(extra, dict):
            env.update({str(k): str(v) for k, v in extra.items()})
        role = launch.get("role")
        if isinstance(role, str) and role:
            env["WORKSPACE_ROLE"] = role  # the CLI refuses a judge's merges and approvals
        if agent.task_id:
            # The agent reports on its task through the CLI (workspace task done/fail) and
            # may keep notes for its next attempt outside its worktree.
            env["WORKSPACE_TASK"] = agent.task_id
            env["WORKSPACE_PROGRESS"] = str(self.ctx.progress_file(agent.task_id))
        return env

    def _undo_spawn(self, agent: Agent, made_worktree: bool, setup_failed: bool = False) -> None:
        """Remove what a failed spawn made, keeping anything that holds work; what a failed
        setup left (no agent ran there yet) is kept at a recovery ref, its worktree goes."""
        ctx = self.ctx
        try:
            pane = ctx.pane(agent)
            proc.terminate(pane.pid if pane else None, agent.id, grace=1.0)
            ctx.tmux.kill_session(agent.session)
        except TmuxError:
            pass
        if made_worktree:
            worktree = Path(agent.worktree)
            unsaved = ctx.repo.unsaved_work(worktree if worktree.is_dir() else None,
                                            agent.branch, agent.base)
            if setup_failed and not unsaved.empty:
                ctx.repo.save_recovery_ref(worktree, agent.branch, f"{agent.name}-setup")
            if unsaved.empty or setup_failed:
                try_remove(ctx, worktree, agent.branch, agent.id)
        ctx.store.delete_agent(agent.id)
        shutil.rmtree(ctx.paths(agent.id).dir, ignore_errors=True)

    # -- kill -----------------------------------------------------------------------------

    def kill_preview(self, name: str) -> UnsavedWork:
        """What `kill --discard` would throw away (the TUI's confirm shows it)."""
        agent = self.ctx.agent(name)
        return self.ctx.repo.unsaved_work(Path(agent.worktree), agent.branch, agent.base)

    def kill(self, name: str, discard: bool = False) -> KillReport:
        """End the agent's whole process tree and its session. Its worktree and branch are
        removed only if they hold nothing that is not on base (by history or by content),
        or if `discard` is set, and then only after a recovery ref keeps what they held;
        never while someone works in the worktree, nor when a move cut it off."""
        ctx = self.ctx
        with ctx.lock:
            agent = ctx.agent(name)
            ctx.store.notices.hold(agent.id)  # its end is the person's doing: no "crashed"
            pane = ctx.pane(agent)
            proc.terminate(pane.pid if pane else None, agent.id)
            ctx.tmux.kill_session(agent.session)
            report = release_worktree(ctx, agent, discard)
            try:
                ctx.integration(agent.preset).cleanup(agent, report.removed)
            except UsageError:
                pass  # its preset is no longer configured: it has nothing of its own to clean
            ctx.store.delete_agent(agent.id)
            shutil.rmtree(ctx.paths(agent.id).dir, ignore_errors=True)
            return report

    # -- pause / resume / restart ---------------------------------------------------------

    def _running_pane(self, agent: Agent, verb: str) -> int:
        if agent.status.ended:
            raise UsageError(
                f"{agent.name} has {agent.status.value}; nothing to {verb} "
                f"(restart it with 'workspace restart {agent.name}')"
            )
        pane = self.ctx.pane(agent)
        if pane is None or pane.dead:
            raise UsageError(f"{agent.name}'s process is not running; nothing to {verb}")
        return pane.pid

    def pause(self, name: str, detail: str = "") -> Agent:
        agent = self.ctx.agent(name)
        if agent.status == Status.PAUSED:
            raise UsageError(f"{name} is already paused; resume it with 'workspace resume {name}'")
        proc.pause(self._running_pane(agent, "pause"), agent.id)
        self.ctx.record(agent, "paused", detail)
        return self.ctx.agent(name)

    def resume(self, name: str) -> Agent:
        agent = self.ctx.agent(name)
        if agent.status != Status.PAUSED:
            raise UsageError(f"{name} is not paused (it is {agent.status.value})")
        proc.resume(self._running_pane(agent, "resume"), agent.id)
        if agent.status_reason.startswith("budget"):
            # Resuming past the budget is the person's call: lift it for this agent.
            self.ctx.store.update_agent(agent.id, budget_usd=0.0)
        self.ctx.record(agent, "resumed")
        return self.ctx.agent(name)

    def restart(self, name: str) -> Agent:
        """Relaunch an exited or crashed agent in its worktree, resuming the CLI's own session
        where the CLI can."""
        ctx = self.ctx
        with ctx.lock:
            agent = ctx.agent(name)
            if not agent.status.ended or agent.status == Status.MERGED:
                raise UsageError(
                    f"{name} is {agent.status.value}; only an exited or crashed agent can be "
                    "restarted"
                )
            if not Path(agent.worktree).is_dir():
                raise UsageError(
                    f"{name}'s worktree {agent.worktree} is gone; kill the agent and spawn anew"
                )
            cut_off = unlinked_problem(ctx, Path(agent.worktree), f"{name}'s worktree")
            if cut_off:
                raise UsageError(f"{cut_off}, and retry")
            pane = ctx.pane(agent)
            elsewhere = [] if pane is not None else proc.tagged(agent.id)
            if elsewhere:
                # Its session is not on this workspace's server, yet it runs: a second one
                # would work in the same worktree.
                raise UsageError(
                    f"{name} still runs outside this workspace's tmux server (pid "
                    f"{elsewhere[0]}); end it first (kill {elsewhere[0]}), then restart")
            integ = ctx.integration(agent.preset)
            launch = LaunchContext(agent.id, name, Path(agent.worktree), ctx.paths(agent.id),
                                   ctx.preset(agent.preset), "", agent.session_id)
            plan = integ.resume(launch) if integ.resumable else integ.launch(launch)
            self._relaunch(agent, plan, plan.session_id or agent.session_id, "")
            return ctx.agent(name)

    def relaunch_fresh(self, name: str, prompt: str) -> Agent:
        """Start the agent again in its worktree with fresh context and a new first prompt
        (a task's next attempt in the `fresh` loop mode), whatever it is doing now."""
        ctx = self.ctx
        with ctx.lock:
            agent = ctx.agent(name)
            if not Path(agent.worktree).is_dir():
                raise UsageError(f"{name}'s worktree {agent.worktree} is gone; its task cannot "
                                 "go on there")
            spec = ctx.preset(agent.preset)
            on_argv = len(prompt.encode()) <= MAX_ARGV_PROMPT
            launch = LaunchContext(agent.id, name, Path(agent.worktree), ctx.paths(agent.id),
                                   spec, prompt if on_argv else "")
            unattended = ctx.store.launch_of(agent.id).get("unattended") is True
            plan = self._unattended(ctx.integration(agent.preset).launch(launch), spec,
                                    unattended)
            pane = ctx.pane(agent)
            ctx.store.notices.hold(agent.id)  # a moment dead on purpose: no "crashed"
            try:
                if pane is not None and not pane.dead:
                    proc.terminate(pane.pid, agent.id, grace=2.0)
                self._relaunch(agent, plan, plan.session_id,
                               "" if plan.prompt_on_argv else prompt)
            finally:
                ctx.store.notices.release(agent.id)
            return ctx.agent(name)

    def _relaunch(self, agent: Agent, plan: LaunchPlan, session_id: str | None,
                  pending_prompt: str) -> None:
        ctx = self.ctx
        pane = ctx.pane(agent)
        if pane is not None:
            argv = self._pane_command(agent, plan)
            ctx.tmux.respawn(pane.pane_id, agent.worktree, argv, self._session_env(agent))
            pane_id = pane.pane_id
        else:
            pane_id = self._start_session(agent, plan)
        # A prompt to type in waits for the new process, counted from now.
        launch = {**ctx.store.launch_of(agent.id), "pending_prompt": pending_prompt,
                  "pending_since": time.time(), "argv": plan.argv}
        ctx.store.update_agent(agent.id, pane_id=pane_id, session_id=session_id, launch=launch)
        ctx.record(agent, "restarted")

    # -- attach ---------------------------------------------------------------------------

    def attach_command(self, name: str) -> tuple[list[str], dict[str, str]]:
        """argv and env that attach this terminal to the agent's session. TMUX is dropped so
        it also works from inside the person's own tmux (a nested client of our server)."""
        agent = self.ctx.agent(name)
        if not self.ctx.tmux.has_session(agent.session):
            raise UsageError(f"{name}'s tmux session is gone; restart it first")
        env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        return self.ctx.tmux.attach_argv(agent.session), env

    def run_attached(self, name: str) -> int:
        """Attach this terminal to the agent's pane until the detach key; blocks."""
        argv, env = self.attach_command(name)
        return subprocess.run(argv, env=env, check=False).returncode

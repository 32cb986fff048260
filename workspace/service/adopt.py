"""Agents that no row owns, found and adopted back: after a state database was lost, emptied
or set aside by `workspace doctor --repair`, agents still run in tmux and their worktrees are
still on disk.

What tells: an agent's tmux session carries WORKSPACE_AGENT_ID and WORKSPACE_AGENT in its
environment; its spawn left a record of itself in `agents/<id>/agent.json` (identity.py);
its worktree is on a `<branch_prefix>/<name>` branch under the worktree root. With the record
the row comes back exactly. Without it (an older spawn, a removed state dir) it is rebuilt:
the branch and worktree from git, the base is the main checkout's branch (its sha the
merge-base), the preset from the agent's command line; its first prompt and budget are
not known. Either way its status, usage and CLI session id come back from the hook events
and transcripts the poller reads again from their start."""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from workspace.adapters import proc
from workspace.adapters.git import GitError
from workspace.adapters.tmux import PaneInfo
from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.core.status import initial_state
from workspace.service.context import Context
from workspace.service.identity import identities, read_identity, write_identity


@dataclass(frozen=True)
class Orphan:
    """An agent no row owns: a session that runs it, or a worktree it left."""

    name: str
    agent_id: str | None
    pane: PaneInfo | None
    """Its pane on the private server; None for a worktree with no session."""


@dataclass(frozen=True)
class Adopted:
    agent: Agent
    guessed: tuple[str, ...]
    """What was rebuilt rather than read from the agent's own record, one phrase each."""

    def line(self) -> str:
        a = self.agent
        how = ("; rebuilt: " + ", ".join(self.guessed)) if self.guessed else \
            " (from its spawn record)"
        return f"adopted {a.name} ({a.preset}, branch {a.branch}, worktree {a.worktree}){how}"


class Adopter:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def orphans(self) -> list[Orphan]:
        """Sessions of the private server that run an agent no row owns (one `list-panes`,
        and a look at each unknown session's environment)."""
        ctx = self.ctx
        known = {a.session for a in ctx.store.agents()}
        found = []
        for pane in ctx.tmux.list_panes() or []:
            if pane.session in known:
                continue
            agent_id = ctx.tmux.session_value(pane.session, proc.ENV_MARK)
            if agent_id:
                name = ctx.tmux.session_value(pane.session, "WORKSPACE_AGENT") or pane.session
                found.append(Orphan(name, agent_id, pane))
                known.add(pane.session)
        return found

    def find(self, name: str) -> Orphan | None:
        """A session or a leftover worktree of an agent called `name` that no row owns."""
        for orphan in self.orphans():
            if name in (orphan.name, orphan.pane.session if orphan.pane else ""):
                return orphan
        if self._worktree_of(name) is not None:
            recorded = next((a.id for a in identities(self.ctx.state_dir) if a.name == name),
                            None)
            return Orphan(name, recorded, None)
        return None

    def adopt(self, names: list[str], preset: str | None = None) -> list[Adopted]:
        """Give each named orphan (every running one when `names` is empty) its row back."""
        ctx = self.ctx
        with ctx.lock:
            if not names:
                return [self._adopt(o, preset) for o in self.orphans()]
            chosen = []
            for name in names:
                if ctx.store.agent_by_name(name) is not None:
                    raise UsageError(f"{name} is an agent of this workspace already; "
                                     "nothing to adopt")
                orphan = self.find(name)
                if orphan is None:
                    raise UsageError(
                        f"no session or worktree of an agent named {name!r} without a row; "
                        "'workspace adopt' with no name adopts every running one")
                chosen.append(orphan)
            return [self._adopt(o, preset) for o in chosen]

    def _adopt(self, orphan: Orphan, preset: str | None) -> Adopted:
        ctx = self.ctx
        recorded = read_identity(ctx.state_dir, orphan.agent_id) if orphan.agent_id else None
        guessed: list[str] = []
        agent = recorded or self._rebuild(orphan, preset, guessed)
        if preset and recorded is not None and preset != recorded.preset:
            agent = replace(agent, preset=preset)
        ctx.preset(agent.preset)  # refused, in one line, when it is not configured
        worktree = Path(agent.worktree)
        if not worktree.is_dir() or not ctx.repo.is_linked_worktree(worktree):
            raise UsageError(f"cannot adopt {agent.name}: {worktree} is not a worktree of this "
                             "repository (moved? 'git worktree repair' it first)")
        pane = orphan.pane
        agent = replace(agent, pane_id=pane.pane_id if pane else None, spawn_complete=True,
                        session=pane.session if pane else agent.name)
        ctx.store.insert_agent(agent, initial_state(time.time()), {"adopted": time.time()})
        write_identity(ctx.paths(agent.id), agent)
        if recorded is not None or ctx.store.is_known_worktree(agent.worktree) or \
                self._worktree_of(agent.name) == agent.worktree:
            # Made by this tool: a kill may remove it when nothing would be lost.
            ctx.store.record_worktree(agent.worktree, agent.branch, agent.name)
        return Adopted(ctx.agent(agent.name), tuple(guessed))

    def _rebuild(self, orphan: Orphan, preset: str | None, guessed: list[str]) -> Agent:
        ctx, repo = self.ctx, self.ctx.repo
        name = orphan.name
        worktree = self._worktree_of(name)
        if worktree is None:
            raise UsageError(f"cannot adopt {name}: no worktree on branch "
                             f"{ctx.branch_for(name)} under {ctx.worktree_root()}")
        branch = repo.current_branch(worktree) or ctx.branch_for(name)
        base = repo.current_branch()
        if base is None:
            raise UsageError(f"cannot adopt {name}: its base is not known and the main "
                             f"checkout ({repo.top}) is on a detached HEAD; check out the "
                             "branch it started from and retry")
        base_sha = repo.merge_base(f"refs/heads/{base}", branch) or repo.rev(base) or ""
        guessed.append(f"base {base} (the main checkout's branch)")
        if preset is None:
            preset = self._preset_from_command(orphan)
            if preset is None:
                # A wrong guess would run the wrong program at its next restart.
                raise UsageError(f"cannot tell which preset {name} ran (no process of it runs "
                                 f"now); pass it: 'workspace adopt {name} --preset NAME'")
            guessed.append(f"preset {preset} (from its command line)")
        guessed.append("its first prompt and budget are not known")
        return Agent(id=orphan.agent_id or uuid.uuid4().hex[:12], name=name, preset=preset,
                     branch=branch, base=base, base_sha=base_sha, worktree=worktree,
                     session=name, created_at=time.time())

    def _worktree_of(self, name: str) -> str | None:
        """The linked worktree on `<branch_prefix>/<name>` under the worktree root, if any."""
        branch, root = self.ctx.branch_for(name), str(self.ctx.worktree_root())
        try:
            worktrees = self.ctx.repo.worktrees()
        except GitError:
            return None
        return next((wt.path for wt in worktrees
                     if wt.branch == branch and wt.path.startswith(root + "/")), None)

    def _preset_from_command(self, orphan: Orphan) -> str | None:
        """The configured preset whose command (and fixed arguments) the agent runs: the
        pane runs the launcher, the agent is its child."""
        if orphan.pane is None:
            return None
        tree = proc.descendants(orphan.pane.pid)
        argv = proc.command_line(tree[1]) if len(tree) > 1 else []
        best: tuple[int, str] | None = None
        for spec in self.ctx.settings.presets:
            command = Path(shutil.which(spec.command) or spec.command).name
            # A script run by its interpreter (node, python) shows it as the first argument.
            at = next((i for i, part in enumerate(argv[:2]) if Path(part).name == command),
                      None)
            if at is None:
                continue
            args = list(spec.args)
            if argv[at + 1:at + 1 + len(args)] == args and (best is None or len(args) > best[0]):
                best = (len(args), spec.name)
        return best[1] if best else None

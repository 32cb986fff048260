"""Preparing a worktree as an agent's is prepared: spawn calls `prepare` after `git worktree
add`, before the tmux session; the refinery calls `prepare_worktree` on each worktree its
gate runs in (merge/gate_tree.py), so a gate sees what an agent sees.

1. Submodules initialised (`git submodule update --init --recursive`).
2. Files git ignores that agents need (a `.env`, a local config) come from the main checkout:
   copied for `[worktree] copy` and the lines of the main checkout's `.worktreeinclude` (the
   convention Claude Code, Codex and others follow: .gitignore syntax, and only what matches
   AND git ignores is taken, so a tracked file never is), linked for `[worktree] symlink`
   (a path both name is linked). Nothing already in the worktree is replaced, nothing is
   placed outside it, and each placed path must be ignored in the worktree too, or an agent
   could commit it (a link to a folder that `.gitignore` names as `node_modules/` is a file
   to git, not a folder).
3. `[worktree] post_create` runs in the worktree (an argv list; its output is kept in a log:
   the agent's state folder's setup.log), time-limited, ended with its process group, and
   with it if this process dies (runner.py: guard.py).

For a spawn, while it runs the row says `starting (setup)`, its reason "setup: ...". A failure
raises one SetupFailed line and spawn undoes everything it made, the worktree included
whatever the setup left in it (no agent ran there yet; what it held is kept at a recovery
ref); the log of a failed post_create is kept in <state>/setup-failed/. Submodules that could
not be initialised do not fail a spawn (its row says so); they fail a gate's worktree. Each
of these keys is sensitive: set by a repository's own file, a spawn or a batch's gate refuses
until the person trusts it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from workspace.adapters.files import atomic_write
from workspace.adapters.runner import run_command
from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.core.format import SETUP_REASON, plural
from workspace.core.status import initial_state
from workspace.service.context import Context

INCLUDE_FILE = ".worktreeinclude"
LOG = "setup.log"
FAILED_LOGS = "setup-failed"
SENSITIVE = ("worktree.copy", "worktree.symlink", "worktree.post_create")


class SetupFailed(UsageError):
    """The worktree could not be prepared: spawn removes it, whatever its setup left.
    `reason`: what failed, in one clause; `fix`: what to change for it (a gate's line says
    it); `log`: where a failed post_create's output is kept."""

    def __init__(self, reason: str, fix: str, tail: str = "", log: Path | None = None) -> None:
        super().__init__(f"worktree setup: {reason}{tail}")
        self.reason, self.fix, self.log = reason, fix, log


@dataclass(frozen=True)
class Target:
    """A worktree to prepare, and what differs between an agent's and a gate's."""

    worktree: Path
    whose: str
    """Whose worktree, in messages: "the agent's", "the gate's"."""
    log: Path
    """post_create's output."""
    kept_as: str
    """The name (before a time) of a failed post_create's log kept in <state>/setup-failed/."""
    env: dict[str, str] = field(default_factory=dict)
    """post_create's environment, over this process's."""
    say: Callable[[str], None] = lambda _: None
    """What it is doing now ("setup: running npm")."""


def check_setup_trusted(ctx: Context) -> None:
    """Before anything is made: a repository's file that would choose what is copied or run
    refuses the spawn (or the gate) until trusted (the person would not get the worktree they
    expect)."""
    for key in SENSITIVE:
        ctx.check_trusted(key)


def prepare(ctx: Context, agent: Agent) -> str:
    """A new agent's worktree; '' when its submodules are initialised (or it has none), else
    why not (the agent starts all the same, its row says how to finish)."""
    said: list[str] = []

    def say(reason: str) -> None:
        said.append(reason)
        _say(ctx, agent, reason)

    submodules = prepare_worktree(ctx, Target(
        Path(agent.worktree), "the agent's", ctx.paths(agent.id).dir / LOG, agent.name,
        {"WORKSPACE_AGENT": agent.name}, say))
    if said:
        _say(ctx, agent, "launching")
    return submodules


def prepare_worktree(ctx: Context, target: Target) -> str:
    """Submodules, ignored files, post_create (see the module docstring), in that order.
    Returns '' or why the submodules are not initialised; raises SetupFailed."""
    worktree, settings = target.worktree, ctx.settings.worktree
    submodules = ctx.repo.init_submodules(worktree)
    include = ctx.repo.top / INCLUDE_FILE
    linked = ctx.repo.ignored_matching(list(settings.symlink)) if settings.symlink else []
    copied = [p for p in ctx.repo.ignored_matching(
        list(settings.copy), include if include.is_file() else None) if p not in linked]
    if linked or copied:
        target.say(f"{SETUP_REASON}copying {plural(len(copied) + len(linked), 'ignored file')}")
        placed = [p for p in linked if _place(ctx.repo.top, worktree, p, link=True)]
        placed += [p for p in copied if _place(ctx.repo.top, worktree, p, link=False)]
        try:
            _check_ignored(ctx, target, placed)
        except SetupFailed:
            # Taken back before the undo looks: a copied secret never reaches a recovery ref.
            for entry in placed:
                _remove(worktree / entry.rstrip("/"))
            raise
    if settings.post_create:
        target.say(f"{SETUP_REASON}running {settings.post_create[0]}")
        _post_create(ctx, target)
    return submodules


def _say(ctx: Context, agent: Agent, reason: str) -> None:
    """The row's reason while its spawn is not complete (the poller leaves such rows be)."""
    state = ctx.store.state_of(agent.id) or initial_state(time.time())
    ctx.store.set_state(agent.id, replace(state, reason=reason))


def _place(top: Path, worktree: Path, entry: str, link: bool) -> bool:
    """Copy or link one path of the main checkout to the same place in the worktree; False
    when the worktree has it already (kept as it is)."""
    rel = entry.rstrip("/")
    source, target = top / rel, worktree / rel
    if target.exists() or target.is_symlink():
        return False
    verb, key = ("link", "symlink") if link else ("copy", "copy")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(worktree.resolve()):
            raise SetupFailed(f"{entry} would land outside the worktree (a link in the way)",
                              f"fix [worktree] {key}", "; not placed")
        if link:
            target.symlink_to(source, target_is_directory=source.is_dir())
        elif source.is_dir() and not source.is_symlink():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target, follow_symlinks=False)
    except OSError as exc:
        raise SetupFailed(f"cannot {verb} {entry} into the worktree ({exc.strerror or exc})",
                          f"fix [worktree] {key} or {entry} in the main checkout",
                          "; fix it and spawn again") from None
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _check_ignored(ctx: Context, target: Target, placed: list[str]) -> None:
    paths = [p.rstrip("/") for p in placed]
    ignored = set(ctx.repo.ignored_in(target.worktree, paths))
    exposed = [p for p in paths if p not in ignored]
    if exposed:
        raise SetupFailed(
            f"git does not ignore {exposed[0]} in {target.whose} worktree, so it could be "
            "committed", "fix .gitignore or [worktree] symlink and copy",
            " (a link is a file to git: write 'name' rather than 'name/' in .gitignore, or copy "
            "it instead)")


def _post_create(ctx: Context, target: Target) -> None:
    settings = ctx.settings.worktree
    argv = list(settings.post_create)
    env = {"WORKSPACE_MAIN": str(ctx.repo.top), **target.env}
    result = run_command(argv, target.worktree, settings.post_create_timeout, env)
    atomic_write(target.log, f"$ {' '.join(argv)}\n{result.output}")  # 0600, as all the state
    if result.ok:
        return
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = ctx.state_dir / FAILED_LOGS / f"{target.kept_as}-{stamp}.log"
    atomic_write(kept, target.log.read_text())
    last = next((line.strip() for line in reversed(result.output.splitlines())
                 if line.strip()), "")
    said = f" ({last[:120]})" if last and not result.timed_out else ""
    failed = result.describe(settings.post_create_timeout, "post_create")
    raise SetupFailed(f"{failed}{said}", "fix [worktree] post_create",
                      f"; nothing was kept but its output: {kept}", kept)

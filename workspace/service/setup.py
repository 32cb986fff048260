"""Preparing a new agent's worktree before its agent starts: spawn calls `prepare` after
`git worktree add` and the submodules, before the tmux session.

1. Files git ignores that agents need (a `.env`, a local config) come from the main checkout:
   copied for `[worktree] copy` and the lines of the main checkout's `.worktreeinclude` (the
   convention Claude Code, Codex and others follow: .gitignore syntax, and only what matches
   AND git ignores is taken, so a tracked file never is), linked for `[worktree] symlink`
   (a path both name is linked). Nothing already in the worktree is replaced, nothing is
   placed outside it, and each placed path must be ignored in the worktree too, or an agent
   could commit it (a link to a folder that `.gitignore` names as `node_modules/` is a file
   to git, not a folder).
2. `[worktree] post_create` runs in the worktree (an argv list; its output is kept in the
   agent's state folder as setup.log), time-limited, ended with its process group.

While it runs the row says `starting (setup)`, its reason "setup: ...". A failure raises one
SetupFailed line and spawn undoes everything it made, the worktree included whatever the
setup left in it (no agent ran there yet; what it held is kept at a recovery ref); the log of
a failed post_create is kept in <state>/setup-failed/. Each of these keys is sensitive: set by
a repository's own file, a spawn refuses until the person trusts it."""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
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
    """The worktree could not be prepared: spawn removes it, whatever its setup left."""


def check_setup_trusted(ctx: Context) -> None:
    """Before anything is made: a repository's file that would choose what is copied or run
    refuses the spawn until trusted (the person would not get the worktree they expect)."""
    for key in SENSITIVE:
        ctx.check_trusted(key)


def prepare(ctx: Context, agent: Agent) -> None:
    worktree = Path(agent.worktree)
    settings = ctx.settings.worktree
    include = ctx.repo.top / INCLUDE_FILE
    linked = ctx.repo.ignored_matching(list(settings.symlink)) if settings.symlink else []
    copied = [p for p in ctx.repo.ignored_matching(
        list(settings.copy), include if include.is_file() else None) if p not in linked]
    if linked or copied:
        count = plural(len(copied) + len(linked), "ignored file")
        _say(ctx, agent, f"{SETUP_REASON}copying {count}")
        placed = [p for p in linked if _place(ctx.repo.top, worktree, p, link=True)]
        placed += [p for p in copied if _place(ctx.repo.top, worktree, p, link=False)]
        try:
            _check_ignored(ctx, worktree, placed)
        except SetupFailed:
            # Taken back before the undo looks: a copied secret never reaches a recovery ref.
            for entry in placed:
                _remove(worktree / entry.rstrip("/"))
            raise
    if settings.post_create:
        _say(ctx, agent, f"{SETUP_REASON}running {settings.post_create[0]}")
        _post_create(ctx, agent, worktree)
    if linked or copied or settings.post_create:
        _say(ctx, agent, "launching")


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
    verb = "link" if link else "copy"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(worktree.resolve()):
            raise SetupFailed(f"worktree setup: {entry} would land outside the worktree (a "
                             "link in the way); not placed")
        if link:
            target.symlink_to(source, target_is_directory=source.is_dir())
        elif source.is_dir() and not source.is_symlink():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target, follow_symlinks=False)
    except OSError as exc:
        raise SetupFailed(f"worktree setup: cannot {verb} {entry} into the worktree "
                         f"({exc.strerror or exc}); fix it and spawn again") from None
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _check_ignored(ctx: Context, worktree: Path, placed: list[str]) -> None:
    paths = [p.rstrip("/") for p in placed]
    ignored = set(ctx.repo.ignored_in(worktree, paths))
    exposed = [p for p in paths if p not in ignored]
    if exposed:
        raise SetupFailed(
            f"worktree setup: git does not ignore {exposed[0]} in the agent's worktree, so it "
            "could be committed (a link is a file to git: write 'name' rather than 'name/' in "
            ".gitignore, or copy it instead)")


def _post_create(ctx: Context, agent: Agent, worktree: Path) -> None:
    settings = ctx.settings.worktree
    argv = list(settings.post_create)
    env = {"WORKSPACE_AGENT": agent.name, "WORKSPACE_MAIN": str(ctx.repo.top)}
    result = run_command(argv, worktree, settings.post_create_timeout, env)
    log = ctx.paths(agent.id).dir / LOG
    atomic_write(log, f"$ {' '.join(argv)}\n{result.output}")  # 0600, as all the state
    if result.ok:
        return
    kept = ctx.state_dir / FAILED_LOGS / f"{agent.name}-{time.strftime('%Y%m%d-%H%M%S')}.log"
    atomic_write(kept, log.read_text())
    last = next((line.strip() for line in reversed(result.output.splitlines())
                 if line.strip()), "")
    said = f" ({last[:120]})" if last and not result.timed_out else ""
    failed = result.describe(settings.post_create_timeout, "post_create")
    raise SetupFailed(f"worktree setup: {failed}{said}; nothing was kept but its output: {kept}")

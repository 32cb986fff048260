"""An agent's place: its worktree and its branch, which can change behind the tool's back.

A worktree deleted, a branch deleted, a repository moved (its worktrees' `.git` files still
point at the old place), a worktree moved and reconnected with `git worktree repair`, or
submodules never initialised: each is found here and said on the agent's row (PlaceSeen),
so kill, restart and cleanup meet none of them unawares."""

from __future__ import annotations

import time
from pathlib import Path

from workspace.adapters.git import GitError
from workspace.core.agent import Agent
from workspace.core.errors import UsageError
from workspace.core.status import PlaceSeen, Policy, initial_state, reduce
from workspace.service.context import Context


def unlinked_problem(ctx: Context, worktree: Path, subject: str = "") -> str:
    """Why a worktree folder that exists cannot be used, or '' when it can. `subject`: how
    the sentence names it (default: 'worktree <path>')."""
    if ctx.repo.is_linked_worktree(worktree):
        return ""
    subject = subject or f"worktree {worktree}"
    if (worktree / ".git").is_file():
        return (f"{subject} is not linked to this repository (did the repository move?); "
                f"run: git -C {ctx.repo.top} worktree repair {worktree}")
    return f"{subject} is not a worktree of this repository"


def place_problem(ctx: Context, agent: Agent, tips: dict[str, str] | None = None) -> str:
    """What is wrong with the agent's worktree and branch, or ''. `tips`: every branch's
    commit (one `for-each-ref` for many agents), else the branch is looked up alone."""
    worktree = Path(agent.worktree)
    problems = []
    if not worktree.is_dir():
        problems.append(f"worktree {worktree} is gone (moved? run: git -C {ctx.repo.top} "
                        "worktree repair NEW-PATH)")
    else:
        unlinked = unlinked_problem(ctx, worktree)
        if unlinked:
            problems.append(unlinked)
    exists = agent.branch in tips if tips is not None else ctx.repo.branch_exists(agent.branch)
    if not exists:
        problems.append(f"branch {agent.branch} is gone")
    if not problems and (worktree / ".gitmodules").is_file():
        try:
            missing = ctx.repo.uninitialised_submodules(worktree)
        except GitError:
            missing = []
        if missing:
            problems.append(f"submodules not initialised ({', '.join(missing[:3])}); run: "
                            f"git -C {worktree} submodule update --init --recursive")
    return "; ".join(problems)


def note_place(ctx: Context, agent: Agent, problem: str) -> bool:
    """Put `problem` on the agent's row; True if it changed."""
    if problem == agent.problem:
        return False
    now = time.time()
    state = ctx.store.state_of(agent.id) or initial_state(now)
    try:
        policy = ctx.policy(agent.preset)
    except UsageError:
        policy = Policy()  # its preset is no longer configured: the row still tells
    ctx.store.set_state(agent.id, reduce(state, [PlaceSeen(now, problem)], now, policy))
    return True


def follow_moved_worktrees(ctx: Context, agents: list[Agent]) -> list[str]:
    """Agents whose recorded worktree is missing, but whose branch git has checked out at
    another folder that is a linked worktree of this repository (the person moved it and
    ran `git worktree repair`): the record follows git. Returns their names."""
    missing = [a for a in agents if not Path(a.worktree).is_dir()]
    if not missing:
        return []
    try:
        by_branch = {wt.branch: wt.path for wt in ctx.repo.worktrees() if wt.branch}
    except GitError:
        return []
    moved = []
    for agent in missing:
        path = by_branch.get(agent.branch)
        if path and path != agent.worktree and Path(path).is_dir() and \
                ctx.repo.is_linked_worktree(Path(path)):
            ctx.store.move_worktree(agent.worktree, path)
            moved.append(agent.name)
    return moved

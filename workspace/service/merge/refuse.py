"""What every merge checks before it starts, whoever asks (one agent, a queue, a batch)."""

from __future__ import annotations

from workspace.adapters.repo_trust import GATE
from workspace.core.errors import UsageError
from workspace.service.context import Context


def guard_merge(ctx: Context, names: list[str], gate: bool) -> None:
    """A task's judge never changes base (not from its own shell, not its own branch), and a
    gate from the repository's own config runs only once the person trusts it."""
    from workspace.service.tasks.board import JUDGE, refuse_judge

    refuse_judge("merge")
    for name in names:
        if ctx.store.launch_of(ctx.agent(name).id).get("role") == JUDGE:
            raise UsageError(f"{name} is a task's judge: its branch is never merged")
    if gate:
        ctx.check_trusted(GATE)

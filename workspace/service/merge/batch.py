"""The refinery's batch: up to N ready merges stacked (stack.py) and landed together, with the
gate run once on the stack's tip rather than once per merge, and base moved only to a commit
that passed it.

One round:
1. the merges stacked onto base as it is (objects only), the tip kept at a temporary ref
   (refs/workspace/batch/<pid>-<n>) while the round runs;
2. the gate ([merge] gate) run in a temporary detached worktree at the tip, prepared as an
   agent's is (gate_tree.py: made fresh for each run, removed after it; <state>/batches/);
   when it fails, bisected (core/tasks/refinery.py: Bisect): the prefix halfway is gated, and
   so on, until the first merge whose addition fails it, the culprit, is found; a worktree
   that could not be prepared, or a gate program not installed, stops the round there,
   nothing decided (`busy`: a GateUnprepared);
3. under the merge lock, the prefix that passed (all of it, or those before the culprit)
   stacked again as it will land (uncommitted work committed for real) onto base as it is now:
   if base or any member changed since the gate ran, so that the tree would differ from the
   one gated, nothing lands and the round starts again (a merge made by hand meanwhile is
   never landed ungated); else one intent for the whole batch (batch_steps.py) and base moved
   once, the checkout brought along, every member marked merged.
The culprit comes back as a GateFailed with the gate's output; the merges after it are held
(they stay queued for the next round), so are merges that conflict with an earlier member
only. Without a gate (or with gate=False) the stack lands as it is built, under the lock.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from workspace.adapters import runner
from workspace.adapters.git import GitError
from workspace.core.command import CommandResult
from workspace.core.errors import UsageError
from workspace.core.tasks.refinery import Bisect
from workspace.service.context import Context
from workspace.service.merge.apply import DEFAULT_LOCK_WAIT, Merger, StepCallback
from workspace.service.merge.errors import GateFailed, MergeRefused
from workspace.service.merge.gate_tree import GateTrees, GateUnprepared, live
from workspace.service.merge.intent import BatchIntent, Intent, new_guard
from workspace.service.merge.results import MergeResult
from workspace.service.merge.stack import Stack, Stacker
from workspace.service.merge.steps import NO_COMMIT

BATCH_REF = "refs/workspace/batch"
RESTACKS = 3
"""Rounds started again because base moved while the gate ran, before giving up for now."""


@dataclass(frozen=True)
class RoundReport:
    landed: tuple[MergeResult, ...] = ()
    culprit: GateFailed | None = None
    """The merge whose addition failed the gate (`culprit.name`), with the gate's output."""
    refused: tuple[MergeRefused, ...] = ()
    held: tuple[str, ...] = ()
    """Not merged this round, still to merge: after the culprit, conflicting with an earlier
    member only, onto another base, or not reached."""
    gate_runs: int = 0
    busy: MergeRefused | None = None
    """Why nothing of the batch could land now (base kept moving, another merge, the gate's
    worktree could not be prepared: a GateUnprepared); every member of it is in `held`."""

    @property
    def progressed(self) -> bool:
        return bool(self.landed or self.culprit or self.refused)


class _Moved(Exception):
    """Base or a member changed between the gate and the landing."""


class Batcher:
    def __init__(self, ctx: Context, merger: Merger) -> None:
        self.ctx = ctx
        self._merger = merger
        self._stacker = Stacker(ctx, merger)
        self._trees = GateTrees(ctx)
        self._made = 0

    def round(self, names: Sequence[str], *, strategy: str | None = None, gate: bool = True,
              commit_wip: bool = False, cleanup: bool | None = None, stop: bool = False,
              wait: float = DEFAULT_LOCK_WAIT, on_step: StepCallback | None = None
              ) -> RoundReport:
        """Merge the agents `names` (in order, all onto one base) as one batch; see the module
        docstring. `stop`: the first merge that does not stack ends the stack (a person's
        queue). cleanup: as Merger.merge, for each merge that landed."""
        step = on_step or (lambda _: None)
        chosen = self._merger.planner.strategy(strategy)
        self._merger.recover()
        self.clear_leftovers()
        gated = gate and bool(self.ctx.settings.merge.gate)
        runs = 0
        for _ in range(RESTACKS):
            step("stacking")
            stack = self._stacker.build(names, strategy=chosen, commit_wip=commit_wip, stop=stop)
            if not stack.members:
                return RoundReport(refused=stack.refused, held=stack.held, gate_runs=runs)
            landing, culprit = len(stack.members), None
            if gated:
                try:
                    bisect, culprit = self._bisect(stack, step)
                except GateUnprepared as exc:
                    # The environment's fault, not a member's: nobody is blamed, all stay.
                    return RoundReport(refused=stack.refused, held=stack.held + stack.names(),
                                       gate_runs=runs + exc.runs, busy=exc)
                runs += bisect.runs
                landing = bisect.landing
            after = stack.names()[landing + (1 if culprit else 0):]
            held = stack.held + after
            if not landing:
                return RoundReport(culprit=culprit, refused=stack.refused, held=held,
                                   gate_runs=runs)
            try:
                landed = self._land(stack, landing, gated, chosen, commit_wip, wait, step)
            except _Moved:
                continue
            except MergeRefused as exc:
                # Another merge holds the lock, or base moved under the lock: nothing landed
                # and nothing is decided (the culprit included), all of it stays queued.
                return RoundReport(refused=stack.refused, held=stack.held + stack.names(),
                                   gate_runs=runs, busy=exc)
            landed = tuple(self._cleaned(r, cleanup, step) for r in landed)
            return RoundReport(landed, culprit, stack.refused, held, runs)
        busy = MergeRefused(f"{', '.join(names)}: base kept moving while the gate ran "
                            f"({RESTACKS} times); they stay queued")
        return RoundReport(held=tuple(names), gate_runs=runs, busy=busy)

    # -- the gate, bisected ---------------------------------------------------------------

    def _bisect(self, stack: Stack, step: StepCallback) -> tuple[Bisect, GateFailed | None]:
        n = len(stack.members)
        bisect = Bisect(n)
        failures: dict[int, CommandResult] = {}
        with self._kept(stack.tip(n)):
            while bisect.probe is not None:
                k = bisect.probe
                label = f"gate on {n} stacked" if k == n and not failures \
                    else f"bisecting: gate on the first {k} of {n}"
                step(label)
                try:
                    result = self.run_gate(stack.tip(k), _doing(step, label))
                except GateUnprepared as exc:
                    exc.runs = bisect.runs
                    raise
                if not result.ok:
                    failures[k] = result
                bisect = bisect.record(result.ok)
        if bisect.culprit is None:
            return bisect, None
        culprit = stack.members[bisect.culprit]
        result = failures[bisect.culprit + 1]
        timeout = self.ctx.settings.merge.gate_timeout
        fix = "fix [merge] gate in your config" if result.missing else "fix what it reports"
        others = stack.names(bisect.culprit)
        on = f" on top of {', '.join(others)}" if others else ""
        return bisect, GateFailed(
            f"{result.describe(timeout)} with {culprit.name}'s merge{on} (the batch's culprit), "
            f"so {culprit.name} was not merged; {fix}", culprit.name, result)

    def run_gate(self, commit: str, say: Callable[[str], None] = lambda _: None
                 ) -> CommandResult:
        """The gate in a fresh detached worktree at `commit`, prepared as an agent's
        (gate_tree.py), removed after it; raises GateUnprepared if it could not be."""
        settings = self.ctx.settings.merge
        with self._trees.tree(commit, say) as path:
            result = runner.run_command(settings.gate, path, settings.gate_timeout)
        if result.missing and "/" not in result.argv[0]:
            # A program looked up on PATH, not in the tree: no merge can have made it
            # missing, so none is blamed (a script of the tree, ./x, may be a member's).
            raise GateUnprepared(f"the gate could not be run: "
                                 f"{result.describe(settings.gate_timeout)}; fix [merge] gate "
                                 "in your config")
        return result

    @contextlib.contextmanager
    def _kept(self, tip: str) -> Iterator[None]:
        """The stack's tip at a ref of this process while it is gated (`git log` shows it;
        gc keeps it)."""
        self._made += 1
        ref = f"{BATCH_REF}/{os.getpid()}-{self._made}"
        self.ctx.repo.update_ref(ref, tip, NO_COMMIT, "workspace: a batch being gated")
        try:
            yield
        finally:
            self.ctx.repo.update_ref(ref, NO_COMMIT, tip, "workspace: batch gated")

    def clear_leftovers(self) -> None:
        """Worktrees and refs a batch of a dead process left (SIGKILL during a gate)."""
        self._trees.clear_leftovers()
        for ref, sha in self.ctx.repo.refs_under(BATCH_REF).items():
            if not live(ref.rsplit("/", 1)[-1]):
                self.ctx.repo.update_ref(ref, NO_COMMIT, sha, "workspace: batch left over")

    # -- landing --------------------------------------------------------------------------

    def _land(self, stack: Stack, landing: int, gated: bool, strategy: str, commit_wip: bool,
              wait: float, step: StepCallback) -> tuple[MergeResult, ...]:
        merger = self._merger
        prefix = stack.names(landing)
        step("waiting")
        with merger.lock(wait, prefix[0]):
            merger.recover_locked()
            step("checking")
            again = self._stacker.build(prefix, strategy=strategy, commit_wip=commit_wip,
                                        stop=True, to_land=True)
            if again.names() != prefix or (gated and again.tree(landing) != stack.tree(landing)):
                raise _Moved
            batch = self._intent(again, strategy)
            steps = merger.batch_steps(batch)
            try:
                steps.begin_batch({m.agent.id: m.index for m in again.members
                                   if m.index is not None})
            except (GitError, OSError) as exc:
                steps.clear(batch.members[0])  # nothing has moved
                raise MergeRefused(f"could not record the merge of {batch.names} before "
                                   f"making it ({exc}); nothing was changed", prefix[0]) from None
            steps.land(step)
            steps.complete_batch()
        return self._results(again, strategy)

    def _intent(self, stack: Stack, strategy: str) -> BatchIntent:
        new, checkout = stack.tip(len(stack.members)), stack.checkout
        shared = {"base": stack.base, "ref": f"refs/heads/{stack.base}", "old": stack.base_sha,
                  "new": new, "strategy": strategy,
                  "checkout": str(checkout) if checkout else None, "guard": new_guard(),
                  "pid": os.getpid(), "at": time.time()}
        members = tuple(Intent(
            agent_id=m.agent.id, agent=m.name, branch=m.agent.branch,
            worktree=str(m.plan.worktree), tip=m.tip, left=(), wip=m.wip,
            **shared) for m in stack.members)  # type: ignore[arg-type]
        return BatchIntent(**shared, members=members)  # type: ignore[arg-type]

    def _results(self, stack: Stack, strategy: str) -> tuple[MergeResult, ...]:
        repo, planner = self.ctx.repo, self._merger.planner
        new = stack.tip(len(stack.members))
        out = []
        for m in stack.members:
            parent = m.plan.base_sha
            out.append(MergeResult(
                name=m.name, strategy=strategy, branch=m.agent.branch, base=stack.base,
                old_base=stack.base_sha, new_base=new,
                commits=tuple(c.oneline for c in repo.commits(f"{parent}..{m.new}",
                                                               reverse=True)),
                stat=planner.stat(parent, m.new), wip_commit=m.wip.commit if m.wip else None,
                checkout=str(stack.checkout) if stack.checkout else None,
                batch=len(stack.members)))
        return tuple(out)

    def _cleaned(self, result: MergeResult, cleanup: bool | None,
                 step: StepCallback) -> MergeResult:
        choice = self.ctx.settings.merge.cleanup
        if cleanup or (cleanup is None and choice == "always"):
            step("cleaning up")
            try:
                return replace(result, cleanup=self._merger.cleanup_merged(result.name))
            except UsageError as exc:  # the merge is made: say why the clean-up was not
                return replace(result, cleanup_error=str(exc))
        if cleanup is None and choice == "ask":
            return replace(result, cleanup_offered=True)
        return result


def _doing(step: StepCallback, label: str) -> Callable[[str], None]:
    """The step while the gate's worktree is prepared: "gate on 4 stacked (setup: ...)"."""
    return lambda doing: step(f"{label} ({doing})")

"""A batch landing (several agents' merges stacked, base moved once) and the recovery of one a
killed process left: the steps of steps.py, for every member at once, under one intent.

After the batch's intent is written (each member's index bytes first, then the intent):
1. every member with uncommitted work: its branch moved to the commit made of it, then its
   index (steps.py, member by member, each saved into the batch's intent);
2. base moved from old to the stack's tip (guarded compare-and-swap): the one instant at which
   the whole batch lands;
3. the main checkout brought along (old to the tip);
4. every member's merge record written and the member marked merged;
5. the guard deleted and the intent cleared.

Recovery, as for one merge: base at the tip: finish every member (an index left half-way, the
checkout, the records); at old: undo every member's commit of uncommitted work; elsewhere
(moved by someone since): touch nothing, say so. So a batch killed at any instant has landed
whole or not at all."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from workspace.adapters.git import GitError
from workspace.service.context import Context
from workspace.service.merge.errors import MergeRefused
from workspace.service.merge.intent import BatchIntent, Intent, batch_with_guard, new_guard, pause
from workspace.service.merge.steps import Steps, Undone
from workspace.service.poller import Poller


class BatchSteps(Steps):
    def __init__(self, ctx: Context, poller: Poller, batch: BatchIntent) -> None:
        super().__init__(ctx, poller)
        self.batch = batch

    @property
    def what(self) -> str:
        b = self.batch
        return f"a batch of {len(b.members)} ({b.names}) into {b.base}"

    # the per-member steps of steps.py save into the batch, and find their own index bytes

    def _save(self, intent: Intent) -> None:
        self.batch = self.batch.with_member(intent)
        self.file.save(self.batch)

    def _saved_index(self, intent: Intent) -> bytes | None:
        return self.file.saved_index(intent, self.file.member_index(intent.agent_id))

    def _member(self, agent_id: str) -> Intent:
        return next(m for m in self.batch.members if m.agent_id == agent_id)

    # -- the steps ------------------------------------------------------------------------

    def begin_batch(self, indexes: Mapping[str, bytes]) -> None:
        """The members' index bytes, the intent, its guard: nothing has moved yet."""
        for agent_id, data in indexes.items():
            self.file.save_member_index(agent_id, data)
        self.file.save(self.batch)
        self.make_guard(self.batch.guard, self.batch.new)
        pause("after-intent")

    def land(self, step: Callable[[str], None]) -> None:
        """Steps 1 to 3; a failure undoes what was done and refuses."""
        b, repo = self.batch, self.ctx.repo
        try:
            for member in b.members:
                if member.wip is not None:
                    self.move_branch(self._member(member.agent_id))
            step("updating base")
            if not self._move_base():
                now = repo.rev(b.ref)
                where = f"is now at {now[:10]}" if now else "was deleted"
                kept = self.undo_batch(moved=False).note
                raise MergeRefused(f"{b.base} moved while merging {self.what} (it {where}, was "
                                   f"{b.old[:10]}); nothing was changed; merge again{kept}",
                                   b.members[0].agent)
        except (GitError, OSError) as exc:
            kept = self.undo_batch(moved=False).note
            raise MergeRefused(f"git failed while merging {self.what}: {exc}{kept}",
                               b.members[0].agent) from None
        if b.checkout is None:
            return
        step("updating checkout")
        try:
            self.bring_checkout(b.members[0])
        except (GitError, OSError) as exc:
            undone = self.undo_batch()
            what = f"{b.base} was put back at {b.old[:10]}" if undone.base_back else \
                f"{b.base} moved again meanwhile, so it was left as it is now"
            raise MergeRefused(f"could not update {b.checkout} to the merged {b.base}, so "
                               f"{what}: {exc}{undone.note}", b.members[0].agent) from None

    def _move_base(self) -> bool:
        b = self.batch
        what = f"a batch of {len(b.members)}: {b.names}" if len(b.members) > 1 else \
            b.members[0].branch
        moved = self.ctx.repo.update_ref_while(b.ref, b.new, b.old, b.guard, b.new,
                                               f"workspace: merge {what} ({b.strategy})")
        if moved:
            pause("after-base")
        return moved

    def complete_batch(self) -> None:
        for member in self.batch.members:
            self.mark_merged(member)
        pause("after-merged")
        self.clear(self.batch.members[0])

    def undo_batch(self, moved: bool = True) -> Undone:
        """As Steps.undo, for every member: base back from the tip to old (the checkout
        could not follow), each member's commit of uncommitted work taken back."""
        b, repo = self.batch, self.ctx.repo
        now = repo.rev(b.ref)
        if moved and now == b.new:
            now = b.old if repo.update_ref_while(
                b.ref, b.old, b.new, b.guard, b.new,
                "workspace: undo a batch merge (checkout could not update)") else repo.rev(b.ref)
        members = [self._member(m.agent_id) for m in b.members]
        if moved and now != b.old:
            note = "".join(self._wip_kept(m) for m in members if m.wip is not None)
            self.clear(b.members[0])
            return Undone(False, note)
        note = "".join(self._undo_wip(m) for m in members if m.wip is not None)
        self.clear(b.members[0])
        return Undone(True, note)

    # -- recovery -------------------------------------------------------------------------

    def recover_batch(self) -> str:
        """Finish or undo the batch (the caller holds the merge lock); one line."""
        b = self.batch
        self.drop_guard(b.guard, b.new)
        self.batch = batch_with_guard(b, new_guard())
        self.file.save(self.batch)
        self.make_guard(self.batch.guard, self.batch.new)
        pause("recover-claimed")
        b = self.batch
        now = self.ctx.repo.rev(b.ref)
        what = f"the interrupted merge of {self.what}"
        if now == b.new:
            for member in b.members:
                self._finish_index(self._member(member.agent_id))
            try:
                self.bring_checkout(b.members[0])
            except GitError as exc:
                undone = self.undo_batch()
                back = f"{b.base} was put back at {b.old[:10]}" if undone.base_back \
                    else f"{b.base} moved again meanwhile, so it was left as it is now"
                return self._noted_all(f"{what} was undone: {b.checkout} could not be brought "
                                       f"along ({exc}), so {back}{undone.note}; merge again")
            self.complete_batch()
            return f"finished {what} ({b.base} is at {b.new[:10]})"
        if now == b.old:
            undone = self.undo_batch()
            return self._noted_all(f"{what} was undone ({b.base} had not moved){undone.note}; "
                                   "merge again")
        undone = self.undo_batch()
        where = f"is now at {now[:10]}" if now else "was deleted"
        return self._noted_all(
            f"{b.base} moved since {what} ({b.base} {where}; the batch was moving it from "
            f"{b.old[:10]} to {b.new[:10]}); nothing was changed{undone.note}: check {b.base} "
            "and merge again")

    def _noted_all(self, line: str) -> str:
        for member in self.batch.members:
            self._noted(member, line)
        return line

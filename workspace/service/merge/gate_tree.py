"""The worktrees the refinery's gate runs in: for each gate run, a fresh detached worktree at
the commit gated (<state>/batches/<pid>-<n>), prepared as an agent's worktree is (setup.py:
submodules, the ignored files of [worktree] copy, symlink and .worktreeinclude, post_create),
so the gate sees what an agent sees; removed after the run, and by the next batch if the
process that made it was killed (a post_create or gate it ran dies with it: runner.py).

A worktree that cannot be made or prepared is nobody's fault among the batch (a broken
post_create, an untrusted one, a submodule that cannot be fetched): GateUnprepared, one line
saying what to fix; the round stops, nothing lands, no member is blamed."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from workspace.adapters.git import GitError
from workspace.adapters.proc import alive
from workspace.core.errors import UsageError
from workspace.service.context import Context
from workspace.service.merge.errors import MergeBusy
from workspace.service.setup import SetupFailed, Target, check_setup_trusted, prepare_worktree

BATCH_DIR = "batches"
SETUP_LOG = "gate-setup.log"
"""<state>/gate-setup.log: the last gate worktree's post_create output (a failed one's is
kept in <state>/setup-failed/ too, named in the line)."""
UNPREPARED = "the gate's worktree could not be prepared"


class GateUnprepared(MergeBusy):
    """The gate could not be run for the environment, not for a merge (its worktree could
    not be prepared, or its program is not installed: batch.py): every member stays queued,
    nothing is decided (a MergeBusy: whoever handles a refusal that may pass later handles
    this one safely)."""

    runs = 0
    """Gate runs its round made before it (bisecting)."""


class GateTrees:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._made = 0

    @property
    def root(self) -> Path:
        return self.ctx.state_dir / BATCH_DIR

    @contextlib.contextmanager
    def tree(self, commit: str, say: Callable[[str], None] = lambda _: None
             ) -> Iterator[Path]:
        """A prepared worktree at `commit`, removed after; raises GateUnprepared."""
        try:
            # A repository's own file choosing what is copied or run waits for trust, as for
            # a spawn; checked at each run: the person may trust it (or the file change)
            # while the batch waits.
            check_setup_trusted(self.ctx)
        except UsageError as exc:
            raise GateUnprepared(f"{UNPREPARED}: {exc}") from None
        path = self._fresh_dir()
        try:
            self._make(path, commit, say)
            yield path
        finally:
            self._remove(path)

    def _make(self, path: Path, commit: str, say: Callable[[str], None]) -> None:
        try:
            self.ctx.repo.add_detached_worktree(path, commit)
        except GitError as exc:
            raise GateUnprepared(f"{UNPREPARED}: git worktree add: {exc}") from None
        target = Target(path, "the gate's", self.ctx.state_dir / SETUP_LOG, f"gate-{path.name}",
                        {"WORKSPACE_GATE": "1"}, say)
        try:
            submodules = prepare_worktree(self.ctx, target)
        except SetupFailed as exc:
            log = f" (its output: {exc.log})" if exc.log else ""
            raise GateUnprepared(f"{UNPREPARED}: {exc.reason}; {exc.fix}{log}") from None
        except (GitError, OSError) as exc:
            raise GateUnprepared(f"{UNPREPARED}: {exc}") from None
        if submodules:
            # An agent starts without them (its row says so); a gate would fail for them.
            raise GateUnprepared(f"{UNPREPARED}: its submodules could not be initialised "
                                 f"({submodules}); check that 'git submodule update --init "
                                 "--recursive' works in a new worktree")

    def _fresh_dir(self) -> Path:
        self._made += 1
        path = self.root / f"{os.getpid()}-{self._made}"
        shutil.rmtree(path, ignore_errors=True)
        return path

    def _remove(self, path: Path) -> None:
        # git removes what it checked out, the submodules and the copies; a link is removed,
        # never followed (the main checkout's folder it points to stays).
        with contextlib.suppress(GitError, OSError):
            self.ctx.repo.remove_worktree(path)
        shutil.rmtree(path, ignore_errors=True)

    def clear_leftovers(self) -> None:
        """Worktrees a gate run of a dead process left (SIGKILL during a gate or its setup)."""
        root = self.root
        for path in [p for p in root.iterdir() if not live(p.name)] if root.is_dir() else []:
            self._remove(path)


def live(name: str) -> bool:
    """Is the process that named this (`<pid>-<n>`) still running?"""
    pid = name.split("-", 1)[0]
    return pid.isdigit() and alive(int(pid))

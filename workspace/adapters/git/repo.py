"""GitRepo: the repository the workspace manages, and everything the service asks git, by name.

Each method hands over to the function of the same name in the module of its group (refs,
worktrees, diffs, uncommitted, commits, checkout, remotes), where its documentation is: the
service sees one object, and no module grows past one topic.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from workspace.adapters.git import (
    checkout,
    commits,
    diffs,
    ignored,
    index,
    refs,
    remotes,
    submodules,
    uncommitted,
    worktrees,
)
from workspace.adapters.git.runner import Git, GitError, run_git
from workspace.adapters.git.uncommitted import WorktreeSnapshot
from workspace.adapters.git.worktrees import UnsavedWork
from workspace.core.agent import DiffStat
from workspace.core.errors import UsageError
from workspace.core.gitparse import CommitInfo, WorktreeInfo, WorktreeStatus
from workspace.core.review.mergetree import MergeTreeResult


class GitRepo:
    """The repository the workspace manages, found from any of its checkouts."""

    def __init__(self, top: Path, common_dir: Path) -> None:
        self.top = top
        """The main checkout (the common dir's parent for a normal repository)."""
        self.common_dir = common_dir
        self._git = Git(top, common_dir)

    @classmethod
    def discover(cls, cwd: Path) -> GitRepo:
        if not cwd.is_dir():
            raise UsageError(f"{cwd} is not a directory")
        try:
            out = run_git(cwd, "rev-parse", "--path-format=absolute", "--show-toplevel",
                          "--git-common-dir")
        except GitError as exc:
            if "not a git repository" in exc.stderr or "not a git repository" in str(exc):
                raise UsageError(
                    f"{cwd} is not inside a git repository; cd into one, or run 'git init' "
                    "and commit once"
                ) from None
            raise UsageError(f"git cannot read the repository at {cwd}: {exc}") from None
        lines = out.strip().splitlines()
        if len(lines) < 2:
            raise UsageError(f"{cwd} is not inside a git work tree (a bare repository?)")
        toplevel, common = Path(lines[0]), Path(lines[1])
        main = common.parent if common.name == ".git" else toplevel
        return cls(main.resolve(), common.resolve())

    @property
    def name(self) -> str:
        return self.top.name

    # -- refs and branches --------------------------------------------------------------

    def has_commits(self) -> bool:
        return refs.has_commits(self._git)

    def current_branch(self, worktree: str | Path | None = None) -> str | None:
        return refs.current_branch(self._git, worktree)

    def rev(self, ref: str) -> str | None:
        return refs.rev(self._git, ref)

    def branch_exists(self, branch: str) -> bool:
        return refs.branch_exists(self._git, branch)

    def check_branch_name(self, branch: str) -> bool:
        return refs.check_branch_name(self._git, branch)

    def branch_tips(self) -> dict[str, str]:
        return refs.branch_tips(self._git)

    def refs_under(self, prefix: str) -> dict[str, str]:
        return refs.refs_under(self._git, prefix)

    def branch_names(self) -> list[str]:
        return refs.branch_names(self._git)

    def delete_branch(self, branch: str) -> None:
        refs.delete_branch(self._git, branch)

    def merge_base(self, a: str, b: str) -> str | None:
        return refs.merge_base(self._git, a, b)

    def is_ancestor(self, a: str, b: str) -> bool:
        return refs.is_ancestor(self._git, a, b)

    def tree_of(self, commit: str) -> str:
        return refs.tree_of(self._git, commit)

    def update_ref_while(self, ref: str, new: str, old: str, guard: str, guard_value: str,
                         message: str) -> bool:
        return refs.update_ref_while(self._git, ref, new, old, guard, guard_value, message)

    def update_ref(self, ref: str, new: str, old: str, message: str) -> bool:
        return refs.update_ref(self._git, ref, new, old, message)

    # -- worktrees and checkouts --------------------------------------------------------

    def worktrees(self) -> list[WorktreeInfo]:
        return worktrees.worktrees(self._git)

    def add_worktree(self, path: Path, branch: str, base_sha: str) -> None:
        worktrees.add_worktree(self._git, path, branch, base_sha)

    def add_detached_worktree(self, path: Path, commit: str) -> None:
        worktrees.add_detached_worktree(self._git, path, commit)

    def is_linked_worktree(self, path: Path) -> bool:
        return worktrees.is_linked_worktree(self._git, path)

    def remove_worktree(self, path: Path) -> None:
        worktrees.remove_worktree(self._git, path)

    def init_submodules(self, worktree: Path) -> str:
        if not submodules.has_submodules(worktree):
            return ""
        return submodules.init_submodules(self._git, worktree)

    def ignored_matching(self, patterns: list[str], pattern_file: Path | None = None
                         ) -> list[str]:
        return ignored.ignored_matching(self._git, patterns, pattern_file)

    def ignored_in(self, worktree: Path, paths: list[str]) -> list[str]:
        return ignored.ignored_in(self._git, worktree, paths)

    def uninitialised_submodules(self, worktree: Path) -> list[str]:
        if not submodules.has_submodules(worktree):
            return []
        return submodules.uninitialised_submodules(self._git, worktree)

    def status(self, worktree: Path) -> WorktreeStatus:
        return worktrees.status(self._git, worktree)

    def unsaved_work(self, worktree: Path | None, branch: str, base: str,
                     merged_tips: Collection[str] = ()) -> UnsavedWork:
        return worktrees.unsaved_work(self._git, worktree, branch, base, merged_tips)

    def operation_in_progress(self, git_dir: Path) -> str | None:
        return worktrees.operation_in_progress(git_dir)

    def being_rebased(self, branch: str) -> Path | None:
        return worktrees.being_rebased(self._git, branch)

    def checkout_blockers(self, checkout_path: Path, old: str, new: str) -> list[str]:
        return checkout.checkout_blockers(self._git, checkout_path, old, new)

    def update_checkout(self, checkout_path: Path, old: str, new: str) -> None:
        checkout.update_checkout(self._git, checkout_path, old, new)

    # -- uncommitted work ---------------------------------------------------------------

    def worktree_tree(self, worktree: Path, status: WorktreeStatus | None = None,
                      leave: Collection[str] = ()) -> str:
        return uncommitted.worktree_tree(self._git, worktree, status, leave)

    def snapshot(self, worktree: Path, leave: Collection[str] = ()) -> WorktreeSnapshot:
        return uncommitted.snapshot(self._git, worktree, leave)

    def save_recovery_ref(self, worktree: Path | None, branch: str, label: str) -> str | None:
        return uncommitted.save_recovery_ref(self._git, worktree, branch, label)

    def commit_wip(self, worktree: Path, branch: str, message: str,
                   leave: Collection[str] = ()) -> str | None:
        return uncommitted.commit_wip(self._git, worktree, branch, message, leave)

    def uncommit_wip(self, worktree: Path, branch: str, wip: str, head: str,
                     index: bytes | None) -> bool:
        return uncommitted.uncommit_wip(self._git, worktree, branch, wip, head, index)

    def read_index(self, worktree: Path) -> bytes | None:
        return index.read_index(self._git, worktree)

    def index_at(self, worktree: Path, commit: str) -> bytes:
        return index.index_at(self._git, worktree, commit)

    def write_index(self, worktree: Path, data: bytes) -> None:
        index.write_index(self._git, worktree, data)

    # -- diffs --------------------------------------------------------------------------

    def diff_base(self, worktree: Path, base: str, base_sha: str) -> str:
        return diffs.diff_base(self._git, worktree, base, base_sha)

    def diff_stat(self, worktree: Path, base: str, base_sha: str) -> DiffStat:
        return diffs.diff_stat(self._git, worktree, base, base_sha)

    def diff_key(self, worktree: Path, tips: Mapping[str, str]) -> str:
        return diffs.diff_key(worktree, tips)

    def diff_stat_between(self, old: str, new: str) -> DiffStat:
        return diffs.diff_stat_between(self._git, old, new)

    def diff_trees(self, against: str, tree: str) -> str:
        return diffs.diff_trees(self._git, against, tree)

    def changed_paths(self, a: str, b: str) -> dict[str, str]:
        return diffs.changed_paths(self._git, a, b)

    # -- history and commits built without a worktree -----------------------------------

    def commits(self, *range_args: str, no_merges: bool = False,
                reverse: bool = False) -> list[CommitInfo]:
        return commits.commits(self._git, *range_args, no_merges=no_merges, reverse=reverse)

    def rebase_commits(self, upstream: str, tip: str) -> list[CommitInfo]:
        return commits.rebase_commits(self._git, upstream, tip)

    def merge_tree(self, ours: str, theirs: str) -> MergeTreeResult:
        return commits.merge_tree(self._git, ours, theirs)

    def commit_tree(self, tree: str, parents: list[str], message: str) -> str:
        return commits.commit_tree(self._git, tree, parents, message)

    def replay_commit(self, tree: str, parent: str, original: CommitInfo) -> str:
        return commits.replay_commit(self._git, tree, parent, original)

    def pick_onto(self, onto: str, commit: CommitInfo) -> MergeTreeResult:
        return commits.pick_onto(self._git, onto, commit)

    # -- remotes ------------------------------------------------------------------------

    def remotes(self) -> list[str]:
        return remotes.remotes(self._git)

    def upstream_remote(self, branch: str) -> str | None:
        return remotes.upstream_remote(self._git, branch)

    def push_command(self, remote: str, branch: str) -> tuple[str, ...]:
        return remotes.push_command(remote, branch)

    def push_branch(self, remote: str, branch: str) -> None:
        remotes.push_branch(self._git, remote, branch)

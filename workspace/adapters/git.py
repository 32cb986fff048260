"""git: the repository, agents' worktrees and branches, diff statistics, recovery refs.

Nothing here touches a worktree's index: reads run with GIT_OPTIONAL_LOCKS=0 (no opportunistic
index refresh), and snapshots of uncommitted work are built in a temporary index file.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

from workspace.core.agent import DiffStat
from workspace.core.diffstat import FileStat, count_text_lines, parse_numstat_z, summarize
from workspace.core.errors import UsageError
from workspace.core.format import plural
from workspace.core.review.mergetree import MergeTreeResult, parse_merge_tree

RECOVERY_PREFIX = "refs/workspace/recovery"

_BASE_ENV = {
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
    "GIT_PAGER": "cat",
}


class GitError(Exception):
    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


@dataclass(frozen=True)
class WorktreeInfo:
    path: str
    head: str
    branch: str | None
    """Short branch name; None when detached."""
    prunable: bool = False


@dataclass(frozen=True)
class UnsavedWork:
    """What removing a worktree and its branch would lose."""

    uncommitted: tuple[str, ...]
    """`git status --porcelain` lines (modified, staged and untracked files)."""
    commits: tuple[str, ...]
    """One-line summaries of commits on the branch that are not on base."""

    @property
    def empty(self) -> bool:
        return not self.uncommitted and not self.commits

    def describe(self) -> str:
        parts = []
        if self.uncommitted:
            parts.append(plural(len(self.uncommitted), "uncommitted file"))
        if self.commits:
            parts.append(f"{plural(len(self.commits), 'commit')} not on base")
        return " and ".join(parts) or "nothing"


def run_git(cwd: str | Path, *args: str, env: dict[str, str] | None = None,
            check: bool = True) -> str:
    """Run git in `cwd` (argv only, never a shell) and return stdout."""
    import git

    runner = git.Git(str(cwd))
    full_env = {**_BASE_ENV, **(env or {})}
    try:
        status, out, err = runner.execute(
            ["git", *args],
            env=full_env,
            with_extended_output=True,
            with_exceptions=False,
            strip_newline_in_stdout=False,
        )
    except git.GitCommandNotFound:
        raise UsageError("git is not installed or not on PATH; install git 2.38 or newer") from None
    if check and status != 0:
        raise GitError(err.strip() or f"git {args[0]} failed with status {status}", err)
    return str(out)


class GitRepo:
    """The repository the workspace manages, found from any of its checkouts."""

    def __init__(self, top: Path, common_dir: Path) -> None:
        self.top = top
        """The main checkout (the common dir's parent for a normal repository)."""
        self.common_dir = common_dir

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

    def git(self, *args: str, cwd: str | Path | None = None, **kw: object) -> str:
        return run_git(cwd or self.top, *args, **kw)  # type: ignore[arg-type]

    # -- refs ---------------------------------------------------------------------------

    def has_commits(self) -> bool:
        return bool(self.git("rev-parse", "--verify", "-q", "HEAD", check=False).strip())

    def current_branch(self, worktree: str | Path | None = None) -> str | None:
        out = self.git("symbolic-ref", "-q", "--short", "HEAD", cwd=worktree, check=False)
        return out.strip() or None

    def rev(self, ref: str) -> str | None:
        out = self.git("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
        return out.strip() or None

    def branch_exists(self, branch: str) -> bool:
        return self.rev(f"refs/heads/{branch}") is not None

    def check_branch_name(self, branch: str) -> bool:
        out = self.git("check-ref-format", "--branch", branch, check=False)
        return bool(out.strip())

    def branch_tips(self) -> dict[str, str]:
        """Every local branch and the commit it points at, in one git process."""
        out = self.git("for-each-ref", "--format=%(refname:short)%00%(objectname)",
                       "refs/heads")
        return dict(line.split("\0", 1) for line in out.splitlines() if "\0" in line)

    def branch_names(self) -> list[str]:
        out = self.git("for-each-ref", "--format=%(refname:short)", "refs/heads/")
        return [b for b in out.splitlines() if b]

    def merge_base(self, a: str, b: str) -> str | None:
        out = self.git("merge-base", a, b, check=False)
        return out.strip() or None

    # -- worktrees ----------------------------------------------------------------------

    def worktrees(self) -> list[WorktreeInfo]:
        out = self.git("worktree", "list", "--porcelain", "-z")
        found: list[WorktreeInfo] = []
        record: dict[str, str] = {}
        for field in [*out.split("\0"), ""]:
            if not field:
                if "worktree" in record:
                    branch = record.get("branch", "")
                    found.append(
                        WorktreeInfo(
                            path=record["worktree"],
                            head=record.get("HEAD", ""),
                            branch=branch.removeprefix("refs/heads/") or None,
                            prunable="prunable" in record,
                        )
                    )
                record = {}
                continue
            key, _, value = field.partition(" ")
            record[key] = value
        return found

    def worktree_of_branch(self, branch: str) -> str | None:
        for wt in self.worktrees():
            if wt.branch == branch:
                return wt.path
        return None

    def add_worktree(self, path: Path, branch: str, base_sha: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.git("worktree", "add", "--quiet", "-b", branch, str(path), base_sha)

    def is_linked_worktree(self, path: Path) -> bool:
        """True only for a linked worktree of this repository (its .git is a file pointing
        into our common dir), never for the main checkout or an unrelated directory."""
        dotgit = path / ".git"
        if not dotgit.is_file():
            return False
        try:
            text = dotgit.read_text().strip()
        except OSError:
            return False
        if not text.startswith("gitdir:"):
            return False
        gitdir = Path(text.removeprefix("gitdir:").strip())
        if not gitdir.is_absolute():
            gitdir = (path / gitdir).resolve()
        return gitdir.resolve().parent == (self.common_dir / "worktrees").resolve()

    def remove_worktree(self, path: Path) -> None:
        """Remove a linked worktree. Callers first save what is unsaved (recovery ref)."""
        if not self.is_linked_worktree(path):
            if path.exists():
                raise GitError(f"{path} is not a linked worktree of this repository; not removed")
            self.git("worktree", "prune")
            return
        self.git("worktree", "remove", "--force", str(path))

    def delete_branch(self, branch: str) -> None:
        self.git("branch", "-D", "--", branch)

    # -- what would be lost -------------------------------------------------------------

    def unsaved_work(self, worktree: Path | None, branch: str, base: str) -> UnsavedWork:
        uncommitted: tuple[str, ...] = ()
        if worktree is not None and worktree.is_dir():
            out = self.git("status", "--porcelain=v1", "--untracked-files=all", cwd=worktree)
            uncommitted = tuple(line for line in out.splitlines() if line.strip())
        commits: tuple[str, ...] = ()
        if self.branch_exists(branch):
            base_ref = base if self.rev(base) else None
            range_args = [f"{base_ref}..refs/heads/{branch}"] if base_ref else [
                f"refs/heads/{branch}", "--not", "--exclude=refs/heads/" + branch, "--branches"
            ]
            out = self.git("log", "--format=%h %s", *range_args, check=False)
            commits = tuple(line for line in out.splitlines() if line.strip())
        return UnsavedWork(uncommitted, commits)

    def save_recovery_ref(self, worktree: Path | None, branch: str, label: str) -> str | None:
        """Keep the branch tip and every uncommitted or untracked file reachable under
        refs/workspace/recovery/<label>-<time>, without touching the worktree or its index.
        Returns the ref, or None when there is nothing to keep."""
        tip = self.rev(f"refs/heads/{branch}")
        commit = tip
        if worktree is not None and worktree.is_dir():
            snapshot = self.snapshot_worktree(worktree, f"workspace: recovery of {label}")
            commit = snapshot or tip
        if commit is None:
            return None
        ref = f"{RECOVERY_PREFIX}/{label}-{time.strftime('%Y%m%d-%H%M%S')}"
        self.git("update-ref", ref, commit)
        return ref

    def snapshot_worktree(self, worktree: Path, message: str) -> str | None:
        """A commit of the worktree as it is (tracked changes and untracked files), parented on
        its HEAD, built in a temporary index. None when there is nothing uncommitted."""
        head = self.git("rev-parse", "--verify", "-q", "HEAD", cwd=worktree, check=False).strip()
        status = self.git("status", "--porcelain", "--untracked-files=all", cwd=worktree)
        if not status.strip():
            return None
        with tempfile.TemporaryDirectory(prefix="workspace-index-") as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if head:
                self.git("read-tree", head, cwd=worktree, env=env)
            self.git("add", "-A", "--", ".", cwd=worktree, env=env)
            tree = self.git("write-tree", cwd=worktree, env=env).strip()
        parents = ["-p", head] if head else []
        ident = {
            "GIT_AUTHOR_NAME": "workspace", "GIT_AUTHOR_EMAIL": "workspace@localhost",
            "GIT_COMMITTER_NAME": "workspace", "GIT_COMMITTER_EMAIL": "workspace@localhost",
        }
        return self.git("commit-tree", tree, *parents, "-m", message, cwd=worktree,
                        env=ident).strip()

    # -- diff statistics ----------------------------------------------------------------

    def diff_files(self, worktree: Path, against: str) -> list[FileStat]:
        """Files changed in the worktree against commit `against`: committed, staged,
        unstaged and untracked, with +/- line counts. Read-only."""
        out = self.git("diff", "--numstat", "-z", "-M", "--no-color", "--no-ext-diff", against,
                       "--", cwd=worktree)
        return parse_numstat_z(out) + self.untracked_files(worktree)

    def untracked_files(self, worktree: Path) -> list[FileStat]:
        out = self.git("ls-files", "--others", "--exclude-standard", "-z", cwd=worktree)
        files: list[FileStat] = []
        for rel in out.split("\0"):
            if not rel:
                continue
            try:
                data = (worktree / rel).read_bytes()
            except OSError:
                continue
            lines = count_text_lines(data)
            files.append(FileStat(rel, lines or 0, 0, binary=lines is None, status="U"))
        return files

    def diff_base(self, worktree: Path, base: str, base_sha: str) -> str:
        """The commit to diff an agent's work against: the merge-base of its HEAD with its
        base branch, or the commit it started from if the base branch is gone."""
        if self.rev(base):
            mb = self.git("merge-base", base, "HEAD", cwd=worktree, check=False).strip()
            if mb:
                return mb
        return base_sha

    def diff_stat_between(self, old: str, new: str) -> DiffStat:
        """What changes from commit `old` to commit `new` (renames found)."""
        out = self.git("diff", "--numstat", "-z", "-M", "--no-ext-diff", old, new, "--")
        return summarize(parse_numstat_z(out))

    def diff_stat(self, worktree: Path, base: str, base_sha: str) -> DiffStat:
        if not worktree.is_dir():
            return DiffStat()
        return summarize(self.diff_files(worktree, self.diff_base(worktree, base, base_sha)))

    # -- review and merge -------------------------------------------------------------------
    # Everything below reads with GIT_OPTIONAL_LOCKS=0 and builds trees and commits in
    # temporary index files: nothing writes a worktree's index or files, except `commit_wip`
    # (the agent's own worktree, when the person asks for it) and `update_checkout` (the main
    # checkout, after `checkout_blockers` found nothing in the way).

    # -- looking at a worktree ----------------------------------------------------------

    def status(self, worktree: Path) -> WorktreeStatus:
        out = self.git("status", "--porcelain=v2", "-z", "--branch", "--untracked-files=all",
                       "--ignore-submodules=dirty", cwd=worktree)
        return parse_status_v2(out)

    def git_dir_of(self, worktree: Path) -> Path:
        return Path(self.git("rev-parse", "--path-format=absolute", "--git-dir",
                             cwd=worktree).strip())

    def index_file(self, worktree: Path) -> Path:
        return Path(self.git("rev-parse", "--path-format=absolute", "--git-path", "index",
                             cwd=worktree).strip())

    def worktree_tree(self, worktree: Path, status: WorktreeStatus | None = None,
                      leave: Collection[str] = ()) -> str:
        """The tree of every file in the worktree as it is (tracked, staged, unstaged and
        untracked, ignored files left out), built in a copy of its index in a temp dir: the
        real index is only read, so its stat data spares re-hashing unchanged files.
        `leave`: untracked paths to leave out too."""
        status = without_untracked(status or self.status(worktree), leave)
        if status.head and not status.dirty:
            return self.git("rev-parse", f"{status.head}^{{tree}}", cwd=worktree).strip()
        real = self.index_file(worktree)
        with tempfile.TemporaryDirectory(prefix="workspace-index-") as tmp:
            index = Path(tmp) / "index"
            try:
                index.write_bytes(real.read_bytes())
            except OSError:
                index.unlink(missing_ok=True)
            env = {"GIT_INDEX_FILE": str(index)}
            if not index.exists() and status.head:
                self.git("read-tree", status.head, cwd=worktree, env=env)
            self.git("add", "-A", "--", ".", cwd=worktree, env=env)
            left = [p for p in leave if p not in status.changed]
            if left:
                listed = Path(tmp) / "leave"
                listed.write_bytes(b"".join(os.fsencode(p) + b"\0" for p in left))
                self.git("rm", "--cached", "-q", "--ignore-unmatch",
                         f"--pathspec-from-file={listed}", "--pathspec-file-nul", cwd=worktree,
                         env={**env, "GIT_LITERAL_PATHSPECS": "1"})
            return self.git("write-tree", cwd=worktree, env=env).strip()

    def snapshot(self, worktree: Path, leave: Collection[str] = ()) -> Snapshot:
        """See Snapshot. The commit has a fixed identity and date, so it is the same commit
        for the same worktree content. `leave`: untracked paths to leave out."""
        status = without_untracked(self.status(worktree), leave)
        if status.head is None:
            raise GitError(f"{worktree} has no commits")
        tree = self.worktree_tree(worktree, status, leave)
        head_tree = self.git("rev-parse", f"{status.head}^{{tree}}", cwd=worktree).strip()
        if tree == head_tree:
            return Snapshot(status.head, tree, status.head, status)
        commit = self.git("commit-tree", tree, "-p", status.head, "-m",
                          "workspace: snapshot of uncommitted work", cwd=worktree,
                          env=_SNAPSHOT_IDENT).strip()
        return Snapshot(status.head, tree, commit, status)

    # -- diffs --------------------------------------------------------------------------

    def diff_trees(self, against: str, tree: str) -> str:
        """The unified diff from commit or tree `against` to `tree` (no worktree, no index)."""
        return self.git(*_DIFF_ARGS, against, tree, "--")

    def changed_paths(self, a: str, b: str) -> dict[str, str]:
        """Path -> A/M/D/T between two trees or commits, renames as delete + add."""
        out = self.git("diff", "--name-status", "-z", "--no-renames", "--no-ext-diff",
                       "--no-relative", a, b, "--")
        fields = out.split("\0")
        found: dict[str, str] = {}
        for i in range(0, len(fields) - 1, 2):
            if fields[i]:
                found[fields[i + 1]] = fields[i][:1]
        return found

    # -- history ------------------------------------------------------------------------

    def is_ancestor(self, a: str, b: str) -> bool:
        status, _, _ = run_git_full(self.top, "merge-base", "--is-ancestor", a, b)
        return status == 0

    def tree_of(self, commit: str) -> str:
        return self.git("rev-parse", f"{commit}^{{tree}}").strip()

    def commits(self, *range_args: str, no_merges: bool = False,
                reverse: bool = False) -> list[CommitInfo]:
        args = ["log", "-z", "--format=%H%x1f%an%x1f%ae%x1f%ad%x1f%B", "--date=raw"]
        if no_merges:
            args.append("--no-merges")
        if reverse:
            args.append("--reverse")
        out = self.git(*args, *range_args, "--")
        found = []
        for record in out.split("\0"):
            parts = record.strip("\n").split("\x1f")
            if len(parts) != 5:
                continue
            sha, name, email, date, message = parts
            subject = message.strip().splitlines()[0] if message.strip() else ""
            found.append(CommitInfo(sha, subject, name, email, date, message))
        return found

    def rebase_commits(self, upstream: str, tip: str) -> list[CommitInfo]:
        """The commits `git rebase upstream` would replay: not on upstream, no merges, not
        already there as the same patch; oldest first."""
        out = self.git("rev-list", "--reverse", "--no-merges", "--right-only", "--cherry-pick",
                       f"{upstream}...{tip}")
        wanted = [sha for sha in out.split() if sha]
        if not wanted:
            return []
        by_sha = {c.sha: c for c in self.commits(f"{upstream}..{tip}", no_merges=True)}
        return [by_sha[sha] for sha in wanted if sha in by_sha]

    # -- building commits without a worktree ----------------------------------------------

    def merge_tree(self, ours: str, theirs: str) -> MergeTreeResult:
        """A real three-way merge of two commits, written as a tree only (`git merge-tree
        --write-tree`): no worktree, no index, no ref is touched."""
        status, out, err = run_git_full(self.top, "merge-tree", "--write-tree", "--name-only",
                                        "-z", "--messages", ours, theirs)
        if status not in (0, 1) or not out.strip("\0").strip():
            raise GitError(err.strip() or f"git merge-tree failed with status {status}", err)
        return parse_merge_tree(out, clean=status == 0)

    def commit_tree(self, tree: str, parents: list[str], message: str,
                    env: dict[str, str] | None = None) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        status, out, err = run_git_full(self.top, *args, "-m", message, env=env)
        if status != 0:
            if "tell me who you are" in err or "empty ident" in err:
                raise UsageError("git does not know who you are, so it cannot make the commit; "
                                 "run git config --global user.name 'Your Name' and "
                                 "git config --global user.email you@example.com")
            raise GitError(err.strip() or "git commit-tree failed", err)
        return out.strip()

    def pick_onto(self, onto: str, commit: CommitInfo) -> MergeTreeResult:
        """Cherry-pick `commit` onto commit `onto` as a tree: git 2.39's merge-tree has no
        --merge-base, so the base is set by a throwaway commit of `onto`'s tree whose parent
        is `commit`'s parent (their only best common ancestor)."""
        parent = self.git("rev-parse", f"{commit.sha}^").strip()
        stand_in = self.commit_tree(self.tree_of(onto), [parent], "workspace: pick base",
                                    env=_SNAPSHOT_IDENT)
        return self.merge_tree(stand_in, commit.sha)

    def update_ref(self, ref: str, new: str, old: str, message: str) -> bool:
        """Move `ref` from `old` to `new` atomically; False if it was not at `old`."""
        status, _, _ = run_git_full(self.top, "update-ref", "-m", message, ref, new, old)
        return status == 0

    # -- committing an agent's uncommitted work -------------------------------------------

    def commit_wip(self, worktree: Path, branch: str, message: str,
                   leave: Collection[str] = ()) -> str | None:
        """Commit everything uncommitted in the agent's worktree (but the untracked paths in
        `leave`) onto its branch: the commit is built in a temp index, the branch moves only
        if it is still where it was, then the worktree's index is reset to the new commit
        (its files are not touched). Returns the commit, or None if there was nothing to
        commit."""
        status = without_untracked(self.status(worktree), leave)
        if not status.dirty or status.head is None:
            return None
        tree = self.worktree_tree(worktree, status, leave)
        if tree == self.tree_of(status.head):
            return None
        commit = self.commit_tree(tree, [status.head], message)
        if not self.update_ref(f"refs/heads/{branch}", commit, status.head,
                               "workspace: commit uncommitted work before merging"):
            raise GitError(f"branch {branch} moved while its work was being committed")
        # HEAD is the new commit now: a mixed reset makes the index match it (files stay).
        self.git("reset", "-q", cwd=worktree)
        return commit

    def uncommit_wip(self, worktree: Path, branch: str, wip: str, head: str,
                     index: bytes | None) -> bool:
        """Undo `commit_wip`: the branch back from `wip` to `head` (only if it is still at
        `wip`) and the worktree's index back to the bytes it had. False if the branch had
        moved on (then nothing is undone)."""
        if not self.update_ref(f"refs/heads/{branch}", head, wip,
                               "workspace: undo the commit of uncommitted work (no merge)"):
            return False
        if index is not None:
            self.write_index(worktree, index)
        return True

    def read_index(self, worktree: Path) -> bytes | None:
        path = self.index_file(worktree)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def write_index(self, worktree: Path, data: bytes) -> None:
        """Put the worktree's index back as it was, by git's own protocol: write index.lock
        (exclusively: it fails if git is writing the index now), then rename it over."""
        path = self.index_file(worktree)
        lock = path.with_name(path.name + ".lock")
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        except BaseException:
            lock.unlink(missing_ok=True)
            raise
        lock.replace(path)

    # -- checkouts that have a branch -------------------------------------------------------

    def git_dirs(self) -> list[tuple[Path, Path | None]]:
        """(git dir, checkout path) of the main checkout and every linked worktree."""
        found: list[tuple[Path, Path | None]] = [(self.common_dir, self.top)]
        admin = self.common_dir / "worktrees"
        if admin.is_dir():
            for entry in sorted(admin.iterdir()):
                gitdir_file = entry / "gitdir"
                try:
                    checkout = Path(gitdir_file.read_text().strip()).parent
                except OSError:
                    checkout = None
                found.append((entry, checkout))
        return found

    def operation_in_progress(self, git_dir: Path) -> str | None:
        """A merge, rebase, cherry-pick, revert or bisect under way in that checkout."""
        for name, what in (("rebase-merge", "a rebase"), ("rebase-apply", "a rebase or am"),
                           ("MERGE_HEAD", "a merge"), ("CHERRY_PICK_HEAD", "a cherry-pick"),
                           ("REVERT_HEAD", "a revert"), ("BISECT_LOG", "a bisect")):
            if (git_dir / name).exists():
                return what
        return None

    def being_rebased(self, branch: str) -> Path | None:
        """The checkout in which `branch` is being rebased, if any."""
        for git_dir, checkout in self.git_dirs():
            for sub in ("rebase-merge", "rebase-apply"):
                try:
                    head = (git_dir / sub / "head-name").read_text().strip()
                except OSError:
                    continue
                if head == f"refs/heads/{branch}":
                    return checkout or git_dir
        return None

    def checkout_blockers(self, checkout: Path, old: str, new: str) -> list[str]:
        """What in `checkout` (whose HEAD is at `old`) an update to `new` would overwrite:
        uncommitted changes and untracked or ignored files in paths the update changes, or
        git's own objection. Read-only: the dry run works on a copy of the index."""
        changes = self.changed_paths(old, new)
        status = self.status(checkout)
        dirty = set(status.paths)
        blockers = []
        untracked = set(status.untracked)
        for path, kind in changes.items():
            if path in untracked:
                blockers.append(f"{path} (untracked file in the way)")
            elif path in dirty:
                blockers.append(f"{path} (uncommitted change)")
            elif kind == "A" and ((checkout / path).is_symlink() or (checkout / path).exists()):
                blockers.append(f"{path} (untracked or ignored file in the way)")
        under = [p for p in dirty if any(p.startswith(c + "/") or c.startswith(p + "/")
                                         for c in changes)]
        blockers += [f"{p} (uncommitted, in the way of a directory change)" for p in under]
        if blockers:
            return blockers
        real = self.index_file(checkout)
        with tempfile.TemporaryDirectory(prefix="workspace-index-") as tmp:
            index = Path(tmp) / "index"
            if real.exists():
                index.write_bytes(real.read_bytes())
            env = {"GIT_INDEX_FILE": str(index)}
            run_git_full(checkout, "update-index", "-q", "--refresh", env=env)
            code, _, err = run_git_full(checkout, "read-tree", "-m", "-u", "-n", old, new,
                                        env=env)
        if code != 0:
            return [line.strip() for line in err.strip().splitlines() if line.strip()][:10] \
                or ["git read-tree refused the update"]
        return []

    def update_checkout(self, checkout: Path, old: str, new: str) -> None:
        """Bring the checkout's index and files from `old` to `new` (a two-way merge: paths
        the change does not touch keep their staged and unstaged changes)."""
        run_git_full(checkout, "update-index", "-q", "--refresh")
        code, _, err = run_git_full(checkout, "read-tree", "-m", "-u", old, new)
        if code != 0:
            raise GitError(err.strip() or "git read-tree failed", err)

    # -- remotes ------------------------------------------------------------------------

    def remotes(self) -> list[str]:
        return [r for r in self.git("remote").split() if r]

    def upstream_remote(self, branch: str) -> str | None:
        out = self.git("config", "--get", f"branch.{branch}.remote", check=False).strip()
        return out or None

    def push_branch(self, remote: str, branch: str) -> None:
        code, _, err = run_git_full(self.top, "push", "--porcelain", "--set-upstream", remote,
                                    f"refs/heads/{branch}:refs/heads/{branch}")
        if code != 0:
            last = [line for line in err.strip().splitlines() if line.strip()]
            raise GitError(last[-1] if last else f"git push to {remote} failed", err)


# -- review and merge: helpers --------------------------------------------------------

_DIFF_ARGS = ("-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff",
              "--no-textconv", "--no-relative", "-M", "--src-prefix=a/", "--dst-prefix=b/")
_SNAPSHOT_IDENT = {
    "GIT_AUTHOR_NAME": "workspace", "GIT_AUTHOR_EMAIL": "workspace@localhost",
    "GIT_COMMITTER_NAME": "workspace", "GIT_COMMITTER_EMAIL": "workspace@localhost",
    # Fixed dates: the same tree on the same parent gives the same commit, so caches keyed
    # by commit ids hit and repeated looks add no objects.
    "GIT_AUTHOR_DATE": "1700000000 +0000", "GIT_COMMITTER_DATE": "1700000000 +0000",
}


def run_git_full(cwd: str | Path, *args: str, env: dict[str, str] | None = None
                 ) -> tuple[int, str, str]:
    """Run git and return (exit status, stdout, stderr) whatever the status."""
    import git

    runner = git.Git(str(cwd))
    try:
        status, out, err = runner.execute(
            ["git", *args],
            env={**_BASE_ENV, **(env or {})},
            with_extended_output=True,
            with_exceptions=False,
            strip_newline_in_stdout=False,
        )
    except git.GitCommandNotFound:
        raise UsageError("git is not installed or not on PATH; install git 2.38 or newer") from None
    return int(status or 0), str(out), str(err)


@dataclass(frozen=True)
class WorktreeStatus:
    """One `git status --porcelain=v2` look at a checkout (read-only)."""

    head: str | None
    """HEAD's commit; None before the first commit."""
    branch: str | None
    """Short branch name; None when detached."""
    changed: tuple[str, ...] = ()
    """Tracked paths with staged or unstaged changes (both sides of a staged rename)."""
    untracked: tuple[str, ...] = ()
    unmerged: tuple[str, ...] = ()

    @property
    def dirty(self) -> bool:
        return bool(self.changed or self.untracked or self.unmerged)

    @property
    def paths(self) -> tuple[str, ...]:
        return (*self.changed, *self.untracked, *self.unmerged)


def without_untracked(status: WorktreeStatus, leave: Collection[str]) -> WorktreeStatus:
    """The status as if the untracked paths in `leave` were not there."""
    if not leave:
        return status
    gone = set(leave)
    return replace(status, untracked=tuple(p for p in status.untracked if p not in gone))


@dataclass(frozen=True)
class Snapshot:
    """A worktree as it is: HEAD, the tree of every file in it (committed, uncommitted and
    untracked), and a commit of that tree on HEAD (HEAD itself when nothing is uncommitted)."""

    head: str
    tree: str
    commit: str
    status: WorktreeStatus


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    subject: str
    author_name: str
    author_email: str
    author_date: str
    message: str

    @property
    def oneline(self) -> str:
        return f"{self.sha[:10]} {self.subject}"


def parse_status_v2(output: str) -> WorktreeStatus:
    head: str | None = None
    branch: str | None = None
    changed: list[str] = []
    untracked: list[str] = []
    unmerged: list[str] = []
    fields = output.split("\0")
    i = 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if not entry:
            continue
        if entry.startswith("# branch.oid "):
            oid = entry.removeprefix("# branch.oid ")
            head = None if oid == "(initial)" else oid
        elif entry.startswith("# branch.head "):
            name = entry.removeprefix("# branch.head ")
            branch = None if name == "(detached)" else name
        elif entry.startswith("1 "):
            changed.append(entry.split(" ", 8)[8])
        elif entry.startswith("2 "):
            changed.append(entry.split(" ", 9)[9])
            if i < len(fields):
                changed.append(fields[i])
                i += 1
        elif entry.startswith("u "):
            unmerged.append(entry.split(" ", 10)[10])
        elif entry.startswith("? "):
            untracked.append(entry[2:])
    return WorktreeStatus(head, branch, tuple(changed), tuple(untracked), tuple(unmerged))

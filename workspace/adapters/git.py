"""git: the repository, agents' worktrees and branches, diff statistics, recovery refs.

Nothing here touches a worktree's index: reads run with GIT_OPTIONAL_LOCKS=0 (no opportunistic
index refresh), and snapshots of uncommitted work are built in a temporary index file.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from workspace.core.agent import DiffStat
from workspace.core.diffstat import FileStat, count_text_lines, parse_numstat_z, summarize
from workspace.core.errors import UsageError

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
            parts.append(f"{len(self.uncommitted)} uncommitted file(s)")
        if self.commits:
            parts.append(f"{len(self.commits)} commit(s) not on base")
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

    def diff_stat(self, worktree: Path, base: str, base_sha: str) -> DiffStat:
        if not worktree.is_dir():
            return DiffStat()
        return summarize(self.diff_files(worktree, self.diff_base(worktree, base, base_sha)))

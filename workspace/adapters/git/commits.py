"""History, and commits built without a worktree: merge-tree trial merges, commit-tree, picks."""

from __future__ import annotations

from collections.abc import Mapping

from workspace.adapters.git.refs import tree_of
from workspace.adapters.git.runner import Git
from workspace.core.errors import UsageError
from workspace.core.gitparse import LOG_FORMAT, CommitInfo, parse_log
from workspace.core.review.mergetree import MergeTreeResult, parse_merge_tree

WORKSPACE_IDENT = {
    "GIT_AUTHOR_NAME": "workspace", "GIT_AUTHOR_EMAIL": "workspace@localhost",
    "GIT_COMMITTER_NAME": "workspace", "GIT_COMMITTER_EMAIL": "workspace@localhost",
}
"""Who the commits this tool makes for itself are by (snapshots, recovery, pick bases)."""
SNAPSHOT_IDENT = {
    **WORKSPACE_IDENT,
    # Fixed dates: the same tree on the same parent gives the same commit, so caches keyed
    # by commit ids hit and repeated looks add no objects.
    "GIT_AUTHOR_DATE": "1700000000 +0000", "GIT_COMMITTER_DATE": "1700000000 +0000",
}


def commits(git: Git, *range_args: str, no_merges: bool = False,
            reverse: bool = False) -> list[CommitInfo]:
    args = ["log", "-z", LOG_FORMAT, "--date=raw"]
    if no_merges:
        args.append("--no-merges")
    if reverse:
        args.append("--reverse")
    return parse_log(git.out(*args, *range_args, "--"))


def rebase_commits(git: Git, upstream: str, tip: str) -> list[CommitInfo]:
    """The commits `git rebase upstream` would replay: not on upstream, no merges, not
    already there as the same patch; oldest first."""
    out = git.out("rev-list", "--reverse", "--no-merges", "--right-only", "--cherry-pick",
                  f"{upstream}...{tip}")
    wanted = [sha for sha in out.split() if sha]
    if not wanted:
        return []
    by_sha = {c.sha: c for c in commits(git, f"{upstream}..{tip}", no_merges=True)}
    return [by_sha[sha] for sha in wanted if sha in by_sha]


def merge_tree(git: Git, ours: str, theirs: str) -> MergeTreeResult:
    """A real three-way merge of two commits, written as a tree only (`git merge-tree
    --write-tree`): no worktree, no index, no ref is touched."""
    result = git.run("merge-tree", "--write-tree", "--name-only", "-z", "--messages",
                     ours, theirs)
    # Status 1 is a merge with conflicts, still a result.
    if result.status not in (0, 1) or not result.out.strip("\0").strip():
        raise result.error(f"git merge-tree failed with status {result.status}")
    return parse_merge_tree(result.out, clean=result.status == 0)


def commit_tree(git: Git, tree: str, parents: list[str], message: str,
                env: Mapping[str, str] | None = None) -> str:
    args = ["commit-tree", tree]
    for parent in parents:
        args += ["-p", parent]
    result = git.run(*args, "-m", message, env=env)
    if not result.ok:
        if "tell me who you are" in result.err or "empty ident" in result.err:
            raise UsageError("git does not know who you are, so it cannot make the commit; "
                             "run git config --global user.name 'Your Name' and "
                             "git config --global user.email you@example.com")
        raise result.error("git commit-tree failed")
    return result.out.strip()


def replay_commit(git: Git, tree: str, parent: str, original: CommitInfo) -> str:
    """A commit of `tree` on `parent` with `original`'s author, author date and message, as a
    rebase makes it (the committer is whoever runs it)."""
    author = {"GIT_AUTHOR_NAME": original.author_name,
              "GIT_AUTHOR_EMAIL": original.author_email,
              "GIT_AUTHOR_DATE": original.author_date}
    return commit_tree(git, tree, [parent], original.message.strip(), env=author)


def pick_onto(git: Git, onto: str, commit: CommitInfo) -> MergeTreeResult:
    """Cherry-pick `commit` onto commit `onto` as a tree: git 2.39's merge-tree has no
    --merge-base, so the base is set by a throwaway commit of `onto`'s tree whose parent
    is `commit`'s parent (their only best common ancestor)."""
    parent = git.out("rev-parse", f"{commit.sha}^").strip()
    stand_in = commit_tree(git, tree_of(git, onto), [parent], "workspace: pick base",
                           env=SNAPSHOT_IDENT)
    return merge_tree(git, stand_in, commit.sha)


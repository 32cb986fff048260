"""Work that base has in content counts as on base for kill and cleanup: a squash or rebase
merge the tool recorded, or a branch whose merge into base would change nothing. Work base
has not got, on the branch or only on the worktree's HEAD, is still kept."""

from __future__ import annotations

from pathlib import Path

from tests.support.config import write_user_config
from tests.support.gitrepo import git
from tests.support.review import commit, spawn_shell, write
from workspace.service import Workspace


def no_cleanup(repo: Path) -> Workspace:
    write_user_config('[merge]\ncleanup = "never"\n')
    return Workspace.open(repo)


def test_a_squash_merged_agent_is_removed_by_kill(repo: Path) -> None:
    ws = no_cleanup(repo)
    worktree = spawn_shell(ws, "sq", "add notes")
    write(worktree, "notes.txt", "one\n")
    commit(worktree, "first")
    write(worktree, "notes.txt", "one\ntwo\n")
    commit(worktree, "second")
    ws.merge("sq", strategy="squash", gate=False, cleanup=False)
    # Base moves on over the same lines: only the merge record shows the work is in.
    write(repo, "notes.txt", "one\ntwo\nthree\n")
    commit(repo, "base goes on")
    tip = git(repo, "rev-parse", "ws/sq").strip()
    report = ws.kill("sq")
    assert report.removed, report.summary()
    assert report.recovery_ref and git(repo, "rev-parse", report.recovery_ref).strip() == tip
    assert report.summary() == ("killed sq; removed its worktree and branch (its 2 commits "
                                "are on base by content: squashed or rebased; the originals "
                                f"are kept at {report.recovery_ref})")
    assert not worktree.exists() and git(repo, "branch", "--list", "ws/sq").strip() == ""
    ws.close()


def test_a_branch_squashed_by_hand_counts_as_on_base(repo: Path) -> None:
    ws = no_cleanup(repo)
    worktree = spawn_shell(ws, "hand")
    write(worktree, "a.txt", "a\n")
    commit(worktree, "a")
    git(repo, "merge", "--squash", "-q", "ws/hand")
    git(repo, "commit", "-q", "-m", "squash of hand")
    write(repo, "other.txt", "later\n")
    commit(repo, "unrelated later work on base")
    report = ws.kill("hand")
    assert report.removed and report.unsaved.in_base and not report.unsaved.commits
    ws.close()


def test_work_base_has_not_got_is_kept(repo: Path) -> None:
    ws = no_cleanup(repo)
    worktree = spawn_shell(ws, "half")
    write(worktree, "a.txt", "a\n")
    commit(worktree, "a")
    git(repo, "merge", "--squash", "-q", "ws/half")
    git(repo, "commit", "-q", "-m", "squash of the first part")
    write(worktree, "b.txt", "b\n")
    commit(worktree, "b, not on base")
    report = ws.kill("half")
    assert not report.removed and worktree.is_dir()
    assert report.summary().startswith("killed half; kept worktree")
    assert "(2 commits not on base)" in report.summary()
    ws.close()


def test_a_leftover_whose_content_reached_base_is_cleaned_up(repo: Path) -> None:
    ws = no_cleanup(repo)
    worktree = spawn_shell(ws, "later")
    write(worktree, "a.txt", "a\n")
    commit(worktree, "a")
    kept = ws.kill("later")
    assert not kept.removed  # not on base yet: kept as a leftover
    git(repo, "merge", "--squash", "-q", "ws/later")
    git(repo, "commit", "-q", "-m", "squash of later")
    message = ws.cleanup(str(worktree))
    assert message.startswith(f"removed {worktree} and branch ws/later; recoverable from ")
    ws.close()


def test_commits_only_on_the_worktrees_head_are_kept_and_recoverable(repo: Path) -> None:
    ws = no_cleanup(repo)
    worktree = spawn_shell(ws, "detached")
    write(worktree, "a.txt", "a\n")
    git(worktree, "checkout", "-q", "--detach")
    lost_once = commit(worktree, "only on HEAD")
    git(repo, "branch", "-D", "ws/detached")
    report = ws.kill("detached")
    assert not report.removed and worktree.is_dir()
    assert report.summary() == (f"killed detached; kept worktree {worktree} (1 commit not on "
                                "base; its branch is gone)")
    message = ws.cleanup(str(worktree), discard=True)
    ref = message.split("recoverable from ")[1]
    assert git(repo, "merge-base", "--is-ancestor", lost_once, ref) == ""
    ws.close()

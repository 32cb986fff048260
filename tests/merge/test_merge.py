"""Merging real agents' worktrees into base with every strategy, and every way a merge is
refused: each refusal is proven to leave base, the main checkout (files and index bytes) and
the agent's worktree (files and index bytes) exactly as they were."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.gitrepo import git
from tests.support.review import (
    assert_unchanged,
    commit,
    files_of,
    picture,
    rev,
    spawn_shell,
    write,
)
from workspace.core.agent import Status
from workspace.core.errors import UsageError
from workspace.service import (
    CheckoutBlocked,
    GateFailed,
    MergeBusy,
    MergeConflict,
    MergeRefused,
    NothingToMerge,
    Workspace,
)


def log(repo: Path, ref: str = "main") -> list[str]:
    return git(repo, "log", "--format=%s", ref).splitlines()


def parents(repo: Path, ref: str = "main") -> list[str]:
    return git(repo, "rev-list", "--parents", "-n", "1", ref).split()[1:]


# -- every strategy ---------------------------------------------------------------------------


def test_squash_is_one_commit_and_updates_the_clean_main_checkout(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "sq", "Add the greeting\n\nWith details.")
    write(wt, "greet.txt", "hello\n")
    commit(wt, "greet one")
    write(wt, "greet.txt", "hello\nagain\n")
    commit(wt, "greet two")
    old = rev(repo, "main")
    result = ws.merge("sq")
    assert result.strategy == "squash" and len(result.commits) == 1  # what base gained
    assert parents(repo) == [old]
    assert log(repo)[0] == "Add the greeting"
    assert (repo / "greet.txt").read_text() == "hello\nagain\n"
    assert git(repo, "status", "--porcelain") == ""
    assert ws.agent("sq").status == Status.MERGED
    listed = run_cli("ls", "--json", cwd=repo)
    assert '"status": "merged"' in listed.stdout


def test_merge_commit_has_two_parents(open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "mc", "Merge me")
    write(wt, "m.txt", "m\n")
    tip = commit(wt, "m")
    old = rev(repo, "main")
    ws.merge("mc", strategy="merge")
    assert parents(repo) == [old, tip]
    assert (repo / "m.txt").exists()


def test_rebase_replays_commits_linearly_after_base_moved(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "rb", "Rebase me")
    write(wt, "r1.txt", "1\n")
    commit(wt, "r one")
    write(wt, "r2.txt", "2\n")
    commit(wt, "r two")
    write(repo, "base.txt", "base\n")
    commit(repo, "base moves on")
    ws.merge("rb", strategy="rebase")
    assert log(repo)[:3] == ["r two", "r one", "base moves on"]
    assert len(parents(repo)) == 1
    assert all((repo / f).exists() for f in ("r1.txt", "r2.txt", "base.txt"))


def test_base_not_checked_out_anywhere_moves_without_touching_files(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "away", "Away")
    write(wt, "away.txt", "a\n")
    commit(wt, "away")
    git(repo, "switch", "-q", "-c", "elsewhere")
    before_files = sorted(p.name for p in repo.iterdir())
    ws.merge("away")
    assert "away" in git(repo, "show", "--stat", "main")
    assert sorted(p.name for p in repo.iterdir()) == before_files
    assert result_branch(repo) == "elsewhere"


def result_branch(repo: Path) -> str:
    return git(repo, "branch", "--show-current").strip()


def test_uncommitted_work_is_committed_first_when_asked(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "wip", "Write the notes")
    write(wt, "notes.txt", "n\n")
    with pytest.raises(MergeRefused, match=r"uncommitted changes .* --commit-wip"):
        ws.merge("wip")
    result = ws.merge("wip", commit_wip=True)
    assert result.wip_commit is not None
    assert (repo / "notes.txt").read_text() == "n\n"
    assert git(wt, "status", "--porcelain") == ""


def test_cleanup_after_merge_removes_worktree_and_branch(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "tidy", "Tidy")
    write(wt, "t.txt", "t\n")
    commit(wt, "t")
    result = ws.merge("tidy", cleanup=True)
    assert result.cleanup is not None and result.cleanup.removed
    assert not wt.exists()
    assert ws.ctx.repo.rev("refs/heads/ws/tidy") is None
    assert (repo / "t.txt").exists()


@pytest.mark.parametrize("checked_out", [True, False], ids=["checked-out", "not-checked-out"])
@pytest.mark.parametrize("strategy", ["squash", "merge", "rebase"])
def test_every_strategy_with_base_checked_out_or_not(
        open_ws: Callable[[str], Workspace], repo: Path, strategy: str,
        checked_out: bool) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "s", "Add two files\n\nOne and two.")
    write(wt, "one.txt", "1\n")
    commit(wt, "one")
    write(wt, "two.txt", "2\n")
    tip = commit(wt, "two")
    write(repo, "base.txt", "b\n")
    old = commit(repo, "base moves on")  # so no strategy is a plain fast-forward
    if not checked_out:
        git(repo, "switch", "-q", "-c", "elsewhere")
    files_before = files_of(repo)
    result = ws.merge("s", strategy=strategy)
    new = rev(repo, "main")
    assert (result.strategy, result.old_base, result.new_base) == (strategy, old, new)
    assert names_in(repo, "main") == names_in(repo, old) | {"one.txt", "two.txt"}
    if strategy == "squash":
        assert parents(repo) == [old] and log(repo)[0] == "Add two files"
        assert "One and two." in git(repo, "log", "-1", "--format=%B", "main")
    elif strategy == "merge":
        assert parents(repo) == [old, tip]
        assert log(repo)[0].startswith("Merge ws/s into main: Add two files")
    else:
        assert log(repo)[:3] == ["two", "one", "base moves on"]
        assert git(repo, "rev-list", "--merges", f"{old}..main") == ""  # linear
        assert git(repo, "log", "-1", "--format=%an", "main").strip() == "Test Person"
    if checked_out:
        assert result.checkout == str(repo)
        assert (repo / "one.txt").read_text() == "1\n" and (repo / "two.txt").exists()
    else:
        assert result.checkout is None
        assert files_of(repo) == files_before and result_branch(repo) == "elsewhere"
    assert git(repo, "status", "--porcelain") == ""
    assert ws.agent("s").status == Status.MERGED
    assert '"status": "merged"' in run_cli("ls", "--json", cwd=repo).stdout


def names_in(repo: Path, commit: str) -> set[str]:
    return set(git(repo, "ls-tree", "-r", "--name-only", commit).split())


def test_rebase_onto_a_base_that_has_not_moved_is_a_fast_forward(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "ff", "Fast")
    write(wt, "f.txt", "f\n")
    tip = commit(wt, "f")
    ws.merge("ff", strategy="rebase")
    assert rev(repo, "main") == tip


def test_cleanup_keeps_the_original_commits_of_a_squash_at_a_recovery_ref(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "keep", "Keep")
    write(wt, "k.txt", "k\n")
    tip = commit(wt, "k")
    result = ws.merge("keep", cleanup=True)
    assert result.cleanup is not None and result.cleanup.recovery_ref
    assert rev(repo, result.cleanup.recovery_ref) == tip
    assert not wt.exists()


@pytest.mark.parametrize("change", ["uncommitted", "committed"])
def test_cleanup_refuses_when_the_agent_worked_on_after_the_merge(
        open_ws: Callable[[str], Workspace], repo: Path, change: str) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "more", "More")
    write(wt, "m.txt", "m\n")
    commit(wt, "m")
    ws.merge("more")
    write(wt, "later.txt", "written after the merge\n")
    if change == "committed":
        commit(wt, "later")
    before = picture(repo, wt)
    what = "new commits" if change == "committed" else "uncommitted changes"
    with pytest.raises(UsageError, match=f"{what} since it was merged"):
        ws.cleanup_merged("more")
    assert_unchanged(before, picture(repo, wt))
    assert (wt / "later.txt").exists()
    cli = run_cli("merge", "more", "--cleanup", cwd=repo)
    assert cli.returncode == 2 and len(cli.stderr.splitlines()) == 1, cli.stderr
    assert_unchanged(before, picture(repo, wt))


def test_a_cleanup_that_cannot_be_done_leaves_the_merge_made(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "late", "Late")
    write(wt, "l.txt", "l\n")
    commit(wt, "l")

    def step(current: str) -> None:
        if current == "cleaning up":  # the agent writes again just after the merge
            write(wt, "scratch.txt", "written just after the merge\n")

    result = ws.merge("late", cleanup=True, on_step=step)
    assert result.cleanup is None
    assert "uncommitted changes since it was merged" in result.cleanup_error
    assert "not cleaned up" in result.summary()
    assert (repo / "l.txt").exists() and (wt / "scratch.txt").exists()
    assert ws.agent("late").status == Status.MERGED


# -- refusals: nothing changes ------------------------------------------------------------------


def conflicting_agent(ws: Workspace, repo: Path, name: str = "c") -> Path:
    wt = spawn_shell(ws, name, "Change the readme")
    write(wt, "README.md", "# agent's title\n")
    commit(wt, "agent edits readme")
    write(repo, "README.md", "# base's title\n")
    commit(repo, "base edits readme")
    return wt


@pytest.mark.parametrize("strategy", ["squash", "merge", "rebase"])
def test_text_conflict_changes_nothing(open_ws: Callable[[str], Workspace], repo: Path,
                                       strategy: str) -> None:
    ws = open_ws("")
    wt = conflicting_agent(ws, repo)
    write(wt, "extra.txt", "uncommitted\n")  # with commit_wip, even the WIP commit is undone
    before = picture(repo, wt)
    with pytest.raises(MergeConflict) as caught:
        ws.merge("c", strategy=strategy, commit_wip=True)
    assert caught.value.files == ("README.md",)
    assert "nothing was changed" in str(caught.value)
    assert_unchanged(before, picture(repo, wt))
    assert "conflicts with main" in ws.agent("c").status_reason


def test_rename_delete_conflict_changes_nothing(open_ws: Callable[[str], Workspace],
                                                repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "rd", "Move the app")
    git(wt, "mv", "src/app.py", "src/main.py")  # a pure rename: git sees it as one
    commit(wt, "move app")
    git(repo, "rm", "-q", "src/app.py")
    commit(repo, "drop app")
    before = picture(repo, wt)
    with pytest.raises(MergeConflict) as caught:
        ws.merge("rd")
    assert any("app.py" in f or "main.py" in f for f in caught.value.files)
    assert_unchanged(before, picture(repo, wt))


def test_binary_conflict_changes_nothing(open_ws: Callable[[str], Workspace],
                                         repo: Path) -> None:
    write(repo, "logo.bin", b"\x00\x01base")
    commit(repo, "logo")
    ws = open_ws("")
    wt = spawn_shell(ws, "bin", "New logo")
    write(wt, "logo.bin", b"\x00\x02agent")
    commit(wt, "agent logo")
    write(repo, "logo.bin", b"\x00\x03base2")
    commit(repo, "base logo")
    before = picture(repo, wt)
    with pytest.raises(MergeConflict) as caught:
        ws.merge("bin")
    assert caught.value.files == ("logo.bin",)
    assert_unchanged(before, picture(repo, wt))


def test_the_radar_predicts_the_conflict_the_merge_meets(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    for name, text in (("p1", "one\n"), ("p2", "two\n")):
        wt = spawn_shell(ws, name, name)
        write(wt, "same.txt", text)
        commit(wt, name)
    radar = ws.radar()
    assert [(o.path, o.agents) for o in radar.overlaps] == [("same.txt", ("p1", "p2"))]
    predicted = [c for c in radar.conflicts if not c.with_base]
    assert [(c.a, c.b, c.files) for c in predicted] == [("p1", "p2", ("same.txt",))]
    ws.merge("p1")
    assert [c.files for c in ws.radar().conflicts_of("p2") if c.with_base] == [("same.txt",)]
    with pytest.raises(MergeConflict) as caught:
        ws.merge("p2")
    assert caught.value.files == ("same.txt",)


def test_nothing_to_merge_says_so(open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "idle", "Nothing yet")
    before = picture(repo, wt)
    with pytest.raises(NothingToMerge, match="nothing to merge"):
        ws.merge("idle")
    assert_unchanged(before, picture(repo, wt))
    cli = run_cli("merge", "idle", cwd=repo)
    assert cli.returncode == 2
    assert cli.stderr.strip().splitlines()[-1].startswith("workspace: idle has nothing to merge")


def test_base_deleted_meanwhile(open_ws: Callable[[str], Workspace], repo: Path) -> None:
    git(repo, "branch", "feature")
    ws = open_ws("")
    wt = spawn_shell(ws, "orphan", "On feature", base="feature")
    write(wt, "f.txt", "f\n")
    commit(wt, "f")
    git(repo, "branch", "-D", "feature")
    before = picture(repo, wt)
    with pytest.raises(UsageError, match="base branch 'feature' no longer exists"):
        ws.merge("orphan")
    assert_unchanged(before, picture(repo, wt))


def test_base_moved_meanwhile_without_conflict_still_merges(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "moved", "Own file")
    write(wt, "own.txt", "own\n")
    commit(wt, "own")
    write(repo, "other.txt", "other\n")
    commit(repo, "base moves on")
    ws.merge("moved")
    assert (repo / "own.txt").exists() and (repo / "other.txt").exists()
    assert log(repo)[1] == "base moves on"


def test_detached_head_in_the_main_checkout(open_ws: Callable[[str], Workspace],
                                            repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "det", "Detached")
    write(wt, "d.txt", "d\n")
    commit(wt, "d")
    git(repo, "switch", "-q", "--detach", "main")
    before = picture(repo, wt)
    with pytest.raises(MergeRefused, match="detached HEAD"):
        ws.merge("det")
    assert_unchanged(before, picture(repo, wt))


def test_dirty_main_checkout_where_the_merge_writes(open_ws: Callable[[str], Workspace],
                                                    repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "dirty", "Edit app")
    write(wt, "src/app.py", "print('agent')\n")
    commit(wt, "agent app")
    write(repo, "src/app.py", "print('my own edit')\n")
    before = picture(repo, wt)
    with pytest.raises(CheckoutBlocked, match=r"src/app\.py"):
        ws.merge("dirty")
    assert_unchanged(before, picture(repo, wt))
    # a dirty file the merge does not touch does not block it
    git(repo, "checkout", "--", "src/app.py")
    write(repo, "README.md", "# my notes\n")
    write(repo, "staged.md", "staged by the person\n")
    git(repo, "add", "staged.md")
    ws.merge("dirty")
    assert (repo / "README.md").read_text() == "# my notes\n"
    assert (repo / "src/app.py").read_text() == "print('agent')\n"
    assert git(repo, "diff", "--cached", "--name-only").split() == ["staged.md"]
    assert git(repo, "diff", "--name-only").split() == ["README.md"]


@pytest.mark.parametrize("ignored", [False, True], ids=["untracked", "ignored"])
def test_a_file_in_the_way_in_the_main_checkout(open_ws: Callable[[str], Workspace],
                                                repo: Path, ignored: bool) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "adds", "Add a report")
    write(wt, "report.txt", "the agent's report\n")
    commit(wt, "report")
    if ignored:
        (repo / ".git" / "info" / "exclude").write_text("report.txt\n")
    write(repo, "report.txt", "the person's own report\n")
    before = picture(repo, wt)
    expect = "untracked or ignored file in the way" if ignored else "untracked file in the way"
    with pytest.raises(CheckoutBlocked, match=rf"report\.txt \({expect}\)"):
        ws.merge("adds")
    assert_unchanged(before, picture(repo, wt))
    assert (repo / "report.txt").read_text() == "the person's own report\n"


def test_base_checked_out_in_another_worktree(open_ws: Callable[[str], Workspace],
                                              repo: Path, tmp_path: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "elsewhere", "Elsewhere")
    write(wt, "e.txt", "e\n")
    commit(wt, "e")
    git(repo, "switch", "-q", "-c", "side")
    other = tmp_path / "other-checkout"
    git(repo, "worktree", "add", "-q", str(other), "main")
    before = picture(repo, wt)
    with pytest.raises(MergeRefused, match="checked out in another worktree"):
        ws.merge("elsewhere")
    assert_unchanged(before, picture(repo, wt))


@pytest.mark.parametrize(("gate", "expect"), [
    ('["sh", "-c", "echo tests failed: 3; exit 1"]', "failed with status 1"),
    ('["no-such-gate-command"]', "could not be run"),
    ('["sleep", "30"]', "did not finish within 1s"),
    ('["sh", "-c", "sleep 30 & sleep 30 & wait"]', "did not finish within 1s"),
])
def test_gate_failing_missing_or_hanging_blocks_the_merge(
        open_ws: Callable[[str], Workspace], repo: Path, gate: str, expect: str) -> None:
    ws = open_ws(f"gate = {gate}\ngate_timeout = 1\n")
    wt = spawn_shell(ws, "gated", "Gated")
    write(wt, "g.txt", "g\n")
    commit(wt, "g")
    before = picture(repo, wt)
    with pytest.raises(GateFailed, match=expect) as caught:
        ws.merge("gated")
    if "echo" in gate:
        assert "tests failed: 3" in caught.value.gate.output
    assert_unchanged(before, picture(repo, wt))
    ws.merge("gated", gate=False)  # --no-gate
    assert (repo / "g.txt").exists()


@pytest.mark.parametrize("wip", [False, True], ids=["clean", "commit-wip"])
def test_files_the_gate_makes_are_neither_merged_nor_blocking(
        open_ws: Callable[[str], Workspace], repo: Path, wip: bool) -> None:
    # A gate like pytest leaves caches behind: what was gated is what is merged.
    ws = open_ws('gate = ["sh", "-c", "mkdir -p .cache && echo x > .cache/out && '
                 'echo y > src/made.pyc"]\n')
    wt = spawn_shell(ws, "cache", "Cached")
    write(wt, "c.txt", "c\n")
    commit(wt, "c")
    if wip:
        write(wt, "notes.txt", "the agent's own new file\n")
    result = ws.merge("cache", commit_wip=wip, cleanup=True)
    names = set(git(repo, "ls-tree", "-r", "--name-only", "main").split())
    assert "c.txt" in names and ".cache/out" not in names and "src/made.pyc" not in names
    assert ("notes.txt" in names) == wip
    assert not (repo / ".cache").exists()
    # the clean-up went ahead; what the gate made is kept in the recovery ref
    assert result.cleanup is not None and result.cleanup.removed, result.cleanup_error
    assert result.cleanup.recovery_ref
    kept = set(git(repo, "ls-tree", "-r", "--name-only", result.cleanup.recovery_ref).split())
    assert {".cache/out", "src/made.pyc"} <= kept


def test_gate_output_is_shown_by_the_cli(open_ws: Callable[[str], Workspace],
                                         repo: Path) -> None:
    ws = open_ws('gate = ["sh", "-c", "echo 2 tests failed; exit 1"]\n')
    wt = spawn_shell(ws, "cligate", "Gated")
    write(wt, "g.txt", "g\n")
    commit(wt, "g")
    result = run_cli("merge", "cligate", cwd=repo)
    assert result.returncode == 2
    assert "2 tests failed" in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("workspace: the gate command")


def test_worktree_deleted_behind_the_tools_back(open_ws: Callable[[str], Workspace],
                                                repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "gone", "Gone")
    write(wt, "x.txt", "x\n")
    commit(wt, "x")
    git(repo, "worktree", "remove", "--force", str(wt))
    before = picture(repo)
    with pytest.raises(UsageError, match="is gone"):
        ws.merge("gone")
    assert_unchanged(before, picture(repo))


def test_a_merge_under_way_makes_the_second_wait_then_refuse(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = spawn_shell(ws, "second", "Second")
    write(wt, "s.txt", "s\n")
    commit(wt, "s")
    before = picture(repo, wt)
    lock = ws.ctx.state_dir / "merge.lock"
    with lock.open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another merge holds the lock
        with pytest.raises(MergeBusy, match="another merge is under way"):
            ws.merge("second", wait=0.5)
    assert_unchanged(before, picture(repo, wt))


def test_two_merges_at_once_never_interleave(open_ws: Callable[[str], Workspace],
                                             repo: Path) -> None:
    ws = open_ws("")
    names = [f"par{i}" for i in range(4)]
    for name in names:
        wt = spawn_shell(ws, name, f"Work {name}")
        write(wt, f"{name}.txt", f"{name}\n")
        commit(wt, name)
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            Workspace.open(repo).merge(name, wait=60)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sorted(log(repo)[:4]) == sorted(f"Work {n}" for n in names)
    assert all((repo / f"{n}.txt").exists() for n in names)
    assert git(repo, "status", "--porcelain") == ""


# -- the queue --------------------------------------------------------------------------------


def test_queue_stops_at_the_conflict_and_keeps_the_rest(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    for name, path, text in (("q1", "shared.txt", "one\n"), ("q2", "shared.txt", "two\n"),
                             ("q3", "own.txt", "three\n")):
        wt = spawn_shell(ws, name, f"Task {name}")
        write(wt, path, text)
        commit(wt, name)
    after_first: list[str] = []
    report = ws.merge_queue(["q1", "q2", "q3"],
                            on_progress=lambda s: after_first.append(",".join(s.merged)))
    assert not report.ok and report.failed == "q2"
    assert [r.name for r in report.results] == ["q1"]
    assert report.queued == ("q3",)
    assert ws.queue_state().queued == ("q3",)
    assert ws.queue_state().failed is not None
    assert (repo / "shared.txt").read_text() == "one\n"
    assert not (repo / "own.txt").exists()
    assert "q1" in after_first
    # the rest goes on once q2 is out of the way
    done = ws.merge_queue(["q3"])
    assert done.ok and (repo / "own.txt").exists()


def test_all_ready_merges_finished_agents(open_ws: Callable[[str], Workspace],
                                          repo: Path) -> None:
    ws = open_ws("")
    agent = ws.spawn("ready", preset="demo", prompt="Write the notes [noask]")
    from tests.support.wait import wait_for

    def finished() -> bool:
        ws.refresh()
        return ws.agent("ready").status == Status.WAITING

    wait_for(finished, 60, what="the demo agent to finish its turn")
    result = run_cli("merge", "--all-ready", "--commit-wip", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "merged ready into main" in result.stdout
    assert (repo / "demo").is_dir()
    assert ws.agent(agent.name).status == Status.MERGED

"""Batches on real repositories: up to N merges stacked and gated once on the tip; a failing
batch bisected to its culprit, the merges before it landed, the culprit and the rest not; base
only ever at a commit that passed the gate; nothing of a batch left behind (refs, temporary
worktrees); the commit of uncommitted work in a batch; a merge that conflicts only with an
earlier one waits for the next batch; `merge --all-ready --batch` and `merge --queue`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.support.batches import nothing_left, runs, with_commit
from tests.support.cli import run_cli
from tests.support.gitrepo import git
from tests.support.review import commit, rev, spawn_shell, write
from tests.support.wait import wait_status
from workspace.core.agent import Status
from workspace.core.review.queue import QueueItemState
from workspace.service import Workspace

BAD = "BAD"


def gate_toml(log: Path) -> str:
    """A gate that logs each run and fails when any file holds BAD."""
    script = f'echo run >> "$0"; ! grep -rqs {BAD} --exclude-dir=.git .'
    return f"batch = 4\ngate = [\"sh\", \"-c\", {json.dumps(script)}, \"{log}\"]\n"


def base_history(repo: Path) -> list[str]:
    """Every commit main has pointed at (its reflog), newest first."""
    return git(repo, "reflog", "show", "--format=%H", "refs/heads/main").split()


def holds_bad(repo: Path, sha: str) -> bool:
    files = git(repo, "ls-tree", "-r", "--name-only", sha).split()
    return any(BAD in git(repo, "show", f"{sha}:{f}") for f in files)


def test_a_batch_with_one_bad_merge_lands_the_good_ones_before_it(
        open_ws: Callable[[str], Workspace], repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "gate.log"
    ws = open_ws(gate_toml(log))
    for name in ("a", "b"):
        with_commit(ws, name)
    bad = with_commit(ws, "c", f"{BAD}\n")
    with_commit(ws, "d")
    bad_tip = rev(repo, "ws/c")
    start = rev(repo, "main")
    report = ws.merge_queue(["a", "b", "c", "d"], batch=4)
    # the tip (4) failed, the first 2 passed, the first 3 failed: c is the culprit
    assert runs(log) == 3 and report.state.gate_runs == 3
    assert [r.name for r in report.results] == ["a", "b"]
    assert all(r.batch == 2 for r in report.results)
    assert report.failed == "c" and "the batch's culprit" in report.error
    states = {i.name: i.state for i in report.state.items}
    assert states == {"a": QueueItemState.MERGED, "b": QueueItemState.MERGED,
                      "c": QueueItemState.CULPRIT, "d": QueueItemState.QUEUED}
    # base moved once, to a commit with a and b and nothing of c or d
    history = base_history(repo)
    assert history[1:] == [start]
    files = git(repo, "ls-tree", "--name-only", "main").split()
    assert {"a.txt", "b.txt"} <= set(files) and not {"c.txt", "d.txt"} & set(files)
    assert (repo / "a.txt").exists() and git(repo, "status", "--porcelain") == ""
    assert not any(holds_bad(repo, sha) for sha in history)
    assert [ws.agent(n).status for n in "abcd"][:2] == [Status.MERGED] * 2
    assert ws.agent("c").status != Status.MERGED and ws.agent("d").status != Status.MERGED
    assert rev(repo, "ws/c") == bad_tip and (bad / "c.txt").read_text() == f"{BAD}\n"
    for name in ("a", "b"):
        record = ws.merger.merge_record(name)
        assert record is not None and record["base_sha"] == rev(repo, "main")
    nothing_left(repo, ws)
    # c fixed: the next batch (c, d) passes at its first gate run and lands whole
    write(bad, "c.txt", "fixed\n")
    commit(bad, "c fixed")
    again = ws.merge_queue(["c", "d"], batch=4)
    assert again.ok and runs(log) == 4
    assert not any(holds_bad(repo, sha) for sha in base_history(repo))
    assert len(base_history(repo)) == 3
    nothing_left(repo, ws)


def test_a_batch_that_passes_runs_the_gate_once_and_moves_base_once(
        open_ws: Callable[[str], Workspace], repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "gate.log"
    ws = open_ws(gate_toml(log))
    for name in ("p1", "p2", "p3"):
        with_commit(ws, name)
    wip = spawn_shell(ws, "p4", "Task of p4")
    write(wip, "p4.txt", "uncommitted\n")  # committed as part of the merge
    report = ws.merge_queue(["p1", "p2", "p3", "p4"], batch=4, commit_wip=True)
    assert report.ok and runs(log) == 1
    assert len(base_history(repo)) == 2
    assert [r.name for r in report.results] == ["p1", "p2", "p3", "p4"]
    assert "in a batch of 4" in report.results[0].summary()
    # p4's uncommitted work was committed on its branch, and that commit landed
    assert report.results[3].wip_commit == rev(repo, "ws/p4")
    assert git(wip, "status", "--porcelain") == ""
    assert (repo / "p4.txt").read_text() == "uncommitted\n"
    # squash: one commit per merge on base, in the queue's order
    subjects = git(repo, "log", "--format=%s", "-4", "main").splitlines()
    assert [s.split(":")[0] for s in subjects] == [
        "Task of p4", "Task of p3", "Task of p2", "Task of p1"], subjects
    nothing_left(repo, ws)


def test_a_merge_that_conflicts_only_with_an_earlier_one_waits_for_the_next_batch(
        open_ws: Callable[[str], Workspace], repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "gate.log"
    ws = open_ws(gate_toml(log))
    with_commit(ws, "x1", "one\n", "shared.txt")
    two = with_commit(ws, "x2", "two\n", "shared.txt")
    with_commit(ws, "x3")
    report = ws.merge_queue(["x1", "x2", "x3"], batch=3)
    # x1 landed alone; then x2, onto the base x1 made, conflicts with base: the queue stops
    assert [r.name for r in report.results] == ["x1"]
    assert report.failed == "x2" and "conflicts with main" in report.error
    assert report.queued == ("x3",)
    assert (repo / "shared.txt").read_text() == "one\n" and not (repo / "x3.txt").exists()
    assert rev(repo, "ws/x2") == git(two, "rev-parse", "HEAD").strip()
    assert "conflicts with main" in ws.agent("x2").status_reason
    nothing_left(repo, ws)


def test_all_ready_in_batches_and_the_queue_as_printed(
        open_ws: Callable[[str], Workspace], repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "gate.log"
    ws = open_ws(gate_toml(log))
    for name in ("r1", "r2", "r3"):
        with_commit(ws, name)
    with_commit(ws, "r4", f"{BAD}\n")
    for name in ("r1", "r2", "r3", "r4"):
        wait_status(ws, name, Status.WAITING)
    done = run_cli("merge", "--all-ready", "--batch", "2", cwd=repo)
    assert done.returncode == 2, done.stdout
    assert done.stderr.count("\n") == 1 and "merge queue stopped at r4" in done.stderr
    assert runs(log) == 3  # (r1 r2) passes; (r3 r4) fails, (r3) passes: r4 is the culprit
    shown = run_cli("merge", "--queue", cwd=repo)
    assert shown.returncode == 0, shown.stderr
    assert "r4" in shown.stdout and "culprit" in shown.stdout
    data = json.loads(run_cli("merge", "--queue", "--json", cwd=repo).stdout)
    assert data["culprit"] == "r4" and data["batch"] == 2 and data["gate_runs"] == 3
    assert [i["state"] for i in data["items"]] == ["merged", "merged", "merged", "culprit"]


def test_queue_and_batch_options_refuse_what_does_not_go_together(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    with_commit(ws, "solo")
    for argv, expected in [
        (("merge", "solo", "--queue"), "--queue only prints the queue"),
        (("merge", "solo", "--batch", "2"), "--batch goes with --all-ready"),
        (("merge", "--all-ready", "--batch", "0"), "--batch 0: give 1 or more"),
        (("merge", "solo", "--json"), "--json goes with --queue"),
    ]:
        done = run_cli(*argv, cwd=repo)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, (argv, done.stderr)
        assert expected in done.stderr, (argv, done.stderr)
    assert ws.agent("solo").status != Status.MERGED
    empty = run_cli("merge", "--queue", cwd=repo)
    assert empty.returncode == 0 and empty.stdout == "the merge queue is empty\n"

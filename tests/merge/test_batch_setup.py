"""The gate of a batch runs in a worktree prepared as an agent's is: files git ignores copied
and linked ([worktree] copy, symlink), submodules initialised, post_create run. A worktree
that cannot be prepared (post_create fails, or a repository's own file sets it untrusted)
stops the batch in one line: nobody blamed, no ref changed, every merge still queued; the
CLI exits 2 with that line; the queue says why. So does a gate program not installed, while a
gate script that a merge removed is that merge's fault. Real git, real tmux (shell agents)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from tests.support.batches import all_refs, nothing_left, runs, with_commit
from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.gitrepo import git, make_repo
from tests.support.wait import wait_status
from workspace.core.agent import Status
from workspace.core.review.queue import QueueItemState
from workspace.service import Workspace
from workspace.ui.widgets.merge_queue_bar import queue_line

UNPREPARED = "the gate's worktree could not be prepared"


def logged_gate(log: Path, script: str, batch: int = 2) -> str:
    """[merge] keys: a gate that logs each run, then runs `script` (sh)."""
    body = f'echo run >> "$0"; {script}'
    return f"batch = {batch}\ngate = [\"sh\", \"-c\", {json.dumps(body)}, \"{log}\"]\n"


def python(code: str) -> str:
    return json.dumps([sys.executable, "-c", code])


def with_ignored_files(repo: Path) -> None:
    """The main checkout has a `.env` and a `node_modules` git ignores (what a gate needs)."""
    (repo / ".gitignore").write_text(".env\nnode_modules\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "ignore the environment")
    (repo / ".env").write_text("KEY=secret\n")
    (repo / "node_modules" / "pkg").mkdir(parents=True)
    (repo / "node_modules" / "pkg" / "index.js").write_text("module.exports = 1\n")


def test_a_gate_that_needs_ignored_files_gets_them_and_the_batch_lands(
        open_ws: Callable[[str], Workspace], repo: Path, tmp_path: Path) -> None:
    with_ignored_files(repo)
    log = tmp_path / "gate.log"
    gate = logged_gate(log, "grep -qx KEY=secret .env && test -f node_modules/pkg/index.js")
    ws = open_ws(gate + '[worktree]\ncopy = [".env"]\nsymlink = ["node_modules"]\n')
    for name in ("e1", "e2"):
        with_commit(ws, name)
    report = ws.merge_queue(["e1", "e2"], batch=2)
    assert report.ok, report.error
    assert runs(log) == 1 and [r.batch for r in report.results] == [2, 2]
    assert {ws.agent(n).status for n in ("e1", "e2")} == {Status.MERGED}
    # the gate's copy and link went with its worktree; the main checkout's are as they were
    assert (repo / ".env").read_text() == "KEY=secret\n"
    assert (repo / "node_modules" / "pkg" / "index.js").read_text() == "module.exports = 1\n"
    assert "KEY=secret" not in git(repo, "log", "-p", "--all")
    nothing_left(repo, ws)


def test_without_the_setup_the_same_gate_fails_for_the_environment(
        open_ws: Callable[[str], Workspace], repo: Path, tmp_path: Path) -> None:
    """What the preparation is for: the same batch, no [worktree] keys, fails its gate."""
    with_ignored_files(repo)
    log = tmp_path / "gate.log"
    ws = open_ws(logged_gate(log, "grep -qx KEY=secret .env"))
    for name in ("n1", "n2"):
        with_commit(ws, name)
    report = ws.merge_queue(["n1", "n2"], batch=2)
    assert not report.ok and "the batch's culprit" in report.error


def test_a_gate_that_reads_a_submodule_gets_it_initialised(
        open_ws: Callable[[str], Workspace], repo: Path, tmp_path: Path,
        isolated_env: Path) -> None:
    with (isolated_env / ".gitconfig").open("a") as config:
        config.write('[protocol "file"]\n\tallow = always\n')
    lib = make_repo(tmp_path / "lib", {"lib.txt": "lib\n"})
    git(repo, "submodule", "add", "-q", str(lib), "libs/lib")
    git(repo, "commit", "-q", "-m", "a submodule")
    log = tmp_path / "gate.log"
    ws = open_ws(logged_gate(log, "grep -qx lib libs/lib/lib.txt"))
    for name in ("s1", "s2"):
        with_commit(ws, name)
    report = ws.merge_queue(["s1", "s2"], batch=2)
    assert report.ok, report.error
    assert runs(log) == 1
    nothing_left(repo, ws)


def two_ready(ws: Workspace) -> None:
    for name in ("a", "b"):
        with_commit(ws, name)
    for name in ("a", "b"):
        wait_status(ws, name, Status.WAITING)


def test_a_failing_post_create_stops_the_batch_and_blames_nobody(
        open_ws: Callable[[str], Workspace], repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "gate.log"
    gate = logged_gate(log, "true")
    first = open_ws(gate)  # the agents are spawned before post_create is set
    two_ready(first)
    write_user_config(f"[merge]\ncleanup = \"never\"\n{gate}[worktree]\npost_create = "
                      + python("import sys; print('installing'); "
                               "print('npm ERR! broken lockfile'); sys.exit(1)") + "\n")
    ws = Workspace.open(repo)
    try:
        refs = all_refs(repo)
        report = ws.merge_queue(["a", "b"], batch=2)
        line = report.error
        assert not report.ok and "\n" not in line and report.results == ()
        assert line.startswith(f"{UNPREPARED}: post_create "), line
        assert "failed with status 1 (npm ERR! broken lockfile)" in line
        assert "fix [worktree] post_create" in line and "culprit" not in line
        kept = Path(line.rsplit("its output: ", 1)[1].rstrip(")"))
        assert kept.is_relative_to(ws.ctx.state_dir) and "installing" in kept.read_text()
        # no gate ran, nothing moved, nobody was blamed: both still queued
        assert runs(log) == 0 and all_refs(repo) == refs
        assert {ws.agent(n).status for n in ("a", "b")} == {Status.WAITING}
        assert [(i.name, i.state) for i in report.state.items] == [
            ("a", QueueItemState.QUEUED), ("b", QueueItemState.QUEUED)]
        view = ws.queue_view()
        assert view.stopped == line and view.culprit is None and view.failed is None
        bar = queue_line(view)
        assert bar is not None and f"✗ {UNPREPARED}: post_create" in bar.plain
        nothing_left(repo, ws)
        # the CLI: exit 2, that line; the queue as printed says why
        done = run_cli("merge", "--all-ready", "--batch", "2", cwd=repo)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert f"merge queue stopped at a: {UNPREPARED}: post_create " in done.stderr
        assert "still queued: a, b" in done.stderr
        shown = run_cli("merge", "--queue", cwd=repo)
        assert f"stopped: {UNPREPARED}: post_create " in shown.stdout, shown.stdout
        data = json.loads(run_cli("merge", "--queue", "--json", cwd=repo).stdout)
        assert data["stopped"].startswith(UNPREPARED) and data["culprit"] is None
        assert [i["state"] for i in data["items"]] == ["queued", "queued"]
        assert runs(log) == 0 and all_refs(repo) == refs
        nothing_left(repo, ws)
    finally:
        ws.close()


def test_an_untrusted_post_create_of_the_repository_is_not_run_by_a_batch(
        open_ws: Callable[[str], Workspace], repo: Path, tmp_path: Path) -> None:
    log, marker = tmp_path / "gate.log", tmp_path / "ran"
    ws = open_ws(logged_gate(log, "true"))
    two_ready(ws)
    # the repository's own file, after the agents started (a spawn would refuse it as well)
    (repo / ".workspace.toml").write_text(
        "[worktree]\npost_create = " + python(f"open({str(marker)!r}, 'w').close()") + "\n")
    refs = all_refs(repo)
    done = run_cli("merge", "--all-ready", "--batch", "2", cwd=repo)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert f"{UNPREPARED}: " in done.stderr and "until you trust it: workspace trust" in \
        done.stderr
    assert not marker.exists() and runs(log) == 0 and all_refs(repo) == refs
    notice = ws.trust_notice()
    assert notice is not None
    ws.trust_repo_config(notice.digest)
    done = run_cli("merge", "--all-ready", "--batch", "2", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert marker.exists() and runs(log) == 1
    assert {ws.agent(n).status for n in ("a", "b")} == {Status.MERGED}


def test_a_gate_program_that_is_not_installed_blames_nobody(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws('batch = 2\ngate = ["no-such-gate-program", "-q"]\n')
    for name in ("m1", "m2"):
        with_commit(ws, name)
    refs = all_refs(repo)
    report = ws.merge_queue(["m1", "m2"], batch=2)
    assert not report.ok and report.state.gate_runs == 0, report.error  # it could not run
    assert report.error.startswith("the gate could not be run: the gate command "
                                   "'no-such-gate-program -q' could not be run")
    assert report.error.endswith("fix [merge] gate in your config")
    assert [i.state for i in report.state.items] == [QueueItemState.QUEUED] * 2
    assert all_refs(repo) == refs and ws.queue_view().culprit is None
    nothing_left(repo, ws)


def test_a_gate_script_of_the_tree_that_a_merge_removes_is_that_merge_s_fault(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    (repo / "gate.sh").write_text("#!/bin/sh\nexit 0\n")
    (repo / "gate.sh").chmod(0o755)
    git(repo, "add", "gate.sh")
    git(repo, "commit", "-q", "-m", "a gate script")
    ws = open_ws('batch = 2\ngate = ["./gate.sh"]\n')
    with_commit(ws, "keeps")
    gone = with_commit(ws, "removes")
    git(gone, "rm", "-q", "gate.sh")
    git(gone, "commit", "-q", "-m", "no more gate")
    report = ws.merge_queue(["keeps", "removes"], batch=2)
    assert [r.name for r in report.results] == ["keeps"]
    assert report.failed == "removes" and "the batch's culprit" in report.error

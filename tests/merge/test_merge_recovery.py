"""What the next command does about a killed merge when more has happened: the recovery itself
killed, a git process of the dead merge trying to move base late, base moved by someone
meanwhile, the main checkout edited where the merge writes, a long-lived process (the TUI)
merging next; and the gate, which dies with the merge."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.gitrepo import git
from tests.support.killed import (
    agent_with_work,
    before_merge,
    kill,
    ls,
    merge_argv,
    outcome,
    start,
    state_dir,
    wait_paused,
)
from tests.support.review import commit, picture, rev, write
from tests.support.wait import wait_for
from workspace.core.agent import Status
from workspace.service import Workspace
from workspace.service.merge.intent import INTENT_FILE


def killed_at(repo: Path, name: str, point: str, wip: bool = False) -> None:
    proc = start(repo, merge_argv(name, "squash", wip), pause=point)
    wait_paused(proc, point)
    kill(proc)


def test_a_recovery_killed_half_way_is_taken_over_by_the_next_command(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = agent_with_work(ws, "twice", wip=True)
    before = before_merge(repo, "twice", wt, True)
    killed_at(repo, "twice", "after-base", wip=True)
    recovering = start(repo, ["ls"], pause="recover-claimed")
    wait_paused(recovering, "recover-claimed")
    kill(recovering)
    assert outcome(repo, ws, before) == "new"


def test_a_late_base_move_of_the_killed_merge_cannot_land_after_the_next_command(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = agent_with_work(ws, "late", wip=False)
    before = before_merge(repo, "late", wt, False)
    killed_at(repo, "late", "after-intent")
    intent = json.loads((state_dir(repo) / INTENT_FILE).read_text())
    assert outcome(repo, ws, before) == "old"
    # What a `git update-ref` the dead merge had started, still running, would do now.
    late = f"update refs/heads/main {intent['new']} {intent['old']}\n" \
           f"verify {intent['guard']} {intent['new']}\n"
    done = git_stdin(repo, late)
    assert done.returncode != 0
    assert rev(repo, "main") == before.base


def git_stdin(repo: Path, text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "update-ref", "--stdin"], cwd=repo, input=text, text=True,
                          capture_output=True)


def test_base_moved_by_someone_meanwhile_is_left_alone_and_the_work_kept(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = agent_with_work(ws, "moved", wip=True)
    old_tip = rev(repo, "ws/moved")
    killed_at(repo, "moved", "after-index", wip=True)  # its work committed on its branch
    wip = rev(repo, "ws/moved")
    write(repo, "someone.txt", "someone else\n")
    someone = commit(repo, "someone commits to main")
    statuses, said = ls(repo)
    assert said.startswith("workspace: main moved since the interrupted merge of moved")
    assert "still there" in said and wip[:10] in said
    assert rev(repo, "main") == someone  # not touched
    assert rev(repo, "ws/moved") == wip and rev(repo, "ws/moved~1") == old_tip
    assert git(wt, "status", "--porcelain", "--untracked-files=all") == ""  # nothing lost
    assert statuses["moved"] != "merged"
    assert not (state_dir(repo) / INTENT_FILE).exists()
    assert "main moved since" in ws.agent("moved").status_reason
    # merging again merges it on top of what someone committed
    done = run_cli(*merge_argv("moved", "squash", False), cwd=repo)
    assert done.returncode == 0, done.stderr
    assert (repo / "moved.txt").exists() and (repo / "someone.txt").exists()


def test_an_edit_where_the_merge_writes_undoes_the_merge_and_keeps_the_edit(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")
    wt = agent_with_work(ws, "edited", wip=True)
    before = before_merge(repo, "edited", wt, True)
    killed_at(repo, "edited", "after-base", wip=True)
    # Before the next command, the person creates the file the merge brings.
    write(repo, "edited.txt", "the person's own\n")
    mine = picture(repo, wt)
    _, said = ls(repo)
    assert "was undone" in said and "main was put back at" in said, said
    assert rev(repo, "main") == before.base
    assert (repo / "edited.txt").read_text() == "the person's own\n"
    after = picture(repo, wt)
    assert after.refs == before.picture.refs
    assert after.agent_index == before.picture.agent_index  # its index bytes as they were
    assert after.agent_files == before.picture.agent_files
    assert after.main_files == mine.main_files
    assert ws.agent("edited").status != Status.MERGED


def test_a_long_lived_process_finishes_the_killed_merge_before_its_own(
        open_ws: Callable[[str], Workspace], repo: Path) -> None:
    ws = open_ws("")  # opened before the kill, as a TUI would be
    wt = agent_with_work(ws, "killed", wip=False)
    before = before_merge(repo, "killed", wt, False)
    agent_with_work(ws, "own", wip=False)
    killed_at(repo, "killed", "after-base")
    ws.merge("own")
    assert ws.agent("own").status == Status.MERGED
    assert ws.agent("killed").status == Status.MERGED
    record = ws.merger.merge_record("killed")
    assert record is not None and record["base_sha"] == rev(repo, "main~1")  # then own's
    assert rev(repo, "main~2") == before.base
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert (repo / "own.txt").exists() and (repo / "killed.txt").exists()


def test_the_gate_and_its_children_die_with_a_killed_merge(
        open_ws: Callable[[str], Workspace], repo: Path, tmp_path: Path) -> None:
    pids = tmp_path / "gate-pids"
    out = shlex.quote(str(pids))
    script = f"sleep 60 & echo $! > {out}; echo $$ >> {out}; sleep 60"  # a child, then itself
    ws = open_ws(f"gate = {json.dumps(['sh', '-c', script])}\n")
    agent_with_work(ws, "gated", wip=False)
    proc = start(repo, ["merge", "gated"])
    gate = wait_for(lambda: _pids(pids), timeout=60, what="the gate to start")
    group = os.getpgid(gate[-1])
    assert group != os.getpgid(proc.pid)  # the gate runs in a group of its own
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    wait_for(lambda: not any(_alive(p) for p in gate), timeout=30, what="the gate to end")
    wait_for(lambda: not _in_group(group), timeout=30, what="the gate's group to end")


def _pids(path: Path) -> list[int]:
    try:
        lines = path.read_text().split()
    except OSError:
        return []
    return [int(p) for p in lines] if len(lines) == 2 else []


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:].split()[0] != "Z"


def _in_group(group: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == group:
            members.append(int(entry.name))
    return members

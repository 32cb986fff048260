"""Diffs of real agents' worktrees (WIP and branch), touching no index, and the diff verb."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.gitrepo import git
from tests.support.review import commit, index_bytes, spawn_shell, write
from workspace.core.errors import UsageError
from workspace.core.review.diff import BRANCH, WIP
from workspace.service import Workspace


@pytest.fixture
def busy(ws: Workspace) -> Path:
    """Agent `a` with a bit of everything: committed, staged, unstaged, untracked (text and
    binary), a rename, a deletion, a mode change."""
    wt = spawn_shell(ws, "a", "Tidy the sample")
    write(wt, "src/app.py", "print('hi')\nprint('committed')\n")
    write(wt, "docs/guide.md", "# guide\n")
    commit(wt, "add guide, extend app")
    write(wt, "tool.sh", "#!/bin/sh\n")
    commit(wt, "add tool", "tool.sh")
    write(wt, "README.md", "# sample\nstaged line\n")
    git(wt, "add", "README.md")
    write(wt, "src/app.py", "print('hi')\nprint('committed')\nprint('unstaged')\n")
    write(wt, "notes.txt", "one\ntwo\n")
    write(wt, "blob.bin", b"\x00\x01\x02binary")
    git(wt, "mv", "docs/guide.md", "docs/handbook.md")
    (wt / "tool.sh").chmod(0o755)
    return wt


def test_wip_shows_only_uncommitted_work(ws: Workspace, busy: Path) -> None:
    diff = ws.diff("a", WIP)
    by_path = {f.path: f for f in diff.files}
    assert set(by_path) == {"README.md", "src/app.py", "notes.txt", "blob.bin",
                            "docs/handbook.md", "tool.sh"}
    assert diff.against == git(busy, "rev-parse", "HEAD").strip()
    assert diff.against_label == "HEAD"
    assert (by_path["src/app.py"].added, by_path["src/app.py"].removed) == (1, 0)
    assert by_path["notes.txt"].untracked and by_path["notes.txt"].status == "A"
    assert by_path["blob.bin"].binary and by_path["blob.bin"].untracked
    handbook = by_path["docs/handbook.md"]
    assert (handbook.status, handbook.old_path) == ("R", "docs/guide.md")
    assert by_path["tool.sh"].mode_changed
    assert all(f.uncommitted for f in diff.files)
    hunk = by_path["src/app.py"].hunks[0]
    assert [(ln.kind, ln.text, ln.new) for ln in hunk.lines if ln.kind == "+"] == \
        [("+", "print('unstaged')", 3)]


def test_branch_shows_committed_and_uncommitted_against_the_merge_base(
        ws: Workspace, busy: Path) -> None:
    # base moves on: its new commit must not show in the agent's diff
    write(ws.ctx.repo.top, "base-only.txt", "base\n")
    commit(ws.ctx.repo.top, "base moves on")
    diff = ws.diff("a", BRANCH)
    by_path = {f.path: f for f in diff.files}
    assert "base-only.txt" not in by_path
    assert diff.against == ws.agent("a").base_sha
    assert diff.against_label == "merge-base with main"
    assert (by_path["src/app.py"].added, by_path["src/app.py"].removed) == (2, 0)
    # committed on the branch and then renamed in the worktree: a new file on the branch
    assert by_path["docs/handbook.md"].status == "A"
    assert by_path["tool.sh"].status == "A" and not by_path["tool.sh"].untracked
    assert by_path["notes.txt"].untracked
    assert diff.stat.files == len(diff.files)
    assert diff.text.startswith("diff --git ")


def test_no_index_is_touched_by_any_diff_or_radar(ws: Workspace, busy: Path) -> None:
    # stale stat data in the index: a plain `git status` would rewrite it
    (busy / "src" / "app.py").touch()
    (ws.ctx.repo.top / "README.md").touch()
    agent_before, main_before = index_bytes(busy), index_bytes(ws.ctx.repo.top)
    for call in (lambda: ws.diff("a", WIP), lambda: ws.diff("a", BRANCH),
                 lambda: ws.radar(), lambda: ws.check_merge("a", commit_wip=True),
                 lambda: ws.conflicts_with_base("a")):
        call()
        assert index_bytes(busy) == agent_before
        assert index_bytes(ws.ctx.repo.top) == main_before
    assert not (ws.ctx.repo.common_dir / "worktrees" / "a" / "index.lock").exists()


def test_clean_worktree_has_an_empty_wip_diff(ws: Workspace) -> None:
    wt = spawn_shell(ws, "b")
    write(wt, "x.txt", "x\n")
    commit(wt, "x")
    assert ws.diff("b", WIP).empty
    assert [f.path for f in ws.diff("b", BRANCH).files] == ["x.txt"]


def test_odd_file_names_and_non_utf8_content(ws: Workspace) -> None:
    wt = spawn_shell(ws, "c")
    write(wt, "with space.txt", "s\n")
    write(wt, "tab\there.txt", "t\n")
    write(wt, "été.md", "é\n")
    write(wt, "latin1.txt", "caf\xe9\n".encode("latin-1"))
    diff = ws.diff("c", WIP)
    by_path = {f.path: f for f in diff.files}
    assert set(by_path) == {"with space.txt", "tab\there.txt", "été.md", "latin1.txt"}
    assert by_path["latin1.txt"].hunks[0].lines[0].text == "caf\ufffd"


def test_worktree_deleted_behind_the_tools_back(ws: Workspace) -> None:
    wt = spawn_shell(ws, "gone")
    write(wt, "x.txt", "x\n")
    commit(wt, "x")
    shutil.rmtree(wt)
    for mode in (WIP, BRANCH):
        with pytest.raises(UsageError, match=r"worktree .* is gone .* branch ws/gone"):
            ws.diff("gone", mode)
    result = run_cli("diff", "gone", cwd=ws.ctx.repo.top)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "is gone" in result.stderr
    # the radar still sees its committed work through the branch
    assert ws.radar().files["gone"] == ("x.txt",)


def test_unknown_mode_and_agent(ws: Workspace) -> None:
    spawn_shell(ws, "d")
    with pytest.raises(UsageError, match="unknown diff mode"):
        ws.diff("d", "sideways")
    with pytest.raises(UsageError, match="no agent named 'nobody'"):
        ws.diff("nobody")


def test_diff_verb_prints_the_same_diff(ws: Workspace, busy: Path) -> None:
    top = ws.ctx.repo.top
    full = run_cli("diff", "a", cwd=top)
    assert full.returncode == 0, full.stderr
    assert full.stdout == ws.diff("a", BRANCH).text
    wip = run_cli("diff", "a", "--wip", cwd=top)
    assert wip.returncode == 0 and wip.stdout == ws.diff("a", WIP).text
    stat = run_cli("diff", "a", "--stat", cwd=top)
    assert stat.returncode == 0, stat.stderr
    lines = stat.stdout.splitlines()
    assert any(line.startswith("U ") and "notes.txt" in line for line in lines)
    assert any("binary" in line and "blob.bin" in line for line in lines)
    assert lines[-1].endswith(f"+{ws.diff('a').stat.added} -{ws.diff('a').stat.removed}")
    clean = spawn_shell(ws, "clean")
    assert clean.is_dir()
    empty = run_cli("diff", "clean", "--wip", cwd=top)
    assert empty.returncode == 0 and empty.stdout == ""
    assert "no changes" in empty.stderr

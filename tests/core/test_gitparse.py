"""The pure parsers of git's output, on output shaped byte for byte like git 2.39's."""

from __future__ import annotations

import pytest

from workspace.core.gitparse import (
    LOG_FORMAT,
    CommitInfo,
    WorktreeInfo,
    WorktreeStatus,
    parse_log,
    parse_name_status,
    parse_status_v2,
    parse_worktree_list,
    without_untracked,
)

HEAD = "3b7c46a798f4a3a6cb81c02c8d5beccbd6c202ce"
OTHER = "e2c1970b5caced256119523d0d52a0399ea4985e"
BLOB = "7898192261" + "3b2afb6025042ff6bd878ac1994e85"
MODES = "100644 100644 100644"


def status_output(*entries: str, oid: str = HEAD, head: str = "main") -> str:
    return "".join(f"{e}\0" for e in (f"# branch.oid {oid}", f"# branch.head {head}", *entries))


@pytest.mark.parametrize(("output", "expected"), [
    (status_output(), WorktreeStatus(HEAD, "main")),
    (status_output(oid="(initial)"), WorktreeStatus(None, "main")),
    (status_output(head="(detached)"), WorktreeStatus(HEAD, None)),
    # An unstaged change to a path with a space (-z: no quoting).
    (status_output(f"1 .M N... {MODES} {BLOB} {BLOB} sp ace.txt"),
     WorktreeStatus(HEAD, "main", changed=("sp ace.txt",))),
    # A staged rename: the original path follows in a field of its own.
    (status_output(f"2 R. N... {MODES} {BLOB} {BLOB} R100 renamed.txt", "a.txt"),
     WorktreeStatus(HEAD, "main", changed=("renamed.txt", "a.txt"))),
    (status_output(f"u UU N... 100644 100644 100644 100644 {BLOB} {BLOB} {BLOB} both.txt"),
     WorktreeStatus(HEAD, "main", unmerged=("both.txt",))),
    (status_output("? new file.txt", "? dir/deeper.txt"),
     WorktreeStatus(HEAD, "main", untracked=("new file.txt", "dir/deeper.txt"))),
    (status_output(f"2 R. N... {MODES} {BLOB} {BLOB} R100 b.txt", "a.txt", "? c.txt"),
     WorktreeStatus(HEAD, "main", changed=("b.txt", "a.txt"), untracked=("c.txt",))),
])
def test_parse_status_v2(output: str, expected: WorktreeStatus) -> None:
    assert parse_status_v2(output) == expected


def test_status_dirty_and_paths() -> None:
    clean = WorktreeStatus(HEAD, "main")
    assert not clean.dirty and clean.paths == ()
    status = WorktreeStatus(HEAD, "main", ("m.txt",), ("u.txt",), ("c.txt",))
    assert status.dirty and status.paths == ("m.txt", "u.txt", "c.txt")


def test_without_untracked_leaves_out_only_untracked_paths() -> None:
    status = WorktreeStatus(HEAD, "main", changed=("gate.log",), untracked=("gate.log", "x"))
    assert without_untracked(status, ()) is status
    assert without_untracked(status, ["gate.log"]) == WorktreeStatus(
        HEAD, "main", changed=("gate.log",), untracked=("x",))
    assert not without_untracked(WorktreeStatus(HEAD, "main", untracked=("x",)), {"x"}).dirty


def test_parse_worktree_list() -> None:
    output = (
        f"worktree /repo\0HEAD {HEAD}\0branch refs/heads/main\0\0"
        f"worktree /wt/side\0HEAD {OTHER}\0branch refs/heads/ws/side\0\0"
        f"worktree /wt/gone\0HEAD {HEAD}\0detached\0"
        "prunable gitdir file points to non-existent location\0\0"
    )
    assert parse_worktree_list(output) == [
        WorktreeInfo("/repo", HEAD, "main"),
        WorktreeInfo("/wt/side", OTHER, "ws/side"),
        WorktreeInfo("/wt/gone", HEAD, None, prunable=True),
    ]


@pytest.mark.parametrize("output", ["", "\0"])
def test_parse_worktree_list_of_nothing(output: str) -> None:
    assert parse_worktree_list(output) == []


def test_parse_worktree_list_of_a_bare_main_repository() -> None:
    output = f"worktree /repo.git\0bare\0\0worktree /wt/a\0HEAD {HEAD}\0branch refs/heads/a\0\0"
    assert parse_worktree_list(output) == [WorktreeInfo("/repo.git", "", None),
                                           WorktreeInfo("/wt/a", HEAD, "a")]


def test_parse_log() -> None:
    assert LOG_FORMAT == "--format=%H%x1f%an%x1f%ae%x1f%ad%x1f%B"
    output = (f"{HEAD}\x1fAda Lovelace\x1fada@example.com\x1f1796155908 +0200\x1f"
              "two files\n\nbody line\n\0"
              f"{OTHER}\x1fA\x1fa@x\x1f1796155900 +0000\x1finit\n\0")
    first, second = parse_log(output)
    assert first == CommitInfo(HEAD, "two files", "Ada Lovelace", "ada@example.com",
                               "1796155908 +0200", "two files\n\nbody line")
    assert first.oneline == f"{HEAD[:10]} two files"
    assert (second.sha, second.subject, second.message) == (OTHER, "init", "init")


def test_parse_log_of_an_empty_message_and_of_nothing() -> None:
    assert parse_log("") == []
    [commit] = parse_log(f"{HEAD}\x1fA\x1fa@x\x1f1 +0000\x1f\n\0")
    assert commit.subject == "" and commit.message == ""


def test_parse_name_status() -> None:
    output = "A\0a.txt\0M\0sp ace.txt\0D\0gone/x\0T\0link\0"
    assert parse_name_status(output) == {"a.txt": "A", "sp ace.txt": "M", "gone/x": "D",
                                         "link": "T"}
    assert parse_name_status("") == {}

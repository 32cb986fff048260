"""The pure half of review and merge: diff parsing, merge-tree output, the radar's data, the
queue's data, drafted messages, and the reducer's merge_conflict note. Table-tested."""

from __future__ import annotations

import json

import pytest

from tests.support.review import demo_task
from workspace.core.agent import Status
from workspace.core.review.diff import (
    Hunk,
    format_stat,
    mark_files,
    parse_unified_diff,
    render_file,
    unquote_path,
)
from workspace.core.review.drafts import (
    draft_merge_message,
    draft_pr,
    draft_wip_message,
    gh_pr_argv,
    rebase_request,
    task_subject,
)
from workspace.core.review.mergetree import parse_merge_tree
from workspace.core.review.queue import QueueItem, QueueItemState, QueueState
from workspace.core.review.radar import PredictedConflict, Radar, find_overlaps, pairs_to_check
from workspace.core.status import (
    Observed,
    PersonDid,
    Policy,
    ProcessSeen,
    Signal,
    Source,
    StatusState,
    initial_state,
    reduce,
)

MODIFIED = """\
diff --git a/src/app.py b/src/app.py
index 9f1b437..b376c99 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,4 +1,5 @@ def main():
 one
-two
+TWO
+two and a half
 three
 four
@@ -10 +11 @@ class Other:
-ten
+TEN
\\ No newline at end of file
"""

NEW_AND_DELETED = """\
diff --git a/new.txt b/new.txt
new file mode 100644
index 0000000..3e75765
--- /dev/null
+++ b/new.txt
@@ -0,0 +1,2 @@
+new
+file
diff --git a/old.txt b/old.txt
deleted file mode 100644
index 3e75765..0000000
--- a/old.txt
+++ /dev/null
@@ -1 +0,0 @@
-gone
"""

RENAMES_BINARY_MODES = """\
diff --git a/README.md b/README.txt
similarity index 100%
rename from README.md
rename to README.txt
diff --git a/lib/a.py b/lib/b.py
similarity index 80%
rename from lib/a.py
rename to lib/b.py
index 1111111..2222222 100644
--- a/lib/a.py
+++ b/lib/b.py
@@ -1,2 +1,2 @@
 keep
-old
+new
diff --git a/blob.bin b/blob.bin
new file mode 100644
index 0000000..8352675
Binary files /dev/null and b/blob.bin differ
diff --git a/image.png b/image.png
index 1234567..89abcde 100644
Binary files a/image.png and b/image.png differ
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
"""

QUOTED = """\
diff --git "a/we\\303\\251ird\\tname.txt" "b/we\\303\\251ird\\tname.txt"
new file mode 100644
index 0000000..3e75765
--- /dev/null
+++ "b/we\\303\\251ird\\tname.txt"
@@ -0,0 +1 @@
+x
diff --git a/with space.txt b/with space.txt
new file mode 100644
index 0000000..3e75765
--- /dev/null
+++ b/with space.txt\t
@@ -0,0 +1 @@
+y
diff --git a/binary space.bin b/binary space.bin
new file mode 100644
index 0000000..8352675
Binary files /dev/null and b/binary space.bin differ
"""


def test_modified_file_hunks_and_line_numbers() -> None:
    (f,) = parse_unified_diff(MODIFIED)
    assert (f.path, f.status, f.added, f.removed, f.binary) == ("src/app.py", "M", 3, 2, False)
    first, second = f.hunks
    assert (first.old_start, first.old_count, first.new_start, first.new_count) == (1, 4, 1, 5)
    assert first.section == "def main():"
    assert [(ln.kind, ln.text, ln.old, ln.new) for ln in first.lines] == [
        (" ", "one", 1, 1), ("-", "two", 2, None), ("+", "TWO", None, 2),
        ("+", "two and a half", None, 3), (" ", "three", 3, 4), (" ", "four", 4, 5),
    ]
    assert (second.old_start, second.old_count, second.new_count) == (10, 1, 1)
    assert [ln.kind for ln in second.lines] == ["-", "+", "\\"]
    assert second.lines[-1].text == "No newline at end of file"
    assert first.header == "@@ -1,4 +1,5 @@ def main():"
    assert second.header == "@@ -10 +11 @@ class Other:"


def test_new_and_deleted_files() -> None:
    new, old = parse_unified_diff(NEW_AND_DELETED)
    assert (new.path, new.status, new.added, new.removed) == ("new.txt", "A", 2, 0)
    assert new.hunks[0].lines[0].new == 1
    assert (old.path, old.status, old.added, old.removed) == ("old.txt", "D", 0, 1)


def test_renames_binary_files_and_mode_changes() -> None:
    pure, edited, blob, image, script = parse_unified_diff(RENAMES_BINARY_MODES)
    assert (pure.status, pure.old_path, pure.path, pure.similarity) == \
        ("R", "README.md", "README.txt", 100)
    assert pure.display_path == "README.md -> README.txt" and not pure.hunks
    assert (edited.status, edited.old_path, edited.path, edited.added, edited.removed) == \
        ("R", "lib/a.py", "lib/b.py", 1, 1)
    assert (blob.status, blob.binary, blob.added, blob.removed) == ("A", True, 0, 0)
    assert (image.path, image.status, image.binary) == ("image.png", "M", True)
    assert script.mode_changed and (script.old_mode, script.new_mode) == ("100644", "100755")


def test_quoted_and_spaced_paths() -> None:
    quoted, spaced, binary = parse_unified_diff(QUOTED)
    assert quoted.path == "weéird\tname.txt"
    assert spaced.path == "with space.txt"
    assert binary.path == "binary space.bin" and binary.binary


@pytest.mark.parametrize("text", [MODIFIED, NEW_AND_DELETED, RENAMES_BINARY_MODES, QUOTED])
def test_render_gives_back_what_git_printed(text: str) -> None:
    assert "".join(render_file(f) for f in parse_unified_diff(text)) == text


def test_long_files_keep_counts_and_drop_hunks() -> None:
    body = "".join(f"+line {i}\n" for i in range(50))
    text = f"diff --git a/big b/big\nnew file mode 100644\n--- /dev/null\n+++ b/big\n" \
           f"@@ -0,0 +1,50 @@\n{body}"
    (f,) = parse_unified_diff(text, max_lines=10)
    assert f.truncated and f.added == 50 and f.hunks == ()


def test_undecodable_bytes_are_shown_as_replacement_characters() -> None:
    raw = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-caf\udce9\n+cafe\n"
    (f,) = parse_unified_diff(raw)
    assert f.hunks[0].lines[0].text == "caf\ufffd"


@pytest.mark.parametrize(("quoted", "plain"), [
    ('"a\\tb"', "a\tb"), ('"\\303\\251t\\303\\251"', "été"), ('"q\\"uote\\\\"', 'q"uote\\'),
    ("plain name", "plain name"),
])
def test_unquote(quoted: str, plain: str) -> None:
    assert unquote_path(quoted) == plain


def test_mark_files_and_stat_table() -> None:
    files = mark_files(parse_unified_diff(NEW_AND_DELETED + RENAMES_BINARY_MODES),
                       untracked=["new.txt"], uncommitted=["new.txt", "lib/a.py"])
    by_path = {f.path: f for f in files}
    assert by_path["new.txt"].untracked and by_path["new.txt"].uncommitted
    assert by_path["lib/b.py"].uncommitted and not by_path["lib/b.py"].untracked
    assert not by_path["old.txt"].uncommitted
    table = format_stat(files)
    assert table[0].startswith("U +2 -0  new.txt")
    assert any("binary" in line and "blob.bin" in line for line in table)
    assert any("(mode 100644 -> 100755)" in line for line in table)
    assert table[-1] == "7 files changed, +3 -2"
    assert format_stat([]) == ["no changes"]


def test_hunk_header_with_one_line_spans() -> None:
    assert Hunk(3, 1, 3, 0).header == "@@ -3 +3,0 @@"


# -- merge-tree ------------------------------------------------------------------------------

# Captured from git 2.39.5: `git merge-tree --write-tree --name-only -z --messages main side`,
# both sides changed f.txt and b.bin, side renamed g.txt to h.txt which main deleted.
MERGE_TREE_OUT = (
    "e5fff1083789eb88d19641975424386a120f95e8\0b.bin\0f.txt\0h.txt\0\0"
    "1\0b.bin\0CONFLICT (binary)\0warning: Cannot merge binary files: b.bin (main vs. side)\n\0"
    "1\0b.bin\0Auto-merging\0Auto-merging b.bin\n\0"
    "1\0b.bin\0CONFLICT (contents)\0CONFLICT (content): Merge conflict in b.bin\n\0"
    "1\0f.txt\0Auto-merging\0Auto-merging f.txt\n\0"
    "1\0f.txt\0CONFLICT (contents)\0CONFLICT (content): Merge conflict in f.txt\n\0"
    "2\0h.txt\0g.txt\0CONFLICT (rename/delete)\0CONFLICT (rename/delete): g.txt renamed to "
    "h.txt in side, but deleted in main.\n\0"
)


def test_parse_merge_tree_conflicts() -> None:
    result = parse_merge_tree(MERGE_TREE_OUT, clean=False)
    assert result.tree == "e5fff1083789eb88d19641975424386a120f95e8"
    assert result.conflicted == ("b.bin", "f.txt", "h.txt")
    assert result.kinds_of("b.bin") == ("binary", "content")
    assert result.kinds_of("h.txt") == ("rename/delete",)
    assert result.conflicts[-1].paths == ("h.txt", "g.txt")
    assert result.describe() == "b.bin (binary), f.txt (content), h.txt (rename/delete)"
    assert result.describe(limit=1) == "b.bin (binary) and 2 more"


def test_parse_clean_merge_tree() -> None:
    result = parse_merge_tree("52dbc0c1381d34b3d9439c59f6465b6622c021b8\0", clean=True)
    assert result.clean and result.conflicted == () and result.tree.startswith("52db")


# -- radar -------------------------------------------------------------------------------------


def test_overlaps_and_pairs() -> None:
    files = {"a": ["x.py", "y.py"], "b": ["y.py", "z.py"], "c": ["x.py", "y.py"], "d": []}
    overlaps = find_overlaps(files)
    assert [(o.path, o.agents) for o in overlaps] == [("x.py", ("a", "c")),
                                                       ("y.py", ("a", "b", "c"))]
    assert pairs_to_check(files) == [("a", "b"), ("a", "c"), ("b", "c")]
    radar = Radar(files={n: tuple(f) for n, f in files.items()},
                  ids={"a": "ida", "b": "idb", "c": "idc", "d": "idd"}, overlaps=overlaps,
                  conflicts=(PredictedConflict("a", "b", ("y.py",)),
                             PredictedConflict("c", "main", ("x.py",), with_base=True)))
    assert radar.shared("b") == ("y.py",)
    assert radar.shared_counts_by_id() == {"ida": 2, "idb": 1, "idc": 2}
    assert [c.b for c in radar.conflicts_of("a")] == ["b"]
    assert [c.b for c in radar.conflicts_of("c")] == ["main"]
    assert radar.conflicts_of("main") == ()


# -- queue -----------------------------------------------------------------------------------


FAILED, MERGED, QUEUED = QueueItemState.FAILED, QueueItemState.MERGED, QueueItemState.QUEUED


def test_queue_state_round_trip() -> None:
    state = QueueState((QueueItem("a"), QueueItem("b"), QueueItem("c")), running=True,
                       started_at=1.0, pid=42)
    state = state.with_item("a", MERGED, "merged a").with_item("b", FAILED, "conflict")
    assert state.queued == ("c",) and state.merged == ("a",)
    assert state.failed == QueueItem("b", FAILED, "conflict")
    again = QueueState.from_dict(state.to_dict())
    assert again == state
    assert QueueState.from_dict({"items": [{"name": "x"}, "junk"]}).items == (QueueItem("x", QUEUED),)


def test_queue_file_keeps_its_strings_and_unknown_states_load_as_interrupted() -> None:
    # merge-queue.json as written before the states were an Enum: same strings both ways
    old = {"items": [{"name": n, "state": n, "detail": ""} for n in QueueItemState],
           "running": False, "started_at": 1.0, "updated_at": 2.0, "pid": 7}
    state = QueueState.from_dict(old)
    assert [i.state for i in state.items] == list(QueueItemState)
    assert json.dumps(state.to_dict()) == json.dumps(old)
    odd = QueueState.from_dict({"items": [{"name": "a", "state": "paused"},
                                          {"name": "b", "state": 3},
                                          {"name": "c", "state": ["merged"]},
                                          {"name": "d", "state": None}]})
    assert {i.state for i in odd.items} == {QueueItemState.INTERRUPTED}
    assert odd.queued == () and odd.merged == () and odd.failed is None


# -- drafted messages --------------------------------------------------------------------------


@pytest.mark.parametrize(("task", "subject"), [
    ("Fix the parser [noask]\nmore detail", "Fix the parser"),
    ("\n\n   spaced    out   words  ", "spaced out words"),
    ("", "fallback"),
    ("x" * 100, "x" * 69 + "..."),
])
def test_task_subject(task: str, subject: str) -> None:
    # a demo agent's task, as the service hands it over: its cues already dropped
    assert task_subject(demo_task(task), "fallback") == subject


def test_drafted_messages() -> None:
    task = demo_task("Add retries to the fetcher\n\nUse exponential backoff.\n"
                     "Cap at 5 tries. [noask]")
    squash = draft_merge_message("a", "ws/a", "main", task, ["abc123 first", "def456 second"],
                                 "squash")
    lines = squash.splitlines()
    assert lines[0] == "Add retries to the fetcher"
    assert "  Use exponential backoff." in lines and "  abc123 first" in lines
    assert "[noask]" not in squash and lines[-1] == "Agent: a (branch ws/a)"
    merge = draft_merge_message("a", "ws/a", "main", task, [], "merge")
    assert merge.startswith("Merge ws/a into main: Add retries")
    assert draft_wip_message("a", "").startswith("Work in progress of a\n\n")
    title, body = draft_pr("a", "ws/a", task, ["abc123 first"])
    assert title == "Add retries to the fetcher"
    assert "## Task" in body and "- abc123 first" in body
    request = rebase_request("a", "ws/a", "main", ["x.py", "y.py"])
    assert "x.py, y.py" in request and "git rebase main" in request


def test_gh_argv_is_a_list_with_the_text_as_single_arguments() -> None:
    argv = gh_pr_argv("main", "ws/a", "Title; rm -rf ~", "Body `x`", draft=True)
    assert argv == ["gh", "pr", "create", "--base", "main", "--head", "ws/a", "--title",
                    "Title; rm -rf ~", "--body", "Body `x`", "--draft"]


# -- the reducer's merge_conflict note ---------------------------------------------------------

POLICY = Policy(stuck_after=300, quiet_after=8)
ALIVE = ProcessSeen(0.0, present=True)
WAITING = Observed(Source.HOOK, 1, Status.WAITING, "turn ended")
CONFLICT = PersonDid(2, "merge_conflict", "conflicts with main: a.py (content)")

REDUCER_CASES: list[tuple[str, list[Signal], Status, str]] = [
    ("a conflict note keeps the status and leads the reason", [ALIVE, WAITING, CONFLICT],
     Status.WAITING, "conflicts with main: a.py (content) · turn ended"),
    ("without detail it still says so", [ALIVE, WAITING, PersonDid(2, "merge_conflict")],
     Status.WAITING, "merge conflict with base · turn ended"),
    ("merge_clean removes it", [ALIVE, WAITING, CONFLICT, PersonDid(3, "merge_clean")],
     Status.WAITING, "turn ended"),
    ("a merge removes it", [ALIVE, WAITING, CONFLICT, PersonDid(3, "merged")],
     Status.MERGED, "merged into base"),
    ("a restart removes it", [ALIVE, WAITING, CONFLICT, PersonDid(3, "restarted")],
     Status.STARTING, "launching"),
    ("it survives a crash", [WAITING, CONFLICT, ProcessSeen(3, present=False)],
     Status.CRASHED, "conflicts with main: a.py (content) · its tmux session vanished"),
]


@pytest.mark.parametrize(("signals", "status", "reason"),
                         [c[1:] for c in REDUCER_CASES], ids=[c[0] for c in REDUCER_CASES])
def test_reducer_merge_conflict_note(signals: list[Signal], status: Status, reason: str) -> None:
    state = reduce(initial_state(0.0), signals, 5, POLICY)
    assert (state.status, state.reason) == (status, reason)


def test_conflict_note_is_stored_and_old_rows_load() -> None:
    state = reduce(initial_state(0.0), [ALIVE, WAITING, CONFLICT], 5, POLICY)
    assert StatusState.from_dict(state.to_dict()) == state
    old = state.to_dict()
    del old["conflict"]
    assert StatusState.from_dict(old).conflict == ""

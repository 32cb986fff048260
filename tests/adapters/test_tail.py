"""Incremental reading: from the offset, partial lines wait, huge lines are skipped and counted."""

from __future__ import annotations

from pathlib import Path

from workspace.adapters import tail
from workspace.adapters.tail import read_new_lines


def test_reads_only_what_was_appended(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"a":1}\n{"b":2}\n')
    first = read_new_lines(path, 0)
    assert [line for line, _ in first.lines] == ['{"a":1}', '{"b":2}']
    with path.open("a") as f:
        f.write('{"c":3}\n{"d"')
    second = read_new_lines(path, first.offset)
    assert [line for line, _ in second.lines] == ['{"c":3}']
    with path.open("a") as f:
        f.write(":4}\n")
    third = read_new_lines(path, second.offset)
    assert [line for line, _ in third.lines] == ['{"d":4}']


def test_missing_file_is_normal(tmp_path: Path) -> None:
    chunk = read_new_lines(tmp_path / "nope.jsonl", 0)
    assert (chunk.lines, chunk.offset) == ([], 0)


def test_truncated_file_starts_over(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text("x\n" * 10)
    offset = read_new_lines(path, 0).offset
    path.write_text("y\n")
    chunk = read_new_lines(path, offset)
    assert [line for line, _ in chunk.lines] == ["y"]


def test_huge_line_is_skipped_and_counted(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    mp.setattr(tail, "MAX_LINE", 1000)
    try:
        path = tmp_path / "t.jsonl"
        path.write_text("small\n" + "z" * 5000 + "\nafter\n")
        chunk = read_new_lines(path, 0)
        assert [line for line, _ in chunk.lines] == ["small", "after"]
        assert chunk.skipped == 1
        assert chunk.offset == path.stat().st_size
    finally:
        mp.undo()

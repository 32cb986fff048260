"""The diff model and its parser: an agent's changes as files, hunks and lines, parsed from
`git diff` output (the git adapter produces the text), and the stat table printed for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from workspace.core.agent import DiffStat
from workspace.core.format import plural

WIP = "wip"
BRANCH = "branch"
DIFF_MODES = (WIP, BRANCH)

MAX_LINES_PER_FILE = 20_000
"""Diff lines kept per file for display; a longer file keeps its counts, drops its hunks."""


@dataclass(frozen=True)
class DiffLine:
    kind: str
    """'+' added, '-' removed, ' ' context, '\\' a "no newline at end of file" marker."""
    text: str
    old: int | None = None
    """Line number in the old file (removed and context lines)."""
    new: int | None = None
    """Line number in the new file (added and context lines)."""


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str = ""
    """What git prints after the second @@ (the enclosing function, when it finds one)."""
    lines: tuple[DiffLine, ...] = ()

    @property
    def header(self) -> str:
        def span(start: int, count: int) -> str:
            return str(start) if count == 1 else f"{start},{count}"

        tail = f" {self.section}" if self.section else ""
        return f"@@ -{span(self.old_start, self.old_count)} " \
               f"+{span(self.new_start, self.new_count)} @@{tail}"

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "+")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "-")


@dataclass(frozen=True)
class FileDiff:
    path: str
    """The path on the new side (the old path for a deleted file)."""
    status: str = "M"
    """A added, M modified, D deleted, R renamed, C copied."""
    old_path: str | None = None
    """The path before a rename or copy."""
    binary: bool = False
    added: int = 0
    removed: int = 0
    hunks: tuple[Hunk, ...] = ()
    old_mode: str | None = None
    new_mode: str | None = None
    similarity: int | None = None
    header: tuple[str, ...] = ()
    """The raw header lines git printed (diff --git, index, ---, +++ ...)."""
    truncated: bool = False
    """Over MAX_LINES_PER_FILE diff lines: counts are right, hunks were dropped."""
    untracked: bool = False
    """A new file git does not track yet."""
    uncommitted: bool = False
    """The file has changes not committed on the agent's branch."""

    @property
    def display_path(self) -> str:
        if self.old_path and self.old_path != self.path:
            return f"{self.old_path} -> {self.path}"
        return self.path

    @property
    def mode_changed(self) -> bool:
        return self.old_mode is not None and self.new_mode is not None \
            and self.old_mode != self.new_mode


@dataclass(frozen=True)
class Diff:
    """An agent's changes: `wip` (uncommitted, against its worktree's HEAD) or `branch`
    (committed and uncommitted, against the merge-base with its base)."""

    agent: str
    mode: str
    against: str
    """The commit diffed against."""
    against_label: str
    """What that commit is, in words ('HEAD', 'merge-base with main')."""
    head: str
    """The worktree's HEAD commit."""
    files: tuple[FileDiff, ...] = ()
    text: str = ""
    """The unified diff as git printed it (undecodable bytes kept as surrogate escapes)."""

    @property
    def stat(self) -> DiffStat:
        return DiffStat(len(self.files), sum(f.added for f in self.files),
                        sum(f.removed for f in self.files))

    @property
    def empty(self) -> bool:
        return not self.files

    def file(self, path: str) -> FileDiff | None:
        for f in self.files:
            if f.path == path or f.old_path == path:
                return f
        return None


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def unquote_path(text: str) -> str:
    """Undo git's C-style quoting of a path ("a\\tb", "\\303\\251"); plain paths pass."""
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return text
    raw = bytearray()
    body = text[1:-1]
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\" or i + 1 >= len(body):
            raw.extend(ch.encode("utf-8", "surrogateescape"))
            i += 1
            continue
        nxt = body[i + 1]
        if re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]):
            raw.append(int(body[i + 1:i + 4], 8))
            i += 4
        elif nxt in _ESCAPES:
            raw.append(_ESCAPES[nxt])
            i += 2
        else:
            raw.extend(nxt.encode("utf-8", "surrogateescape"))
            i += 2
    return raw.decode("utf-8", "surrogateescape")


def _strip_prefix(path: str, prefix: str) -> str | None:
    if path == "/dev/null":
        return None
    path = unquote_path(path.removesuffix("\t"))
    return path.removeprefix(prefix)


def _split_quoted(rest: str) -> tuple[str, str] | None:
    """The two paths of a `diff --git` line when at least one is quoted."""
    tokens: list[str] = []
    i = 0
    while i < len(rest) and len(tokens) < 2:
        if rest[i] == " ":
            i += 1
            continue
        if rest[i] == '"':
            j = i + 1
            while j < len(rest) and rest[j] != '"':
                j += 2 if rest[j] == "\\" else 1
            tokens.append(unquote_path(rest[i:j + 1]))
            i = j + 1
        else:
            j = rest.find(" ", i) if len(tokens) == 0 else len(rest)
            j = len(rest) if j < 0 else j
            tokens.append(rest[i:j])
            i = j
    return (tokens[0], tokens[1]) if len(tokens) == 2 else None


def _git_line_paths(line: str) -> tuple[str, str]:
    """(old, new) from `diff --git a/X b/Y`. Unquoted names with spaces are ambiguous; git
    prints them only when both sides are equal, so split in the middle."""
    rest = line.removeprefix("diff --git ")
    if '"' in rest:
        pair = _split_quoted(rest)
        if pair is not None:
            return pair[0].removeprefix("a/"), pair[1].removeprefix("b/")
    half = (len(rest) - 1) // 2
    old, new = rest[:half], rest[half + 1:]
    return old.removeprefix("a/"), new.removeprefix("b/")


def _display(text: str) -> str:
    """Text safe to show: bytes that were not UTF-8 become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def parse_unified_diff(text: str, max_lines: int = MAX_LINES_PER_FILE) -> list[FileDiff]:
    """Parse `git diff` output (default a/ b/ prefixes, -M) into one FileDiff per file."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    files: list[FileDiff] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("diff --git "):
            i += 1
            continue
        fd, i = _parse_file(lines, i, max_lines)
        files.append(fd)
    return files


def _parse_file(lines: list[str], i: int, max_lines: int) -> tuple[FileDiff, int]:
    header = [lines[i]]
    old, new = _git_line_paths(lines[i])
    info: dict[str, str] = {}
    i += 1
    binary = False
    while i < len(lines) and not lines[i].startswith(("diff --git ", "@@ ")):
        line = lines[i]
        header.append(line)
        for key in ("old mode ", "new mode ", "deleted file mode ", "new file mode ",
                    "rename from ", "rename to ", "copy from ", "copy to ",
                    "similarity index ", "index "):
            if line.startswith(key):
                info[key.strip()] = line[len(key):]
                break
        else:
            if line.startswith("--- "):
                path = _strip_prefix(line[4:], "a/")
                if path is not None:
                    old = path
            elif line.startswith("+++ "):
                path = _strip_prefix(line[4:], "b/")
                if path is not None:
                    new = path
            elif line.startswith("Binary files ") or line == "GIT binary patch":
                binary = True
        i += 1
    if "rename from" in info:
        old, new = unquote_path(info["rename from"]), unquote_path(info["rename to"])
    if "copy from" in info:
        old, new = unquote_path(info["copy from"]), unquote_path(info["copy to"])
    status = "M"
    if "new file mode" in info:
        status = "A"
    elif "deleted file mode" in info:
        status = "D"
    elif "rename from" in info:
        status = "R"
    elif "copy from" in info:
        status = "C"
    hunks: list[Hunk] = []
    added = removed = kept = 0
    truncated = False
    while i < len(lines) and lines[i].startswith("@@ "):
        hunk, i, plus, minus = _parse_hunk(lines, i)
        added += plus
        removed += minus
        if kept + len(hunk.lines) > max_lines:
            truncated = True
        if not truncated:
            hunks.append(hunk)
            kept += len(hunk.lines)
    similarity = info.get("similarity index", "").rstrip("%")
    index_mode = info.get("index", "").split(" ")
    same_mode = index_mode[1] if len(index_mode) > 1 else None
    return FileDiff(
        path=_display(old if status == "D" else new),
        status=status,
        old_path=_display(old) if status in ("R", "C") else None,
        binary=binary,
        added=added,
        removed=removed,
        hunks=() if truncated else tuple(hunks),
        old_mode=info.get("old mode") or info.get("deleted file mode") or same_mode,
        new_mode=info.get("new mode") or info.get("new file mode") or same_mode,
        similarity=int(similarity) if similarity.isdigit() else None,
        header=tuple(_display(h) for h in header),
        truncated=truncated,
    ), i


def _parse_hunk(lines: list[str], i: int) -> tuple[Hunk, int, int, int]:
    match = _HUNK.match(lines[i])
    if match is None:
        return Hunk(0, 0, 0, 0, lines[i]), i + 1, 0, 0
    old_start, new_start = int(match.group(1)), int(match.group(3))
    old_count = int(match.group(2)) if match.group(2) is not None else 1
    new_count = int(match.group(4)) if match.group(4) is not None else 1
    section = match.group(5)
    i += 1
    out: list[DiffLine] = []
    old_left, new_left = old_count, new_count
    old_no, new_no = old_start, new_start
    plus = minus = 0
    while i < len(lines) and (old_left > 0 or new_left > 0 or lines[i].startswith("\\")):
        line = lines[i]
        kind, body = (line[:1] or " "), _display(line[1:])
        if kind == "+":
            out.append(DiffLine("+", body, None, new_no))
            new_no += 1
            new_left -= 1
            plus += 1
        elif kind == "-":
            out.append(DiffLine("-", body, old_no, None))
            old_no += 1
            old_left -= 1
            minus += 1
        elif kind == "\\":
            out.append(DiffLine("\\", body.strip()))
        else:
            out.append(DiffLine(" ", body, old_no, new_no))
            old_no += 1
            new_no += 1
            old_left -= 1
            new_left -= 1
        i += 1
    return Hunk(old_start, old_count, new_start, new_count, _display(section), tuple(out)), \
        i, plus, minus


def render_file(fd: FileDiff) -> str:
    """One file of the diff as unified text again (header as git printed it)."""
    out = list(fd.header)
    for hunk in fd.hunks:
        out.append(hunk.header)
        out.extend(f"{line.kind}{line.text}" if line.kind != "\\" else f"\\ {line.text}"
                   for line in hunk.lines)
    return "\n".join(out) + "\n"


def mark_files(files: Iterable[FileDiff], untracked: Iterable[str],
               uncommitted: Iterable[str]) -> tuple[FileDiff, ...]:
    """Flag files that are untracked or have uncommitted changes in the worktree."""
    new_files = frozenset(untracked)
    dirty = frozenset(uncommitted)
    out = []
    for f in files:
        is_new = f.path in new_files
        is_dirty = is_new or f.path in dirty or (f.old_path is not None and f.old_path in dirty)
        out.append(replace(f, untracked=is_new, uncommitted=is_dirty))
    return tuple(out)


def format_stat(files: Iterable[FileDiff], width: int = 100) -> list[str]:
    """A stat table: one line per file (status, +added, -removed, path), then a total."""
    rows = list(files)
    if not rows:
        return ["no changes"]
    plus_w = max(len(f"+{f.added}") for f in rows)
    minus_w = max(len(f"-{f.removed}") for f in rows)
    out = []
    for f in rows:
        tag = "U" if f.untracked else f.status
        counts = "binary".ljust(plus_w + minus_w + 1) if f.binary else \
            f"{('+' + str(f.added)).rjust(plus_w)} {('-' + str(f.removed)).rjust(minus_w)}"
        extra = " (mode " + f"{f.old_mode} -> {f.new_mode})" if f.mode_changed else ""
        line = f"{tag} {counts}  {f.display_path}{extra}"
        out.append(line if len(line) <= width else line[: width - 3] + "...")
    added = sum(f.added for f in rows)
    removed = sum(f.removed for f in rows)
    out.append(f"{plural(len(rows), 'file')} changed, +{added} -{removed}")
    return out

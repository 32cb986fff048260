"""Review and merge, the pure half: the diff model and its parser, merge-tree results, the
conflict radar's data, the merge queue's data, and drafting commit messages and pull requests
from an agent's task. No I/O: the git adapter produces the text parsed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from workspace.core.agent import DiffStat

WIP = "wip"
BRANCH = "branch"
DIFF_MODES = (WIP, BRANCH)

MAX_LINES_PER_FILE = 20_000
"""Diff lines kept per file for display; a longer file keeps its counts, drops its hunks."""


# -- the diff model ----------------------------------------------------------------------


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
    out.append(f"{len(rows)} file{'s' if len(rows) != 1 else ''} changed, +{added} -{removed}")
    return out


# -- merge-tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictInfo:
    """One informational message of `git merge-tree`: the paths, the kind (content, binary,
    rename/delete, modify/delete, add/add, ...), git's own sentence."""

    paths: tuple[str, ...]
    kind: str
    message: str


@dataclass(frozen=True)
class MergeTreeResult:
    tree: str
    clean: bool
    conflicted: tuple[str, ...] = ()
    """Paths left conflicted."""
    conflicts: tuple[ConflictInfo, ...] = ()

    def kinds_of(self, path: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.kind for c in self.conflicts if path in c.paths))

    def describe(self, limit: int = 6) -> str:
        """'a.py (content), b.png (binary), c.txt (rename/delete)'."""
        parts = []
        for path in self.conflicted[:limit]:
            kinds = [k for k in self.kinds_of(path) if k != "content"] or ["content"]
            parts.append(f"{path} ({', '.join(kinds)})")
        more = len(self.conflicted) - limit
        return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


_KIND = re.compile(r"^CONFLICT \(([^)]*)\)")


def parse_merge_tree(output: str, clean: bool) -> MergeTreeResult:
    """Parse `git merge-tree --write-tree --name-only -z` output: the tree, the conflicted
    paths, then the informational messages (<n>\\0<path>...\\0<type>\\0<message>\\0)."""
    fields = output.split("\0")
    tree = fields[0].strip() if fields else ""
    conflicted: list[str] = []
    i = 1
    while i < len(fields) and fields[i] != "":
        conflicted.append(fields[i])
        i += 1
    i += 1
    conflicts: list[ConflictInfo] = []
    while i < len(fields):
        count_s = fields[i]
        if not count_s.isdigit():
            break
        count = int(count_s)
        paths = tuple(fields[i + 1:i + 1 + count])
        kind_s = fields[i + 1 + count] if i + 1 + count < len(fields) else ""
        message = fields[i + 2 + count] if i + 2 + count < len(fields) else ""
        i += 3 + count
        match = _KIND.match(kind_s)
        if match is None:
            continue  # "Auto-merging" and other notes
        kind = "content" if match.group(1) in ("contents", "content") else match.group(1)
        conflicts.append(ConflictInfo(paths, kind, message.strip()))
    return MergeTreeResult(tree, clean, tuple(dict.fromkeys(conflicted)), tuple(conflicts))


# -- the conflict radar --------------------------------------------------------------------


@dataclass(frozen=True)
class Overlap:
    """A file touched by more than one agent."""

    path: str
    agents: tuple[str, ...]


@dataclass(frozen=True)
class PredictedConflict:
    """Merging `a` and `b` (two agents, or an agent and its base) would conflict in `files`."""

    a: str
    b: str
    files: tuple[str, ...]
    detail: str = ""
    with_base: bool = False
    """`b` is the base branch, not an agent: `a` cannot merge cleanly as it is."""


@dataclass(frozen=True)
class Radar:
    at: float = 0.0
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Agent name -> files its branch touches (committed and uncommitted)."""
    ids: Mapping[str, str] = field(default_factory=dict)
    """Agent name -> agent id."""
    overlaps: tuple[Overlap, ...] = ()
    conflicts: tuple[PredictedConflict, ...] = ()
    problems: Mapping[str, str] = field(default_factory=dict)
    """Agent name -> why it could not be looked at (worktree gone...)."""

    def shared(self, name: str) -> tuple[str, ...]:
        return tuple(o.path for o in self.overlaps if name in o.agents)

    def conflicts_of(self, name: str) -> tuple[PredictedConflict, ...]:
        return tuple(c for c in self.conflicts if name in (c.a, c.b) and
                     not (c.with_base and c.b == name))

    def shared_counts_by_id(self) -> dict[str, int]:
        """Agent id -> number of files it shares with other agents (the table's marker)."""
        return {self.ids[name]: len(self.shared(name)) for name in self.files
                if name in self.ids and self.shared(name)}


def find_overlaps(files_by_agent: Mapping[str, Iterable[str]]) -> tuple[Overlap, ...]:
    """Files touched by more than one agent, by path; agents in the order given."""
    owners: dict[str, list[str]] = {}
    for name, files in files_by_agent.items():
        for path in dict.fromkeys(files):
            owners.setdefault(path, []).append(name)
    return tuple(Overlap(path, tuple(names)) for path, names in sorted(owners.items())
                 if len(names) > 1)


def pairs_to_check(files_by_agent: Mapping[str, Iterable[str]]) -> list[tuple[str, str]]:
    """Agent pairs that share at least one file: the only ones a merge could conflict for
    (content conflicts need a common path; renames show both their paths)."""
    sets = {name: frozenset(files) for name, files in files_by_agent.items()}
    names = list(sets)
    return [(a, b) for i, a in enumerate(names) for b in names[i + 1:] if sets[a] & sets[b]]


# -- the merge queue ----------------------------------------------------------------------

QUEUED, MERGING, MERGED, FAILED, INTERRUPTED = "queued", "merging", "merged", "failed", \
    "interrupted"


@dataclass(frozen=True)
class QueueItem:
    name: str
    state: str = QUEUED
    """queued | merging | merged | failed | interrupted"""
    detail: str = ""


@dataclass(frozen=True)
class QueueState:
    items: tuple[QueueItem, ...] = ()
    running: bool = False
    started_at: float = 0.0
    updated_at: float = 0.0
    pid: int = 0

    @property
    def queued(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.items if i.state == QUEUED)

    @property
    def merged(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.items if i.state == MERGED)

    @property
    def failed(self) -> QueueItem | None:
        return next((i for i in self.items if i.state == FAILED), None)

    def with_item(self, name: str, state: str, detail: str = "") -> QueueState:
        items = tuple(QueueItem(i.name, state, detail) if i.name == name else i
                      for i in self.items)
        return replace(self, items=items)

    def to_dict(self) -> dict[str, object]:
        return {
            "items": [{"name": i.name, "state": i.state, "detail": i.detail}
                      for i in self.items],
            "running": self.running,
            "started_at": self.started_at,
            "updated_at": self.updated_at,
            "pid": self.pid,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> QueueState:
        raw = data.get("items")
        items = []
        for entry in raw if isinstance(raw, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                items.append(QueueItem(str(entry["name"]), str(entry.get("state", QUEUED)),
                                       str(entry.get("detail", ""))))

        def num(key: str) -> float:
            value = data.get(key)
            return float(value) if isinstance(value, int | float) else 0.0

        return cls(tuple(items), bool(data.get("running", False)), num("started_at"),
                   num("updated_at"), int(num("pid")))


# -- messages drafted from the agent's task ----------------------------------------------

SUBJECT_MAX = 72
_CUE = re.compile(r"\[(?:ask|noask|slow|quiet|exit|crash)\]")
"""The demo agent's steering cues: noise in a commit message."""


def task_subject(task: str, fallback: str) -> str:
    """The first line of the task, tidied and cut to fit a commit subject."""
    for line in task.splitlines():
        words = " ".join(_CUE.sub("", line).split())
        if words:
            if len(words) > SUBJECT_MAX:
                words = words[: SUBJECT_MAX - 3].rstrip() + "..."
            return words
    return fallback


def _task_body(task: str, subject: str) -> str:
    text = "\n".join(line.rstrip() for line in _CUE.sub("", task).strip().splitlines())
    if not text or " ".join(text.split()) == subject:
        return ""
    return "Task:\n" + "\n".join(f"  {line}" if line else "" for line in text.splitlines())


def draft_wip_message(name: str, task: str) -> str:
    subject = task_subject(task, f"Work in progress of {name}")
    return f"{subject}\n\nUncommitted work of agent {name}, committed by workspace before a " \
           "merge.\n"


def draft_merge_message(name: str, branch: str, base: str, task: str,
                        commits: Iterable[str], strategy: str) -> str:
    """The message of a squash commit (subject from the task) or of a merge commit."""
    subject = task_subject(task, f"Work of agent {name}")
    if strategy == "merge":
        subject = f"Merge {branch} into {base}: {subject}"
        if len(subject) > SUBJECT_MAX:
            subject = subject[: SUBJECT_MAX - 3].rstrip() + "..."
    parts = [subject]
    body = _task_body(task, task_subject(task, ""))
    if body:
        parts.append(body)
    listed = list(commits)
    if listed:
        shown = listed[:30]
        more = f"\n  ... and {len(listed) - 30} more" if len(listed) > 30 else ""
        parts.append("Commits:\n" + "\n".join(f"  {c}" for c in shown) + more)
    parts.append(f"Agent: {name} (branch {branch})")
    return "\n\n".join(parts) + "\n"


def draft_pr(name: str, branch: str, task: str, commits: Iterable[str]) -> tuple[str, str]:
    """(title, body) of a pull request."""
    title = task_subject(task, f"Work of agent {name}")
    parts = []
    text = _CUE.sub("", task).strip()
    if text:
        parts.append("## Task\n\n" + text)
    listed = list(commits)
    if listed:
        parts.append("## Commits\n\n" + "\n".join(f"- {c}" for c in listed[:50]))
    parts.append(f"Made by agent `{name}` on branch `{branch}` with workspace.")
    return title, "\n\n".join(parts) + "\n"


def rebase_request(name: str, branch: str, base: str, files: Iterable[str]) -> str:
    """The message sent to an agent whose branch conflicts with its base."""
    listed = list(files)
    where = ", ".join(listed[:20]) + (f" and {len(listed) - 20} more"
                                      if len(listed) > 20 else "")
    return (
        f"Your branch {branch} no longer merges cleanly into {base}: it conflicts in "
        f"{where or 'some files'}. Please commit your work, rebase onto {base} "
        f"(git rebase {base}), resolve the conflicts in those files keeping both intents, "
        "run the tests, and commit the result. Tell me when it is done."
    )


def gh_pr_argv(base: str, branch: str, title: str, body: str, draft: bool = False
               ) -> list[str]:
    """The `gh pr create` command for an agent's branch (argv, never a shell string)."""
    argv = ["gh", "pr", "create", "--base", base, "--head", branch, "--title", title,
            "--body", body]
    return [*argv, "--draft"] if draft else argv

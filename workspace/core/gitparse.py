"""What git prints, parsed: `status --porcelain=v2 -z`, `worktree list --porcelain -z`,
`log -z` in LOG_FORMAT and `diff --name-status -z`. Pure: the adapter runs git, this reads."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class WorktreeStatus:
    """One `git status --porcelain=v2` look at a checkout (read-only)."""

    head: str | None
    """HEAD's commit; None before the first commit."""
    branch: str | None
    """Short branch name; None when detached."""
    changed: tuple[str, ...] = ()
    """Tracked paths with staged or unstaged changes (both sides of a staged rename)."""
    untracked: tuple[str, ...] = ()
    unmerged: tuple[str, ...] = ()

    @property
    def dirty(self) -> bool:
        return bool(self.changed or self.untracked or self.unmerged)

    @property
    def paths(self) -> tuple[str, ...]:
        return (*self.changed, *self.untracked, *self.unmerged)


def without_untracked(status: WorktreeStatus, leave: Collection[str]) -> WorktreeStatus:
    """The status as if the untracked paths in `leave` were not there."""
    if not leave:
        return status
    gone = set(leave)
    return replace(status, untracked=tuple(p for p in status.untracked if p not in gone))


def parse_status_v2(output: str) -> WorktreeStatus:
    """Parse `git status --porcelain=v2 -z --branch`."""
    head: str | None = None
    branch: str | None = None
    changed: list[str] = []
    untracked: list[str] = []
    unmerged: list[str] = []
    fields = output.split("\0")
    i = 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if not entry:
            continue
        if entry.startswith("# branch.oid "):
            oid = entry.removeprefix("# branch.oid ")
            head = None if oid == "(initial)" else oid
        elif entry.startswith("# branch.head "):
            name = entry.removeprefix("# branch.head ")
            branch = None if name == "(detached)" else name
        elif entry.startswith("1 "):
            changed.append(entry.split(" ", 8)[8])
        elif entry.startswith("2 "):
            changed.append(entry.split(" ", 9)[9])
            # -z puts a rename's original path in a field of its own.
            if i < len(fields):
                changed.append(fields[i])
                i += 1
        elif entry.startswith("u "):
            unmerged.append(entry.split(" ", 10)[10])
        elif entry.startswith("? "):
            untracked.append(entry[2:])
    return WorktreeStatus(head, branch, tuple(changed), tuple(untracked), tuple(unmerged))


@dataclass(frozen=True)
class WorktreeInfo:
    path: str
    head: str
    branch: str | None
    """Short branch name; None when detached."""
    prunable: bool = False


def parse_worktree_list(output: str) -> list[WorktreeInfo]:
    """Parse `git worktree list --porcelain -z`: records of `key value` fields, each record
    ended by an empty field."""
    found: list[WorktreeInfo] = []
    record: dict[str, str] = {}
    for field in [*output.split("\0"), ""]:
        if not field:
            if "worktree" in record:
                branch = record.get("branch", "")
                found.append(
                    WorktreeInfo(
                        path=record["worktree"],
                        head=record.get("HEAD", ""),
                        branch=branch.removeprefix("refs/heads/") or None,
                        prunable="prunable" in record,
                    )
                )
            record = {}
            continue
        key, _, value = field.partition(" ")
        record[key] = value
    return found


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    subject: str
    author_name: str
    author_email: str
    author_date: str
    """As `--date=raw` prints it, so it can be given back to git unchanged."""
    message: str

    @property
    def oneline(self) -> str:
        return f"{self.sha[:10]} {self.subject}"


LOG_FORMAT = "--format=%H%x1f%an%x1f%ae%x1f%ad%x1f%B"
"""The `git log -z --date=raw` format parse_log reads: fields split by 0x1f, records by NUL."""


def parse_log(output: str) -> list[CommitInfo]:
    found = []
    for record in output.split("\0"):
        parts = record.strip("\n").split("\x1f")
        if len(parts) != 5:
            continue
        sha, name, email, date, message = parts
        subject = message.strip().splitlines()[0] if message.strip() else ""
        found.append(CommitInfo(sha, subject, name, email, date, message))
    return found


def parse_name_status(output: str) -> dict[str, str]:
    """Parse `git diff --name-status -z --no-renames`: path -> A/M/D/T."""
    fields = output.split("\0")
    found: dict[str, str] = {}
    for i in range(0, len(fields) - 1, 2):
        if fields[i]:
            found[fields[i + 1]] = fields[i][:1]
    return found

"""Files git ignores that a new worktree should have too (a `.env`, a local config): those of
the main checkout that match the person's patterns AND that git really ignores there, so a
tracked file is never among them (the `.worktreeinclude` convention's rule)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workspace.adapters.git.runner import Git


def ignored_matching(git: Git, patterns: Sequence[str], pattern_file: Path | None = None
                     ) -> list[str]:
    """Paths relative to the main checkout, a wholly matched folder as one entry ending in
    '/': the untracked files matching `patterns` (.gitignore syntax) or the lines of
    `pattern_file`, kept only if the repository's own ignore rules ignore them too."""
    if not patterns and pattern_file is None:
        return []
    args = ["ls-files", "-z", "--others", "--ignored", "--directory"]
    args += [f"--exclude={p}" for p in patterns]
    if pattern_file is not None:
        args.append(f"--exclude-from={pattern_file}")
    listed = git.run(*args)
    if not listed.ok:
        raise listed.error("git ls-files failed")
    candidates = [p for p in listed.out.split("\0") if p]
    if not candidates:
        return []
    checked = git.run("check-ignore", "-z", "--stdin",
                      stdin=b"".join(p.encode() + b"\0" for p in candidates))
    # Status 1: none of them is ignored; anything else but 0 is an error.
    if checked.status not in (0, 1):
        raise checked.error("git check-ignore failed")
    ignored = {p for p in checked.out.split("\0") if p}
    kept = sorted(p for p in candidates if p in ignored)
    # A file inside a folder that is itself kept comes with that folder.
    folders = [p for p in kept if p.endswith("/")]
    return [p for p in kept if not any(p != f and p.startswith(f) for f in folders)]


def ignored_in(git: Git, worktree: Path, paths: Sequence[str]) -> list[str]:
    """Which of `paths` (relative to `worktree`) git ignores there, as they are on disk now
    (a link counts as a file, not as the folder it points to)."""
    if not paths:
        return []
    checked = git.run("check-ignore", "-z", "--stdin", cwd=worktree,
                      stdin=b"".join(p.encode() + b"\0" for p in paths))
    if checked.status not in (0, 1):
        raise checked.error("git check-ignore failed")
    return [p for p in checked.out.split("\0") if p]

"""A large repository in the sandbox: many small files in a tree of directories, one commit
(spawning an agent checks out a worktree of all of them)."""

from __future__ import annotations

from pathlib import Path

from tests.support.gitrepo import git, make_repo


def make_big_repo(path: Path, files: int, per_dir: int = 100) -> Path:
    """`files` files of a few lines each, `per_dir` to a directory, committed once."""
    make_repo(path, {"README.md": "# a large benchmark repository\n"}, commit=False)
    for i in range(files):
        folder = path / "src" / f"pkg{i // per_dir:03d}"
        if i % per_dir == 0:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{i % per_dir:03d}.py").write_text(f"VALUE = {i}\n\n\ndef f():\n"
                                                         f"    return VALUE * 2\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", f"{files} files")
    return path

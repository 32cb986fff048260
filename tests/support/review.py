"""Helpers for review and merge tests: agents with worktrees to edit, and a picture of
everything a failed merge must leave as it was (refs, the main checkout's files and index
bytes, the agent's worktree files and index bytes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.support.gitrepo import git
from workspace.adapters.agents import integration_for
from workspace.adapters.agents.presets import builtin_presets
from workspace.service import Workspace


def index_path(checkout: Path) -> Path:
    return Path(git(checkout, "rev-parse", "--path-format=absolute", "--git-path",
                    "index").strip())


def index_bytes(checkout: Path) -> bytes:
    path = index_path(checkout)
    return path.read_bytes() if path.exists() else b""


def files_of(root: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    if not root.is_dir():
        return found
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] == ".git" or path.is_dir():
            continue
        found[str(rel)] = path.read_bytes() if not path.is_symlink() else b"->" + str(
            path.readlink()).encode()
    return found


@dataclass(frozen=True)
class Picture:
    refs: str
    main_head: str
    main_index: bytes
    main_files: dict[str, bytes]
    agent_index: bytes
    agent_files: dict[str, bytes]


def picture(repo: Path, worktree: Path | None = None) -> Picture:
    refs = git(repo, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads")
    head = (repo / ".git" / "HEAD").read_text()
    agent_index = index_bytes(worktree) if worktree is not None and worktree.is_dir() else b""
    return Picture(refs, head, index_bytes(repo), files_of(repo), agent_index,
                   files_of(worktree) if worktree is not None else {})


def assert_unchanged(before: Picture, after: Picture) -> None:
    assert after.refs == before.refs
    assert after.main_head == before.main_head
    assert after.main_files == before.main_files
    assert after.main_index == before.main_index, "the main checkout's index changed"
    assert after.agent_files == before.agent_files
    assert after.agent_index == before.agent_index, "the agent's index changed"


def spawn_shell(ws: Workspace, name: str, task: str = "", base: str | None = None) -> Path:
    """An agent whose process is an idle shell: the test edits its worktree itself. The task
    is stored, not typed into the shell (a shell would run it)."""
    agent = ws.spawn(name, preset="shell", base=base)
    if task:
        ws.ctx.store.update_agent(agent.id, task=task)
    return Path(agent.worktree)


def write(root: Path, rel: str, text: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)


def commit(root: Path, message: str, *paths: str) -> str:
    git(root, "add", "-A", "--", *(paths or (".",)))
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def rev(repo: Path, ref: str) -> str:
    return git(repo, "rev-parse", ref).strip()


def demo_task(task: str) -> str:
    """A demo agent's task as the service hands it to the drafts."""
    demo = next(p for p in builtin_presets() if p.name == "demo")
    return integration_for(demo).task_text(task)

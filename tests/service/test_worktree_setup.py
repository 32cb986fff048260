"""A new agent's worktree is prepared before the agent starts: files git ignores copied or
linked from the main checkout ([worktree] copy and symlink, the .worktreeinclude convention),
then post_create run in it with its output kept; a failed setup leaves nothing half-made and
says why in one line; submodules come first. The refinery's gate worktree is prepared by the
same code. Real git, real tmux, real commands."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.gitrepo import git, make_repo
from tests.support.wait import wait_for
from workspace.core import format as fmt
from workspace.core.agent import Status
from workspace.core.errors import UsageError
from workspace.service import Workspace

IGNORE = ".env\n.env.*\n!.env.example\nnode_modules\nconfig/local.toml\n*.log\n"


def a_project(path: Path) -> Path:
    """A repository whose main checkout has ignored files an agent needs, and one it does
    not; `.env.example` is tracked although `.env*` names it."""
    repo = make_repo(path, {"README.md": "# p\n", ".gitignore": IGNORE,
                            ".env.example": "KEY=example\n",
                            ".worktreeinclude": "# what worktrees need\n.env*\n"
                                                "config/local.toml\n"})
    (repo / ".env").write_text("KEY=secret\n")
    (repo / ".env.local").write_text("LOCAL=1\n")
    (repo / "config").mkdir()
    (repo / "config" / "local.toml").write_text("port = 1\n")
    (repo / "node_modules" / "pkg").mkdir(parents=True)
    (repo / "node_modules" / "pkg" / "index.js").write_text("module.exports = 1\n")
    (repo / "debug.log").write_text("noise\n")
    (repo / ".env.example").write_text("KEY=changed here, not committed\n")
    return repo


def setup_config(*lines: str) -> None:
    write_user_config("[worktree]\n" + "".join(f"{line}\n" for line in lines))


def python(code: str) -> str:
    return json.dumps([sys.executable, "-c", code])


def test_ignored_files_are_copied_and_linked_then_post_create_runs(tmp_path: Path) -> None:
    repo = a_project(tmp_path / "project")
    setup_config('symlink = ["node_modules"]', 'copy = [".env"]',
                 "post_create = " + python("import os; print('ready', os.path.isfile('.env'))"))
    ws = Workspace.open(repo)
    try:
        agent = ws.spawn("prepared", preset="shell")
        tree = Path(agent.worktree)
        assert (tree / ".env").read_text() == "KEY=secret\n" and not (tree / ".env").is_symlink()
        assert (tree / ".env.local").read_text() == "LOCAL=1\n"  # from .worktreeinclude
        assert (tree / "config" / "local.toml").read_text() == "port = 1\n"
        assert (tree / "node_modules").is_symlink()
        assert (tree / "node_modules").resolve() == (repo / "node_modules").resolve()
        assert not (tree / "debug.log").exists()  # ignored, but no pattern names it
        assert (tree / ".env.example").read_text() == "KEY=example\n"  # tracked: never copied
        log = ws.ctx.paths(agent.id).dir / "setup.log"
        assert "ready True" in log.read_text()  # the copies were there before it ran
        assert agent.status_reason in ("launching", "") or agent.status != Status.STARTING
        assert git(tree, "status", "--porcelain") == ""  # nothing placed shows as a change
        report = ws.kill("prepared")
        assert report.removed
        assert (repo / "node_modules" / "pkg" / "index.js").read_text() == "module.exports = 1\n"
        assert (repo / ".env").read_text() == "KEY=secret\n"
    finally:
        ws.close()


def test_a_failing_post_create_leaves_nothing_and_says_why_in_one_line(tmp_path: Path) -> None:
    repo = a_project(tmp_path / "project")
    setup_config('copy = [".env"]', "post_create = " + python(
        "import sys; open('lock.json', 'w').write('{}'); print('installing'); "
        "print('npm ERR! missing lockfile'); sys.exit(3)"))
    ws = Workspace.open(repo)
    try:
        with pytest.raises(UsageError) as failed:
            ws.spawn("broken", preset="shell")
        said = str(failed.value)
        assert "\n" not in said
        assert said.startswith("worktree setup: post_create ")
        assert "failed with status 3 (npm ERR! missing lockfile)" in said
        kept = Path(said.rsplit("its output: ", 1)[1])
        assert "installing" in kept.read_text() and kept.is_relative_to(ws.ctx.state_dir)
        assert_nothing_left(ws, repo, "broken")
        # What it wrote is not lost either: kept at a recovery ref (the copied .env is not:
        # git ignores it).
        ref = git(repo, "for-each-ref", "--format=%(refname)", "refs/workspace/recovery/")
        assert ref.startswith("refs/workspace/recovery/broken-setup-")
        assert git(repo, "show", f"{ref.strip()}:lock.json") == "{}"
        assert "KEY=secret" not in git(repo, "log", "-p", "--all")
    finally:
        ws.close()
    cli = run_cli("spawn", "broken", "--preset", "shell", cwd=repo)
    assert cli.returncode == 2 and cli.stderr.count("\n") == 1
    assert cli.stderr.startswith("workspace: worktree setup: post_create")


def test_a_post_create_past_its_limit_is_ended_and_undone(tmp_path: Path) -> None:
    repo = a_project(tmp_path / "project")
    setup_config("post_create = " + python("import time; time.sleep(600)"),
                 "post_create_timeout = 1")
    ws = Workspace.open(repo)
    try:
        with pytest.raises(UsageError, match=r"post_create .* did not finish within 1s"):
            ws.spawn("slow", preset="shell")
        assert_nothing_left(ws, repo, "slow")
    finally:
        ws.close()


def test_the_row_says_setup_while_post_create_runs(tmp_path: Path) -> None:
    repo = a_project(tmp_path / "project")
    release = tmp_path / "release"
    setup_config("post_create = " + python(
        f"import os, time\nwhile not os.path.exists({str(release)!r}): time.sleep(0.05)"))
    ws, watcher = Workspace.open(repo), Workspace.open(repo)
    errors: list[BaseException] = []

    def spawn() -> None:
        try:
            ws.spawn("waits", preset="shell")
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=spawn, daemon=True)
    thread.start()
    try:
        row = wait_for(lambda: next((a for a in watcher.agents() if a.name == "waits"
                                     and a.status_reason.startswith("setup")), None), 30)
        assert row is not None and row.status == Status.STARTING and not row.spawn_complete
        assert row.status_reason.startswith("setup: running ")
        assert fmt.status_label(row) == "starting (setup)"
        assert "starting (setup)" in run_cli("ls", cwd=repo).stdout
        assert not ws.ctx.tmux.has_session("waits")  # the agent starts after its setup
    finally:
        release.touch()
        thread.join(60)
        watcher.close()
    try:
        assert not errors, errors
        done = ws.agent("waits")
        assert done.spawn_complete and ws.ctx.tmux.has_session("waits")
        assert not done.status_reason.startswith("setup")
    finally:
        ws.close()


def test_a_link_git_would_not_ignore_is_refused(tmp_path: Path) -> None:
    repo = a_project(tmp_path / "project")
    (repo / ".gitignore").write_text(IGNORE.replace("node_modules", "node_modules/"))
    git(repo, "commit", "-qam", "ignore only the folder")
    setup_config('symlink = ["node_modules/"]')
    ws = Workspace.open(repo)
    try:
        with pytest.raises(UsageError, match="git does not ignore node_modules in the agent's "
                                             "worktree, so it could be committed"):
            ws.spawn("linked", preset="shell")
        assert_nothing_left(ws, repo, "linked")
        assert (repo / "node_modules" / "pkg" / "index.js").is_file()
    finally:
        ws.close()


def project_with_submodule(tmp_path: Path, isolated_env: Path) -> Path:
    """A project with a submodule at libs/lib (lib.txt), cloned from a local path."""
    with (isolated_env / ".gitconfig").open("a") as config:
        config.write('[protocol "file"]\n\tallow = always\n')
    lib = make_repo(tmp_path / "lib", {"lib.txt": "lib\n"})
    repo = a_project(tmp_path / "project")
    git(repo, "submodule", "add", "-q", str(lib), "libs/lib")
    git(repo, "commit", "-q", "-m", "a submodule")
    return repo


def test_submodules_come_first_then_the_setup(tmp_path: Path, isolated_env: Path) -> None:
    repo = project_with_submodule(tmp_path, isolated_env)
    setup_config("post_create = " + python(
        "import sys; sys.exit(0 if open('libs/lib/lib.txt').read() == 'lib\\n' else 4)"))
    ws = Workspace.open(repo)
    try:
        agent = ws.spawn("sub", preset="shell")
        tree = Path(agent.worktree)
        assert (tree / "libs" / "lib" / "lib.txt").read_text() == "lib\n"
        assert (tree / ".env").read_text() == "KEY=secret\n"
        assert agent.problem == ""
    finally:
        ws.close()


def test_a_repository_file_setup_waits_for_trust(tmp_path: Path) -> None:
    repo = a_project(tmp_path / "project")
    marker = tmp_path / "ran"
    (repo / ".workspace.toml").write_text(
        "[worktree]\npost_create = " + python(f"open({str(marker)!r}, 'w').close()") + "\n")
    ws = Workspace.open(repo)
    try:
        with pytest.raises(UsageError, match="until you trust it: workspace trust"):
            ws.spawn("careful", preset="shell")
        assert not marker.exists()
        assert_nothing_left(ws, repo, "careful")
        notice = ws.trust_notice()
        assert notice is not None
        ws.trust_repo_config(notice.digest)
        ws.spawn("careful", preset="shell")
        assert marker.exists()
    finally:
        ws.close()


def assert_nothing_left(ws: Workspace, repo: Path, name: str) -> None:
    assert all(a.name != name for a in ws.agents())
    assert not (ws.ctx.worktree_root() / name).exists()
    assert git(repo, "branch", "--list", f"ws/{name}") == ""
    assert not ws.ctx.tmux.has_session(name)
    assert all(w.agent_name != name for w in ws.leftovers())
    agents_dir = ws.ctx.state_dir / "agents"
    assert not agents_dir.exists() or not any(
        (d / "agent.json").is_file() and name in (d / "agent.json").read_text()
        for d in agents_dir.iterdir())


PICTURE = """import json, os, sys
def kind(p):
    if os.path.islink(p):
        return "link to " + os.path.realpath(p)
    if os.path.isdir(p):
        return "folder"
    return open(p).read() if os.path.isfile(p) else "missing"
paths = [".env", ".env.local", ".env.example", "config/local.toml", "node_modules",
         "node_modules/pkg/index.js", "debug.log", "libs/lib/lib.txt", "prepared.log"]
json.dump({p: kind(p) for p in paths}, open(sys.argv[1], "w"))
"""


def test_a_batch_gate_sees_the_worktree_an_agent_sees(tmp_path: Path, isolated_env: Path
                                                       ) -> None:
    """One preparation for both: the refinery's gate worktree gets the submodules, the copies,
    the links and post_create's work an agent's worktree gets (post_create knows which)."""
    repo = project_with_submodule(tmp_path, isolated_env)
    seen = tmp_path / "gate-saw.json"
    gate = json.dumps([sys.executable, "-c", PICTURE, str(seen)])
    write_user_config(
        f"[merge]\ncleanup = \"never\"\nbatch = 2\ngate = {gate}\n[worktree]\n"
        'symlink = ["node_modules"]\ncopy = [".env"]\npost_create = ' + python(
            "import os; open('prepared.log', 'w').write(os.environ.get('WORKSPACE_GATE', 'agent'))")
        + "\n")
    ws = Workspace.open(repo)
    try:
        trees = []
        for name in ("left", "right"):
            tree = Path(ws.spawn(name, preset="shell").worktree)
            (tree / f"{name}.txt").write_text(f"{name}\n")
            git(tree, "add", f"{name}.txt")
            git(tree, "commit", "-q", "-m", f"{name}'s work")
            trees.append(tree)
        report = ws.merge_queue(["left", "right"], batch=2)
        assert report.ok, report.error
        gate_saw = json.loads(seen.read_text())
        agent_saw = tmp_path / "agent-saw.json"
        subprocess.run([sys.executable, "-c", PICTURE, str(agent_saw)], cwd=trees[0],
                       check=True)
        agent = json.loads(agent_saw.read_text())
        assert agent.pop("prepared.log") == "agent" and gate_saw.pop("prepared.log") == "1"
        assert gate_saw == agent
        assert agent["libs/lib/lib.txt"] == "lib\n" and agent[".env"] == "KEY=secret\n"
        assert agent["node_modules"].startswith("link to ") and agent["debug.log"] == "missing"
    finally:
        ws.close()

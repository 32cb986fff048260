"""The CLI's shape: verbs load the service only when they run, and `attach` becomes the tmux
client the service names (in a real terminal, back out with the detach key)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.terminal import Terminal
from workspace.service import Workspace

HEAVY = ("workspace.service", "workspace.adapters", "workspace.ui", "textual", "libtmux", "git")


def modules_loaded_by(*argv: str) -> set[str]:
    code = (
        "import sys\n"
        "from workspace.cli.main import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stderr.split())


def test_version_and_help_load_neither_the_service_nor_textual() -> None:
    for argv in (["--version"], ["--help"], ["merge", "--help"], ["doctor", "--help"]):
        loaded = modules_loaded_by(*argv)
        assert "workspace.cli.main" in loaded
        leaked = sorted(m for m in loaded if m.split(".")[0] in HEAVY or m.startswith(HEAVY))
        assert leaked == [], f"workspace {' '.join(argv)} loads {leaked}"


def test_attach_jumps_into_the_pane_and_the_detach_key_returns(term: Terminal,
                                                               repo: Path) -> None:
    spawned = run_cli("spawn", "inside", "--preset", "demo", "--prompt", "task [slow] [noask]",
                      cwd=repo)
    assert spawned.returncode == 0, spawned.stderr
    # Through a shell that prints attach's exit status: tmux 3.3a sometimes marks a pane dead
    # without ever reporting its status.
    term.start(repo, "sh", "-c",
               f"{sys.executable} -m workspace attach inside; echo exit=$?; read x")
    term.wait_text("back to workspace", "demo agent")
    term.keys("C-]")
    assert "exit=0" in term.wait_text("exit=", timeout=10)
    ws = Workspace.open(repo)
    assert ws.agent("inside").name == "inside"  # detaching leaves the agent as it was
    ws.close()


def test_attach_to_a_vanished_session_says_restart(term: Terminal, repo: Path) -> None:
    assert run_cli("spawn", "gone", "--preset", "demo", cwd=repo).returncode == 0
    ws = Workspace.open(repo)
    ws.ctx.tmux.kill_session(ws.agent("gone").session)
    ws.close()
    # Through a shell that waits for a line: a pane whose program ends at once may lose its
    # last output, and the exit status is what is asserted.
    term.start(repo, "sh", "-c", f"{sys.executable} -m workspace attach gone; echo exit=$?; read x")
    screen = term.wait_text("exit=")
    assert "workspace: gone's tmux session is gone; restart it first\nexit=2" in screen


def test_attach_needs_a_terminal(repo: Path) -> None:
    assert run_cli("spawn", "tty", "--preset", "demo", cwd=repo).returncode == 0
    result = run_cli("attach", "tty", cwd=repo)
    assert result.returncode == 2
    assert result.stderr == "workspace: attach needs a terminal\n"

"""The real CLI against a workspace's state: spawning demo agents, reading `ls --json`, and
saying that a refusal was one line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.wait import wait_for


def state_db(repo: Path) -> Path:
    return repo / ".git" / "workspace" / "state.db"


def listed(repo: Path) -> dict[str, dict[str, object]]:
    """`workspace ls --json`, by name."""
    result = run_cli("ls", "--json", cwd=repo)
    assert result.returncode == 0, result.stderr
    return {str(a["name"]): a for a in json.loads(result.stdout)}


def spawn_demo(repo: Path, name: str, prompt: str = "note it [noask]") -> None:
    result = run_cli("spawn", name, "--preset", "demo", "--prompt", prompt, cwd=repo)
    assert result.returncode == 0, result.stderr


def wait_listed_status(repo: Path, name: str, *statuses: str, timeout: float = 30) -> None:
    wait_for(lambda: listed(repo).get(name, {}).get("status") in statuses, timeout,
             what=f"{name} to be {'/'.join(statuses)}")


def one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """The refusal was one line on stderr, exit code 2, holding every fragment."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workspace: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]

"""What the end-to-end tests of the real agent CLIs share: a preset config pointing at the
pinned CLI and its scripted server, a poll loop that records every status change, and the
agent's row as `workspace ls --json` prints it."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.support.cli import run_cli
from workspace.core.agent import Status
from workspace.service import Workspace


def preset_toml(preset: str, command: Path, env: dict[str, str],
                args: list[str] | None = None) -> str:
    """A user config with a fast poll and the preset pointed at `command` with `env`."""
    env_toml = ", ".join(f"{k} = {json.dumps(v)}" for k, v in env.items())
    lines = ["[workspace]", "poll_interval = 0.3", f"[presets.{preset}]",
             f"command = {json.dumps(str(command))}"]
    if args is not None:
        lines.append(f"args = {json.dumps(args)}")
    lines.append(f"env = {{ {env_toml} }}")
    return "\n".join(lines) + "\n"


def watch(ws: Workspace, name: str, until: Status, timeout: float,
          seen: list[tuple[Status, str]]) -> None:
    """Poll like the TUI does, recording every status change, until `until` is reached."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ws.refresh()
        agent = ws.agent(name)
        if not seen or seen[-1][0] != agent.status:
            seen.append((agent.status, agent.status_reason))
        if agent.status == until:
            return
        time.sleep(0.2)
    screen = "".join(ws.ctx.tmux.capture([p.pane_id for p in ws.ctx.tmux.list_panes() or []],
                                     colors=False).values())
    raise AssertionError(f"{name} never became {until.value}; seen {seen}\n{screen}")


def row_of(repo: Path, name: str) -> dict[str, object]:
    listed = run_cli("ls", "--json", cwd=repo)
    assert listed.returncode == 0, listed.stderr
    row = next(a for a in json.loads(listed.stdout) if a["name"] == name)
    assert isinstance(row, dict)
    return row

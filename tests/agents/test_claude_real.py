"""The real Claude Code CLI (pinned, installed by scripts/install-test-clis), spawned by the
product in its own tmux session and worktree, against a scripted local server speaking the
Anthropic Messages API. The script makes Claude ask to create a file. The test sees the status
go working -> needs_permission (from Claude's PermissionRequest hook, not from screen text),
approves with `workspace approve`, sees working -> waiting, finds the file in the agent's diff,
and finds the token totals and cost equal to what the server reported.

This test must run in CI: a missing CLI is a failure, not a skip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.anthropic_server import MODEL, AnthropicServer, Script
from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.paths import TOP
from tests.support.real_cli import preset_toml, watch
from workspace.core.agent import Status
from workspace.core.review.diff import BRANCH
from workspace.service import Workspace

ROOT = TOP
CLAUDE = ROOT / ".cache" / "agent-clis" / "node_modules" / ".bin" / "claude"
# Published prices for claude-sonnet-4-5, USD per million tokens.
PRICE = {"input": 3.0, "output": 15.0, "cache_read": 0.30, "cache_write": 3.75}

pytestmark = pytest.mark.claude


def claude_config(tmp_path: Path) -> Path:
    """A Claude config dir like a person's who has used Claude before (onboarding done)."""
    config = tmp_path / "claude-config"
    config.mkdir()
    (config / ".claude.json").write_text(json.dumps(
        {"hasCompletedOnboarding": True, "theme": "dark", "projects": {"/elsewhere": {}}}))
    return config


def preset_config(server: AnthropicServer, config: Path) -> str:
    env = {
        "ANTHROPIC_BASE_URL": server.url,
        "ANTHROPIC_AUTH_TOKEN": "test-token",
        "CLAUDE_CONFIG_DIR": str(config),
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    return preset_toml("claude", CLAUDE, env, ["--permission-mode", "default", "--model", MODEL])


def test_claude_code_end_to_end(repo: Path, tmp_path: Path) -> None:
    assert CLAUDE.exists(), "Claude Code is not installed: run ./scripts/install-test-clis"
    config = claude_config(tmp_path)
    script = Script()
    with AnthropicServer(script) as server:
        write_user_config(preset_config(server, config))
        ws = Workspace.open(repo)
        try:
            agent = ws.spawn("claude1", preset="claude", prompt="Please create hello.txt")
            worktree = Path(agent.worktree)
            script.file_path = str(worktree / "hello.txt")
            script.ready.set()
            # trusted by config, not by a key press: the entry is there, nothing else changed
            trusted = json.loads((config / ".claude.json").read_text())["projects"]
            assert trusted[str(worktree)]["hasTrustDialogAccepted"] is True
            assert "/elsewhere" in trusted

            seen: list[tuple[Status, str]] = []
            watch(ws, "claude1", Status.NEEDS_PERMISSION, 90, seen)
            assert Status.WORKING in [s for s, _ in seen], seen
            reason = seen[-1][1]
            assert reason.startswith("wants to use Write:") and "hello.txt" in reason, reason
            assert not (worktree / "hello.txt").exists()

            approved = run_cli("approve", "claude1", cwd=repo)
            assert approved.returncode == 0, approved.stderr
            after: list[tuple[Status, str]] = []
            watch(ws, "claude1", Status.WAITING, 60, after)
            assert after[0][0] in (Status.NEEDS_PERMISSION, Status.WORKING), after
            assert Status.WORKING in [s for s, _ in after], after

            assert (worktree / "hello.txt").read_text() == script.file_text
            diff = ws.diff("claude1", BRANCH)
            assert [f.path for f in diff.files] == ["hello.txt"]

            # tokens: what the server reported for the conversation, each message once
            assert script.kinds().count("tool_use") == 1 and script.kinds().count("final") == 1
            expected = script.main_usage()
            listed = run_cli("ls", "--json", cwd=repo)
            assert listed.returncode == 0, listed.stderr
            row = next(a for a in json.loads(listed.stdout) if a["name"] == "claude1")
            assert row["status"] == "waiting"
            assert row["session_id"] == agent.session_id
            assert row["model"] == MODEL
            assert row["tokens"] == expected, (row["tokens"], expected)
            cost = sum(expected[k] * PRICE[k] for k in PRICE) / 1_000_000
            assert row["cost_usd"] == pytest.approx(cost, abs=1e-6)  # ls rounds to 6 places

            # the worktree's trust entry goes with the worktree
            ws.kill("claude1", discard=True)
            projects = json.loads((config / ".claude.json").read_text())["projects"]
            assert str(worktree) not in projects and "/elsewhere" in projects
        finally:
            ws.close()

"""The real opencode (pinned, installed by scripts/install-test-clis), spawned by the product in its
own tmux session and worktree, against a scripted local server speaking the OpenAI Chat
Completions API (streaming SSE), configured like a person would: a custom provider with a
`baseURL` and model prices, `"permission": {"bash": "ask"}`, all of it in
`OPENCODE_CONFIG_CONTENT` and the XDG dirs of a throwaway home. The first prompt is typed in once
opencode is ready; the script makes the model run `bash`; the test sees working ->
needs_permission (pane text), approves with `workspace approve`, sees working -> waiting (the
messages opencode stores in its database), and finds the token totals equal to what the server
reported and the cost equal to opencode's own (the server's tokens at the configured prices).
Then opencode is quit, restarted by the product with `--session <id>`, given a second message,
and the totals follow the server again; a third message's command is denied with `workspace
deny` and the turn ends without running it.

This test must run in CI: a missing CLI is a failure, not a skip."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.support.chat_server import MODEL, ChatServer, Script
from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.paths import TOP
from tests.support.real_cli import preset_toml, row_of, watch
from tests.support.wait import wait_for
from workspace.core.agent import Status
from workspace.service import Workspace

ROOT = TOP
OPENCODE = ROOT / ".cache" / "agent-clis" / "opencode" / "node_modules" / ".bin" / "opencode"
# USD per million tokens, as configured for the scripted model (opencode computes the cost).
PRICE = {"input": 1.25, "output": 10.0, "cache_read": 0.125, "cache_write": 0.0}


def opencode_config(server: ChatServer) -> dict[str, object]:
    return {
        "$schema": "https://opencode.ai/config.json",
        "autoupdate": False,
        "share": "disabled",
        "model": f"scripted/{MODEL}",
        "small_model": f"scripted/{MODEL}",
        "permission": {"bash": "ask"},
        "provider": {"scripted": {
            "npm": "@ai-sdk/openai-compatible",
            "name": "Scripted",
            "options": {"baseURL": server.base_url, "apiKey": "test-key"},
            "models": {MODEL: {
                "name": "GPT scripted",
                "cost": {"input": PRICE["input"], "output": PRICE["output"],
                         "cache_read": PRICE["cache_read"], "cache_write": 0},
                "limit": {"context": 200000, "output": 32000}}},
        }},
    }


def preset_config(home: Path, server: ChatServer) -> str:
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "OPENCODE_CONFIG_CONTENT": json.dumps(opencode_config(server)),
        "OPENCODE_DISABLE_AUTOUPDATE": "1",
        "OPENCODE_DISABLE_MODELS_FETCH": "1",
    }
    return preset_toml("opencode", OPENCODE, env)


def expected_usage(script: Script) -> dict[str, int]:
    """The server's sums over the session's replies (not the title side calls), in the
    product's terms: input without the cached part, output with the reasoning."""
    replies = script.main_replies()
    cached = sum(r.usage.cached_tokens for r in replies)
    prompt = sum(r.usage.prompt_tokens for r in replies)
    output = sum(r.usage.completion_tokens for r in replies)
    return {"input": prompt - cached, "output": output, "cache_read": cached,
            "cache_write": 0, "total": prompt + output}


def cost_of(tokens: dict[str, int]) -> float:
    return sum(tokens[k] * PRICE[k] for k in PRICE) / 1_000_000


def test_opencode_end_to_end(repo: Path, tmp_path: Path) -> None:
    assert OPENCODE.exists(), "opencode is not installed: run ./scripts/install-test-clis"
    script = Script(command="touch made-by-opencode.txt", delay=1.5)
    with ChatServer(script) as server:
        home = tmp_path / "opencode-home"
        home.mkdir()
        write_user_config(preset_config(home, server))
        ws = Workspace.open(repo)
        try:
            agent = ws.spawn("oc1", preset="opencode", prompt="Please run the command")
            worktree = Path(agent.worktree)

            seen: list[tuple[Status, str]] = []
            watch(ws, "oc1", Status.NEEDS_PERMISSION, 120, seen)
            assert Status.WORKING in [s for s, _ in seen], seen
            assert "asks for permission" in seen[-1][1], seen
            assert not (worktree / "made-by-opencode.txt").exists()

            approved = run_cli("approve", "oc1", cwd=repo)
            assert approved.returncode == 0, (approved.stderr, seen)
            after: list[tuple[Status, str]] = []
            watch(ws, "oc1", Status.WAITING, 60, after)
            assert Status.WORKING in [s for s, _ in after], after
            wait_for(lambda: (worktree / "made-by-opencode.txt").exists(), 10,
                     what="the approved command to run")

            agent = ws.agent("oc1")
            assert agent.session_id and agent.session_id.startswith("ses_"), agent.session_id
            # nothing of ours in the worktree or in opencode's config dir
            assert not (worktree / ".opencode").exists()
            assert not (home / "config" / "opencode" / "opencode.json").exists()

            assert script.kinds().count("call") == 1 and script.kinds().count("final") == 1
            wait_for(lambda: ws.refresh() and row_of(repo, "oc1")["tokens"]
                     == expected_usage(script), 15, what="the final message's usage")
            expected = expected_usage(script)
            row = row_of(repo, "oc1")
            assert row["session_id"] == agent.session_id
            assert row["model"] == MODEL
            assert row["tokens"] == expected, (row["tokens"], expected)
            assert row["cost_usd"] == pytest.approx(cost_of(expected), abs=1e-6)

            # quit opencode; restart continues its session
            ws.type_keys("oc1", ["C-c"])
            wait_for(lambda: ws.refresh() and ws.agent("oc1").status.ended, 30,
                     what="opencode to quit")
            ws.restart("oc1")
            watch(ws, "oc1", Status.WAITING, 90, [])
            ws.send("oc1", "Once more please")
            again: list[tuple[Status, str]] = []
            watch(ws, "oc1", Status.NEEDS_PERMISSION, 90, again)
            ws.approve("oc1")
            watch(ws, "oc1", Status.WAITING, 60, again)
            assert ws.agent("oc1").session_id == agent.session_id
            assert script.kinds().count("call") == 2 and script.kinds().count("final") == 2
            wait_for(lambda: ws.refresh() and row_of(repo, "oc1")["tokens"]
                     == expected_usage(script), 15, what="the second turn's usage")
            expected = expected_usage(script)
            row = row_of(repo, "oc1")
            assert row["cost_usd"] == pytest.approx(cost_of(expected), abs=1e-6)

            # a third turn, denied: opencode rejects the call and ends the turn (the pane
            # says so: the stored step looks like any tool-call step); the step still counts
            (worktree / "made-by-opencode.txt").unlink()
            ws.send("oc1", "And once more")
            third: list[tuple[Status, str]] = []
            watch(ws, "oc1", Status.NEEDS_PERMISSION, 90, third)
            denied = run_cli("deny", "oc1", cwd=repo)
            assert denied.returncode == 0, denied.stderr
            watch(ws, "oc1", Status.WAITING, 60, third)
            assert not (worktree / "made-by-opencode.txt").exists()
            assert script.kinds().count("call") == 3 and script.kinds().count("final") == 2
            wait_for(lambda: ws.refresh() and row_of(repo, "oc1")["tokens"]
                     == expected_usage(script), 15, what="the denied step's usage")
        finally:
            ws.close()


def test_opencode_subagent_usage_counts(repo: Path, tmp_path: Path) -> None:
    """The model delegates to a sub-agent (opencode's `task` tool): opencode runs it in a child
    session; its request is counted with the agent's, and the agent is waiting only once the
    parent's final answer is done."""
    assert OPENCODE.exists(), "opencode is not installed: run ./scripts/install-test-clis"
    script = Script(command="true", delay=1.5, subagent=True)
    with ChatServer(script) as server:
        home = tmp_path / "opencode-home"
        home.mkdir()
        write_user_config(preset_config(home, server))
        ws = Workspace.open(repo)
        try:
            ws.spawn("oc2", preset="opencode", prompt="Please delegate")
            seen: list[tuple[Status, str]] = []
            watch(ws, "oc2", Status.WORKING, 90, seen)
            wait_for(lambda: "final" in script.kinds(), 60, what="the parent's final request")
            watch(ws, "oc2", Status.WAITING, 60, seen)
            assert script.kinds().count("task") == 1 and script.kinds().count("sub") == 1
            try:
                wait_for(lambda: ws.refresh() and row_of(repo, "oc2")["tokens"]
                         == expected_usage(script), 15, what="the sub-agent's usage")
            except AssertionError as exc:
                raise AssertionError(f"{exc}: counted {row_of(repo, 'oc2')['tokens']}, "
                                     f"server {expected_usage(script)}") from None
            expected = expected_usage(script)
            row = row_of(repo, "oc2")
            assert row["cost_usd"] == pytest.approx(cost_of(expected), abs=1e-6)
            # the agent's session is the top-level one, not the sub-agent's
            db = home / "data" / "opencode" / "opencode.db"
            with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as conn:
                sessions = dict(conn.execute("SELECT id, parent_id FROM session").fetchall())
            assert len(sessions) == 2 and row["session_id"] in sessions, (row, sessions)
            assert sessions[row["session_id"]] is None, (row["session_id"], sessions)
        finally:
            ws.close()

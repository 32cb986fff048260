"""Gemini CLI: session files under `<GEMINI_CLI_HOME or ~>/.gemini/tmp/<project>/chats/`, found
by their metadata's `projectHash` (sha256 of the project root = the worktree); resume with
`--resume <session id>`. Status: session records and pane text; Gemini's hooks are not wired yet
(they live in settings files; see docs/agents/gemini.md)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from workspace.adapters.agents.base import (
    AgentPaths,
    Generic,
    LaunchContext,
    LaunchPlan,
    TranscriptSource,
)
from workspace.core.agent import Agent
from workspace.core.settings import PresetSpec
from workspace.core.transcripts.gemini import GeminiSession

RESCAN_AFTER = 2.0


def gemini_dir(env: dict[str, str]) -> Path:
    value = env.get("GEMINI_CLI_HOME") or os.environ.get("GEMINI_CLI_HOME")
    return (Path(value).expanduser() if value else Path.home()) / ".gemini"


def project_hash(path: str) -> str:
    return hashlib.sha256(path.encode()).hexdigest()


def read_metadata(path: Path) -> dict[str, object] | None:
    try:
        with open(path, "rb") as handle:
            first = handle.readline(1024 * 1024)
        value = json.loads(first)
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def find_session(root: Path, worktree: str, session_id: str | None, since: float) -> Path | None:
    """The newest main session file whose project is the worktree (and, when known, whose
    session id is the agent's), started since the agent's launch."""
    hashes = {project_hash(worktree), project_hash(os.path.realpath(worktree))}
    best: tuple[float, Path] | None = None
    # File names end with the first 8 characters of the session id.
    tail = session_id[:8] if session_id else ""
    pattern = f"*/chats/session-*{tail}.json*"
    for path in (root / "tmp").glob(pattern):
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        if mtime < since - 60 and not session_id:
            continue
        meta = read_metadata(path)
        if meta is None or meta.get("projectHash") not in hashes or meta.get("kind") == "subagent":
            continue
        if session_id and meta.get("sessionId") != session_id:
            continue
        if best is None or mtime > best[0]:
            best = (mtime, path)
    return best[1] if best else None


class Gemini(Generic):
    kind = "gemini"
    resumable = True

    def __init__(self, spec: PresetSpec) -> None:
        super().__init__(spec)
        self._found: dict[str, Path] = {}
        self._looked: dict[str, float] = {}

    def resume(self, ctx: LaunchContext) -> LaunchPlan:
        if not ctx.session_id:
            return self.launch(ctx)
        argv = [self.spec.command, *self.spec.args, "--resume", ctx.session_id]
        return LaunchPlan(argv, self.spec.env_dict, ctx.session_id, False)

    def transcripts(self, agent: Agent, paths: AgentPaths) -> list[TranscriptSource]:
        path = self._found.get(agent.id)
        now = time.time()
        # A resumed session may go on in a new file: look again now and then.
        if path is None or now - self._looked.get(agent.id, 0.0) >= 30 * RESCAN_AFTER:
            if path is None and now - self._looked.get(agent.id, 0.0) < RESCAN_AFTER:
                return []
            self._looked[agent.id] = now
            found = find_session(gemini_dir(self.spec.env_dict), agent.worktree,
                                 agent.session_id, agent.created_at)
            if found is not None:
                self._found[agent.id] = path = found
        return [TranscriptSource(path, GeminiSession)] if path else []

    def transcript_parser(self) -> type[GeminiSession]:
        return GeminiSession

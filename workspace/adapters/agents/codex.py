"""Codex CLI (openai/codex): a `notify` program per launch, the worktree pre-trusted per launch,
rollouts under `$CODEX_HOME/sessions/` found by their `session_meta.cwd`, resume by thread id.

Everything goes through `-c key=value` overrides on the command line: nothing is written into the
person's `config.toml` or the worktree. Note that `-c notify=[...]` replaces a `notify` program
the person configured, for this agent's process only.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from workspace.adapters.agents.base import (
    AgentPaths,
    Generic,
    LaunchContext,
    LaunchPlan,
    TranscriptSource,
    hook_argv,
)
from workspace.core.agent import Agent, Status
from workspace.core.settings import PresetSpec
from workspace.core.status import Observed, Policy, Source
from workspace.core.transcripts.base import TranscriptParser
from workspace.core.transcripts.codex import CodexRollout

FIRST_LINE_LIMIT = 4 * 1024 * 1024
"""session_meta carries Codex's whole base instructions; read at most this much of it."""
RESCAN_AFTER = 2.0
"""Seconds between looks for a rollout not found yet."""


def codex_home(env: dict[str, str]) -> Path:
    """CODEX_HOME from the preset's env, else from ours, else ~/.codex."""
    value = env.get("CODEX_HOME") or os.environ.get("CODEX_HOME")
    return Path(value).expanduser() if value else Path.home() / ".codex"


def toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(value)


def notify_override(events: Path) -> str:
    argv = hook_argv(events, "notify")
    return "notify=[" + ",".join(toml_string(a) for a in argv) + "]"


def trust_override(worktree: Path) -> str:
    """Trust the worktree for this launch only. The inline-table form, because `-c` splits a
    dotted key on every '.' and worktree paths have dots."""
    paths = {str(worktree)}
    try:
        paths.add(str(worktree.resolve()))
    except OSError:
        pass
    tables = ",".join(f'{toml_string(p)}={{trust_level="trusted"}}' for p in sorted(paths))
    return "projects={" + tables + "}"


def read_meta(path: Path) -> dict[str, object] | None:
    """The payload of a rollout's first line (session_meta), or None."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(FIRST_LINE_LIMIT)
    except OSError:
        return None
    end = head.find(b"\n")
    if end < 0:
        return None
    try:
        record = json.loads(head[:end])
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("type") != "session_meta":
        return None
    payload = record.get("payload")
    return payload if isinstance(payload, dict) else None


def is_main_thread(meta: dict[str, object]) -> bool:
    """A thread the person started (not a sub-agent Codex spawned in the same cwd)."""
    source = meta.get("source")
    thread_source = meta.get("thread_source")
    return (source is None or isinstance(source, str)) and thread_source in (None, "user")


def day_dirs(sessions: Path, since: float, now: float) -> list[Path]:
    """The date folders a rollout started between `since` and `now` can be in (Codex names
    them by local time in some versions and UTC in others: take both, a day either side)."""
    first = date.fromtimestamp(since) - timedelta(days=1)
    last = datetime.fromtimestamp(now, UTC).date() + timedelta(days=1)
    last = max(last, date.fromtimestamp(now) + timedelta(days=1))
    days: list[Path] = []
    day = first
    while day <= last and len(days) < 40:
        days.append(sessions / f"{day.year:04d}" / f"{day.month:02d}" / f"{day.day:02d}")
        day += timedelta(days=1)
    return [d for d in days if d.is_dir()]


def find_rollout(home: Path, worktree: str, session_id: str | None, since: float,
                 rejected: set[str]) -> Path | None:
    """The rollout of the agent: by thread id when known, else the earliest main thread whose
    cwd is the worktree, started since the agent's launch. `rejected` remembers files already
    read and found to be someone else's, so each is read once."""
    sessions = home / "sessions"
    if session_id:
        for path in sessions.glob(f"*/*/*/rollout-*-{session_id}.jsonl"):
            return path
        return None
    wanted = {worktree, os.path.realpath(worktree)}
    found: list[Path] = []
    for folder in day_dirs(sessions, since - 60, time.time()):
        for path in folder.glob("rollout-*.jsonl"):
            key = str(path)
            if key in rejected:
                continue
            try:
                if path.stat().st_mtime < since - 60:
                    rejected.add(key)
                    continue
            except OSError:
                continue
            meta = read_meta(path)
            if meta is None:
                continue  # not written yet: look again next time
            cwd = meta.get("cwd")
            if isinstance(cwd, str) and cwd in wanted and is_main_thread(meta):
                found.append(path)
            else:
                rejected.add(key)
    return min(found, key=lambda p: p.name) if found else None


class Codex(Generic):
    kind = "codex"
    resumable = True
    submit_delay = 0.5
    """Codex treats keys arriving within ~120 ms of a paste as part of it."""

    def __init__(self, spec: PresetSpec) -> None:
        super().__init__(spec)
        self._rollouts: dict[str, Path] = {}
        self._rejected: dict[str, set[str]] = {}
        self._looked: dict[str, float] = {}

    def overrides(self, ctx: LaunchContext) -> list[str]:
        return ["-c", notify_override(ctx.paths.events), "-c", trust_override(ctx.worktree)]

    def launch(self, ctx: LaunchContext) -> LaunchPlan:
        plan = super().launch(ctx)
        argv = [plan.argv[0], *self.overrides(ctx), *plan.argv[1:]]
        return LaunchPlan(argv, plan.env, None, plan.prompt_on_argv)

    def resume(self, ctx: LaunchContext) -> LaunchPlan:
        if not ctx.session_id:
            return self.launch(ctx)
        argv = [self.spec.command, *self.overrides(ctx), *self.spec.args, "resume",
                ctx.session_id]
        return LaunchPlan(argv, self.spec.env_dict, ctx.session_id, False)

    # -- signals ------------------------------------------------------------------------

    def policy(self, base: Policy) -> Policy:
        # Approvals are only on screen (never in the rollout), so the pane must overrule the
        # rollout's "working" quickly; the pane rules are checked on real Codex screens.
        return replace(base, quiet_after=min(base.quiet_after, 2.0))

    def agent_hook_observation(self, agent: Agent, event: str, data: dict[str, object],
                               at: float) -> Observed | None:
        if event != "notify":
            return None
        # Codex also runs notify for its side threads (the title it makes for a session):
        # only the agent's own thread says its turn ended.
        thread = data.get("thread-id")
        if data.get("type") == "agent-turn-complete" and agent.session_id and \
                thread == agent.session_id:
            return Observed(Source.HOOK, at, Status.WAITING, "turn finished")
        return Observed(Source.HOOK, at, None)

    def transcript_parser(self) -> type[CodexRollout]:
        return CodexRollout

    def transcripts(self, agent: Agent, paths: AgentPaths) -> list[TranscriptSource]:
        path = self._rollouts.get(agent.id)
        if path is not None and agent.session_id and agent.session_id not in path.name:
            path = None  # the agent was resumed on another thread
        if path is None:
            now = time.time()
            if now - self._looked.get(agent.id, 0.0) < RESCAN_AFTER:
                return []
            self._looked[agent.id] = now
            rejected = self._rejected.setdefault(agent.id, set())
            path = find_rollout(codex_home(self.spec.env_dict), agent.worktree,
                                agent.session_id, agent.created_at, rejected)
            if path is None:
                return []
            self._rollouts[agent.id] = path
        return [TranscriptSource(path, _parser)]

    # -- keys ---------------------------------------------------------------------------

    def approve_keys(self, always: bool) -> list[str]:
        # "1. Yes, proceed (y)" / "2. Yes, and don't ask again for commands that start with
        # ... (p)" / "3. No, and tell Codex what to do differently (esc)"
        return ["p"] if always else ["y"]

    def deny_keys(self) -> list[str]:
        return ["Escape"]


def _parser(state: dict[str, object] | None) -> TranscriptParser:
    return CodexRollout(state)

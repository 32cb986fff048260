"""Claude Code: hooks through `--settings` (nothing written into the worktree), a pre-assigned
`--session-id`, transcripts under `<config dir>/projects/<encoded cwd>/<session id>.jsonl`.

The hook event -> status mapping here is shared with the demo agent, which emits the same
events.
"""

from __future__ import annotations

import os
import re
import shlex
import uuid
from dataclasses import replace
from pathlib import Path

from workspace.adapters.agents.base import (
    AgentPaths,
    Generic,
    LaunchContext,
    LaunchPlan,
    TranscriptSource,
    hook_argv,
)
from workspace.adapters.agents.claude_config import forget_folder, global_config, trust_folder
from workspace.adapters.files import write_json
from workspace.core.agent import Agent, Status
from workspace.core.status import Observed, Source
from workspace.core.transcripts.claude import ClaudeTranscript

HOOK_EVENTS = (
    "SessionStart",
    "UserPromptSubmit",
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "PermissionRequest",
    "Notification",
    "Stop",
    "StopFailure",
    "SubagentStop",
    "PreCompact",
    "SessionEnd",
)

_TOOL_EVENTS = ("PreToolUse", "PostToolUse", "PostToolUseFailure", "SubagentStop", "PreCompact")


def claude_hook_observation(event: str, data: dict[str, object], at: float) -> Observed | None:
    """Map one Claude-style hook event to what it says about the agent's status."""
    tool = str(data.get("tool_name") or "a tool")
    match event:
        case "SessionStart":
            return Observed(Source.HOOK, at, Status.WAITING, "ready for your message")
        case "UserPromptSubmit":
            return Observed(Source.HOOK, at, Status.WORKING, "working on your message")
        case "PermissionRequest":
            return Observed(Source.HOOK, at, Status.NEEDS_PERMISSION, _permission_reason(data))
        case "Notification":
            kind = data.get("notification_type")
            message = str(data.get("message") or "")
            if kind == "permission_prompt" or "permission" in message.lower():
                # PermissionRequest, just before, says what exactly: keep its reason.
                return Observed(Source.HOOK, at, Status.NEEDS_PERMISSION, "")
            if kind == "idle_prompt":
                return Observed(Source.HOOK, at, Status.WAITING, "waiting for your message")
            if kind == "elicitation_dialog":
                return Observed(Source.HOOK, at, Status.NEEDS_PERMISSION,
                                message[:160] or "asks you a question")
            return Observed(Source.HOOK, at, None)
        case "Stop":
            return Observed(Source.HOOK, at, Status.WAITING, "turn finished")
        case "StopFailure":
            error = str(data.get("error_type") or data.get("error") or "unknown")
            detail = str(data.get("error_message") or data.get("message") or "")
            reason = f"{error}: {detail}"[:160] if detail else error
            if error == "rate_limit":
                return Observed(Source.HOOK, at, Status.RATE_LIMITED, reason)
            return Observed(Source.HOOK, at, Status.ERROR, reason)
        case "SessionEnd":
            return Observed(Source.HOOK, at, None)
        case _ if event in _TOOL_EVENTS:
            return Observed(Source.HOOK, at, Status.WORKING, f"using {tool}")
    return None


def _permission_reason(data: dict[str, object]) -> str:
    tool = str(data.get("tool_name") or "a tool")
    tool_input = data.get("tool_input")
    target = ""
    if isinstance(tool_input, dict):
        for key in ("file_path", "command", "url", "path"):
            value = tool_input.get(key)
            if isinstance(value, str) and value:
                line = value.splitlines()[0] if value.strip() else value
                # the end of a long path (the file name) says the most
                target = line if len(line) <= 100 else "…" + line[-99:]
                break
    return f"wants to use {tool}: {target}" if target else f"wants to use {tool}"


def encode_project_dir(cwd: str) -> str:
    """Claude's folder name for a cwd: every character outside [A-Za-z0-9] becomes '-'."""
    return re.sub(r"[^A-Za-z0-9]", "-", cwd)


def config_dir(env: dict[str, str]) -> Path:
    """CLAUDE_CONFIG_DIR from the preset's env, else from ours, else ~/.claude."""
    value = env.get("CLAUDE_CONFIG_DIR") or os.environ.get("CLAUDE_CONFIG_DIR")
    return Path(value).expanduser() if value else Path.home() / ".claude"


class Claude(Generic):
    kind = "claude"
    resumable = True
    submit_delay = 0.5

    def settings_file(self, paths: AgentPaths) -> Path:
        return paths.dir / "claude-settings.json"

    def write_settings(self, paths: AgentPaths) -> Path:
        """Our hooks, passed with --settings: merged over the person's own settings, so their
        hooks keep firing, and nothing is written into the worktree."""
        hooks: dict[str, list[dict[str, object]]] = {}
        for event in HOOK_EVENTS:
            command = shlex.join(hook_argv(paths.events, event))
            hooks[event] = [{"hooks": [{"type": "command", "command": command, "timeout": 10}]}]
        path = self.settings_file(paths)
        write_json(path, {"hooks": hooks}, indent=2)
        return path

    def launch(self, ctx: LaunchContext) -> LaunchPlan:
        session_id = ctx.session_id or str(uuid.uuid4())
        settings = self.write_settings(ctx.paths)
        trust_folder(global_config(self.spec.env_dict), ctx.worktree)
        if ctx.prompt.startswith("-"):
            # Claude would read it as an option: typed in once it is ready instead.
            ctx = replace(ctx, prompt="")
        plan = super().launch(ctx)
        argv = [plan.argv[0], "--session-id", session_id, "--settings", str(settings),
                *plan.argv[1:]]
        return LaunchPlan(argv, plan.env, session_id, plan.prompt_on_argv)

    def resume(self, ctx: LaunchContext) -> LaunchPlan:
        if not ctx.session_id:
            return self.launch(ctx)
        settings = self.write_settings(ctx.paths)
        trust_folder(global_config(self.spec.env_dict), ctx.worktree)
        argv = [self.spec.command, "--resume", ctx.session_id, "--settings", str(settings),
                *self.spec.args]
        return LaunchPlan(argv, self.spec.env_dict, ctx.session_id, False)

    def cleanup(self, agent: Agent, worktree_removed: bool) -> None:
        if worktree_removed:
            forget_folder(global_config(self.spec.env_dict), Path(agent.worktree))

    def hook_observation(self, event: str, data: dict[str, object], at: float) -> Observed | None:
        return claude_hook_observation(event, data, at)

    def transcripts(self, agent: Agent, paths: AgentPaths) -> list[TranscriptSource]:
        if not agent.session_id:
            return []
        folder = config_dir(self.spec.env_dict) / "projects" / encode_project_dir(agent.worktree)
        return [TranscriptSource(folder / f"{agent.session_id}.jsonl", ClaudeTranscript)]

    def announced_transcript(self, event: str, data: dict[str, object]) -> Path | None:
        value = data.get("transcript_path")
        return Path(value) if isinstance(value, str) and value.endswith(".jsonl") else None

    def approve_keys(self, always: bool) -> list[str]:
        return ["2"] if always else ["1"]

    def deny_keys(self) -> list[str]:
        return ["Escape"]

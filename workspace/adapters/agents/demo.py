"""The built-in demo agent (workspace.demo.agent): Claude-style hook events and transcript,
written to files in the agent's state dir."""

from __future__ import annotations

import re

from workspace.adapters.agents.base import (
    AgentPaths,
    Generic,
    LaunchContext,
    LaunchPlan,
    TranscriptSource,
)
from workspace.adapters.agents.claude import claude_hook_observation
from workspace.core.agent import Agent
from workspace.core.status import Observed
from workspace.core.transcripts.claude import ClaudeTranscript

CUES = ("[ask]", "[noask]", "[slow]", "[quiet]", "[exit]", "[crash]", "[picky]")
"""The words in a task that steer the demo agent (workspace/demo/cues.py). The rings keep
adapters from importing the simulator, so its list is repeated here; a test keeps the two equal."""
_CUE = re.compile("|".join(re.escape(cue) for cue in CUES))


def transcript_path(paths: AgentPaths) -> str:
    return str(paths.dir / "transcript.jsonl")


class Demo(Generic):
    kind = "demo"
    resumable = True

    def launch(self, ctx: LaunchContext) -> LaunchPlan:
        plan = super().launch(ctx)
        files = ["--transcript", transcript_path(ctx.paths), "--events", str(ctx.paths.events)]
        return LaunchPlan([*plan.argv, *files], plan.env, None, plan.prompt_on_argv)

    def resume(self, ctx: LaunchContext) -> LaunchPlan:
        return self.launch(LaunchContext(ctx.agent_id, ctx.name, ctx.worktree, ctx.paths,
                                         ctx.spec, prompt="", session_id=ctx.session_id))

    def task_text(self, task: str) -> str:
        # The cues steer the simulator; in a commit message they would be noise.
        return _CUE.sub("", task)

    def hook_observation(self, event: str, data: dict[str, object], at: float) -> Observed | None:
        return claude_hook_observation(event, data, at)

    def transcripts(self, agent: Agent, paths: AgentPaths) -> list[TranscriptSource]:
        from pathlib import Path

        return [TranscriptSource(Path(transcript_path(paths)), ClaudeTranscript)]

    def approve_keys(self, always: bool) -> list[str]:
        return ["a"] if always else ["y"]

    def deny_keys(self) -> list[str]:
        return ["n"]

"""Aider: its analytics log and chat history go to the agent's state dir (not the worktree, so
they never show in the diff), its notifications command is our hook sink; restart restores the
chat history (Aider has no session ids to resume)."""

from __future__ import annotations

import shlex

from workspace.adapters.agents.base import (
    AgentPaths,
    Generic,
    LaunchContext,
    LaunchPlan,
    TranscriptSource,
    hook_argv,
)
from workspace.core.agent import Agent, Status
from workspace.core.status import Observed, Source
from workspace.core.transcripts.aider import AiderAnalytics


def analytics_log(paths: AgentPaths) -> str:
    return str(paths.dir / "aider-analytics.jsonl")


class Aider(Generic):
    kind = "aider"
    resumable = True

    def files(self, ctx: LaunchContext) -> list[str]:
        # The notifications command is run through a shell by Aider: quote every word.
        notify = shlex.join(hook_argv(ctx.paths.events, "notify"))
        return [
            "--analytics-log", analytics_log(ctx.paths), "--no-analytics",
            "--notifications", "--notifications-command", notify,
            "--chat-history-file", str(ctx.paths.dir / "aider.chat.history.md"),
            "--input-history-file", str(ctx.paths.dir / "aider.input.history"),
        ]

    def launch(self, ctx: LaunchContext) -> LaunchPlan:
        ctx.paths.dir.mkdir(parents=True, exist_ok=True)
        plan = super().launch(ctx)
        return LaunchPlan([*plan.argv, *self.files(ctx)], plan.env, None, plan.prompt_on_argv)

    def resume(self, ctx: LaunchContext) -> LaunchPlan:
        plan = self.launch(LaunchContext(ctx.agent_id, ctx.name, ctx.worktree, ctx.paths,
                                         ctx.spec, prompt=""))
        return LaunchPlan([*plan.argv, "--restore-chat-history"], plan.env, None, False)

    def hook_observation(self, event: str, data: dict[str, object], at: float) -> Observed | None:
        if event == "notify":
            # Aider runs it when it waits for input: the next message or a (Y)es/(N)o question
            # (the pane rules tell the question apart).
            return Observed(Source.HOOK, at, Status.WAITING, "waiting for you")
        return None

    def transcripts(self, agent: Agent, paths: AgentPaths) -> list[TranscriptSource]:
        from pathlib import Path

        return [TranscriptSource(Path(analytics_log(paths)), AiderAnalytics)]

    def transcript_parser(self) -> type[AiderAnalytics]:
        return AiderAnalytics

"""What the service needs to know about one kind of agent CLI.

An `Integration` turns a preset into a launch (argv, env, the CLI's own session id), says where
the agent's structured signals are (hook event file, transcripts) and how to read them, and which
keys answer its prompts. `Generic` serves any command; each CLI subclasses it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from workspace.adapters.agents.rules import load_rules
from workspace.core.agent import Agent, Status
from workspace.core.panes import PaneRules
from workspace.core.settings import PresetSpec
from workspace.core.status import Observed, Policy
from workspace.core.transcripts.base import TranscriptParser

HOOK_SINK = Path(__file__).resolve().parent.parent / "hook_sink.py"


def hook_argv(events_file: Path, event: str) -> list[str]:
    """The command line an agent CLI runs for one hook event (no shell involved)."""
    return [sys.executable, "-I", "-S", str(HOOK_SINK), str(events_file), event]


@dataclass(frozen=True)
class AgentPaths:
    """Per-agent files in the state dir."""

    dir: Path
    events: Path
    launch_spec: Path
    exit_status: Path
    """Written by the launcher when the agent ends: its exit code, or -N for signal N (tmux can
    mark a pane dead without ever reporting the status)."""

    @classmethod
    def under(cls, state_dir: Path, agent_id: str) -> AgentPaths:
        base = state_dir / "agents" / agent_id
        return cls(dir=base, events=base / "events.jsonl", launch_spec=base / "launch.json",
                   exit_status=base / "exit-status")


@dataclass(frozen=True)
class LaunchContext:
    agent_id: str
    name: str
    worktree: Path
    paths: AgentPaths
    spec: PresetSpec
    prompt: str
    session_id: str | None = None
    """Set when resuming: the CLI's own session id recorded at the first launch."""


@dataclass(frozen=True)
class LaunchPlan:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    session_id: str | None = None
    prompt_on_argv: bool = False
    """The first prompt went on the command line; otherwise it is typed in once ready."""


@dataclass(frozen=True)
class TranscriptSource:
    path: Path
    parser: Callable[[dict[str, object] | None], TranscriptParser]


class Generic:
    """Any command: status from pane text rules if it has some, else from pane activity."""

    kind = "generic"
    resumable = False
    submit_delay = 0.3
    """Seconds between pasting a message and pressing Enter (TUIs debounce pastes)."""

    def __init__(self, spec: PresetSpec) -> None:
        self.spec = spec
        self.rules: PaneRules = load_rules(spec.rules) if spec.rules else PaneRules(spec.name)

    # -- launch -------------------------------------------------------------------------

    def launch(self, ctx: LaunchContext) -> LaunchPlan:
        argv = [self.spec.command, *self.spec.args]
        on_argv = bool(ctx.prompt) and self.spec.prompt_args is not None
        if on_argv:
            assert self.spec.prompt_args is not None
            argv += [a.replace("{prompt}", ctx.prompt) for a in self.spec.prompt_args]
        return LaunchPlan(argv=argv, env=self.spec.env_dict, prompt_on_argv=on_argv)

    def resume(self, ctx: LaunchContext) -> LaunchPlan:
        """Relaunch in the same worktree; CLIs that can resume their session override this."""
        return self.launch(ctx)

    def cleanup(self, agent: Agent, worktree_removed: bool) -> None:
        """Undo what `launch` changed outside the state dir (called when the agent ends)."""

    def task_text(self, task: str) -> str:
        """The task as words for a commit message or a pull request: what a person asked,
        less whatever only steers this CLI. Most CLIs take a prompt as it is."""
        return task

    # -- signals ------------------------------------------------------------------------

    def policy(self, base: Policy) -> Policy:
        if self.rules.rules:
            return base
        return Policy(base.stuck_after, base.quiet_after, base.idle_after, activity_is_work=True)

    def pane_status(self, screen: str, command: str) -> tuple[Status | None, str]:
        return self.rules.classify(screen)

    def ready_for_input(self, screen: str, command: str) -> bool:
        """The agent can take typed text (used to deliver a first prompt that could not go on
        the command line)."""
        status, _ = self.pane_status(screen, command)
        return status == Status.WAITING or (not self.rules.rules and bool(screen.strip()))

    def hook_observation(self, event: str, data: dict[str, object], at: float) -> Observed | None:
        return None

    def agent_hook_observation(self, agent: Agent, event: str, data: dict[str, object],
                               at: float) -> Observed | None:
        """`hook_observation` for CLIs whose events need the agent to judge (Codex's notify
        also fires for its side threads, told apart by the thread id)."""
        return self.hook_observation(event, data, at)

    def transcript_parser(self) -> Callable[[dict[str, object] | None], TranscriptParser] | None:
        """The parser for transcript paths registered earlier (None: Claude's format)."""
        return None

    def transcripts(self, agent: Agent, paths: AgentPaths) -> list[TranscriptSource]:
        return []

    def announced_transcript(self, event: str, data: dict[str, object]) -> Path | None:
        """A transcript path named by a hook payload (Claude's `transcript_path`)."""
        return None

    # -- keys ---------------------------------------------------------------------------

    def approve_keys(self, always: bool) -> list[str]:
        return ["y", "Enter"]

    def deny_keys(self) -> list[str]:
        return ["n", "Enter"]

    def interrupt_keys(self) -> list[str]:
        return ["Escape"]

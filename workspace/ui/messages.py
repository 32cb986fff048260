"""Facts the workers report to the UI thread, one dataclass each (toolong's habit).

A worker never touches a widget: it posts one of these, and a handler on the UI thread renders
it. The frequent ones define `can_replace`, so a newer fact drops an older one still queued and
a slow UI never falls behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.message import Message

from workspace.core.agent import Agent
from workspace.core.review.diff import Diff
from workspace.core.review.queue import QueueState
from workspace.core.review.radar import Radar
from workspace.core.tasks.model import Task
from workspace.core.usage import UsageSummary
from workspace.service import (
    AutopilotStatus,
    MergeCheck,
    MergeResult,
    PlanView,
    PrPlan,
    ReconcileReport,
    RepoTrust,
    Snapshot,
)

# -- the fleet --------------------------------------------------------------------------------


@dataclass
class AgentsPolled(Message):
    """A poll tick finished: the snapshot, the burn rate (tokens per minute) of the agent that
    was in focus, every agent's budget, and the workspace's usage (today, ever)."""

    snapshot: Snapshot
    focus: str | None = None
    burn: list[float] = field(default_factory=list)
    budgets: dict[str, float | None] = field(default_factory=dict)
    autopilot: AutopilotStatus | None = None
    """The autopilot and the tasks' counts (the header shows them once there are tasks)."""
    usage: UsageSummary | None = None
    """Today's and the whole workspace's tokens and cost, ended agents' included (None: the
    header shows the live agents' sum)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AgentsPolled)


@dataclass
class PollFailed(Message):
    """A poll tick raised: the first of a run of failures (the next ones would say the same)."""

    error: str


@dataclass
class WorkspaceReconciled(Message):
    """The start-up look at tmux and git found what changed while the TUI was away."""

    report: ReconcileReport


@dataclass
class DiffsUpdated(Message):
    """Diff stats of some agents were recomputed after their files changed."""

    agent_ids: set[str]


@dataclass
class KeysDelivered(Message):
    """Keys typed inline reached the agent's pane."""

    name: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, KeysDelivered)


@dataclass
class PaneHistoryRead(Message):
    """An agent's scrollback and screen were read, for the person scrolling back: its lines,
    and how far they asked to scroll when there was nothing above to scroll to."""

    agent_id: str
    lines: list[Text]
    step: int


@dataclass
class ActionFinished(Message):
    """A service action ran in a worker: its one-line result, or the error a person can fix."""

    text: str
    error: bool = False
    refresh: bool = True
    """Poll again at once: the action changed something the table shows."""


# -- what an action needs before it can ask the person ------------------------------------------


@dataclass
class SpawnOptionsLoaded(Message):
    """What the spawn form offers: presets, the default base, branch names, a suggested name
    (or why they could not be read)."""

    presets: list[str]
    base: str
    branches: list[str]
    suggested: str
    error: str = ""
    missing: dict[str, str] = field(default_factory=dict)
    """Preset -> why it cannot run here (its CLI is not installed...)."""


@dataclass(frozen=True)
class SpawnDraft:
    """The spawn form as the person filled it in, field by field."""

    name: str = ""
    preset: str = ""
    base: str = ""
    prompt: str = ""
    count: str = "1"
    budget: str = ""


@dataclass
class SpawnFailed(Message):
    """Spawning one of the agents the form asked for failed: the form comes back as it was
    filled in, with the error."""

    draft: SpawnDraft
    name: str
    error: str


@dataclass(frozen=True)
class KillTarget:
    """One agent to kill, and what of its work is not on base."""

    name: str
    worktree: str
    branch: str
    uncommitted: tuple[str, ...]
    commits: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.uncommitted and not self.commits


@dataclass
class UnsavedWorkListed(Message):
    """What killing these agents would lose, one KillTarget each (uncommitted files and
    commits not on base; nothing, when both are empty)."""

    agents: list[Agent]
    targets: list[KillTarget]


@dataclass
class LeftoversFound(Message):
    """Worktrees (path, branch) and tmux sessions that workspace made and no agent owns."""

    worktrees: list[tuple[str, str]]
    sessions: list[str]


@dataclass
class TrustNoticeRead(Message):
    """The repository's config was read: what of it waits for the person's trust (None:
    nothing does). `asked`: the person asked (else the TUI's start looked); `note`: why it
    is shown again (the file changed while it was shown)."""

    notice: RepoTrust | None
    asked: bool
    note: str = ""


# -- review -----------------------------------------------------------------------------------


@dataclass
class DiffLoaded(Message):
    """A diff finished computing (or failed: `error`)."""

    name: str
    mode: str
    diff: Diff | None
    error: str = ""


@dataclass
class RadarUpdated(Message):
    """The conflict radar looked again: shared files and predicted conflicts."""

    radar: Radar

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RadarUpdated)


@dataclass
class RadarFailed(Message):
    """The conflict radar could not look (it is advice: the TUI goes on without it)."""

    error: str


@dataclass
class MergeChecked(Message):
    """A dry run of merging this agent finished: what it would do, or why it cannot."""

    agent: Agent
    check: MergeCheck


@dataclass
class MergeStepped(Message):
    """A merge under way reached a step ('gate', 'updating base'...); '' when it ended."""

    name: str
    step: str


@dataclass
class MergeFinished(Message):
    """An agent's branch was merged into its base."""

    result: MergeResult


@dataclass
class GateReported(Message):
    """The merge gate failed: its one-line verdict and what it printed."""

    text: str
    output: str


@dataclass
class QueueChanged(Message):
    """The merge queue moved on (an agent started, merged or stopped it)."""

    state: QueueState

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, QueueChanged)


@dataclass
class PrPlanned(Message):
    """What pushing and opening a pull request would do, ready for the person to confirm."""

    plan: PrPlan


# -- tasks ----------------------------------------------------------------------------------


@dataclass
class TasksLoaded(Message):
    """The tasks and the autopilot, read again (the Tasks view shows them)."""

    tasks: list[Task]
    status: AutopilotStatus

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TasksLoaded)


@dataclass
class PlanLoaded(Message):
    """A plan, read again (the plan review shows it)."""

    view: PlanView

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PlanLoaded)


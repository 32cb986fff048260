"""The agent and the figures shown for it: pure data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """The status vocabulary (README.md "Statuses"), used by the TUI, the CLI and JSON."""

    STARTING = "starting"
    WORKING = "working"
    NEEDS_PERMISSION = "needs_permission"
    WAITING = "waiting"
    PAUSED = "paused"
    STUCK = "stuck"
    RATE_LIMITED = "rate_limited"
    ERROR = "error"
    EXITED = "exited"
    CRASHED = "crashed"
    MERGED = "merged"

    @property
    def needs_you(self) -> bool:
        return self in NEEDS_YOU

    @property
    def ended(self) -> bool:
        """The agent process is gone: it can be restarted, not sent to."""
        return self in (Status.EXITED, Status.CRASHED, Status.MERGED)


NEEDS_YOU = frozenset(
    {
        Status.NEEDS_PERMISSION,
        Status.WAITING,
        Status.STUCK,
        Status.RATE_LIMITED,
        Status.ERROR,
        Status.CRASHED,
    }
)


@dataclass(frozen=True)
class Tokens:
    """Token counts as the model API reports them; input excludes cache reads and writes."""

    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_read + self.cache_write

    def __add__(self, other: Tokens) -> Tokens:
        return Tokens(
            self.input + other.input,
            self.output + other.output,
            self.cache_read + other.cache_read,
            self.cache_write + other.cache_write,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "input": self.input,
            "output": self.output,
            "cache_read": self.cache_read,
            "cache_write": self.cache_write,
            "total": self.total,
        }


@dataclass(frozen=True)
class DiffStat:
    files: int = 0
    added: int = 0
    removed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"files": self.files, "added": self.added, "removed": self.removed}


@dataclass(frozen=True)
class Agent:
    """One agent as stored and shown. Derived figures (status, usage, diff) travel with it."""

    id: str
    name: str
    preset: str
    branch: str
    base: str
    base_sha: str
    worktree: str
    session: str
    created_at: float
    task: str = ""
    session_id: str | None = None
    pane_id: str | None = None
    status: Status = Status.STARTING
    status_since: float = 0.0
    status_reason: str = ""
    tokens: Tokens = field(default_factory=Tokens)
    cost_usd: float | None = None
    model: str | None = None
    context_pct: float | None = None
    diff: DiffStat = field(default_factory=DiffStat)
    budget_usd: float | None = None
    spawn_complete: bool = True
    task_id: str | None = None
    """The task this agent works on (the autopilot started it), if any."""
    problem: str = ""
    """What is wrong with its worktree or branch (gone, cut off by a move, submodules not
    initialised), or ''; also the start of `status_reason`."""
    autopilot: bool = False
    """Waiting, but for the autopilot, not the person: its task is under way and the
    autopilot runs (it checks, loops or merges next). Seen by the poller, never stored."""

    @property
    def needs_you(self) -> bool:
        """Its status needs the person and nobody else will act on it."""
        return self.status.needs_you and not self.autopilot

    def as_json(self) -> dict[str, object]:
        """The object `workspace ls --json` prints (README.md "The CLI")."""
        return {
            "name": self.name,
            "preset": self.preset,
            "status": str(self.status),
            "status_reason": self.status_reason or None,
            "problem": self.problem or None,
            "autopilot": self.autopilot,
            "status_since": self.status_since,
            "branch": self.branch,
            "base": self.base,
            "worktree": self.worktree,
            "session": self.session,
            "session_id": self.session_id,
            "task": self.task,
            "model": self.model,
            "tokens": self.tokens.as_dict(),
            "cost_usd": None if self.cost_usd is None else round(self.cost_usd, 6),
            "context_pct": self.context_pct,
            "budget_usd": self.budget_usd,
            "diff": self.diff.as_dict(),
            "created_at": self.created_at,
        }


def attention_order(agents: list[Agent]) -> list[Agent]:
    """Who needs the person first: needs-you agents oldest first, then the rest by name."""

    def key(a: Agent) -> tuple[int, float, str]:
        if a.needs_you:
            return (0, a.status_since, a.name)
        if a.status in (Status.WORKING, Status.STARTING):
            return (1, 0.0, a.name)
        return (2, 0.0, a.name)

    return sorted(agents, key=key)

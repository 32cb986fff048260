"""Which agents a person means by a few words: the filter language of the TUI's `/` (and of
the CLI). Pure.

    fix login           free words: each must be in the name, preset, task or status
    status:waiting      keyed terms: the status (its start will do: status:need)
    preset:claude       the preset (its start will do)
    task:t3  plan:p1    the task the agent works on, the plan that task belongs to (exact)

Free words must all match (AND); keyed terms of different keys must all match, and several
of one key are alternatives (`status:waiting status:stuck` is either). Case does not matter.
A half-typed term (`status:`) matches everything, so the TUI can filter as the person types;
`strict` parsing (for a command line) refuses unknown keys, empty values and statuses that
are none instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError

KEYS = ("status", "preset", "task", "plan")


@dataclass(frozen=True)
class AgentFilter:
    words: tuple[str, ...] = ()
    """Free words, lower case."""
    terms: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    """Key -> the values given for it, lower case."""

    @property
    def empty(self) -> bool:
        return not self.words and not any(self.terms.values())

    def matches(self, agent: Agent, plan: str | None = None) -> bool:
        """Does `agent` match? `plan`: the plan its task belongs to, if any."""
        if self.words:
            status = agent.status.value
            haystack = "\n".join((agent.name, agent.preset, agent.task, status,
                                  status.replace("_", " "))).lower()
            if not all(word in haystack for word in self.words):
                return False
        for key, values in self.terms.items():
            if values and not any(_term(key, value, agent, plan) for value in values):
                return False
        return True


def _term(key: str, value: str, agent: Agent, plan: str | None) -> bool:
    if key == "status":
        return agent.status.value.startswith(_status_word(value))
    if key == "preset":
        return agent.preset.lower().startswith(value)
    if key == "task":
        return (agent.task_id or "").lower() == value
    return (plan or "").lower() == value


def _status_word(value: str) -> str:
    """`needs-permission` and `needs permission` mean `needs_permission`."""
    return value.replace("-", "_").replace(" ", "_")


def parse_filter(text: str, strict: bool = False) -> AgentFilter:
    words: list[str] = []
    terms: dict[str, list[str]] = {}
    for token in text.lower().split():
        key, colon, value = token.partition(":")
        if not colon or key not in KEYS:
            if strict and colon:
                raise UsageError(f"unknown filter key {key!r} in {token!r}; use "
                                 "status:, preset:, task: or plan:, or a plain word")
            words.append(token)
            continue
        if not value:
            if strict:
                raise UsageError(f"{token!r} needs a value, like {key}:{_EXAMPLE[key]}")
            continue
        if strict and key == "status" and not any(
                s.value.startswith(_status_word(value)) for s in Status):
            raise UsageError(f"no status starts with {value!r}; use one of: "
                             + ", ".join(s.value for s in Status))
        terms.setdefault(key, []).append(value)
    return AgentFilter(tuple(words), MappingProxyType({k: tuple(v) for k, v in terms.items()}))


_EXAMPLE = {"status": "waiting", "preset": "claude", "task": "t3", "plan": "p1"}

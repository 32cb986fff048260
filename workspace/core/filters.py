"""Which agents a person means: a small query language, shared by the CLI's verbs on several
agents (`workspace approve --status needs_permission`) and the TUI's `/` filter.

A query is words separated by spaces; every word must hold (AND):

    fix login            free words: each is a substring of the agent's name, preset, status
                         (`needs_permission`, also `needs permission`), task text or task id
    status:waiting       its status; `status:needs_you` is every status that needs the person
                         (needs_permission, waiting, stuck, rate_limited, error, crashed)
    preset:claude        its preset
    name:fix-*           its name
    task:t3              the task it works on
    plan:p1              the plan it works for (its planner, or an agent of one of its tasks)

A key's value is matched whole, or as a glob when it holds `*`, `?` or `[` (`name:fix-*`);
`key:a,b` and a key given twice both mean either (`status:waiting,error`). Case does not
matter. A word in quotes is a free word, colon and spaces included (`"fix: login"`). An
empty query matches every agent.

Parsing is strict for a command line: an unknown key or status, or a key with no value, raises
UsageError with the close one. The TUI's `/` filters as the person types, so its parsing
(`strict=False`) never refuses: a half-typed `status:` is no term yet, the start of a status
or preset will do (`status:need`, `preset:cl`), and a word that is no term (`owner:me`,
`status:sleeping`) is a free word, found nowhere. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase

from workspace.core.agent import NEEDS_YOU, Agent, Status
from workspace.core.errors import UsageError

KEYS = ("name", "status", "preset", "task", "plan")
"""The keys of `key:value` words, in the order `str(filter)` writes them."""
STATUS_GROUPS: dict[str, frozenset[Status]] = {"needs_you": NEEDS_YOU}
"""Status values that stand for several statuses."""

_TOKEN = re.compile(r'"([^"]*)"?|\'([^\']*)\'?|(\S+)')
"""A quoted word (an unclosed quote runs to the end: a query typed live is often half-done),
or a run of non-spaces."""
_KEYED = re.compile(r"([A-Za-z_]+):(.*)", re.DOTALL)
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class AgentFilter:
    """A parsed query (`parse_filter`); `matches` and `select` apply it."""

    words: tuple[str, ...] = ()
    name: tuple[str, ...] = ()
    status: frozenset[Status] = field(default_factory=frozenset)
    preset: tuple[str, ...] = ()
    task: tuple[str, ...] = ()
    plan: tuple[str, ...] = ()
    status_text: tuple[str, ...] = ()
    """The status values as written (`needs_you` stays one word in `str`)."""

    @property
    def empty(self) -> bool:
        return not (self.words or self.name or self.status or self.preset or self.task
                    or self.plan)

    @property
    def uses_plans(self) -> bool:
        """Whether `matches` needs each agent's plan (a caller may skip looking them up)."""
        return bool(self.plan)

    def matches(self, agent: Agent, plan: str | None = "") -> bool:
        """`plan`: the id of the plan the agent works for, '' or None when none."""
        if self.status and agent.status not in self.status:
            return False
        if self.name and not _any_match(self.name, agent.name):
            return False
        if self.preset and not _any_match(self.preset, agent.preset):
            return False
        if self.task and not _any_match(self.task, agent.task_id or ""):
            return False
        if self.plan and not _any_match(self.plan, plan or ""):
            return False
        if self.words:
            hay = "\n".join((agent.name, agent.preset, agent.status.value,
                             agent.status.value.replace("_", " "), agent.task,
                             agent.task_id or "")).lower()
            return all(word in hay for word in self.words)
        return True

    def select(self, agents: Iterable[Agent], plans: Mapping[str, str] | None = None
               ) -> list[Agent]:
        """The agents that match, in the order given; `plans`: agent id -> plan id."""
        plans = plans or {}
        return [a for a in agents if self.matches(a, plans.get(a.id, ""))]

    def __and__(self, other: AgentFilter) -> AgentFilter:
        """Both must hold. A key given on both sides means either of their values, as a key
        written twice in one query does."""
        return AgentFilter(
            words=_union(self.words, other.words), name=_union(self.name, other.name),
            status=self.status | other.status, preset=_union(self.preset, other.preset),
            task=_union(self.task, other.task), plan=_union(self.plan, other.plan),
            status_text=_union(self.status_text, other.status_text))

    def __str__(self) -> str:
        """The query, written the canonical way (for messages: `no agent matches ...`)."""
        parts = [_quote(w) for w in self.words]
        for key in KEYS:
            values = self.status_text if key == "status" else getattr(self, key)
            if values:
                parts.append(f"{key}:{','.join(values)}")
        return " ".join(parts)


def parse_filter(text: str, strict: bool = True) -> AgentFilter:
    """The query `text` (the language is in this module's docstring). Strict: raises
    UsageError for an unknown key, an unknown status or a key with no value; not strict
    (typed live): never raises."""
    result = AgentFilter()
    for match in _TOKEN.finditer(text):
        quoted = match.group(1) if match.group(1) is not None else match.group(2)
        if quoted is not None:
            if quoted.strip():
                result = replace(result, words=_union(result.words, (quoted.lower(),)))
            continue
        token = match.group(3)
        keyed = _KEYED.fullmatch(token)
        if keyed is None:
            result = replace(result, words=_union(result.words, (token.lower(),)))
            continue
        if strict:
            result = result & term(keyed.group(1), keyed.group(2))
            continue
        live = _live_term(keyed.group(1).lower(), keyed.group(2))
        result = result & (live if live is not None else
                           AgentFilter(words=(token.lower(),)))
    return result


def _live_term(key: str, value: str) -> AgentFilter | None:
    """A `key:value` word as typed so far: no term while the value is empty, a prefix of a
    status or preset, None for what is no term (then it is a free word)."""
    values = tuple(v for v in (part.strip().lower() for part in value.split(",")) if v)
    if key not in KEYS:
        return None
    if not values:
        return AgentFilter()
    if key == "status":
        found = frozenset(s for v in values for s in _status_prefix(v))
        return AgentFilter(status=found, status_text=values) if found else None
    if key in ("name", "preset"):
        values = tuple(v if _GLOB.search(v) else v + "*" for v in values)
    return term(key, ",".join(values))


def _status_prefix(value: str) -> frozenset[Status]:
    value = value.replace("-", "_").replace(" ", "_")
    if value in STATUS_GROUPS:
        return STATUS_GROUPS[value]
    return frozenset(s for s in Status if s.value.startswith(value))


def term(key: str, value: str) -> AgentFilter:
    """One `key:value` word (also what the CLI's --status, --preset, ... options make).
    `value` may list several, comma-separated."""
    key = key.lower()
    if key not in KEYS:
        import difflib  # only a mistake needs it

        close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}:'?" if close else \
            "use " + ", ".join(f"{k}:" for k in KEYS) + ", or quote the word"
        raise UsageError(f"unknown filter key '{key}:'; {hint}")
    values = tuple(v for v in (part.strip().lower() for part in value.split(",")) if v)
    if not values:
        raise UsageError(f"'{key}:' needs a value, e.g. {key}:{_EXAMPLES[key]}")
    if key == "status":
        return AgentFilter(status=frozenset().union(*(_statuses(v) for v in values)),
                           status_text=tuple(v.replace("-", "_") for v in values))
    if key == "name":
        return AgentFilter(name=values)
    if key == "preset":
        return AgentFilter(preset=values)
    if key == "task":
        return AgentFilter(task=values)
    return AgentFilter(plan=values)


_EXAMPLES = {"name": "fix-*", "status": "waiting", "preset": "claude", "task": "t3",
             "plan": "p1"}


def _statuses(value: str) -> frozenset[Status]:
    value = value.replace("-", "_")
    if value in STATUS_GROUPS:
        return STATUS_GROUPS[value]
    try:
        return frozenset({Status(value)})
    except ValueError:
        pass
    import difflib

    known = [s.value for s in Status] + list(STATUS_GROUPS)
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(known)}"
    raise UsageError(f"unknown status '{value}'; {hint}")


def _any_match(patterns: tuple[str, ...], value: str) -> bool:
    value = value.lower()
    return any(fnmatchcase(value, p) if _GLOB.search(p) else value == p for p in patterns)


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return a + tuple(v for v in b if v not in a)


def _quote(word: str) -> str:
    return f'"{word}"' if (" " in word or ":" in word or not word) else word

"""What the agent table lists, and in what order: the fleet filtered (workspace/core/filters.py),
sorted and grouped, with folded groups showing only their header. Pure (no Textual), so the
table only draws what this decides.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from workspace.core import format as fmt
from workspace.core.agent import Agent, Status
from workspace.core.filters import AgentFilter

SORTS = ("attention", "name", "age", "cost", "diff")
SORT_LABEL = {"attention": "needs you first", "name": "name", "age": "age in status",
              "cost": "cost", "diff": "diff size"}
GROUPS = ("none", "status", "preset", "plan")
GROUP_LABEL = {"none": "none", "status": "status", "preset": "preset", "plan": "task/plan"}

STATUS_ORDER = sorted(Status, key=lambda s: (not s.needs_you, list(Status).index(s)))
"""Status groups: the ones that need you first, then the vocabulary's order."""


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    ids: tuple[str, ...]
    """Its agents that the filter shows, in order (folded or not)."""
    needing: int
    folded: bool


@dataclass(frozen=True)
class View:
    lines: tuple[str, ...]
    """What the table lists, top to bottom: agent ids, and `GROUP + key` for group headers."""
    shown: tuple[str, ...]
    """Every agent the filter lets through, in order (folded ones too)."""
    hidden: int
    """How many agents the filter hides."""
    groups: Mapping[str, Group] = field(default_factory=dict)


GROUP = "\0group:"
"""Prefix of a group header's line (agent ids never start with a NUL)."""


def group_line(key: str) -> str:
    return GROUP + key


def is_group(line: str) -> bool:
    return line.startswith(GROUP)


def build(agents: tuple[Agent, ...] | list[Agent], flt: AgentFilter | None = None,
          sort: str = "attention", group: str = "none", folded: Collection[str] = (),
          plans: Mapping[str, str] | None = None,
          titles: Mapping[str, str] | None = None) -> View:
    """`agents` in attention order (the snapshot's); `plans`: agent id -> its plan;
    `titles`: task and plan id -> title."""
    plans = plans or {}
    kept = [a for a in agents if flt is None or flt.matches(a, plans.get(a.id))]
    ordered = sort_agents(kept, sort)
    shown = tuple(a.id for a in ordered)
    hidden = len(agents) - len(kept)
    if group == "none":
        return View(shown, shown, hidden)
    buckets: dict[str, list[Agent]] = {}
    labels: dict[str, str] = {}
    for agent in ordered:
        key, label = group_of(agent, group, plans, titles or {})
        buckets.setdefault(key, []).append(agent)
        labels[key] = label
    lines: list[str] = []
    groups: dict[str, Group] = {}
    for key in sorted(buckets, key=lambda k: _group_rank(k, group)):
        members = buckets[key]
        fold = key in folded
        groups[key] = Group(key, labels[key], tuple(a.id for a in members),
                            sum(1 for a in members if a.status.needs_you), fold)
        lines.append(group_line(key))
        if not fold:
            lines.extend(a.id for a in members)
    return View(tuple(lines), shown, hidden, groups)


def group_of(agent: Agent, group: str, plans: Mapping[str, str],
             titles: Mapping[str, str]) -> tuple[str, str]:
    """(key, label) of the agent's group under `group`."""
    if group == "status":
        return f"status:{agent.status.value}", fmt.STATUS_LABEL[agent.status]
    if group == "preset":
        return f"preset:{agent.preset}", f"preset {agent.preset}"
    plan = plans.get(agent.id)
    if plan:
        goal = titles.get(plan, "")
        return f"plan:{plan}", f"plan {plan}" + (f" · {goal}" if goal else "")
    if agent.task_id:
        title = titles.get(agent.task_id, "")
        return f"task:{agent.task_id}", f"task {agent.task_id}" + (f" · {title}" if title else "")
    return "none", "no task"


def _group_rank(key: str, group: str) -> tuple[int, object, str]:
    kind, _, value = key.partition(":")
    if group == "status":
        return (0, STATUS_ORDER.index(Status(value)), "")
    if group == "plan":
        # Plans, then lone tasks, by number; agents with no task last.
        order = {"plan": 0, "task": 1, "none": 2}[kind]
        return (order, _natural(value), value)
    return (0, _natural(value), value)


def sort_agents(agents: list[Agent], sort: str) -> list[Agent]:
    """`agents` (in attention order) in the order `sort` names; ties keep attention order."""
    if sort == "name":
        return sorted(agents, key=lambda a: _natural(a.name))
    if sort == "age":
        return sorted(agents, key=lambda a: a.status_since)  # longest in its status first
    if sort == "cost":
        return sorted(agents, key=lambda a: -(a.cost_usd or 0.0))
    if sort == "diff":
        return sorted(agents, key=lambda a: -(a.diff.added + a.diff.removed))
    return list(agents)


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """`agent-2` before `agent-10`."""
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in re.split(r"(\d+)", text) if part)


def cycle(options: tuple[str, ...], current: str) -> str:
    return options[(options.index(current) + 1) % len(options)] if current in options \
        else options[0]

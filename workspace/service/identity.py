"""What a spawn knew about its agent, kept beside the database in the agent's own state dir
(`agents/<id>/agent.json`): if the database is lost or set aside, `workspace adopt` rebuilds
the row from it exactly, instead of guessing from tmux and git."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from workspace.adapters.agents.base import AgentPaths
from workspace.adapters.files import read_json, write_json
from workspace.core.agent import Agent

IDENTITY = "agent.json"
_FIELDS = ("id", "name", "preset", "branch", "base", "base_sha", "worktree", "session",
           "created_at", "task", "budget_usd", "task_id")


def write_identity(paths: AgentPaths, agent: Agent) -> None:
    values = asdict(agent)
    write_json(paths.dir / IDENTITY, {key: values[key] for key in _FIELDS})


def read_identity(state_dir: Path, agent_id: str) -> Agent | None:
    """The agent as its spawn recorded it (status, usage and diff start afresh)."""
    data = read_json(AgentPaths.under(state_dir, agent_id).dir / IDENTITY)
    if data is None or data.get("id") != agent_id:
        return None
    try:
        return Agent(
            id=agent_id, name=str(data["name"]), preset=str(data["preset"]),
            branch=str(data["branch"]), base=str(data["base"]),
            base_sha=str(data["base_sha"]), worktree=str(data["worktree"]),
            session=str(data["session"]), created_at=float(str(data["created_at"])),
            task=str(data.get("task") or ""),
            budget_usd=_number(data.get("budget_usd")),
            task_id=str(data["task_id"]) if data.get("task_id") else None,
        )
    except (KeyError, ValueError):
        return None


def identities(state_dir: Path) -> list[Agent]:
    """Every agent whose spawn record is in the state dir."""
    root = state_dir / "agents"
    found = []
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        agent = read_identity(state_dir, entry.name)
        if agent is not None:
            found.append(agent)
    return found


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None

"""`workspace demo`: the sample repository under the data dir, with demo agents working in it."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters.locations import data_dir
from workspace.core.errors import UsageError
from workspace.core.tasks.model import LoopMode, MergeMode, TaskSpec
from workspace.demo.sample_repo import DEMO_GRAPH, DEMO_TASKS, ensure_demo_repo
from workspace.service.workspace import Workspace


@dataclass(frozen=True)
class DemoSetup:
    repo: Path
    workspace: Workspace
    started: int
    """Demo agents started now (those still there from an earlier demo are kept, not counted)."""
    refused: tuple[str, ...]
    """Why a demo agent could not start, one line each; the others start all the same."""
    present: tuple[str, ...] = ()
    """Demo agents already there from an earlier demo (running, or ended and kept)."""
    kept: tuple[str, ...] = ()
    """Demo agents killed earlier whose worktree or branch was kept (it held work): their
    names stay taken until 'workspace cleanup' removes what they left."""
    tasks: int = 0
    """Demo tasks filed now (none when the demo already has tasks)."""
    autopilot: bool = False
    """The autopilot runs (started now, or already)."""
    plan: str = ""
    """The demo plan started now (`demo --plan`): its planner files it, you approve it."""

    def summary(self) -> str:
        """'(N demo agent(s) started[; already there: ...][; kept from an earlier demo: ...])'."""
        parts = [f"{self.started} demo agent(s) started"]
        if self.present:
            parts.append(f"already there: {', '.join(self.present)}")
        if self.kept:
            parts.append(f"left by an earlier demo: {', '.join(self.kept)} "
                         "('workspace cleanup' lists them)")
        return "; ".join(parts)


def demo_repo_path() -> Path:
    return data_dir() / "demo-repo"


DEMO_GOAL = ("Make SKUs safe: validate them in the lookup, document the rules, and write the "
             "release notes")


def open_demo(agents: int, tasks: bool = True, plan: bool = False) -> DemoSetup:
    """Create the sample repository once, open it, and start the first `agents` demo agents
    that are not already there; with `tasks`, file the demo's task graph (once) and start the
    autopilot, so its tasks flow from queued to merged; with `plan`, start a demo planner
    instead (it files a plan that waits for your approval; demo judges review its tasks)."""
    repo = ensure_demo_repo(demo_repo_path())
    ws = Workspace.open(repo)
    ws.reconcile()
    existing = {a.name for a in ws.agents()}
    started = 0
    refused: list[str] = []
    present: list[str] = []
    kept: list[str] = []
    for name, task in DEMO_TASKS[: max(agents, 0)]:
        if name in existing:
            present.append(name)
            continue
        if ws.ctx.repo.branch_exists(ws.ctx.branch_for(name)) or \
                (ws.ctx.worktree_root() / name).exists():
            kept.append(name)  # not an error: an earlier demo's work, kept by its kill
            continue
        try:
            ws.spawn(name, preset="demo", prompt=task)
            started += 1
        except UsageError as exc:
            refused.append(str(exc))
    if not tasks:
        return DemoSetup(repo, ws, started, tuple(refused), tuple(present), tuple(kept))
    plan_id = ""
    if plan:
        plan_id = ws.start_plan(DEMO_GOAL, preset="demo").id
        filed = 0
    else:
        filed = 0 if ws.tasks() else _file_demo_tasks(ws)
    running = ws.autopilot_status().running
    if not running:
        try:
            ws.start_autopilot()
            running = True
        except UsageError as exc:
            refused.append(str(exc))
    return DemoSetup(repo, ws, started, tuple(refused), tuple(present), tuple(kept), filed,
                     running, plan_id)


def _file_demo_tasks(ws: Workspace) -> int:
    filed: list[str] = []
    for title, prompt, after, need, merge in DEMO_GRAPH:
        check = shlex.join([sys.executable, "-m", "workspace.demo.check", str(need), "main"])
        spec = TaskSpec(title, prompt, after=tuple(filed[i] for i in after), preset="demo",
                        check=check, merge=MergeMode(merge), loop=LoopMode.CONTINUE)
        filed.append(ws.add_task(spec).id)
    return len(filed)

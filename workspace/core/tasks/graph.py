"""Dependencies between tasks: checked when filed or edited (every `after` exists, no cycle),
and read when dispatching (a task runs once everything it comes after is merged)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from workspace.core.errors import UsageError
from workspace.core.tasks.model import Task, TaskState


def normalize_id(text: str) -> str:
    """`7`, `t7` and `#7` all name task t7."""
    raw = text.strip().lstrip("#")
    if raw.isdigit():
        return f"t{int(raw)}"
    return raw.lower()


def check_after(task_id: str | None, after: Iterable[str],
                edges: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The dependencies as ids, or a UsageError for an unknown one or a cycle. `edges`: every
    existing task's `after`; `task_id` is the task being edited (None when new)."""
    wanted: list[str] = []
    for raw in after:
        dep = normalize_id(raw)
        if dep == task_id:
            raise UsageError(f"task {task_id} cannot come after itself")
        if dep not in edges:
            known = ", ".join(sorted(edges, key=_order)[-8:]) or "none yet"
            raise UsageError(f"no task {dep!r} to come after (tasks: {known}); "
                             "see 'workspace task ls'")
        if dep not in wanted:
            wanted.append(dep)
    if task_id is not None:
        graph = {**edges, task_id: tuple(wanted)}
        cycle = _cycle_through(task_id, graph)
        if cycle:
            raise UsageError(f"{task_id} after {', '.join(wanted)} would make a cycle: "
                             f"{' -> '.join(cycle)}; drop one of those dependencies")
    return tuple(wanted)


def _order(task_id: str) -> tuple[int, str]:
    digits = task_id.lstrip("t")
    return (int(digits), task_id) if digits.isdigit() else (1 << 30, task_id)


def _cycle_through(start: str, graph: Mapping[str, tuple[str, ...]]) -> list[str]:
    """A path start -> ... -> start along `after` edges, or [] when there is none."""
    path: list[str] = []
    seen: set[str] = set()

    def walk(node: str) -> bool:
        path.append(node)
        for dep in graph.get(node, ()):
            if dep == start:
                path.append(start)
                return True
            if dep not in seen:
                seen.add(dep)
                if walk(dep):
                    return True
        path.pop()
        return False

    return path if walk(start) else []


def blockers(task: Task, by_id: Mapping[str, Task]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(dependencies not merged yet but still able to be, dependencies that never will be:
    failed, cancelled or gone)."""
    waiting: list[str] = []
    dead: list[str] = []
    for dep in task.after:
        other = by_id.get(dep)
        if other is None or other.state in (TaskState.FAILED, TaskState.CANCELLED):
            dead.append(dep)
        elif other.state != TaskState.MERGED:
            waiting.append(dep)
    return tuple(waiting), tuple(dead)


def waiting_note(task: Task, by_id: Mapping[str, Task]) -> str:
    """What a queued task waits on, for its row and `task ls` ('' when it is ready)."""
    waiting, dead = blockers(task, by_id)
    if dead:
        why = ", ".join(f"{d} ({by_id[d].state})" if d in by_id else f"{d} (gone)"
                        for d in dead)
        return f"blocked: {why} will not merge; retry or cancel it"
    if waiting:
        return f"waiting on {', '.join(waiting)}"
    return ""


def ready(tasks: Iterable[Task]) -> list[Task]:
    """Queued tasks whose dependencies are all merged, in the order they should start:
    highest priority first, then oldest."""
    every = list(tasks)
    by_id = {t.id: t for t in every}
    found = [t for t in every if t.state == TaskState.QUEUED
             and all(by_id.get(d) is not None and by_id[d].state == TaskState.MERGED
                     for d in t.after)]
    return sorted(found, key=lambda t: (-t.spec.priority, t.created_at, _order(t.id)))


def merge_order(tasks: Iterable[Task]) -> list[Task]:
    """Tasks in dependency order (a task after the ones it comes after), then priority, then
    age: the order of the merge queue."""
    every = sorted(tasks, key=lambda t: (-t.spec.priority, t.created_at, _order(t.id)))
    ids = {t.id for t in every}
    placed: set[str] = set()
    out: list[Task] = []
    pending = list(every)
    while pending:
        progressed = False
        for task in list(pending):
            if all(d in placed or d not in ids for d in task.after):
                out.append(task)
                placed.add(task.id)
                pending.remove(task)
                progressed = True
                break
        if not progressed:  # a cycle cannot be filed; keep the rest in their order anyway
            out.extend(pending)
            break
    return out

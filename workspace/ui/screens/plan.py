"""A plan under review (`p` in the Tasks view): its tasks as a tree of dependencies with
their prompts, checks and presets. Edit, delete or add tasks, ask the planner for changes (a
message to it), approve the whole plan, or cancel it. A worker reads the plan every second
and posts PlanLoaded; every change runs in a worker (run_job)."""

from __future__ import annotations

import threading
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from workspace.core.tasks.model import LoopMode, MergeMode, PlanState, Task, TaskSpec, TaskState
from workspace.service import PlanView, Workspace
from workspace.ui.dialogs.send import SendScreen
from workspace.ui.dialogs.task_form import TaskForm
from workspace.ui.jobs import read_every, run_job
from workspace.ui.messages import ActionFinished, PlanLoaded
from workspace.ui.widgets.footer import KeyFooter
from workspace.ui.widgets.task_text import STYLE, describe

PLAN_STYLE = {PlanState.PLANNING: "yellow", PlanState.PROPOSED: "bold cyan",
              PlanState.APPROVED: "green", PlanState.DONE: "dim", PlanState.CANCELLED: "dim"}


class PlanScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "approve", "Approve plan"),
        Binding("e", "edit", "Edit task"),
        Binding("T", "add", "Add task"),
        Binding("delete,d", "delete", "Delete task"),
        Binding("m", "ask", "Ask the planner"),
        Binding("x", "cancel_plan", "Cancel plan"),
        Binding("escape", "close", "Back"),
    ]
    DEFAULT_CSS = """
    PlanScreen #heading { height: auto; background: $panel; padding: 0 1; }
    PlanScreen Tree { height: 55%; }
    PlanScreen #detail-box { height: 1fr; border-top: solid $primary; padding: 0 1; }
    """

    def __init__(self, ws: Workspace, plan_id: str) -> None:
        super().__init__()
        self.ws = ws
        self.plan_id = plan_id
        self.view: PlanView | None = None
        self._wake = threading.Event()
        self._shape: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield Static(f"Plan {self.plan_id}  loading…", id="heading")
        yield Tree[str]("tasks", id="plan-tree")
        with VerticalScroll(id="detail-box"):
            yield Static("", id="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        tree = self.query_one(Tree)
        tree.show_root = False
        tree.focus()
        self._load()

    def on_unmount(self) -> None:
        self._wake.set()

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False,
          description="read the plan")
    def _load(self) -> None:
        read_every(self, self._wake, lambda: PlanLoaded(self.ws.plan(self.plan_id)),
                   f"could not read {self.plan_id}", stop_on_error=True)

    @on(PlanLoaded)
    def _loaded(self, message: PlanLoaded) -> None:
        self.view = view = message.view
        heading = Text()
        heading.append(f"Plan {view.plan.id}  ", "bold")
        heading.append(str(view.state), PLAN_STYLE.get(view.state, ""))
        heading.append(f"  · planner {view.plan.agent or '—'} · {view.summary}\n")
        heading.append(view.plan.goal[:300])
        if view.state == PlanState.PROPOSED:
            heading.append("\nReview it, then a approves the whole plan; m asks the planner "
                           "to change it", "dim")
        self.query_one("#heading", Static).update(heading)
        self._fill(list(view.tasks))
        self._show_detail()

    def _fill(self, tasks: list[Task]) -> None:
        """Each task under the first task it comes after (a tree of the plan's dependencies);
        rebuilt only when the shape or a state changes."""
        shape = [(t.id, f"{t.state}|{t.title}|{t.after}") for t in tasks]
        if shape == self._shape:
            return
        self._shape = shape
        tree = self.query_one(Tree)
        selected = self.selected_id
        tree.clear()
        ids = {t.id for t in tasks}
        nodes: dict[str, TreeNode[str]] = {}
        pending = list(tasks)
        while pending:
            placed = False
            for task in list(pending):
                parent_id = next((a for a in task.after if a in ids), None)
                if parent_id is not None and parent_id not in nodes:
                    continue
                parent = nodes[parent_id] if parent_id else tree.root
                nodes[task.id] = parent.add(_label(task), data=task.id, expand=True)
                pending.remove(task)
                placed = True
            if not placed:  # a dependency outside what can be placed: list the rest flat
                for task in pending:
                    nodes[task.id] = tree.root.add(_label(task), data=task.id, expand=True)
                break
        tree.root.expand_all()
        if selected in nodes:
            tree.move_cursor(nodes[selected])
        elif nodes:
            tree.move_cursor(next(iter(nodes.values())))

    @property
    def selected_id(self) -> str | None:
        node = self.query_one(Tree).cursor_node
        return str(node.data) if node is not None and node.data else None

    @property
    def selected(self) -> Task | None:
        if self.view is None:
            return None
        return next((t for t in self.view.tasks if t.id == self.selected_id), None)

    @on(Tree.NodeHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        task = self.selected
        self.query_one("#detail", Static).update(
            describe(task) if task else Text("The planner has filed no tasks yet.", "dim"))

    # -- actions ------------------------------------------------------------------------

    def _run(self, description: str, job: object) -> None:
        run_job(self, description, job)  # type: ignore[arg-type]
        self._wake.set()

    def action_approve(self) -> None:
        def job() -> str:
            view = self.ws.approve_plan(self.plan_id)
            queued = sum(1 for t in view.tasks if t.state == TaskState.QUEUED)
            return f"{view.plan.id} approved: {queued} queued (the autopilot runs them: A)"

        self._run("approve the plan", job)

    def action_edit(self) -> None:
        task = self.selected
        if task is None:
            return
        presets = [p.name for p in self.ws.settings.presets]

        def chosen(spec: TaskSpec | None) -> None:
            if spec is not None:
                self._run("edit", lambda: f"edited {self.ws.edit_task(task.id, spec).id}")

        self.app.push_screen(TaskForm(presets, task.spec, f"Edit {task.id}"), chosen)

    def action_add(self) -> None:
        defaults = self.ws.settings.tasks
        spec = TaskSpec("", max_attempts=defaults.attempts, loop=LoopMode(defaults.loop),
                        merge=MergeMode(defaults.merge))
        presets = [p.name for p in self.ws.settings.presets]

        def chosen(new: TaskSpec | None) -> None:
            if new is not None:
                self._run("add", lambda: f"filed {self.ws.add_task(new, plan=self.plan_id).id} "
                                         f"in {self.plan_id}")

        self.app.push_screen(TaskForm(presets, replace(spec), f"New task in {self.plan_id}"),
                             chosen)

    def action_delete(self) -> None:
        task = self.selected
        if task is not None:
            def job() -> str:
                self.ws.delete_task(task.id)
                return f"deleted {task.id}"

            self._run("delete", job)

    def action_ask(self) -> None:
        planner = self.view.plan.agent if self.view else None
        if not planner:
            return

        def chosen(text: str | None) -> None:
            if text:
                def job() -> str:
                    self.ws.ask_planner(self.plan_id, text)
                    return f"asked {planner}"

                self._run("ask the planner", job)

        self.app.push_screen(SendScreen([planner]), chosen)

    def action_cancel_plan(self) -> None:
        self._run("cancel the plan", lambda: f"{self.ws.cancel_plan(self.plan_id).plan.id} "
                                             "cancelled")

    def action_close(self) -> None:
        self.dismiss(None)

    @on(ActionFinished)
    def _finished(self, message: ActionFinished) -> None:
        if message.text:
            self.notify(message.text, severity="error" if message.error else "information",
                        timeout=8 if message.error else 4)
        self._wake.set()


def _label(task: Task) -> Text:
    s = task.spec
    text = Text()
    text.append(f"{task.id} ", "bold")
    text.append(f"{task.state}", STYLE.get(task.state, ""))
    text.append(f"  {task.title}")
    if s.kind == "plan":
        text.append("  [sub-plan]", "yellow")
    details = [f"check: {s.check}" if s.check else "no check"]
    if s.preset:
        details.append(f"preset: {s.preset}")
    if len(task.after) > 1:
        details.append(f"after: {', '.join(task.after)}")
    text.append(f"   {' · '.join(details)}", "dim")
    return text

"""The Tasks view (`t`): every task grouped by state (what needs you first), the selected
task's agent, attempts and last check output, and keys to add, edit, approve, retry, cancel,
jump to its agent and turn the autopilot on or off. A worker reads the tasks every second and
posts TasksLoaded; every change runs in a worker too (run_job)."""

from __future__ import annotations

import threading

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from workspace.core import format as fmt
from workspace.core.tasks.model import LoopMode, MergeMode, Task, TaskSpec, TaskState
from workspace.service import Workspace
from workspace.ui.dialogs.plan_form import PlanForm, PlanRequest
from workspace.ui.dialogs.task_form import TaskForm
from workspace.ui.jobs import read_every, run_job
from workspace.ui.messages import ActionFinished, TasksLoaded
from workspace.ui.screens.plan import PlanScreen
from workspace.ui.widgets.footer import KeyFooter
from workspace.ui.widgets.task_text import STYLE, describe

ORDER = (TaskState.PROPOSED, TaskState.REVIEW, TaskState.FAILED, TaskState.RUNNING,
         TaskState.CHECKING, TaskState.MERGING, TaskState.QUEUED, TaskState.MERGED,
         TaskState.CANCELLED)
"""Groups in the order a person looks: what waits on them first."""
GROUP = "group:"


class TasksScreen(Screen[str | None]):
    """Dismissed with the name of an agent to jump to, or None."""

    BINDINGS = [
        Binding("T", "add", "Add task"),
        Binding("e", "edit", "Edit"),
        Binding("a", "approve", "Approve"),
        Binding("r", "retry", "Retry"),
        Binding("x", "cancel", "Cancel task"),
        Binding("enter", "agent", "Its agent"),
        Binding("A", "autopilot", "Autopilot on/off"),
        Binding("P", "new_plan", "New plan"),
        Binding("p", "plan", "Its plan"),
        Binding("escape,t", "close", "Back"),
    ]
    DEFAULT_CSS = """
    TasksScreen #summary { height: 1; background: $panel; padding: 0 1; }
    TasksScreen DataTable { height: 55%; }
    TasksScreen #detail-box { height: 1fr; border-top: solid $primary; padding: 0 1; }
    TasksScreen #empty { height: auto; padding: 1 2; color: $text-muted; }
    """

    def __init__(self, ws: Workspace) -> None:
        super().__init__()
        self.ws = ws
        self.tasks: dict[str, Task] = {}
        self.autopilot_on = False
        self._wake = threading.Event()
        self._shown: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("Tasks  loading…", id="summary")
        yield Static("No tasks yet. Press [b]T[/b] to add one; the autopilot ([b]A[/b]) "
                     "starts, checks, loops and merges them.", id="empty")
        yield DataTable(id="tasks", cursor_type="row", zebra_stripes=False)
        with VerticalScroll(id="detail-box"):
            yield Static("", id="detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("state", "id", "title", "after", "tries", "cost", "agent", "note")
        table.display = False
        table.focus()
        self._load()

    def on_unmount(self) -> None:
        self._wake.set()

    @work(thread=True, exclusive=True, group="tasks", exit_on_error=False,
          description="read the tasks")
    def _load(self) -> None:
        read_every(self, self._wake,
                   lambda: TasksLoaded(self.ws.tasks(), self.ws.autopilot_status()),
                   "could not read the tasks")

    @on(TasksLoaded)
    def _loaded(self, message: TasksLoaded) -> None:
        self.tasks = {t.id: t for t in message.tasks}
        self.autopilot_on = message.status.running
        self.query_one("#summary", Static).update(Text.assemble(
            ("Tasks", "bold"), "  ·  ", message.status.summary()))
        self._fill(message.tasks)
        self._show_detail()

    def _fill(self, tasks: list[Task]) -> None:
        table = self.query_one(DataTable)
        table.display = bool(tasks)
        self.query_one("#empty").display = not tasks
        rows: list[tuple[str, tuple[object, ...]]] = []
        for state in ORDER:
            group = [t for t in tasks if t.state == state]
            if not group:
                continue
            rows.append((f"{GROUP}{state}", (Text(f"── {state} ({len(group)})", "bold"),
                                             "", "", "", "", "", "", "")))
            for t in group:
                rows.append((t.id, (
                    Text(str(t.state), STYLE.get(t.state, "")), t.id, t.title[:48],
                    ",".join(t.after) or "—", f"{t.attempts_used}/{t.spec.max_attempts}",
                    fmt.cost(t.cost_usd), t.agent or "—", t.reason[:80])))
        keys = [key for key, _ in rows]
        selected = self.selected_id
        if keys != self._shown:
            table.clear()
            for key, cells in rows:
                table.add_row(*cells, key=key)
            self._shown = keys
        else:
            for key, cells in rows:
                for column, value in zip(table.columns, cells, strict=True):
                    table.update_cell(key, column, value, update_width=True)
        if selected in keys:
            table.move_cursor(row=keys.index(selected))

    @property
    def selected_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not self._shown or table.cursor_row >= len(self._shown):
            return None
        key = self._shown[table.cursor_row]
        return None if key.startswith(GROUP) else key

    @property
    def selected(self) -> Task | None:
        task_id = self.selected_id
        return self.tasks.get(task_id) if task_id else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value or ""
        if key.startswith(GROUP) and event.cursor_row + 1 < len(self._shown):
            # A group's heading is not a task: step onto the first task below it.
            self.query_one(DataTable).move_cursor(row=event.cursor_row + 1)
            return
        self._show_detail()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_agent()

    def _show_detail(self) -> None:
        self.query_one("#detail", Static).update(describe(self.selected))

    # -- actions ------------------------------------------------------------------------

    def _need(self) -> Task | None:
        task = self.selected
        if task is None:
            self.notify("No task selected. Press T to add one.", severity="warning")
        return task

    def _run(self, description: str, job: object) -> None:
        run_job(self, description, job)  # type: ignore[arg-type]
        self._wake.set()

    def action_add(self) -> None:
        defaults = self.ws.settings.tasks
        spec = TaskSpec("", max_attempts=defaults.attempts, loop=LoopMode(defaults.loop),
                        merge=MergeMode(defaults.merge))
        self._open_form(spec, None)

    def action_edit(self) -> None:
        task = self._need()
        if task is not None:
            self._open_form(task.spec, task.id)

    def _open_form(self, spec: TaskSpec, task_id: str | None, error: str = "") -> None:
        presets = [p.name for p in self.ws.settings.presets]

        def chosen(new: TaskSpec | None) -> None:
            if new is None:
                return

            def job() -> str:
                if task_id is None:
                    return f"filed {self.ws.add_task(new).id}: {new.title}"
                return f"edited {self.ws.edit_task(task_id, new).id}"

            self._run("file the task", job)

        title = "New task" if task_id is None else f"Edit {task_id}"
        self.app.push_screen(TaskForm(presets, spec, title, error), chosen)

    def action_approve(self) -> None:
        task = self._need()
        if task is not None:
            self._run("approve", lambda: _said(self.ws.approve_task(task.id)))

    def action_retry(self) -> None:
        task = self._need()
        if task is not None:
            self._run("retry", lambda: _said(self.ws.retry_task(task.id)))

    def action_cancel(self) -> None:
        task = self._need()
        if task is not None:
            self._run("cancel", lambda: _said(self.ws.cancel_task(task.id)))

    def action_agent(self) -> None:
        task = self._need()
        if task is None:
            return
        if not task.agent:
            self.notify(f"{task.id} has no agent yet ({task.state})", severity="warning")
            return
        self.dismiss(task.agent)

    def action_autopilot(self) -> None:
        turn_off = self.autopilot_on

        def job() -> str:
            if turn_off:
                self.ws.stop_autopilot()
                return "autopilot off"
            return f"autopilot on (pid {self.ws.start_autopilot().pid})"

        self._run("autopilot", job)

    def action_new_plan(self) -> None:
        presets = [p.name for p in self.ws.settings.presets]

        def chosen(request: PlanRequest | None) -> None:
            if request is None:
                return

            def job() -> str:
                plan = self.ws.start_plan(request.goal, request.preset)
                return f"{plan.id}: its planner {plan.agent} is filing tasks (p opens the plan)"

            self._run("start a plan", job)

        self.app.push_screen(PlanForm(presets), chosen)

    def action_plan(self) -> None:
        task = self.selected
        plans = sorted({t.plan for t in self.tasks.values() if t.plan},
                       key=lambda p: int(p[1:]) if p[1:].isdigit() else 0)
        plan = task.plan if task is not None and task.plan else (plans[-1] if plans else None)
        if plan is None:
            self.notify("No plans yet. Press P to start one.", severity="warning")
            return
        self.app.push_screen(PlanScreen(self.ws, plan))

    def action_close(self) -> None:
        self.dismiss(None)

    @on(ActionFinished)
    def _finished(self, message: ActionFinished) -> None:
        if message.text:
            self.notify(message.text, severity="error" if message.error else "information",
                        timeout=8 if message.error else 4)
        self._wake.set()


def _said(task: Task) -> str:
    return f"{task.id} is {task.state}" + (f": {task.reason}" if task.reason else "")

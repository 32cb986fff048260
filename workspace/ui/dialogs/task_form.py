"""The task form (`T` in the Tasks view): what to do, after which tasks, how to check it,
how to loop and merge. Preset names come from the settings (no I/O); checking the spec (does
the check run, do the dependencies exist) is the service's, in a worker, when it is filed."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from workspace.core.tasks.model import LoopMode, MergeMode, TaskSpec


class TaskForm(ModalScreen[TaskSpec | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "File"),
    ]
    DEFAULT_CSS = """
    TaskForm { align: center middle; }
    TaskForm > VerticalScroll { width: 90; max-width: 100%; height: auto; max-height: 95%;
                                border: thick $primary; background: $surface; padding: 0 2; }
    TaskForm Label { margin: 1 0 0 0; color: $text-muted; }
    TaskForm #prompt { height: 6; }
    TaskForm .row { height: auto; }
    TaskForm .row > Vertical { width: 1fr; height: auto; }
    TaskForm #error { color: $error; height: auto; margin: 1 0 0 0; }
    TaskForm #buttons { height: auto; margin: 1 0 0 0; align: right middle; }
    TaskForm #hint { color: $text-muted; margin: 1 0 0 0; }
    """

    def __init__(self, presets: list[str], default: TaskSpec, title: str = "New task",
                 error: str = "") -> None:
        super().__init__()
        self.presets = presets
        self.default = default
        self.heading = title
        self.error = error

    def compose(self) -> ComposeResult:
        d = self.default
        presets = [("default preset", "")] + [(p, p) for p in self.presets]
        with VerticalScroll():
            yield Static(f"[b]{self.heading}[/b]")
            yield Label("Title")
            yield Input(d.title, id="title", placeholder="e.g. Add a login form")
            yield Label("What to do (the agent's prompt)")
            yield TextArea(d.prompt, id="prompt", soft_wrap=True, show_line_numbers=False)
            yield Label("Check: a command run in the task's worktree; exit 0 = done")
            yield Input(d.check, id="check", placeholder="e.g. pytest -q tests/test_login.py")
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("After (task ids)")
                    yield Input(", ".join(d.after), id="after", placeholder="e.g. t1, t3")
                with Vertical():
                    yield Label("Preset")
                    yield Select(presets, value=d.preset or "", allow_blank=False, id="preset")
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("After a failed check")
                    yield Select([("tell the same session", "continue"),
                                  ("start afresh (Ralph)", "fresh")],
                                 value=str(d.loop), allow_blank=False, id="loop")
                with Vertical():
                    yield Label("Once it passes")
                    yield Select([("wait for my review", "review"), ("merge", "auto")],
                                 value=str(d.merge), allow_blank=False, id="merge")
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("Attempts")
                    yield Input(str(d.max_attempts), id="attempts", type="integer")
                with Vertical():
                    yield Label("Priority")
                    yield Input(str(d.priority), id="priority", type="integer")
                with Vertical():
                    yield Label("Budget, USD")
                    yield Input("" if d.budget_usd is None else f"{d.budget_usd:g}",
                                id="budget", type="number", placeholder="none")
            yield Static(self.error, id="error")
            yield Static("ctrl+s file it · esc cancel · tab next field", id="hint")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("File task", variant="primary", id="file")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def _spec(self) -> TaskSpec | str:
        title = self._value("title")
        if not title:
            return "the task needs a title"
        try:
            attempts = int(self._value("attempts") or "3")
            priority = int(self._value("priority") or "0")
            budget = float(self._value("budget")) if self._value("budget") else None
        except ValueError:
            return "attempts and priority are whole numbers, the budget a number of USD"
        preset = self.query_one("#preset", Select).value
        after = tuple(a.strip() for a in self._value("after").replace(",", " ").split() if a)
        return replace(
            self.default, title=title, prompt=self.query_one("#prompt", TextArea).text,
            check=self._value("check"), after=after,
            preset=preset if isinstance(preset, str) and preset else None,
            loop=LoopMode(str(self.query_one("#loop", Select).value)),
            merge=MergeMode(str(self.query_one("#merge", Select).value)),
            max_attempts=attempts, priority=priority, budget_usd=budget)

    def action_submit(self) -> None:
        spec = self._spec()
        if isinstance(spec, str):
            self.query_one("#error", Static).update(spec)
            return
        self.dismiss(spec)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#file")
    def _file(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

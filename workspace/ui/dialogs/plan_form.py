"""The plan form (`P` in the Tasks view): a goal, and which CLI plans it."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static, TextArea


@dataclass(frozen=True)
class PlanRequest:
    goal: str
    preset: str | None


class PlanForm(ModalScreen[PlanRequest | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Plan it"),
    ]
    DEFAULT_CSS = """
    PlanForm { align: center middle; }
    PlanForm > VerticalScroll { width: 90; max-width: 100%; height: auto; max-height: 95%;
                                border: thick $primary; background: $surface; padding: 0 2; }
    PlanForm Label { margin: 1 0 0 0; color: $text-muted; }
    PlanForm #goal { height: 8; }
    PlanForm #error { color: $error; height: auto; }
    PlanForm #buttons { height: auto; margin: 1 0 0 0; align: right middle; }
    PlanForm #hint { color: $text-muted; margin: 1 0 0 0; }
    """

    def __init__(self, presets: list[str]) -> None:
        super().__init__()
        self.presets = presets

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("[b]New plan[/b]: a planner agent explores the repository and files "
                         "the tasks; nothing runs until you approve the plan")
            yield Label("Goal")
            yield TextArea(id="goal", soft_wrap=True, show_line_numbers=False)
            yield Label("Planner")
            yield Select([("default preset", "")] + [(p, p) for p in self.presets], value="",
                         allow_blank=False, id="preset")
            yield Static("", id="error")
            yield Static("ctrl+s start the planner · esc cancel", id="hint")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Plan it", variant="primary", id="plan")

    def on_mount(self) -> None:
        self.query_one("#goal", TextArea).focus()

    def action_submit(self) -> None:
        goal = self.query_one("#goal", TextArea).text.strip()
        if not goal:
            self.query_one("#error", Static).update("say what the plan is for")
            return
        preset = self.query_one("#preset", Select).value
        self.dismiss(PlanRequest(goal, preset if isinstance(preset, str) and preset else None))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#plan")
    def _plan(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

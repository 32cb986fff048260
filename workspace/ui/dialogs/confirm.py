"""A yes/no question with the details a person needs to answer it; Esc is always no."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 90; max-width: 100%; height: auto; max-height: 90%;
                               border: thick $primary;
                               background: $surface; padding: 1 2; }
    ConfirmScreen VerticalScroll { height: auto; max-height: 16; margin: 1 0 0 0; }
    ConfirmScreen #buttons { height: auto; align: right middle; margin: 1 0 0 0; }
    ConfirmScreen Button { margin: 0 0 0 1; }
    """

    def __init__(self, question: str, details: str = "", yes: str = "Yes",
                 no: str | None = "No", danger: bool = False) -> None:
        """no=None: a notice with one button."""
        super().__init__()
        self.question = question
        self.details = details
        self.yes = yes
        self.no = no
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False, id="question")
            if self.details:
                with VerticalScroll():
                    yield Static(self.details, markup=False, id="details")
            with Horizontal(id="buttons"):
                if self.no is not None:
                    yield Button(self.no, id="no")
                yield Button(self.yes, variant="error" if self.danger else "primary", id="yes")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_cancel(self) -> None:
        self.dismiss(False)

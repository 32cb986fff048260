"""What a repository's own `.workspace.toml` would run or choose, shown before any of it is
used; the person trusts it with `t` or leaves it untrusted. Enter and Esc never trust: the
safe answer is the one a reflex gives."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from workspace.service import RepoTrust


class TrustScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Not now"), Binding("t", "trust", "Trust")]
    DEFAULT_CSS = """
    TrustScreen { align: center middle; }
    TrustScreen > Vertical { width: 100; max-width: 95%; height: auto; max-height: 90%;
                             border: thick $warning; background: $surface; padding: 1 2; }
    TrustScreen #lines { height: auto; max-height: 14; margin: 1 0; background: $panel;
                         padding: 0 1; }
    TrustScreen #question { text-style: bold; }
    TrustScreen #note { color: $error; }
    TrustScreen .dim { color: $text-muted; }
    TrustScreen #buttons { height: auto; align: right middle; margin: 1 0 0 0; }
    TrustScreen Button { margin: 0 0 0 1; }
    """

    def __init__(self, notice: RepoTrust, note: str = "") -> None:
        super().__init__()
        self.notice = notice
        self.note = note

    def compose(self) -> ComposeResult:
        notice = self.notice
        again = " It changed since you trusted it." if notice.changed else ""
        with Vertical():
            if self.note:
                yield Static(self.note, markup=False, id="note")
            yield Static(f"{notice.path} wants to run programs or choose paths.{again}",
                         markup=False, id="question")
            yield Static("None of it is used until you trust this file. Trusting it allows "
                         "exactly:", markup=False)
            with VerticalScroll(id="lines"):
                yield Static("\n".join(notice.lines()), markup=False)
            yield Static(f"The trust is for this content (sha256 {notice.digest[:12]}…): a "
                         "change asks again. Later: ctrl+t here, or 'workspace trust'.",
                         markup=False, classes="dim")
            with Horizontal(id="buttons"):
                yield Button("Not now (esc)", id="no")
                yield Button("Trust this file (t)", variant="warning", id="yes")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_trust(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

"""Send a message to one agent or to every marked agent."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea


class MessageBox(TextArea):
    """Enter sends; alt+enter or ctrl+j starts a new line."""

    @dataclass
    class Submitted(Message):
        """The person pressed enter: this is the message."""

        text: str

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self.text))
            return
        if event.key in ("alt+enter", "ctrl+j"):
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        await super()._on_key(event)


class SendScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    SendScreen { align: center middle; }
    SendScreen > Vertical { width: 90; max-width: 100%; height: auto; max-height: 100%;
                            border: thick $primary; background: $surface;
                            padding: 1 2; }
    SendScreen MessageBox { height: 8; margin: 1 0; }
    SendScreen #hint { color: $text-muted; }
    """

    def __init__(self, targets: list[str]) -> None:
        super().__init__()
        self.targets = targets

    def compose(self) -> ComposeResult:
        with Vertical():
            who = ", ".join(self.targets)
            yield Static(f"[b]Message to[/b] {who}")
            yield MessageBox(id="message", soft_wrap=True)
            yield Static("enter send · alt+enter new line · esc cancel", id="hint")

    def on_mount(self) -> None:
        self.query_one(MessageBox).focus()

    @on(MessageBox.Submitted)
    def _submitted(self, message: MessageBox.Submitted) -> None:
        if message.text.strip():
            self.dismiss(message.text)

    def action_cancel(self) -> None:
        self.dismiss(None)

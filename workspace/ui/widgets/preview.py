"""Live, coloured view of the selected agent's pane, and inline typing into it."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static


class PanePreview(Static, can_focus=True):
    """Shows the bottom of the agent's screen as tmux captured it. In typing mode (i), keys go
    to the agent; the detach key ends typing mode."""

    DEFAULT_CSS = """
    PanePreview { height: 1fr; padding: 0 1; }
    PanePreview.typing { border: tall $warning; }
    """

    class KeyTyped(Message):
        def __init__(self, key: str, character: str | None) -> None:
            super().__init__()
            self.key = key
            self.character = character

    class TypingEnded(Message):
        pass

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self._screen = ""
        self.typing = False
        self.exit_key = "ctrl+right_square_bracket"

    def show_screen(self, screen: str, empty: str = "") -> None:
        if screen == self._screen and screen:
            return
        self._screen = screen
        if not screen.strip():
            self.update(Text(empty, style="dim"))
            return
        lines = screen.rstrip("\n").split("\n")
        while lines and not lines[-1].strip():
            lines.pop()
        height = max(self.size.height, 5)
        self.update(Text.from_ansi("\n".join(lines[-height:])))

    def start_typing(self, exit_key: str) -> None:
        self.exit_key = exit_key
        self.typing = True
        self.add_class("typing")
        self.focus()

    def stop_typing(self) -> None:
        self.typing = False
        self.remove_class("typing")

    async def on_key(self, event: events.Key) -> None:
        if not self.typing:
            return
        event.stop()
        event.prevent_default()
        if event.key == self.exit_key:
            self.stop_typing()
            self.post_message(self.TypingEnded())
            return
        self.post_message(self.KeyTyped(event.key, event.character))

    def on_blur(self) -> None:
        if self.typing:
            self.stop_typing()
            self.post_message(self.TypingEnded())

"""Live, coloured view of the selected agent's pane, and inline typing into it."""

from __future__ import annotations

import queue
from collections.abc import Callable

from rich.text import Text
from textual import events, work
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from workspace.core.errors import UsageError
from workspace.ui.keys import textual_to_tmux
from workspace.ui.messages import ActionFinished, KeysDelivered

KeyTyper = Callable[[str, list[str], str], None]
"""The service's type_keys: (agent name, tmux key names, literal text)."""


class PanePreview(Static, can_focus=True):
    """Shows the bottom of the agent's screen as tmux captured it. In typing mode (i), keys go
    to the agent, in order, through one worker; the detach key ends typing mode."""

    DEFAULT_CSS = """
    PanePreview { height: 1fr; padding: 0 1; }
    PanePreview.typing { border: tall $warning; }
    """

    class TypingEnded(Message):
        """The person left typing mode (the detach key, or focus moved away)."""

    def __init__(self, typer: KeyTyper, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.typer = typer
        self._screen = ""
        self.typing = False
        self.exit_key = "ctrl+right_square_bracket"
        self._target = ""
        self._keys: queue.Queue[tuple[str, str, str]] = queue.Queue()

    def on_mount(self) -> None:
        self._deliver()

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

    def start_typing(self, name: str, exit_key: str) -> None:
        """Keys typed from now on go to agent `name` until `exit_key` (a Textual key name)."""
        self._target = name
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
        literal, key = textual_to_tmux(event.key, event.character)
        if literal or key:
            self._keys.put((self._target, literal, key))

    def on_blur(self) -> None:
        if self.typing:
            self.stop_typing()
            self.post_message(self.TypingEnded())

    @work(thread=True, exclusive=True, group="typist", exit_on_error=False,
          description="type keys into an agent")
    def _deliver(self) -> None:
        """One consumer, so keys typed inline reach the agent in the order typed."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            try:
                name, literal, key = self._keys.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                self.typer(name, [key] if key else [], literal)
            except UsageError as exc:
                self.post_message(ActionFinished(str(exc), error=True))
                continue
            self.post_message(KeysDelivered(name))

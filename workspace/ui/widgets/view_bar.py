"""The line above the agent table: the filter as typed (`/`), and how the table is sorted,
grouped and marked when that is not the default. Shown only when it has something to say."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from workspace.ui.view import GROUP_LABEL, SORT_LABEL

PLACEHOLDER = "filter: words, status:waiting, preset:demo, task:t3, plan:p1"


class FilterInput(Input):
    """Esc clears the filter and gives the keys back; Enter keeps it and gives them back."""

    @dataclass
    class Left(Message):
        clear: bool

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            event.stop()
            event.prevent_default()
            self.post_message(self.Left(clear=True))
            return
        await super()._on_key(event)


class ViewBar(Horizontal):
    DEFAULT_CSS = """
    ViewBar { height: 1; display: none; background: $panel; }
    ViewBar.on { display: block; }
    ViewBar #slash { width: 3; padding: 0 1; color: $text-muted; display: none; }
    ViewBar.filtering #slash { display: block; }
    ViewBar FilterInput { width: 1fr; height: 1; border: none; padding: 0 1 0 0;
                          background: $panel; display: none; }
    ViewBar.filtering FilterInput { display: block; }
    ViewBar FilterInput:focus { background: $boost; }
    ViewBar #view { width: auto; max-width: 60%; padding: 0 1; color: $text-muted; }
    """

    @dataclass
    class FilterChanged(Message):
        """The person typed in the filter (or cleared it)."""

        text: str

    @dataclass
    class Done(Message):
        """The person left the filter (Enter keeps it, Esc clears it)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.sort = "attention"
        self.group = "none"
        self.marked = 0

    def compose(self) -> ComposeResult:
        yield Static("/", id="slash")
        # Disabled while hidden: a screen coming back would give it the focus (and every
        # key) when the table it gave the focus to has gone (no agents left).
        yield FilterInput(placeholder=PLACEHOLDER, id="filter", compact=True, disabled=True)
        yield Static("", id="view")

    @property
    def input(self) -> FilterInput:
        return self.query_one(FilterInput)

    @property
    def text(self) -> str:
        return self.input.value

    def open(self) -> None:
        """Show the filter and put the keys in it."""
        self.add_class("filtering")
        self._update()
        self.input.disabled = False
        self.input.focus()

    def clear(self) -> None:
        """Empty the filter and hide it (FilterChanged follows)."""
        self.input.value = ""
        self.remove_class("filtering")
        self.input.disabled = True
        self._update()

    def set_view(self, sort: str, group: str, marked: int) -> None:
        self.sort, self.group, self.marked = sort, group, marked
        self._update()

    @on(Input.Changed, "#filter")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.FilterChanged(event.value))

    @on(Input.Submitted, "#filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.remove_class("filtering")
            self.input.disabled = True
        self._update()
        self.post_message(self.Done())

    @on(FilterInput.Left)
    def _left(self, message: FilterInput.Left) -> None:
        message.stop()
        self.clear()
        self.post_message(self.Done())

    def _update(self) -> None:
        parts = []
        if self.sort != "attention":
            parts.append(f"sorted by {SORT_LABEL[self.sort]}")
        if self.group != "none":
            parts.append(f"grouped by {GROUP_LABEL[self.group]}")
        if self.marked:
            parts.append(f"{self.marked} marked (u unmarks)")
        self.query_one("#view", Static).update(" · ".join(parts))
        self.set_class(bool(parts) or self.has_class("filtering"), "on")

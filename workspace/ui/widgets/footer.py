"""The key bar at the bottom of a screen: one line of text, drawn again only when the keys it
shows change.

Why not Textual's Footer: it mounts a FooterKey widget per key on every change of the screen's
bindings (each push and pop of a dialog), and each key's `data_bind(compact=...)` leaves a
watcher on the Footer that is only pruned when `compact` changes, so every key it ever made
stays alive (docs/upstream/textual-footer-leak.md). Here the keys are text in one widget: no
widgets, no watchers, nothing to leak, and a dialog's open and close cost one comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

SEPARATOR = "▏"
"""Between the keys and the command palette's key, as Textual's Footer draws it."""


@dataclass(frozen=True)
class KeyHint:
    key: str
    """The binding's key, pressed again when the hint is clicked."""
    shown: str
    """How the key reads ('⏎', '?', '^p')."""
    description: str
    enabled: bool
    action: str = ""


WAYS_OUT = frozenset({"close", "help", "quit"})
"""Actions a narrow bar keeps before any other: how to leave a screen, or learn its keys."""


def kept(widths: list[tuple[str, int]], room: int) -> set[int]:
    """Which hints (action, cells) fit in `room`: the ways out first, then the others in
    their order."""
    chosen: set[int] = set()
    for first in (True, False):
        for i, (action, cells) in enumerate(widths):
            if (action in WAYS_OUT) == first and i not in chosen and cells <= room:
                chosen.add(i)
                room -= cells
    return chosen


class KeyFooter(Widget, can_focus=False):
    """The screen's shown bindings, one hint per action, and the command palette's on the right
    (a click on one presses its key)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--disabled",
                         "key-footer--separator"}
    DEFAULT_CSS = """
    KeyFooter { dock: bottom; height: 1; color: $footer-foreground;
                background: $footer-background; }
    KeyFooter > .key-footer--key { color: $footer-key-foreground;
                                   background: $footer-key-background; text-style: bold; }
    KeyFooter > .key-footer--description { color: $footer-description-foreground;
                                           background: $footer-description-background; }
    KeyFooter > .key-footer--disabled { text-style: dim; }
    KeyFooter > .key-footer--separator { color: $foreground 20%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hints: tuple[KeyHint, ...] = ()
        self.palette: KeyHint | None = None
        self.drawn: list[tuple[int, int, KeyHint]] = []
        """(first column, column after, hint) of each hint as last drawn, the palette's last:
        for clicks, and what a person sees."""

    def on_mount(self) -> None:
        self._source: Screen[object] = self.screen
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.app.screen_change_signal.subscribe(self, self._screen_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self._source.bindings_updated_signal.unsubscribe(self)
        self.app.screen_change_signal.unsubscribe(self)

    def _screen_changed(self, top: Screen[object]) -> None:
        """A dialog over this bar's screen leaves the bar in sight: it shows the dialog's keys
        (a form's ctrl+s and esc), not the keys of the screen beneath, which would not work."""
        own = self.screen
        stack = self.app.screen_stack
        if top is own or own not in stack:
            source = own
        elif isinstance(top, ModalScreen) and all(
                isinstance(s, ModalScreen) for s in stack[stack.index(own) + 1:]):
            source = top
        else:
            return  # a whole screen covers this one: nothing of this bar is seen
        if source is not self._source:
            if self._source.is_running:
                self._source.bindings_updated_signal.unsubscribe(self)
            self._source = source
            source.bindings_updated_signal.subscribe(self, self._bindings_changed)
            self._bindings_changed(source)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        hints, palette = self._read(screen)
        if (hints, palette) != (self.hints, self.palette):
            self.hints, self.palette = hints, palette
            self.refresh()

    def _read(self, screen: Screen[object]) -> tuple[tuple[KeyHint, ...], KeyHint | None]:
        """What the screen's bindings offer now: the first shown key of each action."""
        app = self.app
        active = screen.active_bindings
        hints: dict[str, KeyHint] = {}
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in hints:
                hints[binding.action] = KeyHint(binding.key, app.get_key_display(binding),
                                                binding.description, enabled, binding.action)
        palette = None
        found = active.get(app.COMMAND_PALETTE_BINDING)
        if app.ENABLE_COMMAND_PALETTE and found is not None:
            palette = KeyHint(found.binding.key, app.get_key_display(found.binding),
                              found.binding.description, found.enabled)
        return tuple(hints.values()), palette

    def on_click(self, event: events.Click) -> None:
        """A click on a hint presses its key."""
        for start, end, hint in self.drawn:
            if start <= event.x < end:
                self.app.simulate_key(hint.key)
                return

    def render(self) -> Content:
        width = self.size.width
        right = None
        if self.palette is not None:
            separator = self.get_visual_style("key-footer--separator")
            right = Content.assemble((SEPARATOR, separator), self._hint(self.palette, pad=""))
        room = width - (right.cell_length if right else 0)
        parts: list[Content] = []
        spans: list[tuple[int, int, KeyHint]] = []
        x = 0
        drawn = [self._hint(hint) for hint in self.hints]
        fits = kept([(h.action, p.cell_length) for h, p in zip(self.hints, drawn, strict=True)],
                    room)
        for i, (hint, part) in enumerate(zip(self.hints, drawn, strict=True)):
            if i not in fits:  # no room beside the palette's
                continue
            parts.append(part)
            spans.append((x, x + part.cell_length, hint))
            x += part.cell_length
        if right is not None and self.palette is not None:
            parts += [Content(" " * max(room - x, 0)), right]
            spans.append((width - right.cell_length, width, self.palette))
        self.drawn = spans
        return Content.assemble(*parts)

    def _hint(self, hint: KeyHint, pad: str = " ") -> Content:
        key = self.get_visual_style("key-footer--key")
        text = self.get_visual_style("key-footer--description")
        if not hint.enabled:
            dim = self.get_visual_style("key-footer--disabled", partial=True)
            key, text = key + dim, text + dim
        return Content.assemble((f"{pad}{hint.shown} ", key), (f"{hint.description} ", text))

"""Live, coloured view of the selected agent's pane, and inline typing into it.

What an agent asks is at the bottom of its screen, and its pane (200x50 by default) is bigger
than the preview. So the preview shows the screen down to the cursor or the last line with
text, scrolled to the end, and cuts lines wider than itself instead of wrapping them; the
agent's window keeps its own size (docs/tui.md says why). Scrolling up leaves the live view:
the pane's scrollback is read once and the view holds still until the person scrolls back
down to the end, or presses End or Esc.

A move in the agent table and a poll tick both show a screen most of whose rows were on view a
moment ago: each row is decoded and drawn once (widgets/screen_rows.py), and only the rows on
view that changed are redrawn.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from workspace.core.errors import UsageError
from workspace.ui.keys import textual_to_tmux
from workspace.ui.messages import ActionFinished, KeysDelivered, PaneHistoryRead
from workspace.ui.widgets.screen_rows import Row, ScreenRows

KeyTyper = Callable[[str, list[str], str], None]
"""The service's type_keys: (agent name, tmux key names, literal text)."""
HistoryReader = Callable[[str], str]
"""The service's pane_history: agent id -> its scrollback and screen, with colours."""

HELD = "scrolled back: End or Esc shows it live again"
TO_TOP = 1 << 30
"""A scroll step that reaches the top of whatever the scrollback holds (Home)."""


def screen_lines(screen: str, cursor_line: int | None = None) -> list[Text]:
    """A captured screen as lines, down to the cursor's line or the last line with text,
    whichever is lower (the blank rows below both carry nothing)."""
    lines = list(Text.from_ansi(screen).split("\n", allow_blank=True))
    last = max((i for i, line in enumerate(lines) if line.plain.strip()), default=-1)
    if cursor_line is not None and cursor_line > last:
        lines += [Text() for _ in range(cursor_line + 1 - len(lines))]
        last = cursor_line
    return lines[: last + 1]


@dataclass(frozen=True)
class _Shown:
    agent_id: str | None
    screen: str
    cursor_line: int | None
    empty: str


class PanePreview(ScrollView, can_focus=True):
    """The bottom of the agent's screen as tmux captured it, one line per pane row. In typing
    mode (i), keys go to the agent, in order, through one worker; the detach key ends it."""

    DEFAULT_CSS = """
    PanePreview { height: 1fr; padding: 0 1; overflow-x: hidden; scrollbar-size-vertical: 1; }
    PanePreview.typing { border: tall $warning; }
    PanePreview.held { border: tall $accent; border-title-color: $accent; }
    """
    BINDINGS = [
        Binding("escape", "live", "Live again", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("j", "scroll_down", "Down", show=False),
    ]

    class TypingEnded(Message):
        """The person left typing mode (the detach key, or focus moved away)."""

    class BackToLive(Message):
        """The person left the scrolled-back view with Esc."""

    def __init__(self, typer: KeyTyper, history: HistoryReader, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.typer = typer
        self.history = history
        self.typing = False
        self.exit_key = "ctrl+right_square_bracket"
        self._target = ""
        self._keys: queue.Queue[tuple[str, str, str]] = queue.Queue()
        self._latest = _Shown(None, "", None, "")
        """The newest screen given, shown unless the view is held."""
        self._drawn: _Shown | None = None
        self._rows: list[Row] = []
        self._screens = ScreenRows()
        """Rows of the screens shown, decoded and drawn once each (bounded)."""
        self._base: Style | None = None
        """The widget's own style, worked out once (from every ancestor's) until it changes."""
        self.held = False
        """Scrolled back: the view holds still on the pane's scrollback."""
        self._placing = False

    def on_mount(self) -> None:
        self._deliver()

    # -- what is shown ------------------------------------------------------------------

    def show_screen(self, agent_id: str | None, screen: str, cursor: tuple[int, int] | None,
                    empty: str = "") -> None:
        """The agent's latest screen and its cursor (column, line); `empty` when it has none."""
        if agent_id != self._latest.agent_id and self.held:
            self._release()
        self._latest = _Shown(agent_id, screen, cursor[1] if cursor else None, empty)
        if not self.held:
            self._draw_latest()

    @property
    def rows_kept(self) -> int:
        """Rows of the screens shown that are kept decoded and drawn (bounded)."""
        return len(self._screens)

    @property
    def lines(self) -> list[Text]:
        """What the view holds, top to bottom (the live screen, or scrollback and screen)."""
        return [row.text for row in self._rows]

    def _draw_latest(self) -> None:
        shown = self._latest
        if shown == self._drawn:
            return
        self._drawn = shown
        before, top = self._rows, self.scroll_offset.y
        if shown.screen.strip():
            self._set_rows(self._screens.rows(shown.screen, shown.cursor_line), whole=False)
        else:
            self._set_rows([Row(Text(shown.empty, style="dim"))], whole=False)
        self._to_end()
        self._redraw_changed(before, top)

    def _set_rows(self, rows: list[Row], whole: bool = True) -> None:
        self._rows = rows
        self.virtual_size = Size(0, len(rows))  # width 0: wider lines are cut, never scrolled
        if whole:
            self.refresh()

    def _redraw_changed(self, before: list[Row], top: int) -> None:
        """Redraw the rows on view that show another row than before (a move between agents
        of the same kind, or a tick of a printing agent, changes a few). A scroll redraws the
        whole view itself."""
        if self.scroll_offset.y != top:
            return
        rows, width = self._rows, self.size.width
        changed = [y for y in range(self.scrollable_content_region.height)
                   if _at(before, top + y) is not _at(rows, top + y)]
        for y in changed:
            self.refresh(Region(0, y, width, 1))

    def _to_end(self) -> None:
        self._scroll_now(self.max_scroll_y)

    def _scroll_now(self, y: int) -> None:
        # Forced: the lines may have just grown, and the layout that allows scrolling has not
        # run yet; the live view must be at its end in the very frame its lines change.
        self.scroll_to(None, y, animate=False, force=True, immediate=True)

    def on_resize(self) -> None:
        if not self.held:
            self.call_after_refresh(self._to_end)  # once the new size is laid out

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None  # the rows are drawn again in the new style
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self._base
        if base is None:
            # rich_style walks every ancestor: once, not per row of every frame.
            base = self._base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        return self._rows[index].strip(self.app.console, base).crop_extend(0, width, base)

    # -- scrolling back -----------------------------------------------------------------

    def scroll_back(self) -> None:
        """Hold the view and page up into the scrollback (the `[` key)."""
        self.action_page_up()

    def _hold(self, step: int) -> None:
        """The person scrolls up: hold the view and read the pane's scrollback once."""
        if self.held or self.typing or self._latest.agent_id is None:
            return
        self.held = True
        self.add_class("held")
        self.border_title = HELD
        self._read_history(self._latest.agent_id, step)

    def _release(self) -> None:
        self.held = False
        self.remove_class("held")
        self.border_title = None
        self._drawn = None

    def action_live(self) -> None:
        if self.held:
            self._release()
            self._draw_latest()
        self.post_message(self.BackToLive())

    # The person's scrolls up happen at once (never animated), so that the scrollback read
    # meanwhile lands on the rows they moved to.
    def action_scroll_up(self) -> None:
        self._hold(1)
        self.scroll_up(animate=False, immediate=True)

    def action_page_up(self) -> None:
        page = self.scrollable_content_region.height
        self._hold(page)
        self.scroll_to(None, self.scroll_y - page, animate=False, immediate=True)

    def action_scroll_home(self) -> None:
        self._hold(TO_TOP)
        self.scroll_home(animate=False, immediate=True)

    def action_scroll_end(self) -> None:
        if self.held:
            self._release()
            self._draw_latest()
        super().action_scroll_end()

    def on_mouse_scroll_up(self) -> None:
        self._hold(3)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # Scrolling down onto the end of the scrollback is coming back to the live view.
        if self.held and not self._placing and new > old and new >= self.max_scroll_y:
            self._release()
            self.call_after_refresh(self._draw_latest)

    @work(thread=True, exclusive=True, group="history", exit_on_error=False,
          description="read an agent's scrollback")
    def _read_history(self, agent_id: str, step: int) -> None:
        text = self.history(agent_id)
        self.post_message(PaneHistoryRead(agent_id, screen_lines(text) if text else [], step))

    @on(PaneHistoryRead)
    def _history_read(self, message: PaneHistoryRead) -> None:
        message.stop()
        if not self.held or message.agent_id != self._latest.agent_id or not message.lines:
            return
        # Keep the rows the person is looking at where they are, then take the step they
        # asked for when there was nothing above to scroll to.
        below = max(len(self._rows) - int(self.scroll_y), 0)
        at_top = self.scroll_y <= 0
        self._set_rows([Row(line) for line in message.lines])
        top = max(len(message.lines) - below - (message.step if at_top else 0), 0)
        self._placing = True
        try:
            self._scroll_now(top)
        finally:
            self._placing = False

    # -- typing into the agent ------------------------------------------------------------

    def start_typing(self, name: str, exit_key: str) -> None:
        """Keys typed from now on go to agent `name` until `exit_key` (a Textual key name)."""
        if self.held:
            self._release()
            self._draw_latest()
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


def _at(rows: list[Row], index: int) -> Row | None:
    return rows[index] if index < len(rows) else None

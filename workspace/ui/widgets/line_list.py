"""A list drawn a line at a time under a header line, each line cached, with a cursor that
stays on its line's key (not its row number) when lines move.

Textual's DataTable re-renders every visible cell when any cell changes; with 50 agents whose
token counts move every second that is most of the TUI's CPU. Here a line is re-rendered only
when what it shows changed (its `line_key`: text, cursor, marks, width, theme), and only
lines on screen are drawn. The agent table is one (widgets/agent_table.py).
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineList(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("home", "cursor_home", "First", show=False),
        Binding("end", "cursor_end", "Last", show=False),
        Binding("pageup", "page_up_rows", "Page up", show=False),
        Binding("pagedown", "page_down_rows", "Page down", show=False),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lines: tuple[str, ...] = ()
        self._index: dict[str, int] = {}
        self._strips: dict[str, tuple[tuple[object, ...], Strip]] = {}
        self.cursor: str | None = None
        """The key of the line the cursor is on."""

    # -- what a subclass gives ------------------------------------------------------------

    def line_key(self, line: str, cursor: bool, width: int) -> tuple[object, ...]:
        """Everything `draw_line` depends on: the cached strip is reused while it is equal."""
        raise NotImplementedError

    def draw_line(self, line: str, cursor: bool, width: int) -> Strip:
        raise NotImplementedError

    def draw_header(self, width: int) -> Strip:
        raise NotImplementedError

    def cursor_moved(self, before: str | None) -> None:
        """The cursor is on another line now (or on none)."""

    def home_of(self, gone: str | None, row: int) -> str | None:
        """Where the cursor goes when its line is gone (it was on `row`): the line now there."""
        return self.lines[min(row, len(self.lines) - 1)] if self.lines else None

    # -- lines ------------------------------------------------------------------------------

    @property
    def cursor_row(self) -> int:
        return self._index.get(self.cursor, 0) if self.cursor is not None else 0

    def set_lines(self, lines: tuple[str, ...]) -> bool:
        """List these lines (keys), the cursor staying on its key; True if they changed."""
        if lines == self.lines:
            return False
        row = self.cursor_row
        self.lines = lines
        self._index = {line: i for i, line in enumerate(lines)}
        self._strips = {k: v for k, v in self._strips.items() if k in self._index}
        self.virtual_size = Size(1, len(lines) + 1)
        cursor = self.cursor if self.cursor in self._index else self.home_of(self.cursor, row)
        self.set_cursor(cursor)
        self._scroll_to_cursor()
        self.refresh()
        return True

    def set_cursor(self, line: str | None) -> None:
        before, self.cursor = self.cursor, line
        if before != line or line is None:
            self.cursor_moved(before)

    def redraw_line(self, line: str) -> None:
        """Redraw one line, if it is on screen."""
        index = self._index.get(line)
        top = self.scroll_offset.y
        if index is not None and top <= index < top + self.size.height:
            self.refresh(Region(0, index - top + 1, self.size.width, 1))

    def forget_strips(self) -> None:
        self._strips.clear()
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self.draw_header(width)
        index = self.scroll_offset.y + y - 1
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        line = self.lines[index]
        cursor = line == self.cursor
        key = self.line_key(line, cursor, width)
        cached = self._strips.get(line)
        if cached is not None and cached[0] == key:
            return cached[1]
        strip = self.draw_line(line, cursor, width)
        self._strips[line] = (key, strip)
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def on_resize(self) -> None:
        self.virtual_size = Size(1, len(self.lines) + 1)
        self._strips.clear()
        self._scroll_to_cursor()

    # -- the cursor ---------------------------------------------------------------------------

    def move_to(self, row: int) -> None:
        if not self.lines:
            return
        row = max(0, min(row, len(self.lines) - 1))
        before = self.cursor
        if self.lines[row] != before:
            self.set_cursor(self.lines[row])
        self._scroll_to_cursor()
        # Only the lines the cursor left and reached look different (a scroll redraws all).
        for line in (before, self.cursor):
            if line is not None:
                self.redraw_line(line)

    def _scroll_to_cursor(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        row = self.cursor_row
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + visible:
            self.scroll_to(y=row - visible + 1, animate=False)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor_row + 1)

    def action_cursor_home(self) -> None:
        self.move_to(0)

    def action_cursor_end(self) -> None:
        self.move_to(len(self.lines) - 1)

    def action_page_up_rows(self) -> None:
        self.move_to(self.cursor_row - max(self.size.height - 2, 1))

    def action_page_down_rows(self) -> None:
        self.move_to(self.cursor_row + max(self.size.height - 2, 1))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_to(self.scroll_offset.y + event.y - 1)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

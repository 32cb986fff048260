"""The rows of captured screens, decoded from ANSI once and drawn once.

A move in the agent table shows another agent's screen, and a poll tick shows the selected
agent's screen again: most of its rows are the ones drawn a moment ago (an agent printing
changes a row or two a tick; an idle one, none). So each row is kept, bounded (an LRU), keyed
by its content: its raw text with its escapes and the style it starts in (an escape's colour
carries on into the rows below it). A row comes back only for exactly the same content, so a
kept row can never show a stale screen; a changed row is a new key, decoded afresh.
"""

from __future__ import annotations

from rich.ansi import AnsiDecoder
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from workspace.core.lru import LRU

ROWS = 512
"""Rows kept: ten 50-row screens. A row is up to ~4.4 kB drawn (a 200-column row of Claude
Code's, its escapes, text and strip): 2.3 MB when full, filled within minutes of watching an
agent print (a new row or two a tick), then flat."""


class Row:
    """One row of a screen: its text, and its strip once drawn, with the style it was drawn
    in (the preview's: when that changes, the row is drawn again)."""

    __slots__ = ("drawn", "text")

    def __init__(self, text: Text) -> None:
        self.text = text
        self.drawn: tuple[Style, Strip] | None = None

    def strip(self, console: Console, base: Style) -> Strip:
        """The row drawn in `base`, uncut (the preview cuts or pads it to its width)."""
        if self.drawn is None or self.drawn[0] != base:
            segments = Segment.apply_style(self.text.render(console), base)
            self.drawn = (base, Strip(list(segments), self.text.cell_len))
        return self.drawn[1]


class ScreenRows:
    """Decodes screens into rows, reusing the rows it has seen (`ROWS` at most)."""

    def __init__(self, size: int = ROWS) -> None:
        self._rows: LRU[tuple[Style, str], tuple[Row, Style]] = LRU(size)
        self._blank = Row(Text())

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self, screen: str, cursor_line: int | None = None) -> list[Row]:
        """The screen's rows down to the cursor's line or the last row with text, whichever
        is lower (the blank rows below both carry nothing); as `screen_lines` cuts them."""
        decoder = AnsiDecoder()
        rows: list[Row] = []
        last = -1
        # Rich decodes a screen a "\n"-line at a time, the style carried from line to line.
        for raw in screen.split("\n"):
            key = (decoder.style, raw)
            kept = self._rows.get(key)
            if kept is None:
                kept = (Row(decoder.decode_line(raw)), decoder.style)
                self._rows.put(key, kept)
            row, decoder.style = kept
            if row.text.plain.strip():
                last = len(rows)
            rows.append(row)
        if cursor_line is not None and cursor_line > last:
            rows += [self._blank] * (cursor_line + 1 - len(rows))
            last = cursor_line
        return rows[: last + 1]

"""One file's hunks, syntax highlighted, drawn a line at a time.

A line-API ScrollView: only the rows on screen are rendered (and cached), so a 20,000-line
diff scrolls as fast as a 20-line one. Highlighting is per line with the file's pygments
lexer: a multi-line string may be colored as code, a fair price for never lexing a whole
file up front.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_for_filename
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound
from rich.segment import Segment
from rich.style import Style
from rich.syntax import PygmentsSyntaxTheme, Syntax, SyntaxTheme
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from workspace.core.review.diff import FileDiff

GUTTER = 12
"""Two right-aligned line numbers (old, new) and a space."""
CACHE_ROWS = 400


@dataclass(frozen=True)
class Row:
    kind: str
    """'+', '-', ' ', '\\' (no newline at end), '@' (a hunk header) or '#' (a note)."""
    text: str
    old: int | None = None
    new: int | None = None


def rows_of(fd: FileDiff) -> list[Row]:
    """What the view shows for a file: a note for what has no hunks, else every hunk."""
    if fd.binary:
        what = {"A": "new", "D": "deleted"}.get(fd.status, "changed")
        return [Row("#", f"{what} binary file: contents not shown")]
    if fd.truncated:
        return [Row("#", f"too long to show: +{fd.added} -{fd.removed} lines; "
                         "use 'workspace diff' in a terminal")]
    rows: list[Row] = []
    if fd.old_path and fd.old_path != fd.path:
        rows.append(Row("#", f"renamed from {fd.old_path}"
                             + (f" ({fd.similarity}% similar)" if fd.similarity else "")))
    if fd.mode_changed:
        rows.append(Row("#", f"mode {fd.old_mode} -> {fd.new_mode}"))
    for hunk in fd.hunks:
        rows.append(Row("@", hunk.header))
        rows.extend(Row(line.kind, line.text, line.old, line.new) for line in hunk.lines)
    if not rows:
        rows.append(Row("#", "no content changes" if fd.status != "A" else "empty new file"))
    return rows


@lru_cache(maxsize=64)
def lexer_for(path: str) -> Lexer:
    try:
        return get_lexer_for_filename(path, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


class DiffLines(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    DiffLines { height: 1fr; background: $surface; }
    DiffLines:focus { background-tint: $foreground 3%; }
    """

    BINDINGS = [("j", "scroll_down", "down"), ("k", "scroll_up", "up")]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._rows: list[Row] = []
        self._path = ""
        self._cache: dict[tuple[int, int], Strip] = {}

    @property
    def rows(self) -> list[Row]:
        return self._rows

    def show_file(self, fd: FileDiff | None, message: str = "") -> None:
        self._rows = rows_of(fd) if fd is not None else [Row("#", message)] if message else []
        self._path = fd.path if fd is not None else ""
        self._cache.clear()
        width = max((len(r.text) for r in self._rows), default=0) + GUTTER + 2
        self.virtual_size = Size(width, len(self._rows))
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    def on_resize(self) -> None:
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        key = (index, self.app.current_theme.dark)
        strip = self._cache.get(key)
        if strip is None:
            if len(self._cache) > CACHE_ROWS:
                self._cache.clear()
            strip = self._render_row(self._rows[index])
            self._cache[key] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _render_row(self, row: Row) -> Strip:
        dark = self.app.current_theme.dark
        base = self.rich_style
        dim = base + Style(dim=True)
        if row.kind in "@#":
            style = Style(color="cyan" if row.kind == "@" else "yellow", italic=row.kind == "#")
            return Strip([Segment(" " * GUTTER, dim), Segment(row.text, base + style)])
        gutter = f"{_num(row.old)} {_num(row.new)} "
        if row.kind == "+":
            tint, sign = Style(bgcolor="#12361f" if dark else "#dcfce7"), "+"
        elif row.kind == "-":
            tint, sign = Style(bgcolor="#3b1219" if dark else "#fee2e2"), "-"
        elif row.kind == "\\":
            return Strip([Segment(" " * GUTTER, dim), Segment(row.text, dim)])
        else:
            tint, sign = Style(), " "
        segments = [Segment(gutter, dim), Segment(sign, base + tint + Style(bold=True))]
        segments += [Segment(text, base + style + tint)
                     for text, style in _highlight(self._path, row.text, dark)]
        return Strip(segments)


def _num(n: int | None) -> str:
    return f"{n:>5}" if n is not None else "     "


_THEMES: dict[bool, SyntaxTheme] = {}


def _theme(dark: bool) -> SyntaxTheme:
    if dark not in _THEMES:
        _THEMES[dark] = Syntax.get_theme("monokai" if dark else "friendly")
    return _THEMES[dark]


def _highlight(path: str, text: str, dark: bool) -> list[tuple[str, Style]]:
    theme = _theme(dark)
    if not isinstance(theme, PygmentsSyntaxTheme) or not path:
        return [(text, Style())]
    parts: list[tuple[str, Style]] = []
    for token_type, value in lexer_for(path).get_tokens(text):
        if value:
            style = theme.get_style_for_token(token_type)
            parts.append((value.replace("\t", "    "), Style(color=style.color, bold=style.bold,
                                                           italic=style.italic)))
    return parts

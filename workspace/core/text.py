"""A message typed into a pane is text: nothing in it may act as a key. Pure.

Why: a pane's program reads its input as keys. A Ctrl-D ends a `cat` (and the rest of the
message runs in the shell), a Ctrl-C kills the program, DEL erases a character, and an
end-of-paste marker (`ESC [201~`) turns everything after it into typed keys. So only newline
and tab keep their meaning; line endings become newlines; escape sequences (colours, titles,
cursor keys, paste markers) are removed, since they are formatting or keys, not words; every
other control character is shown as its Unicode control picture (Ctrl-C -> ␃, DEL -> ␡), so
nothing vanishes unseen; C1 controls (U+0080-U+009F), which have no picture, are removed; text
that is not valid Unicode (undecodable bytes from argv) becomes U+FFFD.

Unicode format characters (zero-width joiners, bidi marks) are left alone: they act on how
text looks, never as keys, and emoji and right-to-left text need them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workspace.core.format import plural

_NEEDS_WORK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""Anything clean_message would change (\\r included); text without it passes untouched."""

_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""What must never reach a pane as text: every C0 control but tab, newline and CR, DEL, C1."""

_SURROGATE = re.compile(r"[\ud800-\udfff]")

_STRING_BODY = r"[^\x00-\x1f\x7f-\x9f]*"
"""A control string's content: no control character (so an unterminated one ends at once)."""

_ESCAPE_SEQUENCE = re.compile(
    "(?:\x1b[P\\]X^_]|[\x90\x98\x9d\x9e\x9f])" + _STRING_BODY + "(?:\x07|\x1b\\\\|\x9c)"
    # ^ OSC, DCS, SOS, PM, APC strings (titles, hyperlinks, clipboard), BEL or ST ended
    "|(?:\x1b\\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    # ^ CSI: colours, cursor keys, the bracketed-paste markers ESC[200~ and ESC[201~
    "|\x1b[NO][\x21-\x7e]"  # SS2/SS3 and one character: keypad and F1-F4 keys
    "|\x1b[\x20-\x2f]+[\x30-\x7e]"  # nF: character set designations
    "|\x1b[\x30-\x7e]"  # one-character functions (ESC c, ESC 7); Alt+key arrives this way
)

_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_DEL_PICTURE = "\u2421"
_MAX_LISTED = 6


@dataclass(frozen=True)
class Cleaned:
    """A message made safe to type, and what was changed to make it so."""

    text: str
    sequences: int = 0
    """Escape sequences removed."""
    shown: int = 0
    """Control characters replaced by their control pictures."""
    pictures: tuple[str, ...] = ()
    """The distinct pictures used, in order of first use."""
    removed: int = 0
    """C1 control characters removed."""
    invalid: int = 0
    """Undecodable characters replaced by U+FFFD."""

    @property
    def changed(self) -> bool:
        """Something a person would want to know about (line endings do not count)."""
        return bool(self.sequences or self.shown or self.removed or self.invalid)

    def summary(self) -> str:
        """One line saying what changed; '' when nothing did."""
        parts = []
        gone = []
        if self.sequences:
            gone.append(plural(self.sequences, "escape sequence"))
        if self.removed:
            gone.append(plural(self.removed, "control character"))
        if gone:
            parts.append("removed " + " and ".join(gone))
        if self.shown:
            listed = " ".join(self.pictures[:_MAX_LISTED])
            more = " ..." if len(self.pictures) > _MAX_LISTED else ""
            parts.append(f"showed {plural(self.shown, 'control character')} as {listed}{more}")
        if self.invalid:
            parts.append(f"replaced {plural(self.invalid, 'undecodable character')} with \ufffd")
        return "changed the message: " + "; ".join(parts) if parts else ""


def clean_message(text: str) -> Cleaned:
    """`text` as it may be typed into a pane (idempotent: clean text comes back unchanged)."""
    if _NEEDS_WORK.search(text) is None:
        return Cleaned(text)
    text, invalid = _SURROGATE.subn("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, sequences = _ESCAPE_SEQUENCE.subn("", text)
    shown = removed = 0
    pictures: dict[str, None] = {}
    out: list[str] = []
    start = 0
    for match in _UNSAFE.finditer(text):
        out.append(text[start : match.start()])
        start = match.end()
        code = ord(match.group())
        if code >= 0x80:
            removed += 1
            continue
        picture = _DEL_PICTURE if code == 0x7F else _C0_PICTURES[code]
        pictures.setdefault(picture)
        shown += 1
        out.append(picture)
    out.append(text[start:])
    return Cleaned("".join(out), sequences, shown, tuple(pictures), removed, invalid)


def one_line(text: str) -> str:
    """A title as one line of text: cleaned as a message is (no escape sequence reaches a
    terminal that shows it; other controls as their pictures), whitespace runs as one space."""
    return " ".join(clean_message(text).text.split())


def first_control(text: str) -> int:
    """Where the first character that would act as a key is (-1: none). Tab, newline and
    carriage return are text; the adapters refuse anything else as their last defence."""
    match = _UNSAFE.search(text)
    return -1 if match is None else match.start()


def is_key_name(key: str) -> bool:
    """A tmux key name (Enter, C-c, M-x, F5, y): printable, no spaces. Anything else would be
    typed by send-keys as characters, and could carry control bytes."""
    return bool(key) and key.isprintable() and not any(c.isspace() for c in key)

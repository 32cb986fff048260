"""Key names: tmux's (config `detach_key`) to Textual's, and Textual's to tmux's for inline
typing."""

from __future__ import annotations

_PUNCT = {
    "]": "right_square_bracket",
    "[": "left_square_bracket",
    "\\": "backslash",
    "^": "circumflex_accent",
    "_": "underscore",
    "-": "minus",
}


def tmux_to_textual(key: str) -> str:
    """'C-]' -> 'ctrl+right_square_bracket', 'M-x' -> 'alt+x', 'F12' -> 'f12'."""
    mods = []
    rest = key
    while len(rest) > 2 and rest[1] == "-" and rest[0] in "CMS":
        mods.append({"C": "ctrl", "M": "alt", "S": "shift"}[rest[0]])
        rest = rest[2:]
    name = _PUNCT.get(rest, rest.lower())
    return "+".join([*mods, name])


def shown_key(key: str) -> str:
    """How a Textual key name reads for a person: 'question_mark' -> '?'."""
    names = {v: k for k, v in _PUNCT.items()} | {"question_mark": "?", "slash": "/",
                                                 "asterisk": "*"}
    return "+".join(names.get(part, part) for part in key.split("+"))


def display_key(key: str) -> str:
    """How a tmux key reads for a person: 'C-]' -> 'Ctrl-]'."""
    return key.replace("C-", "Ctrl-").replace("M-", "Alt-").replace("S-", "Shift-")


_SPECIAL = {
    "enter": "Enter",
    "tab": "Tab",
    "shift+tab": "BTab",
    "backspace": "BSpace",
    "delete": "DC",
    "escape": "Escape",
    "up": "Up",
    "down": "Down",
    "left": "Left",
    "right": "Right",
    "home": "Home",
    "end": "End",
    "pageup": "PPage",
    "pagedown": "NPage",
    "space": "Space",
}


def textual_to_tmux(key: str, character: str | None) -> tuple[str, str]:
    """(literal text, tmux key name) to send for one Textual key event; one of them is ''."""
    if key in _SPECIAL:
        return "", _SPECIAL[key]
    if key.startswith("ctrl+") and len(key) == 6:
        return "", "C-" + key[-1]
    if key.startswith("alt+") and len(key) == 5:
        return "", "M-" + key[-1]
    if key.startswith("f") and key[1:].isdigit():
        return "", key.upper()
    if character and character.isprintable():
        return character, ""
    return "", ""

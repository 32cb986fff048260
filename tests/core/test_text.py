"""clean_message: what a message may carry into a pane (table tests of the pure function)."""

from __future__ import annotations

import pytest

from workspace.core.text import Cleaned, clean_message, first_control, is_key_name, one_line

C0_SHOWN = [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # text as text: untouched
        ("plain words", "plain words"),
        ("two\nlines\tand a tab", "two\nlines\tand a tab"),
        ("$(rm -rf ~) `x` 'q' \"d\" \\ ; && *", "$(rm -rf ~) `x` 'q' \"d\" \\ ; && *"),
        ("émoji 👩‍💻 and ‏עברית‏ keep their joiners and marks",
         "émoji 👩‍💻 and ‏עברית‏ keep their joiners and marks"),
        ("␃ typed by a person stays", "␃ typed by a person stays"),
        # line endings become newlines
        ("windows\r\nfile\r\n", "windows\nfile\n"),
        ("old mac\rfile", "old mac\nfile"),
        # controls that act as keys are shown
        ("cat\x04rm -rf", "cat␄rm -rf"),
        ("stop\x03 now", "stop␃ now"),
        ("erase\x7fme\x08", "erase␡me␈"),
        ("\x00nul\x1a\x1c\x15\x17\x16\x13\x11", "␀nul␚␜␕␗␖␓␑"),
        ("vt\x0bff\x0c", "vt␋ff␌"),
        # escape sequences are removed
        ("before\x1b[201~touch pwned\nafter", "beforetouch pwned\nafter"),
        ("\x1b[200~inside\x1b[201~", "inside"),
        ("\x1b[1;31mred\x1b[0m", "red"),
        ("\x1b]0;a title\x07text", "text"),
        ("\x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1bP1$r0m\x1b\\dcs", "dcs"),
        ("up\x1bOA\x1b[A keys", "up keys"),
        ("\x1b(Bcharset", "charset"),
        ("\x1bc\x1b7reset", "reset"),
        ("alt\x1bd word", "alt word"),
        # 8-bit forms and other C1 controls are removed
        ("\x9b201~after", "after"),
        ("\x9d0;title\x9ctext", "text"),
        ("nel\x85 and \x80\x9f", "nel and "),
        # a broken sequence loses its introducer only; the rest is text
        ("\x1b[12\nline", "12\nline"),
        ("\x1b]title with no end\nnext", "title with no end\nnext"),
        ("lone\x1b", "lone␛"),
        ("lone\x1b\x1b[0m", "lone␛"),
        ("meta\x1bé", "meta␛é"),
        # undecodable bytes (surrogate escapes from argv) are replaced
        ("bad\udc9bbyte", "bad\ufffdbyte"),
    ],
)
def test_clean_message(text: str, expected: str) -> None:
    cleaned = clean_message(text)
    assert cleaned.text == expected
    assert first_control(cleaned.text) == -1
    assert clean_message(cleaned.text) == Cleaned(cleaned.text)  # idempotent


def test_every_control_character_at_once() -> None:
    text = ("".join(map(chr, C0_SHOWN)) + "\x7f" + "".join(map(chr, range(0x80, 0xA0)))
            + "\x1b[201~touch pwned\n")
    cleaned = clean_message(text)
    pictures = "".join(chr(0x2400 + c) for c in C0_SHOWN) + "␡"
    assert cleaned.text == pictures + "touch pwned\n"
    assert (cleaned.shown, cleaned.removed, cleaned.sequences) == (len(C0_SHOWN) + 1, 32, 1)


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("nothing to see\r\n", ""),
        ("a\x1b[201~b", "changed the message: removed 1 escape sequence"),
        ("\x1b[31ma\x1b[0m\x85", "changed the message: removed 2 escape sequences and "
                                 "1 control character"),
        ("\x03\x03\x04", "changed the message: showed 3 control characters as ␃ ␄"),
        ("\x00\x01\x02\x03\x04\x05\x06", "changed the message: showed 7 control characters as "
                                         "␀ ␁ ␂ ␃ ␄ ␅ ..."),
        ("x\udc80\x1b[0m\x7f", "changed the message: removed 1 escape sequence; showed 1 "
                               "control character as ␡; replaced 1 undecodable character "
                               "with \ufffd"),
    ],
)
def test_summary_says_what_changed(text: str, summary: str) -> None:
    cleaned = clean_message(text)
    assert cleaned.summary() == summary
    assert cleaned.changed == bool(summary)


def test_a_long_clean_message_comes_back_as_it_is() -> None:
    text = ("a line of text\twith a tab\n" * 40_000)
    assert clean_message(text).text is text


def test_first_control_accepts_text_and_finds_keys() -> None:
    assert first_control("text\n\r\tmore") == -1
    assert first_control("ab\x1b[201~") == 2
    assert first_control("\x7f") == 0
    assert first_control("x\x9b") == 1


@pytest.mark.parametrize("key", ["Enter", "C-c", "M-x", "BSpace", "F12", "y", "M-é", "S-Tab"])
def test_key_names(key: str) -> None:
    assert is_key_name(key)


@pytest.mark.parametrize("key", ["", "two words", "\x1b[201~", "Enter\n", "\x03", "a\x85"])
def test_not_key_names(key: str) -> None:
    assert not is_key_name(key)


def test_one_line_titles() -> None:
    assert one_line("  Fix\x1b[1m the\x1b[0m  parser\n\tnow\x07 ") == "Fix the parser now\u2407"
    assert one_line("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\") == "link"
    assert one_line("\x1b[31m") == ""

"""The tmux adapter against a real private server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.wait import wait_for
from workspace.adapters.tmux import Tmux, find_tmux, tmux_config

NASTY = ["a $(echo hi) `x` 'q' \"d\"", "b;c && d", "new\nline", "*", "$HOME"]


@pytest.fixture
def tmux(tmp_path: Path) -> Tmux:
    conf = tmp_path / "tmux.conf"
    conf.write_text(tmux_config("C-]", 2000))
    return Tmux("wstest", conf, find_tmux())


def start_printer(tmux: Tmux, name: str, cwd: Path, args: list[str]) -> str:
    code = "import sys, time; print(repr(sys.argv[1:])); sys.stdout.flush(); time.sleep(60)"
    return tmux.new_session(name, str(cwd), [sys.executable, "-c", code, *args], {}, (120, 30))


def test_argv_reaches_the_program_without_a_shell(tmux: Tmux, tmp_path: Path) -> None:
    pane = start_printer(tmux, "one", tmp_path, NASTY)
    screen = wait_for(lambda: tmux.capture([pane], colors=False).get(pane, "").strip(), 10)
    assert repr(NASTY) in screen.replace("\n", "")


def test_poll_costs_two_processes_whatever_the_number_of_panes(tmux: Tmux,
                                                              tmp_path: Path) -> None:
    panes = [start_printer(tmux, f"p{i}", tmp_path, [str(i)]) for i in range(12)]
    wait_for(lambda: all(tmux.capture(panes, colors=False).values()), 15, what="output")
    before = tmux.calls
    listed = tmux.list_panes()
    screens = tmux.capture(panes, colors=True)
    assert tmux.calls - before == 2
    assert listed is not None and {p.pane_id for p in listed} == set(panes)
    assert set(screens) == set(panes)
    for i, pane in enumerate(panes):
        assert f"'{i}'" in screens[pane]


def test_no_server_is_none_not_an_error(tmux: Tmux) -> None:
    assert tmux.list_panes() is None
    assert not tmux.server_running()


def test_paste_arrives_exactly(tmux: Tmux, tmp_path: Path) -> None:
    out = tmp_path / "got.txt"
    code = (
        "import sys, termios, tty\n"
        "sys.stdout.write('\\x1b[?2004h'); sys.stdout.flush()\n"
        "tty.setcbreak(0)\n"
        "buf = b''\n"
        "import os\n"
        "while not buf.endswith(b'\\x1b[201~'):\n"
        "    buf += os.read(0, 65536)\n"
        f"open({str(out)!r}, 'wb').write(buf)\n"
    )
    pane = tmux.new_session("paste", str(tmp_path), [sys.executable, "-c", code], {}, (80, 24))
    wait_for(lambda: tmux.list_panes(), 5)
    text = "quotes ' \" $(rm -rf /) `x`\nsecond line\n" + "z" * 100_000
    import time

    time.sleep(0.5)  # let the program switch on bracketed paste first
    tmux.paste(pane, text, buffer="t1")
    wait_for(lambda: out.exists() and out.stat().st_size > len(text), 15)
    got = out.read_bytes()
    assert got.startswith(b"\x1b[200~") and got.endswith(b"\x1b[201~")
    # tmux sends LF as CR inside a paste; the TUI turns it back into a newline.
    assert got[6:-6].decode().replace("\r", "\n") == text

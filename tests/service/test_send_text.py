"""A message is text: control bytes and escape sequences never act as keys (DESIGN §6), on every
path that types into a pane, checked byte for byte with real tmux, a real shell and real
programs reading their terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.config import write_user_config
from tests.support.review import commit, write
from tests.support.wait import wait_for
from workspace.core.errors import UsageError
from workspace.core.text import clean_message, first_control
from workspace.service import Workspace

C0 = "".join(chr(c) for c in range(0x20) if c != 0x0A)  # \t is kept, \r becomes \n
C1 = "".join(chr(c) for c in range(0x80, 0xA0))
# Each part would act on a terminal if typed raw: ^D at a line start ends `cat` (the rest would
# run in the shell), ^C and ^Z stop it, DEL and ^U erase, ^V quotes, the end-of-paste marker
# would turn what follows into typed keys with Enter.
MESSAGE = (
    "start " + C0 + "\x7f" + C1 + " mid\n"
    "\x04touch pwned-by-eof\n"
    "\x03\x1a\x15\x17\x16 after the signals\n"
    "text\x1b[201~touch pwned-by-marker\n"
    "$(touch pwned-by-subshell) `touch pwned-by-backticks` 'single' \"double\"\tend"
)

RECEIVER = """\
import os, sys, tty
tty.setraw(0)  # every byte reaches us as it arrives: nothing is cooked, nothing signals
sys.stdout.write("\\x1b[?2004h" + "ready> ")  # ask for bracketed paste, as agent TUIs do
sys.stdout.flush()
with open(os.path.join(sys.argv[1], os.environ["WORKSPACE_AGENT"] + ".bin"), "ab", 0) as out:
    while True:
        out.write(os.read(0, 65536))
"""


def pasted(text: str) -> bytes:
    """What a program that asked for bracketed paste reads for one message and its Enter
    (tmux sends each newline of a paste as CR)."""
    return b"\x1b[200~" + text.replace("\n", "\r").encode() + b"\x1b[201~\r"


@pytest.fixture
def rx_ws(repo: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A workspace whose `rx` preset runs RECEIVER: agent NAME's input goes to <tmp>/NAME.bin."""
    script = tmp_path / "receiver.py"
    script.write_text(RECEIVER)
    write_user_config(f'[presets.rx]\nkind = "generic"\ncommand = "{sys.executable}"\n'
                      f'args = ["{script}", "{tmp_path}"]\n')
    ws = Workspace.open(repo)
    yield ws
    ws.close()


def received(ws: Workspace, tmp_path: Path, name: str, size: int) -> bytes:
    """What agent `name` has read, once it has read at least `size` bytes (polling: a first
    prompt is typed in by a tick)."""
    out = tmp_path / f"{name}.bin"
    wait_for(lambda: ws.refresh() and out.exists() and out.stat().st_size >= size, 20,
             what=f"{name} to read {size} bytes")
    return out.read_bytes()


def spawn_ready(ws: Workspace, name: str) -> None:
    ws.spawn(name, preset="rx")
    wait_for(lambda: ws.refresh() and "ready>" in ws.preview_screen(ws.agent(name).id), 20,
             what=f"{name} to ask for bracketed paste")


def foreground(ws: Workspace, name: str) -> str:
    pane = ws.ctx.pane(ws.agent(name))
    return "" if pane is None or pane.dead else pane.command


def pwned(worktree: Path) -> list[str]:
    return sorted(p.name for p in worktree.iterdir() if p.name.startswith("pwned"))


def test_every_control_into_cat_arrives_as_text(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "received.bin"
    agent = ws.spawn("rx", preset="shell", prompt=f"cat > {out}")
    wait_for(lambda: ws.refresh() and foreground(ws, "rx") == "cat", 20,
             what="the shell to run cat")
    cleaned = ws.send("rx", MESSAGE)
    assert cleaned.changed and first_control(cleaned.text) == -1
    assert cleaned.text.endswith("\"double\"\tend")
    # The terminal's line discipline turns each CR back into a newline; Enter ends the line.
    expected = cleaned.text.encode() + b"\n"
    wait_for(lambda: foreground(ws, "rx") != "cat" or (
        out.exists() and out.stat().st_size >= len(expected)), 15, what="cat to read it all")
    assert foreground(ws, "rx") == "cat"  # no ^C, ^D or ^Z reached it
    got = out.read_bytes()
    assert got == expected
    for line in ("\n␄touch pwned-by-eof\n", "\n␃␚␕␗␖ after the signals\n",
                 "\ntexttouch pwned-by-marker\n"):
        assert line.encode() in got
    assert pwned(Path(agent.worktree)) == []


def test_a_paste_ends_once_and_nothing_but_enter_arrives_as_keys(rx_ws: Workspace,
                                                                 tmp_path: Path) -> None:
    spawn_ready(rx_ws, "rx")
    cleaned = rx_ws.send("rx", MESSAGE)
    expected = pasted(cleaned.text)
    got = received(rx_ws, tmp_path, "rx", len(expected))
    assert got == expected
    assert got.count(b"\x1b") == 2  # the paste's own start and end: no other escape at all
    assert foreground(rx_ws, "rx")


def test_first_prompt_typed_in_and_broadcast_are_cleaned(rx_ws: Workspace,
                                                         tmp_path: Path) -> None:
    ws = rx_ws
    cleaned = clean_message(MESSAGE)
    ws.spawn("one", preset="rx", prompt=MESSAGE)  # no prompt_args: typed in once ready
    first = received(ws, tmp_path, "one", len(pasted(cleaned.text)))
    assert first == pasted(cleaned.text) and first.count(b"\x1b") == 2
    spawn_ready(ws, "two")
    results = ws.send_many(["one", "two"], MESSAGE)
    assert [(r.name, r.ok, r.changes) for r in results] == [
        ("one", True, cleaned.summary()), ("two", True, cleaned.summary())]
    twice = 2 * pasted(cleaned.text)
    assert received(ws, tmp_path, "one", len(twice)) == twice
    assert received(ws, tmp_path, "two", len(pasted(cleaned.text))) == pasted(cleaned.text)


def test_cli_send_says_what_it_changed(rx_ws: Workspace, repo: Path, tmp_path: Path) -> None:
    spawn_ready(rx_ws, "rx")
    result = run_cli("send", "rx", "-", cwd=repo, input_text=MESSAGE)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "sent to rx\n"
    cleaned = clean_message(MESSAGE)
    assert result.stderr == f"workspace: {cleaned.summary()}\n"
    assert result.stderr.startswith("workspace: changed the message: removed 1 escape "
                                    "sequence and 32 control characters; showed 36 control "
                                    "characters as ␀ ␁ ␂ ␃ ␄ ␅ ...")
    assert received(rx_ws, tmp_path, "rx", len(pasted(cleaned.text))) == pasted(cleaned.text)
    plain = run_cli("send", "rx", "plain text\nsecond line", cwd=repo)
    assert (plain.returncode, plain.stdout, plain.stderr) == (0, "sent to rx\n", "")


def test_a_message_of_escape_sequences_only_is_refused(rx_ws: Workspace) -> None:
    spawn_ready(rx_ws, "rx")
    with pytest.raises(UsageError, match="only escape sequences and control characters"):
        rx_ws.send("rx", "\x1b[201~\x1b[31m \x85")


def test_inline_typing_sends_key_names_and_clean_text(rx_ws: Workspace, tmp_path: Path) -> None:
    spawn_ready(rx_ws, "rx")
    with pytest.raises(UsageError, match="not a key name"):
        rx_ws.type_keys("rx", ["\x1b[201~"])
    rx_ws.type_keys("rx", [], literal="a\x03\x1b[201~b")
    rx_ws.type_keys("rx", ["C-c"])  # a key the person pressed: it means what it says
    assert received(rx_ws, tmp_path, "rx", len("a␃b".encode()) + 1) == "a␃b".encode() + b"\x03"


def test_the_tmux_adapter_refuses_control_characters(rx_ws: Workspace, tmp_path: Path) -> None:
    spawn_ready(rx_ws, "rx")
    pane = rx_ws.ctx.pane(rx_ws.agent("rx"))
    assert pane is not None
    for text in ("a\x1b[201~b", "\x03", "\x7f", "\x9b201~"):
        with pytest.raises(ValueError, match="refusing to type"):
            rx_ws.ctx.tmux.paste(pane.pane_id, text, buffer="t")
        with pytest.raises(ValueError, match="refusing to type"):
            rx_ws.ctx.tmux.send_literal(pane.pane_id, text)
    rx_ws.ctx.tmux.paste(pane.pane_id, "ok\tdone\n", buffer="t")
    assert received(rx_ws, tmp_path, "rx", 20) == b"\x1b[200~ok\tdone\r\x1b[201~"


def test_ask_to_rebase_cleans_file_names(rx_ws: Workspace, repo: Path, tmp_path: Path) -> None:
    name = "notes\x1b[201~touch pwned\x03.txt"
    spawn_ready(rx_ws, "rx")
    worktree = Path(rx_ws.agent("rx").worktree)
    write(worktree, name, "the agent's version\n")
    commit(worktree, "agent writes notes")
    write(repo, name, "base's version\n")
    commit(repo, "base writes notes")
    text = rx_ws.ask_to_rebase("rx")
    assert "notes" in text and "\x1b" not in text and "\x03" not in text
    got = received(rx_ws, tmp_path, "rx", len(pasted(text)))
    assert got == pasted(text) and got.count(b"\x1b") == 2

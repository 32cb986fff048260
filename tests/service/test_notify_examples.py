"""The ready examples of docs/notify.md work as written: each is a valid config, and each
command, run the way workspace runs it (detached, the event on stdin), delivers the event: to
`notify-send` (a stand-in on PATH that records its arguments), and to ntfy and a Slack webhook
(a local HTTP server in their place, the same curl and jq)."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.config import write_user_config
from tests.support.paths import TOP
from tests.support.wait import wait_for
from workspace.adapters.config import load_settings
from workspace.adapters.runner import deliver_detached

EVENT = {"event": "needs_you", "workspace": "shop", "agent": "fix-parser",
         "status": "needs_permission", "previous": "working",
         "reason": "wants to use Write: src/parse.py", "task": None,
         "time": "2026-08-14T10:12:03+02:00", "title": "fix-parser needs permission",
         "message": "shop: fix-parser needs permission: wants to use Write: src/parse.py"}


def examples() -> list[str]:
    text = (TOP / "docs" / "notify.md").read_text()
    return re.findall(r"```toml\n(.*?)```", text, re.S)


class Posts(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def test_every_example_is_a_valid_config() -> None:
    found = examples()
    assert len(found) >= 6
    for text in found:
        write_user_config(text)
        settings = load_settings(None)  # raises with file:line: key: problem if not
        assert settings.notify.command or settings.notify.terminal != "off"


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq") and shutil.which("sh")),
                    reason="the examples use sh, curl and jq")
def test_the_examples_deliver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    recorded = tmp_path / "notify-send.args"
    fake = bin_dir / "notify-send"
    fake.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" >> {recorded}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Posts)
    root = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{root}/slack")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Posts.received = []
    try:
        commands = []
        for text in examples():
            command = tomllib.loads(text)["notify"].get("command")
            if command and command[0] == "sh":
                commands.append([*command[:-1], command[-1].replace("https://ntfy.sh", root)])
        assert len(commands) == 6
        for command in commands:
            deliver_detached(command, [json.dumps(EVENT)], 10, tmp_path, tmp_path / "log")
        wait_for(lambda: recorded.exists() and len(recorded.read_text().splitlines()) == 6, 20)
        assert recorded.read_text().splitlines() == [
            "--app-name=workspace", EVENT["title"], EVENT["message"]] * 2
        wait_for(lambda: len(Posts.received) == 4, 20, what="four posts")
    finally:
        server.shutdown()
    by_path: dict[str, list[tuple[dict[str, str], bytes]]] = {}
    for path, headers, body in Posts.received:
        by_path.setdefault(path, []).append((headers, body))
    plain, as_json = sorted(by_path["/my-secret-topic"] + by_path["/"], key=lambda p: p[1][:1])
    assert as_json[1].startswith(b"{") and json.loads(as_json[1]) == {
        "topic": "my-secret-topic", "title": EVENT["title"], "message": EVENT["message"]}
    assert plain[1].decode() == EVENT["message"] and plain[0]["Title"] == EVENT["title"]
    assert [json.loads(body) for _, body in by_path["/slack"]] == [{"text": EVENT["message"]}] * 2
    log = tmp_path / "log"
    assert not log.exists() or log.read_text() == "", log.read_text()

"""Hook sink: agent CLIs run this on every hook/notify event. It appends one JSON line to the
agent's event file in the state dir and exits 0, printing nothing, whatever happens: a hook must
never block or break the agent.

Run as a script with `python -I -S hook_sink.py EVENTS_FILE EVENT [JSON]` (standard library only,
no package import, so a call costs one bare interpreter start). The payload is the JSON argument
when given (Codex's notify program), else the JSON on stdin (Claude Code, Gemini CLI hooks).
"""

from __future__ import annotations

import json
import os
import sys
import time

MAX_PAYLOAD = 256 * 1024
"""Payloads above this size (a Write tool's whole file, say) keep only their small fields."""


def _slim(value: object) -> object:
    if isinstance(value, dict):
        return {k: _slim(v) for k, v in value.items() if len(json.dumps(v, default=str)) < 4096}
    return value


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        return 0
    path, event = argv[1], argv[2]
    raw = argv[3] if len(argv) > 3 else ""
    if not raw and not sys.stdin.isatty():
        raw = sys.stdin.read(MAX_PAYLOAD * 4)
    try:
        payload = json.loads(raw) if raw.strip() else {}
    except ValueError:
        payload = {"unparsed": raw[:4096]}
    line = json.dumps({"at": time.time(), "event": event, "data": payload}, default=str)
    if len(line) > MAX_PAYLOAD:
        line = json.dumps({"at": time.time(), "event": event, "data": _slim(payload)}, default=str)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8", "replace"))
    finally:
        os.close(fd)
    return 0


if __name__ == "__main__":
    try:
        main(sys.argv)
    except BaseException:
        pass
    sys.exit(0)

"""Hook sink: agent CLIs run this on every hook/notify event. It appends one JSON line to the
agent's event file in the state dir and exits 0, printing nothing, whatever happens: a hook must
never block or break the agent.

Run as a script with `python -I -S hook_sink.py EVENTS_FILE EVENT [JSON]` (standard library only,
no package import, so a call costs one bare interpreter start). The payload is the JSON argument
when given (Codex's notify program), else the JSON on stdin (Claude Code, Gemini CLI hooks).
"""

from __future__ import annotations

import os
import sys
import time

MAX_PAYLOAD = 256 * 1024
"""Payloads above this size (a Write tool's whole file, say) keep only their small fields."""


def _slim(value: object) -> object:
    import json

    if isinstance(value, dict):
        return {k: _slim(v) for k, v in value.items() if len(json.dumps(v, default=str)) < 4096}
    return value


def _as_json(raw: str) -> str:
    """The payload as one line of JSON. A JSON object of a sane size is kept as the agent
    wrote it, without parsing: importing json (and re) would double the cost of every hook
    call. Newlines between JSON tokens are whitespace, and inside strings JSON escapes them,
    so joining lines keeps it valid."""
    if raw.startswith("{") and raw.endswith("}") and len(raw) <= MAX_PAYLOAD:
        return raw.replace("\r", " ").replace("\n", " ")
    import json

    try:
        payload = json.loads(raw) if raw else {}
    except ValueError:
        payload = {"unparsed": raw[:4096]}
    text = json.dumps(payload, default=str)
    return text if len(text) <= MAX_PAYLOAD else json.dumps(_slim(payload), default=str)


def moved_path(path: str) -> str | None:
    """The event file's place after the repository moved: hooks keep the path the agent was
    launched with, `<git-common-dir>/workspace/agents/<id>/events.jsonl`. The hook's working
    folder is the agent's worktree (or below it); once its `.git` file points at the
    repository again (`git worktree repair`, which the agent's row asks for), the git common
    dir is found from it by reading two files, no git process. None when nothing is found."""
    tail = path.split(os.sep)[-3:]  # agents, <id>, events.jsonl
    folder = os.getcwd()  # the kernel's name for the folder now, wherever it moved
    while True:
        dotgit = os.path.join(folder, ".git")
        if os.path.isfile(dotgit):
            break
        if os.path.isdir(dotgit):
            return _existing(os.path.join(dotgit, "workspace", *tail))
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    with open(dotgit, encoding="utf-8") as handle:
        line = handle.readline().strip()
    if not line.startswith("gitdir:"):
        return None
    gitdir = os.path.join(folder, line[len("gitdir:"):].strip())
    try:
        with open(os.path.join(gitdir, "commondir"), encoding="utf-8") as handle:
            common = os.path.join(gitdir, handle.readline().strip())
    except OSError:
        return None
    return _existing(os.path.join(common, "workspace", *tail))


def _existing(path: str) -> str | None:
    """The path when its agent's folder exists (the sink never makes state folders)."""
    return path if os.path.isdir(os.path.dirname(path)) else None


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        return 0
    path, event = argv[1], argv[2]
    if not event.isidentifier():
        return 0  # our own event names only: nothing to escape
    raw = argv[3] if len(argv) > 3 else ""
    if not raw and not sys.stdin.isatty():
        raw = sys.stdin.read(MAX_PAYLOAD * 4)
    data = _as_json(raw.strip())
    line = f'{{"at": {time.time():.6f}, "event": "{event}", "data": {data}}}\n'
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except FileNotFoundError:
        moved = moved_path(path)
        if moved is None:
            return 0
        fd = os.open(moved, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8", "surrogateescape"))
    finally:
        os.close(fd)
    return 0


if __name__ == "__main__":
    try:
        main(sys.argv)
    except BaseException:
        pass
    sys.exit(0)

"""A real notify command for the tests (run as a program, never imported):

    notify_sink.py OUT [--hold FILE]

appends what it reads on stdin (one JSON object) to OUT as one JSON line, with the title and
message it got in its environment beside it: {"stdin": ..., "title": ..., "message": ...}.
With --hold, it first writes its pid to OUT.pid and waits until FILE exists (a slow command).
Standard library only."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    out = Path(argv[1])
    received = sys.stdin.read()
    if "--hold" in argv:
        release = Path(argv[argv.index("--hold") + 1])
        Path(f"{out}.pid").write_text(str(os.getpid()))
        while not release.exists():
            time.sleep(0.05)
    record = {"stdin": received, "title": os.environ.get("WORKSPACE_NOTIFY_TITLE"),
              "message": os.environ.get("WORKSPACE_NOTIFY_MESSAGE")}
    with out.open("a", encoding="utf-8") as file:
        file.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""`workspace autopilot`: run it here (for scripts and CI), or detached in the workspace's
tmux server (`--start`) so it keeps going when the TUI quits; `--stop`, `--status`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from types import FrameType
from typing import TYPE_CHECKING

from workspace.cli.common import add_verb, open_workspace

if TYPE_CHECKING:
    from workspace.cli.common import Subparsers


def register(sub: Subparsers) -> None:
    p = add_verb(sub, "autopilot", autopilot, "run the autopilot: start ready tasks, check, "
                 "loop and merge them (foreground; --start runs it detached)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--until-done", action="store_true",
                      help="exit once no task is queued, running, checking or merging")
    what.add_argument("--start", action="store_true", help="run it detached, in the "
                      "workspace's tmux server")
    what.add_argument("--stop", action="store_true", help="stop the detached autopilot")
    what.add_argument("--status", action="store_true", help="is it running, and the tasks")
    p.add_argument("--json", action="store_true", help="with --status: print JSON")


def autopilot(args: argparse.Namespace) -> int:
    from workspace.core.format import plural

    ws = open_workspace(args)
    if args.status:
        status = ws.autopilot_status()
        if args.json:
            print(json.dumps({"running": status.running, "pid": status.pid or None,
                              "since": status.since or None, "tasks": status.counts,
                              "active": status.active, "max_agents": status.max_agents}))
        else:
            print(status.summary())
        return 0
    if args.start:
        status = ws.start_autopilot()
        print(f"autopilot started (pid {status.pid}); 'workspace autopilot --stop' stops it")
        return 0
    if args.stop:
        print("autopilot stopped" if ws.stop_autopilot() else "the autopilot was not running")
        return 0
    stop = threading.Event()

    def stopping(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGHUP, stopping)

    def say(line: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)

    before = ws.autopilot_status()
    if not before.running:  # else run_autopilot refuses in one line, and nothing is said
        say(f"autopilot on ({before.summary().removeprefix('autopilot off · ')})")
    try:
        ws.run_autopilot(until_done=args.until_done, stop=stop, say=say)
    except KeyboardInterrupt:
        pass
    say("autopilot off")
    status = ws.autopilot_status()
    failed = (status.counts or {}).get("failed", 0)
    if args.until_done and failed:
        print(f"{plural(failed, 'task')} failed: workspace task ls --state failed",
              file=sys.stderr)
    return 0

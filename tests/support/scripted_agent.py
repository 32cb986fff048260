"""A small scripted agent for the autopilot's tests, run by generic presets (never imported).

    scripted_agent.py oneshot PROMPT   does one step and exits (a one-shot CLI: `claude -p`)
    scripted_agent.py repl             prints `ready>`, does one step per line it reads

What each step does comes from $SCRIPT_PLAN (a JSON file): {"t1": ["write:a.txt:41",
"write:a.txt:42"], ...}, the task's steps in order, one per attempt (the last repeats):
`write:PATH:TEXT` writes and commits a file, `rebase:BRANCH` rebases onto BRANCH keeping
its own side of each conflict, `nothing` changes nothing, `sleep:N` works for N seconds
first, `crash:N` exits with status N, `fail:REASON` runs `workspace task fail`, `done` runs
`workspace task done`, `verdict:approve|reject:REASON` gives a judge's verdict,
`file:TITLE;check=CMD;after=@1` files a task (as a planner: its steps are under
"<plan>:planner")
(several joined with `+`). Every step appends `start`/`end` lines with times to $SCRIPT_LOG,
so a test can tell how many agents worked at once. Standard library only."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path


def log(what: str) -> None:
    path = os.environ.get("SCRIPT_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{what} {os.environ.get('WORKSPACE_TASK', '?')} {time.time():.3f}\n")


def steps() -> list[str]:
    """The task's steps; a judge (WORKSPACE_ROLE=judge) has its own, under "<task>:judge"."""
    plan = json.loads(Path(os.environ["SCRIPT_PLAN"]).read_text())
    key = os.environ.get("WORKSPACE_TASK", "")
    if os.environ.get("WORKSPACE_ROLE") == "judge":
        key += ":judge"
    elif not key and os.environ.get("WORKSPACE_PLAN"):
        key = os.environ["WORKSPACE_PLAN"] + ":planner"  # a plan's own planner
    return list(plan.get(key, ["nothing"]))


def file_task(spec: str, filed: list[str]) -> None:
    """`file:TITLE;check=CMD;after=@1,t4;kind=plan`: `workspace task add`, as a planner does;
    `@N` is the N-th task this step filed."""
    title, *options = spec.split(";")
    args = ["task", "add", title]
    for option in options:
        key, _, value = option.partition("=")
        if key == "after":
            for ref in value.split(","):
                args += ["--after", filed[int(ref[1:]) - 1] if ref.startswith("@") else ref]
        else:
            args += [f"--{key}", value]
    done = subprocess.run([sys.executable, "-m", "workspace", *args], check=True,
                          capture_output=True, text=True)
    filed.append(done.stdout.strip())


def run_step(number: int) -> None:
    todo = steps()
    step = todo[min(number, len(todo) - 1)]
    log("start")
    filed: list[str] = []
    for part in step.split("+"):
        kind, _, rest = part.partition(":")
        if kind == "sleep":
            time.sleep(float(rest))
        elif kind == "write":
            path, _, text = rest.partition(":")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text + "\n")
            subprocess.run(["git", "add", "-A"], check=True)
            subprocess.run(["git", "commit", "-qm", f"step {number}: {path}"], check=True)
        elif kind == "rebase":
            # What the rebase request asks; on a conflict, its own commits' side wins.
            subprocess.run(["git", "rebase", "-q", "-X", "theirs", rest], check=True)
        elif kind == "crash":
            log("end")
            sys.exit(int(rest or "3"))
        elif kind == "file":
            file_task(rest, filed)
        elif kind == "verdict":
            verdict, _, reason = rest.partition(":")
            subprocess.run([sys.executable, "-m", "workspace", "task", "verdict", verdict,
                            "--reason", reason], check=True)
        elif kind in ("fail", "done"):
            args = ["task", kind] + (["--reason", rest] if kind == "fail" else [])
            subprocess.run([sys.executable, "-m", "workspace", *args], check=True)
    log("end")


def attempt_of(prompt: str) -> int:
    """0 for a first prompt; a fresh attempt's prompt says `(attempt N of M`; a judge's
    prompt names the attempt it reviews (`(attempt N)`)."""
    judged = "holds the worker's work (attempt "
    if judged in prompt:
        return int(prompt.split(judged, 1)[1].split(")", 1)[0]) - 1
    marker = "(attempt "
    if marker in prompt:
        return int(prompt.split(marker, 1)[1].split(" ", 1)[0]) - 1
    return 0


def main() -> int:
    if sys.argv[1] == "oneshot":
        run_step(attempt_of(sys.argv[2] if len(sys.argv) > 2 else ""))
        return 0
    number = 0
    while True:
        print("ready> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return 0
        # A message's lines arrive one by one (no bracketed paste here): take them all.
        while select.select([sys.stdin], [], [], 0.5)[0]:
            if not sys.stdin.readline():
                break
        if not line.strip():
            continue
        print(f"working on: {line.strip()[:60]}", flush=True)
        run_step(number)
        number += 1
        print("step done", flush=True)


if __name__ == "__main__":
    sys.exit(main())

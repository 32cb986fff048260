"""What the demo agent does as a plan's planner or as a task's judge, through the product's
CLI as any agent would (`workspace task add`, `workspace task verdict`): so `workspace demo
--plan` shows a plan filed, approved, worked, judged and merged with no agent CLI installed.
Standard library only: it runs inside the demo agent's process."""

from __future__ import annotations

import os
import subprocess
import sys

from workspace.demo.cues import PICKY

DEMO_PLAN = (
    # (title, prompt, after (earlier entries), notes the check needs, merge)
    ("Validate SKUs", "Reject empty or non-ASCII SKUs in src/inventory.py [noask]", (), 1,
     "auto"),
    ("Document the SKU rules", "Explain the SKU rules in the README, with an example "
     f"[noask] {PICKY}", (0,), 1, "auto"),
    ("Write the release notes", "Summarise the SKU changes for the release [noask]", (0, 1), 1,
     "review"),
)
"""The plan a demo planner files: each task judged by a demo judge, who rejects the first
attempt at the [picky] one with a reason its worker then meets; the last waits for you."""


def role() -> str:
    """"judge", "planner" (a plan's own planner: WORKSPACE_PLAN without a task), or ""."""
    if os.environ.get("WORKSPACE_ROLE") == "judge":
        return "judge"
    if os.environ.get("WORKSPACE_PLAN") and not os.environ.get("WORKSPACE_TASK"):
        return "planner"
    return ""


def _workspace(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workspace", *args], capture_output=True,
                          text=True, check=False)


def file_plan(first_turn: bool, message: str) -> list[str]:
    """File the demo plan (its first turn), or one task asked for later; the lines to say."""
    if not first_turn:
        title = " ".join(message.split()[:6]) or "Follow-up"
        done = _workspace("task", "add", title, "--prompt", f"{message} [noask]", "--preset",
                          "demo", "--check", _check(1), "--review", "demo")
        return [f"filed {done.stdout.strip()}: {title}" if done.returncode == 0 else
                f"could not file it: {done.stderr.strip()}"]
    ids: list[str] = []
    lines: list[str] = []
    for title, prompt, after, need, merge in DEMO_PLAN:
        args = ["task", "add", title, "--prompt", prompt, "--preset", "demo", "--check",
                _check(need), "--merge", merge, "--review", "demo"]
        for index in after:
            args += ["--after", ids[index]]
        done = _workspace(*args)
        if done.returncode != 0:
            lines.append(f"could not file {title!r}: {done.stderr.strip()}")
            break
        ids.append(done.stdout.strip())
        lines.append(f"filed {ids[-1]}: {title}")
    lines.append("The plan is filed; it waits for your approval (t, then p, then a).")
    return lines


def _check(need: int) -> str:
    return f"{sys.executable} -m workspace.demo.check {need} main"


def judge(prompt: str) -> list[str]:
    """Approve, but reject the first attempt at a [picky] task with a reason."""
    first = "holds the worker's work (attempt 1)" in prompt
    if PICKY in prompt and first:
        verdict = ("reject", "the notes explain the rules but give no example; add one")
    else:
        verdict = ("approve", "it does what the task asks")
    done = _workspace("task", "verdict", verdict[0], "--reason", verdict[1])
    if done.returncode != 0:
        return [f"could not give the verdict: {done.stderr.strip()}"]
    return [f"verdict: {verdict[0]} ({verdict[1]})"]

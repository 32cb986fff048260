"""The demo agent: a small coding-agent simulator that makes the TUI fully usable with no agent
CLI and no API key.

It shows a prompt, works for a few seconds with a spinner ("esc to interrupt"), edits and
sometimes commits files in its own worktree, sometimes asks permission first, and records each
turn in Claude Code's transcript format (usage per request, streamed duplicates included) plus
Claude-style hook events. It writes only in its worktree and the files it is given (both in the
workspace's state dir); never in a real CLI's folders.

Cues in a prompt steer it, for demos and tests (workspace/demo/cues.py): `[ask]` always asks
permission, `[noask]` never does (for the rest of the session), `[slow]` works for a long time,
`[quiet]` works with no output at all, `[exit]` ends with status 0, `[crash]` ends with status 3.
WORKSPACE_DEMO_SPEED scales its pace (2 = twice as fast).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

from workspace.demo import roles
from workspace.demo.cues import ASK, CRASH, EXIT, NOASK, QUIET, SLOW, strip_cues
from workspace.demo.terminal import MODEL, Interrupted, Recorder, Terminal

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
DIM, BOLD, RESET = "\x1b[2m", "\x1b[1m", "\x1b[0m"
GREEN, YELLOW, CYAN = "\x1b[32m", "\x1b[33m", "\x1b[36m"


class DemoAgent:
    def __init__(self, term: Terminal, rec: Recorder, rng: random.Random, speed: float) -> None:
        self.term = term
        self.rec = rec
        self.rng = rng
        self.speed = speed
        self.never_ask = False
        self.always_allow = False
        self.turns = 0

    def say(self, text: str = "") -> None:
        self.term.write(text.replace("\n", "\r\n") + "\r\n")

    def banner(self) -> None:
        self.say(f"{CYAN}╭─ demo agent ───────────────────────────────────────────╮{RESET}")
        for line in ("A simulated coding agent for trying workspace.",
                     "It edits and commits files in this worktree only."):
            self.say(f"{CYAN}│{RESET} {line:<55}{CYAN}│{RESET}")
        self.say(f"{CYAN}╰────────────────────────────────────────────────────────╯{RESET}")
        self.say(f"{DIM}cwd: {self.rec.cwd}{RESET}")
        self.say()

    def prompt_line(self, text: str) -> None:
        shown = text.replace("\n", "⏎")[-60:]
        self.term.write(f"\r\x1b[K{BOLD}demo>{RESET} {shown}")

    def idle_footer(self) -> None:
        self.say(f"{DIM}Ready. Type a task and press enter (esc clears).{RESET}")

    def read_prompt(self) -> str:
        buffer = ""
        in_paste = False
        self.prompt_line(buffer)
        while True:
            data = self.term.read(1.0)
            if not data:
                continue
            i = 0
            while i < len(data):
                if data.startswith(PASTE_START, i):
                    in_paste, i = True, i + len(PASTE_START)
                    continue
                if data.startswith(PASTE_END, i):
                    in_paste, i = False, i + len(PASTE_END)
                    continue
                ch = data[i]
                i += 1
                if in_paste:
                    buffer += "\n" if ch == "\r" else ch
                elif ch in "\r\n":
                    if buffer.strip():
                        self.term.write("\r\n")
                        return buffer
                elif ch in "\x7f\b":
                    buffer = buffer[:-1]
                elif ch == "\x1b":
                    buffer = ""
                    if data.startswith("[", i):  # an arrow or function key: ignore it
                        while i < len(data) and not data[i].isalpha() and data[i] != "~":
                            i += 1
                        i += 1
                elif ch == "\x04" and not buffer:
                    raise EOFError
                elif ch >= " " or ch == "\t":
                    buffer += ch
            self.prompt_line(buffer)

    def spin(self, seconds: float, label: str, quiet: bool = False) -> None:
        start = time.monotonic()
        end = start + seconds / self.speed
        frame = 0
        while time.monotonic() < end:
            if not quiet:
                elapsed = int(time.monotonic() - start)
                self.term.write(
                    f"\r\x1b[K{YELLOW}{SPINNER[frame % len(SPINNER)]}{RESET} {label}… "
                    f"{DIM}({elapsed}s · esc to interrupt){RESET}"
                )
                frame += 1
            self.term.key_during_work(0.1 if not quiet else 0.5)
        if not quiet:
            self.term.write("\r\x1b[K")

    def ask(self, path: str) -> bool:
        self.rec.event("PermissionRequest", tool_name="Write", tool_input={"file_path": path})
        self.rec.event("Notification", notification_type="permission_prompt",
                       message="demo needs your permission to use Write")
        self.say(f"{BOLD}Allow demo to create {path}?{RESET}")
        self.say("  y  yes     a  yes, and don't ask again     n  no (esc)")
        while True:
            data = self.term.read(1.0)
            for ch in data:
                if ch in "yY\r":
                    return True
                if ch in "aA":
                    self.always_allow = True
                    return True
                if ch in "nN\x1b":
                    return False

    def work(self, task: str) -> None:
        self.turns += 1
        self.rec.user(task)
        self.rec.event("UserPromptSubmit", prompt=task[:2000])
        if roles.role():
            self.act_in_role(roles.role(), task)
            return
        first = task.strip().splitlines()[0] if task.strip() else task
        extra = task.count("\n")
        suffix = f" {DIM}(+{extra} lines, {len(task)} chars){RESET}" if extra else ""
        self.say(f"{GREEN}>{RESET} {first[:100]}{suffix}")
        slow = SLOW in task
        quiet = QUIET in task
        tokens = 0
        try:
            self.spin(self.rng.uniform(1.5, 3.0) * (20 if slow else 1), "Thinking", quiet)
            tokens += self.rec.assistant(self.rng, "tool_use", "Let me look at the code.")
            title = strip_cues(first)
            slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:30] or "task"
            path = f"demo/{slug}-{self.turns}.md"
            # [noask] holds for the rest of the session: a later message (the autopilot's
            # "the check failed") need not repeat it.
            self.never_ask = self.never_ask or NOASK in task
            asks = ASK in task or (not self.never_ask and self.rng.random() < 0.35)
            allowed = True
            if asks and not self.always_allow:
                self.rec.event("PreToolUse", tool_name="Write")
                allowed = self.ask(path)
                self.say(f"{DIM}{'allowed' if allowed else 'denied'}{RESET}")
            if not allowed:
                self.rec.event("Stop", stop_reason="denied")
                self.say("OK, I won't write it. What should I do instead?")
                return
            self.rec.event("PreToolUse", tool_name="Write")
            self.spin(self.rng.uniform(1.0, 2.5), "Editing", quiet)
            lines = self.write_file(path, task)
            self.rec.event("PostToolUse", tool_name="Write")
            self.say(f"{GREEN}●{RESET} Wrote {path} (+{lines} lines)")
            tokens += self.rec.assistant(self.rng, "tool_use", f"Wrote {path}.")
            if self.rng.random() < 0.5:
                self.spin(self.rng.uniform(0.5, 1.5), "Committing", quiet)
                if self.commit(path, first):
                    self.say(f"{GREEN}●{RESET} Committed: demo: {first[:50]}")
            tokens += self.rec.assistant(self.rng, "end_turn", "Done.")
        except Interrupted:
            self.term.write("\r\x1b[K")
            self.say(f"{YELLOW}Interrupted by user{RESET}")
            return
        self.rec.event("Stop", stop_reason="end_turn")
        self.say(f"Done. {tokens:,} tokens this turn.")

    def act_in_role(self, role: str, task: str) -> None:
        """A plan's planner files tasks; a task's judge gives its verdict: both through the
        workspace CLI, as any agent would (roles.py)."""
        try:
            self.spin(self.rng.uniform(1.5, 3.0), "Exploring" if role == "planner" else
                      "Reviewing", False)
        except Interrupted:
            self.say(f"{YELLOW}Interrupted by user{RESET}")
            return
        tokens = self.rec.assistant(self.rng, "tool_use", "Let me look at the repository.")
        lines = roles.file_plan(self.turns == 1, task) if role == "planner" else \
            roles.judge(task)
        for line in lines:
            self.say(f"{GREEN}●{RESET} {line}")
        tokens += self.rec.assistant(self.rng, "end_turn", "Done.")
        self.rec.event("Stop", stop_reason="end_turn")
        self.say(f"Done. {tokens:,} tokens this turn.")

    def write_file(self, rel: str, task: str) -> int:
        path = Path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        body = [f"# {task.strip().splitlines()[0][:80] if task.strip() else 'task'}", ""]
        body += [f"- step {i + 1}: {self.rng.choice(WORDS)} {self.rng.choice(WORDS)}"
                 for i in range(self.rng.randint(3, 12))]
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
        return len(body)

    def commit(self, rel: str, title: str) -> bool:
        ident = ["-c", "user.name=demo agent", "-c", "user.email=demo@localhost"]
        add = subprocess.run(["git", "add", "--", rel], capture_output=True)
        if add.returncode != 0:
            return False
        done = subprocess.run(
            ["git", *ident, "commit", "-q", "-m", f"demo: {title[:60]}", "--", rel],
            capture_output=True,
        )
        return done.returncode == 0


WORDS = (
    "refactor", "parser", "cache", "retry", "handler", "tests", "config", "logging", "schema",
    "index", "timeout", "docs", "types", "migration", "endpoint", "fixture", "benchmark",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="workspace-demo-agent")
    parser.add_argument("--prompt", default="")
    parser.add_argument("--transcript", type=Path)
    parser.add_argument("--events", type=Path)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    speed = float(os.environ.get("WORKSPACE_DEMO_SPEED", "1") or 1)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rec = Recorder(args.transcript, args.events, str(Path.cwd()))
    rng = random.Random(seed)
    with Terminal() as term:
        agent = DemoAgent(term, rec, rng, max(speed, 0.05))
        agent.banner()
        rec.event("SessionStart", source="startup", model=MODEL)
        task = args.prompt
        try:
            while True:
                if not task:
                    agent.idle_footer()
                    task = agent.read_prompt()
                if EXIT in task:
                    agent.say("Bye.")
                    rec.event("SessionEnd", reason="prompt_input_exit")
                    return 0
                if CRASH in task:
                    agent.say("Something went badly wrong.")
                    return 3
                agent.work(task)
                task = ""
        except (EOFError, KeyboardInterrupt):
            rec.event("SessionEnd", reason="other")
            return 0


if __name__ == "__main__":
    sys.exit(main())

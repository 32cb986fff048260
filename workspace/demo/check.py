"""The demo tasks' check: passes once the task's worktree holds at least N demo notes that
its base does not (the demo agent writes one note per turn), so a demo task fails its check
once and then passes, and a newcomer sees the autopilot loop without any agent CLI.

    python -m workspace.demo.check [N] [BASE]     (defaults: 2, main)

Standard library only; it runs in the task's worktree, as any check does."""

from __future__ import annotations

import subprocess
import sys


def _lines(*argv: str) -> set[str]:
    done = subprocess.run(["git", *argv], capture_output=True, text=True, check=False)
    return {line for line in done.stdout.splitlines() if line.strip()}


def main(argv: list[str]) -> int:
    need = int(argv[0]) if argv else 2
    base = argv[1] if len(argv) > 1 else "main"
    since = subprocess.run(["git", "merge-base", "HEAD", base], capture_output=True,
                           text=True, check=False).stdout.strip() or "HEAD"
    notes = _lines("diff", "--name-only", since, "--", "demo") | \
        _lines("ls-files", "--others", "--exclude-standard", "--", "demo")
    print(f"{len(notes)} new demo note(s) in this worktree; the task needs {need}")
    for note in sorted(notes):
        print(f"  {note}")
    return 0 if len(notes) >= need else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The sample repository `workspace demo` opens (created once, then reused)."""

from __future__ import annotations

import subprocess
from pathlib import Path

DEMO_TASKS = (
    ("add-caching", "Add a small LRU cache in front of the slow lookup in src/inventory.py"),
    ("fix-parser", "Fix the date parser so it accepts ISO week dates [ask]"),
    ("write-docs", "Write a short usage guide for the inventory module"),
    ("add-input-validation", "Validate the quantities passed to src/inventory.py"),
    ("speed-up-report", "Make the stock report faster on large inventories"),
    ("add-csv-export", "Export the inventory as CSV [ask]"),
    ("fix-rounding", "Fix the rounding of prices in the report"),
    ("add-logging", "Log every stock change with its reason"),
    ("refactor-dates", "Split src/dates.py into parsing and formatting"),
    ("add-type-hints", "Add type hints to src/inventory.py"),
    ("handle-empty-stock", "Say clearly when an item is out of stock [ask]"),
    ("write-changelog", "Write a CHANGELOG entry for the last changes"),
)


def demo_agents(count: int) -> list[tuple[str, str]]:
    """The first `count` demo agents (name, first prompt): past the list, its tasks again
    with numbered names (`add-caching-2`), as the spawn form numbers them."""
    out: list[tuple[str, str]] = []
    for i in range(max(count, 0)):
        name, task = DEMO_TASKS[i % len(DEMO_TASKS)]
        rounds = i // len(DEMO_TASKS)
        out.append((f"{name}-{rounds + 1}" if rounds else name, task))
    return out

DEMO_GRAPH = (
    # (title, prompt, after (indexes of earlier entries), notes the check needs, merge)
    ("Validate SKUs in the lookup", "Reject empty or non-ASCII SKUs in src/inventory.py "
     "[noask]", (), 2, "auto"),
    ("Accept ISO week dates", "Let src/dates.py parse 2026-W49-2 [noask]", (), 1, "auto"),
    ("Document the validation", "Explain the SKU rules in the README [noask]", (0,), 2, "auto"),
    ("Write the release notes", "Summarise the validation and date changes [noask]",
     (1, 2), 1, "review"),
)
"""The task graph `workspace demo` files: the check (workspace.demo.check) wants N notes, so
a task needing 2 fails its first check and passes after one more turn; the last task waits
for the person's review."""

_FILES = {
    "README.md": "# inventory\n\nA tiny sample project for trying workspace.\n",
    # So `n` spawns demo agents here even with no agent CLI installed.
    ".workspace.toml": '[workspace]\ndefault_preset = "demo"\n',
    "src/inventory.py": (
        "def lookup(sku: str) -> int:\n"
        "    \"\"\"Pretend this is slow.\"\"\"\n"
        "    return sum(ord(c) for c in sku) % 97\n"
    ),
    "src/dates.py": (
        "from datetime import date\n\n\n"
        "def parse(text: str) -> date:\n"
        "    return date.fromisoformat(text)\n"
    ),
    "tests/test_inventory.py": (
        "from src.inventory import lookup\n\n\n"
        "def test_lookup() -> None:\n"
        "    assert lookup('a') == 0\n"
    ),
}

_IDENT = {
    "GIT_AUTHOR_NAME": "workspace demo",
    "GIT_AUTHOR_EMAIL": "demo@localhost",
    "GIT_COMMITTER_NAME": "workspace demo",
    "GIT_COMMITTER_EMAIL": "demo@localhost",
}


def ensure_demo_repo(path: Path) -> Path:
    """Create the sample repository at `path` unless it is already there."""
    if (path / ".git").exists():
        return path
    path.mkdir(parents=True, exist_ok=True)
    for rel, text in _FILES.items():
        target = path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    env = {**_IDENT, "PATH": _path()}
    for argv in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "-m", "Sample project for workspace demo"],
    ):
        subprocess.run(argv, cwd=path, env=env, check=True, capture_output=True)
    return path


def _path() -> str:
    import os

    return os.environ.get("PATH", "/usr/bin:/bin")

"""`workspace doctor`: is everything this machine needs here, and which agent CLIs work."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from workspace import __version__
from workspace.core.errors import UsageError

OK, BAD, WARN = "ok  ", "FAIL", "warn"


def _version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"(no answer: {exc.__class__.__name__})"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0][:80] if text else f"(exit {out.returncode})"


def run_doctor(cwd: Path) -> int:
    from workspace.adapters.agents.presets import builtin_presets
    from workspace.adapters.config import load_settings
    from workspace.adapters.git import GitRepo
    from workspace.adapters.locations import state_dir, user_config_file
    from workspace.adapters.tmux import find_tmux, socket_name_for

    failures = 0

    def line(tag: str, what: str, detail: str) -> None:
        print(f"[{tag}] {what:<14} {detail}")

    line(OK, "workspace", f"{__version__} (python {sys.version.split()[0]})")
    try:
        tmux = find_tmux()
        line(OK, "tmux", f"{_version([tmux, '-V'])} at {tmux}")
    except UsageError as exc:
        line(BAD, "tmux", str(exc))
        failures += 1
    git = shutil.which("git")
    if git:
        line(OK, "git", f"{_version([git, '--version'])} at {git}")
    else:
        line(BAD, "git", "not on PATH; install git")
        failures += 1
    repo_top: Path | None = None
    try:
        repo = GitRepo.discover(cwd)
        repo_top = repo.top
        commits = "has commits" if repo.has_commits() else "NO COMMITS: commit once first"
        line(OK if repo.has_commits() else WARN, "repository", f"{repo.top} ({commits})")
        line(OK, "state", f"{state_dir(repo.common_dir)}; tmux server: "
             f"tmux -L {socket_name_for(repo.top)} ls")
    except UsageError as exc:
        line(WARN, "repository", str(exc))
    try:
        settings = load_settings(repo_top)
        sources = ", ".join(settings.sources) or f"defaults (no {user_config_file()})"
        line(OK, "config", sources)
        presets = settings.presets
    except UsageError as exc:
        line(BAD, "config", str(exc))
        failures += 1
        presets = builtin_presets()
    for spec in presets:
        found = shutil.which(spec.command)
        if found is None:
            line(WARN, f"preset {spec.name}", f"{spec.command!r} not on PATH; {spec.install_hint}")
            continue
        version = "built in" if spec.kind == "demo" else _version([found, "--version"])
        if spec.kind == "shell":
            version = "your shell"
        line(OK, f"preset {spec.name}", f"{version} at {found}")
    return 1 if failures else 0

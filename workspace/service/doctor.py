"""The doctor's report: is everything this machine needs here, and which agent CLIs work.

It opens no workspace, so it still reports when one cannot be opened (tmux missing or too old,
not a git repository, a bad config): saying what is wrong then is its whole point."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from workspace import __version__
from workspace.adapters.agents.presets import builtin_presets
from workspace.adapters.git import GitRepo
from workspace.adapters.locations import state_dir, user_config_file
from workspace.adapters.repo_trust import load_trusted_settings
from workspace.adapters.store import SCHEMA_VERSION
from workspace.adapters.store.health import (
    DAMAGED,
    READ_ONLY,
    UNOPENABLE,
    check,
    fix_modes,
    set_aside,
)
from workspace.adapters.tmux import find_tmux, recorded_socket, socket_name_for
from workspace.core.errors import UsageError
from workspace.core.settings import PresetSpec


class Severity(StrEnum):
    OK = "ok"
    WARN = "warn"
    """Works, but something is missing (an agent CLI, a first commit)."""
    FAIL = "fail"
    """Nothing will work until this is fixed."""


@dataclass(frozen=True)
class Finding:
    severity: Severity
    what: str
    detail: str


@dataclass(frozen=True)
class DoctorReport:
    findings: tuple[Finding, ...]
    untrusted: str = ""
    """One line when the repository's config file waits for trust (its presets were not
    probed): the verb exits 2 with it, after the report."""

    @property
    def failures(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.FAIL)


def doctor_report(cwd: Path, repair: bool = False) -> DoctorReport:
    """Check, in order: this program, tmux, git, the repository at `cwd` and its state
    database, the config, and the command of every preset. `repair`: also repair the state
    database where that loses nothing (see `state_findings`)."""
    found: list[Finding] = []

    def note(severity: Severity, what: str, detail: str) -> None:
        found.append(Finding(severity, what, detail))

    note(Severity.OK, "workspace", f"{__version__} (python {sys.version.split()[0]})")
    try:
        tmux = find_tmux()
        note(Severity.OK, "tmux", f"{_version([tmux, '-V'])} at {tmux}")
    except UsageError as exc:
        note(Severity.FAIL, "tmux", str(exc))
    git = shutil.which("git")
    if git:
        note(Severity.OK, "git", f"{_version([git, '--version'])} at {git}")
    else:
        note(Severity.FAIL, "git", "not on PATH; install git")
    repo_top: Path | None = None
    try:
        repo = GitRepo.discover(cwd)
        repo_top = repo.top
        has_commits = repo.has_commits()
        commits = "has commits" if has_commits else "NO COMMITS: commit once first"
        note(Severity.OK if has_commits else Severity.WARN, "repository",
             f"{repo.top} ({commits})")
        state = state_dir(repo.common_dir)
        recorded = recorded_socket(state)
        socket = recorded[0] if recorded else socket_name_for(repo.top)
        note(Severity.OK, "state", f"{state}; tmux server: tmux -L {socket} ls")
        found.extend(state_findings(state / "state.db", repair))
    except UsageError as exc:
        # Not a failure: doctor is also run outside any repository, before the first one.
        note(Severity.WARN, "repository", str(exc))
    presets: tuple[PresetSpec, ...]
    untrusted = ""
    try:
        settings, trust = load_trusted_settings(repo_top)
        sources = ", ".join(settings.sources) or f"defaults (no {user_config_file()})"
        if trust is not None and trust.needs_trust:
            untrusted = trust.summary()
            note(Severity.WARN, "config", f"{sources} ({trust.path.name} NOT TRUSTED: what it"
                 " would run is not used)")
        else:
            note(Severity.OK, "config", sources)
        presets = settings.presets
    except UsageError as exc:
        note(Severity.FAIL, "config", str(exc))
        presets, trust = builtin_presets(), None  # still say which built-in CLIs are installed
    for spec in presets:
        if trust is not None and trust.withholds(f"presets.{spec.name}"):
            # Probing runs the program (`--version`): not one an untrusted file chose.
            note(Severity.WARN, f"preset {spec.name}",
                 f"not run: {trust.refusal(f'presets.{spec.name}')}")
        else:
            found.append(_preset_finding(spec))
    return DoctorReport(tuple(found), untrusted)


def state_findings(path: Path, repair: bool) -> list[Finding]:
    """Is the state database usable, and if not, why and how to recover. With `repair`: a
    damaged one is set aside (renamed, never deleted) so a fresh one starts, and modes this
    user may fix are fixed; a locked or newer one is left as it is (nothing here would help)."""
    health = check(path, SCHEMA_VERSION)
    if health.kind is None:
        return [Finding(Severity.OK, "state.db", health.detail)]
    if not repair:
        return [Finding(Severity.FAIL, "state.db", health.detail)]
    done: list[Finding] = []
    if health.kind == DAMAGED:
        kept = set_aside(path)
        done.append(Finding(Severity.OK, "repaired", f"kept the damaged state as {kept}; a "
                            "fresh one starts now ('workspace adopt' brings back running "
                            "agents)"))
    elif health.kind in (READ_ONLY, UNOPENABLE):
        for change in fix_modes(path):
            done.append(Finding(Severity.OK, "repaired", f"mode of {change}"))
    after = check(path, SCHEMA_VERSION)
    if after.kind is None:
        return [*done, Finding(Severity.OK, "state.db", after.detail)]
    return [*done, Finding(Severity.FAIL, "state.db", after.detail)]


def _preset_finding(spec: PresetSpec) -> Finding:
    what = f"preset {spec.name}"
    path = shutil.which(spec.command)
    if path is None:
        return Finding(Severity.WARN, what, f"{spec.command!r} not on PATH; {spec.install_hint}")
    if spec.kind == "demo":
        version = "built in"
    elif spec.kind == "shell":
        version = "your shell"
    else:
        version = _version([path, "--version"])
    return Finding(Severity.OK, what, f"{version} at {path}")


def _version(argv: list[str]) -> str:
    """The first line a program prints for its version. stdout is read apart from stderr:
    CLIs on node print runtime warnings on stderr before the version on stdout."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"(no answer: {exc.__class__.__name__})"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0][:80] if text else f"(exit {out.returncode})"

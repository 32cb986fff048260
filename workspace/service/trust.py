"""Trust in a repository's own config file, for `workspace trust`: it opens no workspace (no
tmux server, no state), only the repository and its config, so it works before anything else
does. `Workspace.trust_notice()` and `trust_repo_config()` are the same for an open workspace."""

from __future__ import annotations

from pathlib import Path

from workspace.adapters.git import GitRepo
from workspace.adapters.locations import REPO_CONFIG_NAME
from workspace.adapters.repo_trust import (
    RepoTrust,
    load_trusted_settings,
    revoke_repo_file,
    trust_repo_file,
)
from workspace.adapters.trust import trust_file


def repo_config_file(cwd: Path) -> Path:
    """Where the repository at `cwd` keeps its own config (it may not exist)."""
    return GitRepo.discover(cwd).top / REPO_CONFIG_NAME


def repo_config_trust(cwd: Path) -> RepoTrust | None:
    """The repository's config file, what of it waits for trust, and whether it is trusted
    as it is now; None when there is no such file. A bad file raises its problems."""
    _, trust = load_trusted_settings(GitRepo.discover(cwd).top)
    return trust


def trust_repo_config(cwd: Path, sha256: str) -> RepoTrust:
    """Trust the file's content with digest `sha256` (the one shown to the person)."""
    return trust_repo_file(GitRepo.discover(cwd).top, sha256)


def revoke_repo_config(cwd: Path) -> bool:
    return revoke_repo_file(GitRepo.discover(cwd).top)


def trust_record_file() -> Path:
    """Where trust is recorded: the person's own state dir, never a repository."""
    return trust_file()

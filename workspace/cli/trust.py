"""`workspace trust`: show what the repository's own `.workspace.toml` would run or which
paths it would choose, and trust that content (or `--show`, `--revoke`).

Until trusted, those keys are not used, and whatever would use them refuses with one line
naming this verb (docs/config.md, "Trust")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from workspace.cli.common import add_verb
from workspace.core.errors import UsageError

if TYPE_CHECKING:
    from workspace.cli.common import Subparsers
    from workspace.service import RepoTrust


def register(sub: Subparsers) -> None:
    p = add_verb(sub, "trust", command_trust,
                 "show what this repository's .workspace.toml would run, and trust it")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--yes", "-y", action="store_true",
                       help="trust it without asking (for scripts: read what it runs first)")
    group.add_argument("--show", action="store_true",
                       help="only say whether it is trusted (exit 1 if it waits for trust)")
    group.add_argument("--revoke", action="store_true", help="stop trusting it")


def command_trust(args: argparse.Namespace) -> int:
    from workspace.service import trust as service

    cwd = Path(args.cwd).expanduser() if args.cwd else Path.cwd()
    if args.revoke:
        path = service.repo_config_file(cwd)
        if service.revoke_repo_config(cwd):
            print(f"no longer trusted: {path}; its commands are not used until you trust it")
        else:
            print(f"{path} was not trusted; nothing changed")
        return 0
    trust = service.repo_config_trust(cwd)
    if trust is None:
        print(f"no {service.repo_config_file(cwd)}; nothing to trust")
        return 0
    if not trust.keys:
        print(f"{trust.path} runs no program and chooses no path; it applies as it is, "
              "nothing to trust")
        return 0
    _show(trust)
    if trust.trusted:
        print(f"trusted: this content (sha256 {trust.digest[:12]}) is used as it is")
        return 0
    if args.show:
        again = "; it changed since you trusted it" if trust.changed else ""
        print(f"not trusted{again}: none of the above is used (trust it: workspace trust)")
        return 1
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError("trusting needs a yes: run 'workspace trust' in a terminal, or "
                             "'workspace trust --yes' once you have read what it runs")
        answer = input("Trust this file as it is now? These commands then run as you. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("not trusted; nothing changed")
            return 1
    done = service.trust_repo_config(cwd, trust.digest)
    print(f"trusted {done.path} (sha256 {done.digest[:12]}), recorded in "
          f"{service.trust_record_file()}; a change to the file needs trust again")
    return 0


def _show(trust: RepoTrust) -> None:
    state = ("trusted" if trust.trusted else
             "CHANGED since you trusted it" if trust.changed else "not trusted")
    print(f"{trust.path} ({state}) would run or choose:")
    for line in trust.lines():
        print(line)

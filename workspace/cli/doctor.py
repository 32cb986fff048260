"""`workspace doctor`: prints the service's report; exit 1 if anything failed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from workspace.cli.common import add_verb
from workspace.core.errors import UsageError

if TYPE_CHECKING:
    from workspace.cli.common import Subparsers

_TAGS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}
"""Keyed by the service's Severity values (a StrEnum), so the service loads only when run."""


def register(sub: Subparsers) -> None:
    p = add_verb(sub, "doctor", command_doctor,
                 "check tmux, git, the state, agent CLIs and config")
    p.add_argument("--repair", action="store_true",
                   help="repair the state where nothing is lost: a damaged state.db is kept "
                   "aside (state.db.damaged-<time>) and a fresh one starts; modes are fixed")


def command_doctor(args: argparse.Namespace) -> int:
    from workspace.service import doctor_report

    report = doctor_report(Path(args.cwd) if args.cwd else Path.cwd(), args.repair)
    for finding in report.findings:
        print(f"[{_TAGS[finding.severity]}] {finding.what:<14} {finding.detail}")
    if report.untrusted:
        raise UsageError(report.untrusted)  # after the report, which says what else is wrong
    return 1 if report.failures else 0

"""`workspace` with no verb: the TUI for the repository in the current directory."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from workspace.cli.common import open_workspace
from workspace.core.errors import UsageError

if TYPE_CHECKING:
    from workspace.service import Workspace


def command_tui(args: argparse.Namespace) -> int:
    return run_tui(open_workspace(args))


def run_tui(ws: Workspace) -> int:
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise UsageError("the TUI needs a terminal; use a verb (see 'workspace --help') in scripts")
    from workspace.ui.app import run  # Textual loads only for the TUI

    return run(ws)

"""The core ring stays pure: importing it loads no textual, libtmux, git, sqlite3 or subprocess."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("textual", "libtmux", "git", "sqlite3", "subprocess", "watchfiles", "genai_prices")


def test_core_imports_no_io_or_ui_modules() -> None:
    code = (
        "import sys, pkgutil, importlib, workspace.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'workspace.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    leaked = [name for name in FORBIDDEN if name in loaded]
    assert leaked == [], f"workspace.core loads {leaked}"

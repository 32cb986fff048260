"""A long-running process (the autopilot) reads the settings again when a config file or
the trust record changes; a file broken meanwhile is said once and the settings stay."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.config import write_user_config
from workspace.adapters.locations import user_config_file
from workspace.service import Workspace


def _touch_later(path: Path) -> None:
    """A stat that differs even within one timestamp tick of the file system (two writes of
    the same size a millisecond apart may share their mtime; a person's edits do not)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))


def _rewrite(text: str) -> None:
    write_user_config(text)
    _touch_later(user_config_file())


def test_settings_follow_their_files(repo: Path) -> None:
    write_user_config("[tasks]\nmax_agents = 3\n")
    ws = Workspace.open(repo)
    try:
        ctx = ws.ctx
        assert ctx.follow_settings() is None and ctx.settings.tasks.max_agents == 3
        _rewrite("[tasks]\nmax_agents = 7\n")
        assert ctx.follow_settings() == "" and ctx.settings.tasks.max_agents == 7
        assert ctx.follow_settings() is None  # read once per change

        _rewrite("[tasks]\nmax_agents = -1\n")
        said = ctx.follow_settings()
        assert said and "max_agents" in said and "\n" not in said, said
        assert ctx.settings.tasks.max_agents == 7  # kept as they were
        assert ctx.follow_settings() is None  # the same broken file is said once

        (repo / ".workspace.toml").write_text("[tasks]\nmax_agents = 2\n")
        _rewrite("[tasks]\nmax_agents = 4\n")
        assert ctx.follow_settings() == "" and ctx.settings.tasks.max_agents == 2
    finally:
        ws.close()

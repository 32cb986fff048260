"""The Textual app: wiring only (themes, keymap, the main screen)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from textual.app import App

from workspace.service import Workspace
from workspace.ui.commands import ActionCommands
from workspace.ui.screens.main import MainScreen
from workspace.ui.themes import STATUS_VARIABLES, register_themes

DEFAULT_THEME = "workspace-dark"
WORKER_THREADS = 64
"""Room for every long-lived worker loop and the actions beside them."""


class WorkspaceApp(App[None]):
    TITLE = "workspace"
    COMMANDS = App.COMMANDS | {ActionCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, ws: Workspace) -> None:
        super().__init__()
        self.ws = ws

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(STATUS_VARIABLES)

    def on_mount(self) -> None:
        # Textual runs thread workers in the loop's default executor, min(32, cores + 4)
        # threads: on 2 cores six long-lived loops (poll, watch, radar, the Tasks and plan
        # views' readers...) took them all and a person's action queued behind them forever.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="workspace"))
        files, problems = self.ws.theme_files()
        for problem in register_themes(self, files, problems):
            self.notify(f"theme skipped: {problem}", severity="warning", timeout=8)
        wanted = self.ws.settings.workspace.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.theme = DEFAULT_THEME
            self.notify(f"unknown theme {wanted!r}; using {DEFAULT_THEME}", severity="warning")
        keys = dict(self.ws.settings.keys)
        self.set_keymap(keys)
        self.push_screen(MainScreen(self.ws))


def run(ws: Workspace) -> int:
    WorkspaceApp(ws).run()
    print("workspace: agents keep running; run 'workspace' again to come back.")
    return 0

"""The Textual app: wiring only (themes, keymap, the main screen)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from textual.app import App
from textual.screen import Screen

from workspace.core.actions import ACTIONS
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
        # Only the keys the person changed: Textual applies a keymap to every binding at
        # every key press, and the settings hold every action's key, defaults too.
        defaults = {a.name: a.key for a in ACTIONS}
        self.set_keymap({name: key for name, key in self.ws.settings.keys
                         if defaults.get(name) != key})
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self.push_screen(MainScreen(self.ws))

    def _screen_changed(self, _screen: Screen[object]) -> None:
        # A dialog's widgets that watched the app or a screen (a TextArea watches app.theme)
        # stay referenced from there until the watched value changes: drop them as dialogs go.
        prune_watchers(self)
        for screen in self.screen_stack:
            prune_watchers(screen)


def prune_watchers(node: object) -> int:
    """Drop the watchers closed widgets left on `node`; how many went. Textual keeps a
    `self.watch(node, ...)` entry until the watched attribute next changes, and with it the
    whole widget (docs/upstream/textual-footer-leak.md)."""
    watchers: dict[str, list[tuple[object, object]]] = getattr(node, "__watchers", {})
    dropped = 0
    for entries in watchers.values():
        alive = [(owner, callback) for owner, callback in entries
                 if not (getattr(owner, "_closing", False) or getattr(owner, "_closed", False))]
        dropped += len(entries) - len(alive)
        entries[:] = alive
    return dropped


def run(ws: Workspace) -> int:
    WorkspaceApp(ws).run()
    print("workspace: agents keep running; run 'workspace' again to come back.")
    return 0

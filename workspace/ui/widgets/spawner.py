"""Spawning from the form: each agent the form asks for in its own worker, so rows appear as
each is made; a spawn that fails brings the form back as the person filled it in, with the
error (at once when nothing else is open, else at the next `n`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual import on
from textual.widget import Widget

from workspace.core import format as fmt
from workspace.core.errors import UsageError
from workspace.service import Workspace
from workspace.ui.dialogs.spawn import SpawnRequest, SpawnScreen
from workspace.ui.jobs import run_job
from workspace.ui.messages import SpawnDraft, SpawnFailed


class Spawner(Widget):
    DEFAULT_CSS = "Spawner { display: none; }"

    def __init__(self, ws: Workspace, taken: Callable[[], set[str]], **kwargs: object) -> None:
        """`taken`: the names agents have now."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.ws = ws
        self.taken = taken
        self._draft: SpawnDraft | None = None
        self._error = ""

    def open(self) -> None:
        """The form; as it was left by a spawn that failed, if one did."""
        draft, error = self._draft, self._error
        self._draft, self._error = None, ""
        self.app.push_screen(SpawnScreen(self.ws, self.taken(), draft, error), self._requested)

    def _requested(self, request: SpawnRequest | None) -> None:
        if request is None:
            return
        self.notify(f"spawning {fmt.listing(request.names)}…", timeout=3)
        for name in request.names:
            run_job(self, f"spawn {name}", partial(self._spawn_one, name, request))

    def _spawn_one(self, name: str, request: SpawnRequest) -> str | None:
        try:
            agent = self.ws.spawn(name, preset=request.preset, base=request.base,
                                  prompt=request.prompt, budget_usd=request.budget)
        except UsageError as exc:
            self.post_message(SpawnFailed(request.draft, name, str(exc)))
            return None
        return f"spawned {agent.name} ({agent.preset}) on {agent.branch}"

    @on(SpawnFailed)
    def _failed(self, message: SpawnFailed) -> None:
        message.stop()
        if self._draft is message.draft or isinstance(self.app.screen, SpawnScreen):
            return  # a sibling of this request failed too: the form says the first
        self._draft, self._error = message.draft, f"{message.name}: {message.error}"
        if self.app.screen is self.screen:
            self.open()
        else:
            self.notify(f"spawn {message.name} failed: {message.error}; n brings the form "
                        "back as you filled it in", severity="error", timeout=10, markup=False)

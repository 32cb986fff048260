"""Command palette entries for every action (ctrl+p), each with its key."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from workspace.core.actions import ACTIONS, Action
from workspace.ui.keys import shown_key


class ActionCommands(Provider):
    def _key(self, action: Action) -> str:
        """The action's key as the person's config binds it."""
        ws = getattr(self.app, "ws", None)
        key = ws.settings.key_for(action.name) if ws is not None else None
        return shown_key(key or action.key)

    def _help(self, action: Action) -> str:
        return f"{self._key(action)} · {action.help}"

    async def discover(self) -> Hits:
        for action in ACTIONS:
            yield DiscoveryHit(f"{action.title}  ({self._key(action)})",
                               partial(self._run, action.name), help=self._help(action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action in ACTIONS:
            score = matcher.match(f"{action.title} {action.help}")
            if score > 0:
                title = matcher.highlight(f"{action.title}  ({self._key(action)})")
                yield Hit(score, title, partial(self._run, action.name),
                          help=self._help(action))

    async def _run(self, name: str) -> None:
        await self.screen.run_action(name)

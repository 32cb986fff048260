"""Talk to agents without attaching: send a message, type keys, interrupt, approve, deny.

Text goes through a tmux buffer and a (bracketed) paste, then Enter after a short pause: never
through a shell, never as key names. Every text typed into a pane (a message, a broadcast, a
first prompt typed in, a rebase request) passes `paste_and_submit`, which cleans it first
(core/text.py: no control byte or escape sequence acts as a key). A message is refused while a
permission prompt is up, because its Enter would answer the prompt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from workspace.core.agent import Agent, Status
from workspace.core.errors import UsageError
from workspace.core.text import Cleaned, clean_message, is_key_name
from workspace.service.context import Context

MAX_MESSAGE = 1_000_000


@dataclass(frozen=True)
class SendResult:
    name: str
    ok: bool
    error: str = ""
    changes: str = ""
    """What cleaning changed in the message (Cleaned.summary), '' when nothing."""


class Messenger:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _live_pane(self, agent: Agent, what: str) -> str:
        if agent.status.ended:
            raise UsageError(
                f"{agent.name} has {agent.status.value}; restart it first "
                f"('workspace restart {agent.name}')"
            )
        if agent.status == Status.PAUSED:
            raise UsageError(f"{agent.name} is paused; resume it before you {what}")
        pane = self.ctx.pane(agent)
        if pane is None or pane.dead:
            raise UsageError(f"{agent.name}'s pane is gone; restart it first")
        return pane.pane_id

    @staticmethod
    def check_message(text: str) -> Cleaned:
        """The message as it would be sent; UsageError if it cannot be sent to anyone (asked
        once before a message goes to several agents)."""
        if not text.strip():
            raise UsageError("the message is empty; type something to send")
        cleaned = clean_message(text)
        if not cleaned.text.strip():
            raise UsageError("the message holds only escape sequences and control characters; "
                             "type text to send")
        if len(cleaned.text.encode()) > MAX_MESSAGE:
            raise UsageError(f"the message is over {MAX_MESSAGE // 1000} KB; send a file path")
        return cleaned

    def send(self, name: str, text: str, submit: bool = True) -> Cleaned:
        """Returns the message as sent and what cleaning changed, for the person to see."""
        cleaned = self.check_message(text)
        agent = self.ctx.agent(name)
        if agent.status == Status.NEEDS_PERMISSION:
            raise UsageError(
                f"{name} is waiting for a permission answer; approve or deny it first "
                f"('workspace approve {name}' / 'workspace deny {name}')"
            )
        pane_id = self._live_pane(agent, "send to it")
        self.paste_and_submit(agent, pane_id, cleaned.text, submit)
        return cleaned

    def paste_and_submit(self, agent: Agent, pane_id: str, text: str, submit: bool) -> Cleaned:
        """The one way text reaches a pane, so no caller can skip the cleaning."""
        cleaned = clean_message(text)
        if not cleaned.text:
            return cleaned  # nothing left to type: an Enter alone would submit nothing
        integ = self.ctx.integration(agent.preset)
        self.ctx.tmux.paste(pane_id, cleaned.text, buffer=f"ws-{agent.id}")
        if submit:
            # TUIs treat keys that arrive right after a paste as part of it.
            time.sleep(integ.submit_delay + min(len(cleaned.text) / 200_000, 1.5))
            self.ctx.tmux.send_keys(pane_id, "Enter")
        return cleaned

    def send_many(self, names: list[str], text: str) -> list[SendResult]:
        results = []
        for name in names:
            try:
                cleaned = self.send(name, text)
                results.append(SendResult(name, True, changes=cleaned.summary()))
            except UsageError as exc:
                results.append(SendResult(name, False, str(exc)))
        return results

    def type_keys(self, name: str, keys: list[str], literal: str = "") -> None:
        """Inline typing from the TUI: literal characters, or key names (Enter, BSpace...).
        The person presses each key live, so key names (C-c too) go through; literal text is
        cleaned like a message, so a chunk of it cannot smuggle a control byte in."""
        bad = [k for k in keys if not is_key_name(k)]
        if bad:
            raise UsageError(f"{bad[0]!r} is not a key name; send text with 'workspace send'")
        agent = self.ctx.agent(name)
        pane_id = self._live_pane(agent, "type into it")
        literal = clean_message(literal).text
        if literal:
            self.ctx.tmux.send_literal(pane_id, literal)
        if keys:
            self.ctx.tmux.send_keys(pane_id, *keys)

    def interrupt(self, name: str) -> None:
        agent = self.ctx.agent(name)
        pane_id = self._live_pane(agent, "interrupt it")
        self.ctx.tmux.send_keys(pane_id, *self.ctx.integration(agent.preset).interrupt_keys())
        self.ctx.record(agent, "interrupted")

    def approve(self, name: str, always: bool = False) -> None:
        agent = self._asking(name)
        pane_id = self._live_pane(agent, "approve")
        self.ctx.tmux.send_keys(pane_id, *self.ctx.integration(agent.preset).approve_keys(always))
        self.ctx.record(agent, "approved")

    def deny(self, name: str) -> None:
        agent = self._asking(name)
        pane_id = self._live_pane(agent, "deny")
        self.ctx.tmux.send_keys(pane_id, *self.ctx.integration(agent.preset).deny_keys())
        self.ctx.record(agent, "denied")

    def _asking(self, name: str) -> Agent:
        agent = self.ctx.agent(name)
        if agent.status != Status.NEEDS_PERMISSION:
            raise UsageError(f"{name} is not asking for permission (it is {agent.status.value})")
        return agent

"""Notifications outside the TUI: what the person's `[notify] command` gets on stdin (one JSON
object per event), and the terminal's own notifications (OSC 9, OSC 777, through tmux's
passthrough). Pure.

The text in an event comes from agents (a status reason is pane text or a hook's message), so
it is made plain here: no control character or escape sequence reaches a terminal, an
environment variable or a notification daemon. JSON escapes what it holds anyway."""

from __future__ import annotations

import re
from datetime import datetime

from workspace.core.agent import Agent, Status
from workspace.core.format import STATUS_LABEL
from workspace.core.settings.model import TerminalNotify

REASON_LIMIT = 300
"""Characters of a reason kept: a notification is a line, not a log."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def plain(text: str, limit: int = REASON_LIMIT) -> str:
    """One line of text: control characters (escape sequences' ESC included) become a
    space, runs of spaces one; cut to `limit` characters."""
    line = " ".join(_CONTROL.sub(" ", text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def iso_time(at: float) -> str:
    """Local time with its offset, to the second: 2026-08-14T10:12:03+02:00."""
    return datetime.fromtimestamp(at).astimezone().isoformat(timespec="seconds")


def needs_you_event(workspace: str, agent: Agent, previous: str, at: float
                    ) -> dict[str, object]:
    """An agent started needing the person (its status became one of NEEDS_YOU)."""
    reason = plain(agent.status_reason)
    title = f"{agent.name} {STATUS_LABEL[agent.status]}"
    return {
        "event": "needs_you",
        "workspace": workspace,
        "agent": agent.name,
        "status": agent.status.value,
        "previous": previous,
        "reason": reason,
        "task": agent.task_id,
        "time": iso_time(at),
        "title": title,
        "message": f"{workspace}: {title}" + (f": {reason}" if reason else ""),
    }


def task_event(workspace: str, task_id: str, kind: str, detail: str, at: float,
               title: str = "", state: str = "", agent: str | None = None
               ) -> dict[str, object]:
    """Something happened to a task (filed, attempt, checked, merged, failed, verdict...):
    one of its recorded events."""
    reason = plain(detail)
    heading = f"task {task_id} {kind}"
    named = f" ({plain(title, 80)})" if title else ""
    return {
        "event": "task",
        "workspace": workspace,
        "kind": kind,
        "task": task_id,
        "task_title": plain(title, 200),
        "status": state,
        "agent": agent,
        "reason": reason,
        "time": iso_time(at),
        "title": heading,
        "message": f"{workspace}: {heading}{named}" + (f": {reason}" if reason else ""),
    }


def needs_you(before: str, now: Status) -> bool:
    """A change to notify: into a status that needs the person, from any other one."""
    return now.needs_you and before != now.value


def terminal_sequence(kind: TerminalNotify, title: str, body: str, in_tmux: bool) -> str:
    """The escape sequence that asks the terminal for a desktop notification; "" for "off".
    Inside tmux it is wrapped for passthrough (tmux drops it unless `allow-passthrough` is
    on), every ESC in it doubled."""
    title, body = plain(title, 80).replace(";", ","), plain(body)
    if kind == "osc9":
        # OSC 9 takes one text; ConEmu reads "9;<digit>;" as other commands, so a word
        # comes first.
        sequence = f"\x1b]9;workspace: {title}: {body}\x07" if body else (
            f"\x1b]9;workspace: {title}\x07")
    elif kind == "osc777":
        sequence = f"\x1b]777;notify;workspace: {title};{body}\x07"
    else:
        return ""
    if in_tmux:
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence

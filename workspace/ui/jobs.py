"""The one idiom for a person's action: the service call runs in a thread worker of the widget
that started it, and its one-line result comes back as ActionFinished (which bubbles up to
the screen, which shows it and polls again)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import get_current_worker

from workspace.core.errors import UsageError
from workspace.ui.messages import ActionFinished


def run_job(node: DOMNode, description: str, job: Callable[[], str | None]) -> None:
    """Run `job` off the UI thread. It may post facts of its own to `node`; what it returns
    (or the error a person can fix) is posted as ActionFinished."""

    def run() -> None:
        try:
            text = job()
        except UsageError as exc:
            node.post_message(ActionFinished(str(exc), error=True))
            return
        except Exception as exc:
            node.post_message(ActionFinished(f"{description} failed: {exc!r}", error=True))
            return
        node.post_message(ActionFinished(text or ""))

    node.run_worker(run, thread=True, exit_on_error=False, group="actions",
                    description=description)


def read_every(node: DOMNode, wake: threading.Event, read: Callable[[], Message], failed: str,
               seconds: float = 1.0, stop_on_error: bool = False) -> None:
    """In a thread worker of `node`: post what `read` returns, again every `seconds` or as
    soon as `wake` is set, until the worker is cancelled. A failure is posted as
    ActionFinished (`failed`: what could not be read)."""
    worker = get_current_worker()
    while not worker.is_cancelled:
        try:
            node.post_message(read())
        except Exception as exc:
            node.post_message(ActionFinished(f"{failed}: {exc}", True, refresh=False))
            if stop_on_error:
                return
        wake.wait(seconds)
        wake.clear()

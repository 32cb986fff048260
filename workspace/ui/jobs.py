"""The one idiom for a person's action: the service call runs in a thread worker of the widget
that started it, and its one-line result comes back as ActionFinished (which bubbles up to
the screen, which shows it and polls again)."""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode

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

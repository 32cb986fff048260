"""The merge queue on one line: every queued agent in order with its state (merged, merging,
failed, queued). It reads the queue at start (one left stopped or interrupted by an earlier
run is shown), runs a new one, and hides once every agent in it has merged."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.widgets import Static

from workspace.core.errors import UsageError
from workspace.core.review.queue import QueueItemState, QueueState
from workspace.service import Workspace
from workspace.ui.dialogs.merge import MergeRequest
from workspace.ui.jobs import run_job
from workspace.ui.messages import MergeFinished, QueueChanged

QUEUE_GLYPH = {QueueItemState.MERGED: "✓", QueueItemState.FAILED: "✗",
               QueueItemState.MERGING: "…", QueueItemState.INTERRUPTED: "!"}


class MergeQueueBar(Static):
    def __init__(self, ws: Workspace, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.ws = ws

    def on_mount(self) -> None:
        def job() -> None:
            self.post_message(QueueChanged(self.ws.queue_state()))

        run_job(self, "read the merge queue", job)

    def run(self, request: MergeRequest) -> None:
        """Merge the agents one after the other; the queue stops at the first that fails."""
        def progressed(state: QueueState) -> None:
            self.post_message(QueueChanged(state))

        def job() -> str:
            report = self.ws.merge_queue(
                list(request.names), strategy=request.strategy, gate=request.gate,
                commit_wip=request.commit_wip, on_progress=progressed)
            for result in report.results:
                self.post_message(MergeFinished(result))
            if report.ok:
                return f"merge queue done: merged {', '.join(report.state.merged)}"
            queued = f"; still queued: {', '.join(report.queued)}" if report.queued else ""
            raise UsageError(f"merge queue stopped at {report.failed}: {report.error}{queued}")

        run_job(self, "merge queue", job)

    @on(QueueChanged)
    def _changed(self, message: QueueChanged) -> None:
        message.stop()
        self.show_state(message.state)

    def show_state(self, state: QueueState) -> None:
        if not state.items or (not state.running and len(state.merged) == len(state.items)):
            self.remove_class("on")
            return
        parts = Text("merge queue: ", style="bold")
        for i, item in enumerate(state.items):
            if i:
                parts.append(" · ")
            glyph = QUEUE_GLYPH.get(item.state, "◌")
            style = {QueueItemState.MERGED: "green", QueueItemState.FAILED: "red bold",
                     QueueItemState.MERGING: "bold"}.get(item.state, "")
            parts.append(f"{glyph} {item.name} {item.state}", style=style)
        if not state.running and state.queued:
            parts.append("   fix it, then m with the rest marked", style="dim")
        self.update(parts)
        self.add_class("on")

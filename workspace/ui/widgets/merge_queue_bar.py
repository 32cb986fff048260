"""The merge queue on one line: a person's queue, every agent in order with its state (merged,
merging, failed, queued); the autopilot's refinery, the batch in flight and what it does (the
gate on its tip, bisecting), any culprit or conflict sent back, and how many wait or merged.
It reads the queue at start and then every few seconds (the refinery runs in the autopilot's
process), runs a person's queue, and hides once nothing waits and nothing failed."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.widgets import Static

from workspace.core.errors import UsageError
from workspace.core.review.queue import REFINERY, STOPPED, QueueItemState, QueueState
from workspace.service import Workspace
from workspace.ui.dialogs.merge import MergeRequest
from workspace.ui.jobs import run_job
from workspace.ui.messages import MergeFinished, QueueChanged

QUEUE_GLYPH = {QueueItemState.MERGED: "✓", QueueItemState.FAILED: "✗",
               QueueItemState.CULPRIT: "✗", QueueItemState.REBASE: "↻",
               QueueItemState.MERGING: "…", QueueItemState.INTERRUPTED: "!"}
QUEUE_STYLE = {QueueItemState.MERGED: "green", QueueItemState.FAILED: "red bold",
               QueueItemState.CULPRIT: "red bold", QueueItemState.REBASE: "yellow",
               QueueItemState.MERGING: "bold"}
LOOK_EVERY = 2.0
"""Seconds between reads of the queue (a JSON file and the tasks waiting), in a worker."""
NAMED = 3
"""Waiting tasks named on the line; more are counted."""


class MergeQueueBar(Static):
    def __init__(self, ws: Workspace, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.ws = ws

    def on_mount(self) -> None:
        self._look()
        self.set_interval(LOOK_EVERY, self._look)

    def _look(self) -> None:
        def read() -> None:
            self.post_message(QueueChanged(self.ws.queue_view()))

        # exclusive: a slow read is replaced by the next, never piled up
        self.run_worker(read, thread=True, exclusive=True, group="queue-look",
                        exit_on_error=False, description="read the merge queue")

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
        line = queue_line(state)
        if line is None:
            self.remove_class("on")
            return
        self.update(line)
        self.add_class("on")


def queue_line(state: QueueState) -> Text | None:
    """What the bar shows, or None when it hides (nothing waits, runs or failed)."""
    live = (QueueItemState.QUEUED, QueueItemState.MERGING, QueueItemState.INTERRUPTED,
            *STOPPED)
    if not state.running and not any(i.state in live for i in state.items):
        return None
    tasks = bool(state.items) and all(i.task for i in state.items)
    if state.kind == REFINERY or state.batch > 1 or tasks:
        return _batched(state, refinery=state.kind == REFINERY or tasks)
    parts = Text("merge queue: ", style="bold")
    for i, item in enumerate(state.items):
        if i:
            parts.append(" · ")
        parts.append(f"{QUEUE_GLYPH.get(item.state, '◌')} {item.name} {item.state}",
                     style=QUEUE_STYLE.get(item.state, ""))
    if not state.running and state.queued:
        parts.append("   fix it, then m with the rest marked", style="dim")
    return parts


def _batched(state: QueueState, refinery: bool) -> Text:
    """The refinery, the autopilot's tasks waiting to merge (or a person's queue in
    batches): what the batch in flight does and who is in it first (the step must fit at 80
    columns), then what was sent back, then counts. Tasks go by their ids."""
    who = "refinery" if refinery else "merge queue"
    batch = f" (batch {state.batch})" if state.batch > 1 else ""
    parts = Text(f"{who}{batch}: ", style="bold")
    short = {i.name: i.task or i.name for i in state.items}
    pieces: list[tuple[str, str]] = []
    if state.in_flight:
        names = ", ".join(short[n] for n in state.in_flight)
        pieces.append((f"… {state.step or 'merging'}: {names}", "bold"))
    for item in state.items:
        if item.state in (*STOPPED, QueueItemState.INTERRUPTED):
            pieces.append((f"{QUEUE_GLYPH[item.state]} {short[item.name]} {item.state}",
                           QUEUE_STYLE.get(item.state, "")))
    waiting = [short[n] for n in state.queued]
    if waiting:
        named = ", ".join(waiting[:NAMED]) + (f" +{len(waiting) - NAMED}"
                                              if len(waiting) > NAMED else "")
        pieces.append((f"◌ {len(waiting)} queued: {named}", ""))
    if state.merged:
        pieces.append((f"✓ {len(state.merged)} merged", "green"))
    if not state.running and state.stopped:
        # Why nothing of it moves, first: a long line is cut at the bar's end.
        pieces.insert(0, (f"✗ {state.stopped}", "red bold"))
    elif not state.running and waiting:
        pieces.append(("waits for the autopilot" if refinery else "stopped", "dim"))
    for i, (text, style) in enumerate(pieces):
        if i:
            parts.append(" · ")
        parts.append(text, style=style)
    return parts

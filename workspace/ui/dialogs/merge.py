"""Merge confirm: what merging would do (or why it cannot), the strategy, the gate, and
whether to commit uncommitted work first. Also used for a queue of marked agents."""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, RadioButton, RadioSet, Static

from workspace.core import format as fmt


@dataclass(frozen=True)
class MergePlanView:
    """What the dialog shows; built from the service's MergeCheck (see `plan_view`)."""

    names: tuple[str, ...]
    base: str
    strategies: tuple[str, ...]
    strategy: str
    gate: str = ""
    """The gate command as text, '' when none is configured."""
    commits: tuple[str, ...] = ()
    stat: str = ""
    checkout: str | None = None
    uncommitted: tuple[str, ...] = ()
    wip_message: str = ""
    problem: str = ""
    conflict: bool = False


@dataclass(frozen=True)
class MergeRequest:
    names: tuple[str, ...]
    strategy: str
    gate: bool
    commit_wip: bool
    wip_message: str | None
    """Only when the person edited the drafted message."""


STRATEGY_HELP = {
    "squash": "squash: one commit on base",
    "merge": "merge: a merge commit",
    "rebase": "rebase: replay commits, fast-forward",
}


class MergeScreen(ModalScreen[MergeRequest | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    MergeScreen { align: center middle; }
    MergeScreen > Vertical { width: 100; max-width: 100%; height: auto; max-height: 95%;
                             border: thick $success;
                             background: $surface; padding: 1 2; }
    MergeScreen.refused > Vertical { border: thick $error; }
    MergeScreen VerticalScroll { height: auto; max-height: 10; margin: 1 0 0 0; }
    MergeScreen #problem, MergeScreen #known { color: $error; margin: 1 0 0 0; }
    MergeScreen #known { display: none; }
    MergeScreen RadioSet { width: 100%; }
    MergeScreen RadioSet > RadioButton { width: auto; }
    MergeScreen #wip-message { margin: 0 0 0 4; }
    MergeScreen .label { margin: 1 0 0 0; color: $text-muted; }
    MergeScreen .label.indented { margin: 0 0 0 5; }
    MergeScreen #buttons { height: auto; align: right middle; margin: 1 0 0 0; }
    MergeScreen Button { margin: 0 0 0 1; }
    MergeScreen #keys-hint { width: 1fr; color: $text-muted; content-align: left middle;
                             height: 3; }
    """

    def __init__(self, plan: MergePlanView) -> None:
        super().__init__()
        self.plan = plan
        self._known = ""

    def compose(self) -> ComposeResult:
        plan = self.plan
        queue = len(plan.names) > 1
        with Vertical():
            if queue:
                yield Static(f"[b]Merge {len(plan.names)} agents into {escape(plan.base)}, in "
                             f"this order:[/b] {escape(', '.join(plan.names))}")
                yield Static("Each is checked against base as the one before left it; the "
                             "queue stops at the first conflict or gate failure and keeps the "
                             "rest queued.")
            else:
                yield Static(f"[b]Merge {escape(plan.names[0])} into {escape(plan.base)}[/b]"
                             + (f" · {escape(plan.stat)}" if plan.stat else ""))
                if plan.commits:
                    with VerticalScroll():
                        shown = "\n".join(f"  {c}" for c in plan.commits[:50])
                        more = len(plan.commits) - 50
                        yield Static(shown + (f"\n  … and {more} more" if more > 0 else ""),
                                     markup=False)
                if plan.checkout:
                    yield Static(f"{escape(plan.base)} is checked out in "
                                 f"{escape(plan.checkout)}: its files will be updated.")
            yield Static("", id="known")
            if plan.problem:
                hint = "\n[b]R[/b] asks the agent to rebase onto base and resolve them." \
                    if plan.conflict else ""
                yield Static(escape(plan.problem) + hint, id="problem")
            yield Static("Strategy", classes="label")
            with RadioSet(id="strategy"):
                for name in plan.strategies:
                    yield RadioButton(STRATEGY_HELP.get(name, name), value=name == plan.strategy,
                                      name=name)
            if plan.gate:
                yield Checkbox(f"Run the gate first: {plan.gate}", value=True, id="gate")
            if plan.uncommitted or queue:
                count = len(plan.uncommitted)
                label = "Commit uncommitted work first" + (
                    f" ({fmt.plural(count, 'file')}: "
                    f"{', '.join(plan.uncommitted[:4])}{'…' if count > 4 else ''})"
                    if count else "")
                yield Checkbox(label, value=bool(plan.uncommitted), id="commit-wip")
            if plan.uncommitted and not queue:
                yield Static("Its commit message:", classes="label indented")
                yield Input(plan.wip_message.splitlines()[0] if plan.wip_message else "",
                            placeholder="commit message", id="wip-message")
            with Horizontal(id="buttons"):
                yield Static("enter merge · tab next · esc cancel", id="keys-hint")
                yield Button("Cancel", id="cancel")
                yield Button("Merge queue" if queue else "Merge", variant="success",
                             id="merge", disabled=bool(plan.problem))

    def conflict_known(self, problem: str) -> None:
        """The radar found a conflict with base while the form is open (a sibling merged):
        one agent cannot merge as it is, so Merge is disabled and the form says why (a
        queue stops at a conflict by itself: it only says so)."""
        notes = self.query("#known").results(Static)
        note = next(notes, None)  # None: not composed yet, or going away
        if not problem or problem == self._known or self.plan.problem or note is None:
            return
        self._known = problem
        queue = len(self.plan.names) > 1
        note.update(escape(problem) + ("; the queue stops there and keeps the rest queued"
                                       if queue else "\n[b]R[/b] asks the agent to rebase "
                                       "onto base and resolve them."))
        note.display = True
        if not queue:
            self.add_class("refused")
            merge = self.query_one("#merge", Button)
            merge.disabled = True
            self.query_one("#cancel", Button).focus()

    def on_mount(self) -> None:
        if self.plan.problem:
            self.add_class("refused")
            self.query_one("#cancel", Button).focus()
        else:
            self.query_one("#merge", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "merge":
            self.dismiss(self.request())
        else:
            self.dismiss(None)

    def request(self) -> MergeRequest:
        chosen = self.query_one(RadioSet).pressed_button
        strategy = chosen.name if chosen is not None and chosen.name else self.plan.strategy
        gate = self.query("#gate")
        wip = self.query("#commit-wip")
        message = None
        inputs = self.query("#wip-message")
        if inputs:
            typed = self.query_one("#wip-message", Input).value.strip()
            drafted = self.plan.wip_message.splitlines()[0] if self.plan.wip_message else ""
            if typed and typed != drafted:
                message = typed
        return MergeRequest(
            names=self.plan.names,
            strategy=strategy,
            gate=self.query_one("#gate", Checkbox).value if gate else False,
            commit_wip=self.query_one("#commit-wip", Checkbox).value if wip else False,
            wip_message=message,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

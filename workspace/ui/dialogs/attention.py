"""The attention list: who needs the person, in the order they started needing them, with
the reason. Enter goes to the chosen agent (and `g` walks the same list from there)."""

from __future__ import annotations

import time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from workspace.core import format as fmt
from workspace.ui.attention import Need


class AttentionScreen(ModalScreen[str | None]):
    """Dismissed with the chosen agent's id, or None."""

    BINDINGS = [Binding("escape,q,a", "close", "Close")]
    DEFAULT_CSS = """
    AttentionScreen { align: center middle; }
    AttentionScreen > Vertical { width: 110; max-width: 100%; height: auto; max-height: 90%;
                                 border: thick $warning; background: $surface; padding: 0 1; }
    AttentionScreen OptionList { height: auto; max-height: 30; border: none; }
    AttentionScreen #hint { color: $text-muted; }
    """

    def __init__(self, needs: list[Need], hidden: set[str] | None = None) -> None:
        """`hidden`: ids of agents the table's filter hides (said on their line)."""
        super().__init__()
        self.needs = needs
        self.hidden = hidden or set()

    def compose(self) -> ComposeResult:
        now = time.time()
        with Vertical():
            if not self.needs:
                yield Static("[b]Nobody needs you right now.[/b]")
            else:
                yield Static(f"[b]{len(self.needs)} need you[/b], longest first")
                yield OptionList(*[Option(self._line(i, n, now), id=n.agent_id)
                                   for i, n in enumerate(self.needs, 1)], id="needs")
            yield Static("enter go to it · g next one later · esc close", id="hint")

    def _line(self, number: int, need: Need, now: float) -> Text:
        text = Text.assemble(
            (f"{number:>2}. ", "dim"), (f"{fmt.STATUS_GLYPH[need.status]} ", "bold"),
            (need.name, "bold"), f"  {fmt.STATUS_LABEL[need.status]}",
            (f" for {fmt.age(now - need.since)}", "dim"))
        if need.reason:
            text.append(f"  {need.reason}")
        if need.agent_id in self.hidden:
            text.append("  (hidden by the filter)", "dim italic")
        text.no_wrap = True
        text.overflow = "ellipsis"
        return text

    def on_mount(self) -> None:
        if self.needs:
            self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)

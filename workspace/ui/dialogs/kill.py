"""Kill confirm, for one agent or several: says exactly what would be lost, keeps it by
default."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from workspace.core import format as fmt
from workspace.core.diffstat import describe_porcelain
from workspace.ui.messages import KillTarget

KillChoice = Literal["keep", "discard"]


class KillScreen(ModalScreen[KillChoice | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    KillScreen { align: center middle; }
    KillScreen > Vertical { width: 90; max-width: 100%; height: auto; max-height: 90%;
                            border: thick $error; background: $surface; padding: 1 2; }
    KillScreen VerticalScroll { height: auto; max-height: 16; margin: 1 0; }
    KillScreen #buttons { height: auto; align: right middle; }
    KillScreen Button { margin: 0 0 0 1; }
    """

    def __init__(self, targets: list[KillTarget]) -> None:
        super().__init__()
        self.targets = targets

    def compose(self) -> ComposeResult:
        clean = all(t.clean for t in self.targets)
        with Vertical():
            if len(self.targets) == 1:
                yield from self._one(self.targets[0])
            else:
                yield from self._many()
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                if clean:
                    yield Button("Kill", variant="error", id="keep")
                else:
                    yield Button("Discard work", variant="error", id="discard")
                    yield Button("Kill, keep work", variant="warning", id="keep")

    def _one(self, t: KillTarget) -> ComposeResult:
        yield Static(f"[b]Kill {t.name}?[/b] Its processes and tmux session end.")
        if t.clean:
            yield Static(f"Its worktree and branch {t.branch} hold nothing that is not on "
                         "base; they will be removed.")
            return
        yield Static(f"Its worktree {t.worktree} holds work that is not on base:")
        with VerticalScroll():
            lines = [f"  {describe_porcelain(line)}" for line in t.uncommitted]
            lines += [f"  commit {line}" for line in t.commits]
            yield Static("\n".join(lines), markup=False)
        yield Static("[b]Kill, keep work[/b] keeps the worktree and branch. "
                     "[b]Discard[/b] removes them after saving a recovery ref.")

    def _many(self) -> ComposeResult:
        yield Static(f"[b]Kill {len(self.targets)} agents?[/b] Their processes and tmux "
                     "sessions end.")
        lines = []
        for t in self.targets:
            if t.clean:
                lines.append(f"{t.name}: nothing that is not on base (worktree and branch "
                             "removed)")
                continue
            held = []
            if t.uncommitted:
                held.append(fmt.plural(len(t.uncommitted), "uncommitted file"))
            if t.commits:
                held.append(fmt.plural(len(t.commits), "commit") + " not on base")
            lines.append(f"{t.name}: {', '.join(held)}")
        with VerticalScroll():
            yield Static("\n".join(lines), markup=False, id="kill-list")
        if not all(t.clean for t in self.targets):
            yield Static("[b]Kill, keep work[/b] keeps the worktrees and branches that hold "
                         "work. [b]Discard[/b] removes them all after saving recovery refs.")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "keep":
            self.dismiss("keep")
        elif event.button.id == "discard":
            self.dismiss("discard")
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

"""Kill confirm: says exactly what would be lost, keeps it by default."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from workspace.core.diffstat import describe_porcelain

KillChoice = Literal["keep", "discard"]


class KillScreen(ModalScreen[KillChoice | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    KillScreen { align: center middle; }
    KillScreen > Vertical { width: 90; height: auto; max-height: 90%; border: thick $error;
                            background: $surface; padding: 1 2; }
    KillScreen VerticalScroll { height: auto; max-height: 16; margin: 1 0; }
    KillScreen #buttons { height: auto; align: right middle; }
    KillScreen Button { margin: 0 0 0 1; }
    """

    def __init__(self, name: str, worktree: str, branch: str, uncommitted: tuple[str, ...],
                 commits: tuple[str, ...]) -> None:
        super().__init__()
        self.agent_name = name
        self.worktree = worktree
        self.branch = branch
        self.uncommitted = uncommitted
        self.commits = commits

    def compose(self) -> ComposeResult:
        clean = not self.uncommitted and not self.commits
        with Vertical():
            yield Static(f"[b]Kill {self.agent_name}?[/b] Its processes and tmux session end.")
            if clean:
                yield Static(f"Its worktree and branch {self.branch} hold nothing that is not on "
                             "base; they will be removed.")
            else:
                yield Static(f"Its worktree {self.worktree} holds work that is not on base:")
                with VerticalScroll():
                    lines = [f"  {describe_porcelain(line)}" for line in self.uncommitted]
                    lines += [f"  commit {line}" for line in self.commits]
                    yield Static("\n".join(lines), markup=False)
                yield Static("[b]Kill, keep work[/b] keeps the worktree and branch. "
                             "[b]Discard[/b] removes them after saving a recovery ref.")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                if clean:
                    yield Button("Kill", variant="error", id="keep")
                else:
                    yield Button("Discard work", variant="error", id="discard")
                    yield Button("Kill, keep work", variant="warning", id="keep")

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

"""The Diff tab: an agent's changed files with +/- each, the selected file's hunks, and the
judge's verdict on its task when there is one (the person reviews both side by side).

Diffs are computed by a thread worker (git never runs on the UI thread) through the loader
the screen gives; a newer request cancels an older one. Reloading keeps the selected file.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from workspace.core import format as fmt
from workspace.core.errors import UsageError
from workspace.core.review.diff import BRANCH, WIP, Diff, FileDiff
from workspace.ui.messages import DiffLoaded
from workspace.ui.widgets.diff_lines import DiffLines

DiffLoader = Callable[[str, str], Diff]
MODE_LABEL = {WIP: "uncommitted work (WIP)", BRANCH: "whole branch"}


class DiffPanel(Vertical):
    DEFAULT_CSS = """
    DiffPanel { height: 1fr; }
    DiffPanel #diff-title { height: 1; padding: 0 1; background: $panel; }
    DiffPanel #diff-verdict { height: auto; max-height: 3; padding: 0 1; display: none; }
    DiffPanel #diff-verdict.approve { display: block; color: $success; }
    DiffPanel #diff-verdict.reject { display: block; color: $warning; }
    DiffPanel #diff-body { height: 1fr; }
    DiffPanel #diff-files { width: 38%; max-width: 60; height: 1fr; border: none; }
    DiffPanel DiffLines { width: 1fr; }
    """

    def __init__(self, loader: DiffLoader, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.loader = loader
        self.name_shown: str | None = None
        self.mode = BRANCH
        self.diff: Diff | None = None
        self._selected_path: str | None = None
        self._loading: tuple[str, str] | None = None
        self._verdict: dict[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Select an agent to see its diff.", id="diff-title")
        yield Static("", id="diff-verdict", markup=False)
        with Horizontal(id="diff-body"):
            yield OptionList(id="diff-files")
            yield DiffLines(id="diff-lines")

    @property
    def files(self) -> OptionList:
        return self.query_one("#diff-files", OptionList)

    @property
    def lines(self) -> DiffLines:
        return self.query_one(DiffLines)

    def show(self, name: str | None, reload: bool = False) -> None:
        """Show this agent's diff: computed anew when the agent changed or `reload`."""
        if name is None:
            self.name_shown, self.diff = None, None
            self._title(Text("No agent selected.", style="dim"))
            self.files.clear_options()
            self.lines.show_file(None)
            return
        if name != self.name_shown:
            self._selected_path = None
            self.diff = None
        elif not reload and self.diff is not None:
            return
        self.name_shown = name
        if self.diff is None:
            self._title(Text(f"{name}: computing the diff…", style="dim"))
        self._load(name, self.mode)

    def toggle_mode(self) -> str:
        self.mode = WIP if self.mode == BRANCH else BRANCH
        if self.name_shown:
            self.diff = None
            self._title(Text(f"{self.name_shown}: computing the diff…", style="dim"))
            self._load(self.name_shown, self.mode)
        return self.mode

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False,
          description="compute a diff")
    def _load(self, name: str, mode: str) -> None:
        try:
            diff = self.loader(name, mode)
        except UsageError as exc:
            self.post_message(DiffLoaded(name, mode, None, str(exc)))
            return
        self.post_message(DiffLoaded(name, mode, diff))

    @on(DiffLoaded)
    def _loaded(self, message: DiffLoaded) -> None:
        message.stop()
        if message.name != self.name_shown or message.mode != self.mode:
            return  # superseded
        if message.diff is None:
            self.diff = None
            self._title(Text(f"{message.name}: {message.error}", style="bold red"))
            self.files.clear_options()
            self.lines.show_file(None)
            return
        self._present(message.diff)

    def _present(self, diff: Diff) -> None:
        self.diff = diff
        stat = diff.stat
        title = Text.assemble(
            (diff.agent, "bold"), f" · {MODE_LABEL[diff.mode]} against {diff.against_label}",
            f" · {fmt.plural(stat.files, 'file')} ",
            (f"+{stat.added}", "green"), " ", (f"-{stat.removed}", "red"),
            ("   d: show " + ("whole branch" if diff.mode == WIP else "uncommitted only"),
             "dim"),
        )
        self._title(title)
        options = self.files
        options.clear_options()
        if diff.empty:
            empty = "No uncommitted changes." if diff.mode == WIP else \
                f"No changes against {diff.against_label}."
            self.lines.show_file(None, empty)
            return
        options.add_options([Option(_file_label(f), id=f.path) for f in diff.files])
        paths = [f.path for f in diff.files]
        index = paths.index(self._selected_path) if self._selected_path in paths else 0
        options.highlighted = index
        self.lines.show_file(diff.files[index])
        self._selected_path = paths[index]

    @on(OptionList.OptionHighlighted, "#diff-files")
    def _file_chosen(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if self.diff is None or event.option.id is None:
            return
        if event.option.id == self._selected_path and self.lines.rows:
            return
        fd = self.diff.file(event.option.id)
        self._selected_path = event.option.id
        self.lines.show_file(fd)

    @on(OptionList.OptionSelected, "#diff-files")
    def _file_opened(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.lines.focus()

    def _title(self, text: Text) -> None:
        self.query_one("#diff-title", Static).update(text)

    def show_verdict(self, verdict: dict[str, str] | None) -> None:
        """The judge's last verdict on the selected agent's task (from the poll), or none."""
        if verdict == self._verdict:
            return
        self._verdict = verdict
        line = self.query_one("#diff-verdict", Static)
        kind = (verdict or {}).get("verdict")
        line.set_class(kind == "approve", "approve")
        line.set_class(kind is not None and kind != "approve", "reject")
        line.update(fmt.verdict_line(verdict) if verdict else "")


def _file_label(f: FileDiff) -> Text:
    mark = "U" if f.untracked else f.status
    counts = Text("binary", style="dim") if f.binary else Text.assemble(
        (f"+{f.added}", "green"), " ", (f"-{f.removed}", "red"))
    flags = " *" if f.uncommitted else ""
    return Text.assemble((f"{mark} ", "bold"), counts, " ", f.display_path, (flags, "yellow"))

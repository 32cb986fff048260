"""The spawn form: name (suggested), preset, base, first prompt, how many, budget.

It opens at once (keys typed right after n land in it, as always) and reads what it offers
(presets and which of them can run here, the default base, branch names, a suggested name:
git, PATH and the state database) in its own worker; SpawnOptionsLoaded fills the fields the
person has not typed into yet. Presets whose CLI is not installed are marked, and the default
is one that is. A spawn that fails brings the form back as it was filled in (a SpawnDraft),
with the error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from workspace.core.errors import UsageError
from workspace.core.names import check_name, slugify, suggest_name
from workspace.service import Workspace
from workspace.ui.messages import SpawnDraft, SpawnOptionsLoaded


@dataclass(frozen=True)
class SpawnRequest:
    names: tuple[str, ...]
    preset: str
    base: str
    prompt: str
    budget: float | None
    draft: SpawnDraft = field(default_factory=SpawnDraft)
    """The form as filled in, to bring back if the spawn fails."""


class SpawnScreen(ModalScreen[SpawnRequest | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Spawn"),
    ]
    DEFAULT_CSS = """
    SpawnScreen { align: center middle; }
    SpawnScreen > VerticalScroll { width: 80; max-width: 100%; height: auto; max-height: 95%;
                                   border: thick $primary; background: $surface; padding: 0 2; }
    SpawnScreen Label { margin: 1 0 0 0; color: $text-muted; }
    SpawnScreen #prompt { height: 6; }
    SpawnScreen .row { height: auto; }
    SpawnScreen .row > Vertical { width: 1fr; height: auto; }
    SpawnScreen #error { color: $error; height: auto; }
    SpawnScreen #buttons { height: auto; margin: 1 0 0 0; align: right middle; }
    SpawnScreen #hint { color: $text-muted; margin: 1 0 0 0; }
    """

    def __init__(self, ws: Workspace, taken: set[str], draft: SpawnDraft | None = None,
                 error: str = "") -> None:
        """`draft`, `error`: the form as filled in before, and why its spawn failed."""
        super().__init__()
        self.ws = ws
        self.default_preset = ws.settings.workspace.default_preset
        self.suggested = ""
        self.taken = taken
        self.draft = draft or SpawnDraft()
        self.error = error
        self.missing: dict[str, str] = {}
        """Preset -> why it cannot run here."""
        self._name_touched = draft is not None
        self._ready = False
        self._submit_when_loaded = False

    def compose(self) -> ComposeResult:
        # Scrolls when the terminal is short; every field stays reachable.
        with VerticalScroll():
            yield Static("[b]New agent[/b]")
            # At the top: on a short terminal the form scrolls, and this must be seen.
            yield Static(self.error, id="error", markup=False)
            d = self.draft
            preset = d.preset or self.default_preset
            yield Label("Name")
            yield Input(d.name, id="name", placeholder="e.g. fix-login")
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("Preset")
                    yield Select([(preset, preset)], value=preset, allow_blank=False,
                                 id="preset")
                with Vertical():
                    yield Label("Base branch")
                    yield Input(d.base, id="base")
            yield Label("First prompt (optional)")
            yield TextArea(d.prompt, id="prompt", soft_wrap=True, show_line_numbers=False)
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("How many")
                    yield Input(d.count, id="count", type="integer")
                with Vertical():
                    yield Label("Budget, USD (optional)")
                    yield Input(d.budget, id="budget", type="number", placeholder="none")
            yield Static("ctrl+s spawn · esc cancel · tab next field", id="hint")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Spawn", variant="primary", id="spawn")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self._load()

    @work(thread=True, group="spawn-form", exit_on_error=False,
          description="read presets and branches for the spawn form")
    def _load(self) -> None:
        ws = self.ws
        try:
            missing = ws.preset_problems()
            presets = ws.preset_names()
            preset = default_preset(presets, missing, self.default_preset)
            self.post_message(SpawnOptionsLoaded(
                presets=presets, base=ws.default_base(), branches=ws.branch_names(),
                suggested=ws.suggest_name(preset), missing=missing))
        except Exception as exc:  # the form still works: the person types a base
            self.post_message(SpawnOptionsLoaded([], "", [], "", error=str(exc)))

    @on(SpawnOptionsLoaded)
    def _fill(self, message: SpawnOptionsLoaded) -> None:
        self._ready = True
        self.missing = message.missing
        if message.error:
            self.query_one("#error", Static).update(message.error)
        if message.presets:
            preset = self.query_one("#preset", Select)
            with preset.prevent(Select.Changed):  # not the person's choice
                preset.set_options([(p + (" (not installed)" if p in message.missing else ""),
                                     p) for p in message.presets])
                chosen = self.draft.preset if self.draft.preset in message.presets else \
                    default_preset(message.presets, message.missing, self.default_preset)
                preset.value = chosen
        base = self.query_one("#base", Input)
        base.suggester = SuggestFromList(message.branches, case_sensitive=True)
        if not base.value:
            base.value = message.base
        name = self.query_one("#name", Input)
        # A name suggested before the options came (the configured preset's) is replaced.
        if not self._name_touched and name.value in ("", self.suggested) and \
                message.suggested:
            self.suggested = message.suggested
            name.value = message.suggested
            if name.has_focus:
                name.select_all()  # typing replaces the suggestion
        if self._submit_when_loaded:
            self.action_submit()

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        # The value now, not the event's: the event of a suggestion replaced since may
        # arrive late, and it was not the person's.
        if event.input.value != self.suggested:
            self._name_touched = True

    @on(Select.Changed, "#preset")
    def _preset_changed(self, event: Select.Changed) -> None:
        """A name suggested from the preset follows it (one from the prompt stays)."""
        prompt = self.query_one("#prompt", TextArea).text.strip()
        if self._name_touched or prompt or not isinstance(event.value, str):
            return
        self.suggested = suggest_name(event.value, self.taken)
        self.query_one("#name", Input).value = self.suggested

    @on(TextArea.Changed, "#prompt")
    def _prompt_changed(self, event: TextArea.Changed) -> None:
        if self._name_touched:
            return
        words = " ".join(event.text_area.text.split()[:4])
        stem = slugify(words, limit=24)
        if stem:
            candidate, n = stem, 2
            while candidate in self.taken:
                candidate, n = f"{stem}-{n}", n + 1
            self.suggested = candidate
            self.query_one("#name", Input).value = candidate

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#spawn")
    def _spawn_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        if not self._ready:  # ctrl+s before the form has its base: spawn once it has
            self._submit_when_loaded = True
            return
        try:
            request = self._request()
        except UsageError as exc:
            error = self.query_one("#error", Static)
            error.update(str(exc))
            error.scroll_visible()
            return
        self.dismiss(request)

    def _request(self) -> SpawnRequest:
        name = self.query_one("#name", Input).value.strip()
        check_name(name)
        count_text = self.query_one("#count", Input).value.strip() or "1"
        count = int(count_text) if count_text.isdigit() else 0
        if not 1 <= count <= 50:
            raise UsageError("how many: give a number from 1 to 50")
        names = (name,) if count == 1 else tuple(f"{name}-{i}" for i in range(1, count + 1))
        for candidate in names:
            check_name(candidate)
            if candidate in self.taken:
                raise UsageError(f"an agent named {candidate!r} already exists; choose another")
        budget_text = self.query_one("#budget", Input).value.strip()
        budget = None
        if budget_text:
            try:
                budget = float(budget_text)
            except ValueError:
                raise UsageError("budget: give a number of US dollars, like 2.50") from None
            if not (math.isfinite(budget) and budget > 0):
                raise UsageError("budget: give an amount above 0, or leave it empty")
        base = self.query_one("#base", Input).value.strip()
        if not base:
            raise UsageError("base branch: give the branch to start from")
        preset = str(self.query_one("#preset", Select).value)
        if preset in self.missing:
            raise UsageError(self.missing[preset])
        return SpawnRequest(names, preset, base, self.query_one("#prompt", TextArea).text,
                            budget, self.filled_in())

    def filled_in(self) -> SpawnDraft:
        return SpawnDraft(
            name=self.query_one("#name", Input).value,
            preset=str(self.query_one("#preset", Select).value),
            base=self.query_one("#base", Input).value,
            prompt=self.query_one("#prompt", TextArea).text,
            count=self.query_one("#count", Input).value,
            budget=self.query_one("#budget", Input).value)


def default_preset(presets: list[str], missing: dict[str, str], wanted: str) -> str:
    """The configured default if it can run here, else the first preset that can."""
    if wanted in presets and wanted not in missing:
        return wanted
    return next((p for p in presets if p not in missing), wanted)

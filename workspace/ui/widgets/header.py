"""The top line: repository, agent count, who needs you, today's tokens and cost and the
whole workspace's cost (ended agents' included: their usage stays), the autopilot."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from workspace.core import format as fmt
from workspace.core.usage import UsageSummary
from workspace.service import AutopilotStatus, Snapshot

_LEVELS = 6


class WorkspaceHeader(Static):
    DEFAULT_CSS = """
    WorkspaceHeader { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def __init__(self, repo: str, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.repo = repo
        self._last: Text | None = None
        self._hidden = 0
        """Agents the table's filter hides (the counts are the whole fleet's all the same)."""
        self._shown: tuple[Snapshot | None, AutopilotStatus | None, UsageSummary | None] = (
            None, None, None)

    def hidden_by_filter(self, count: int) -> None:
        """The table's filter hides `count` agents: say so after the counts."""
        if count != self._hidden:
            self._hidden = count
            self.show(*self._shown)

    def show(self, snapshot: Snapshot | None, autopilot: AutopilotStatus | None = None,
             usage: UsageSummary | None = None) -> None:
        self._shown = (snapshot, autopilot, usage)
        room = self.content_size.width or self.app.size.width - 2
        # Narrow terminals: the least needed parts go first, so the autopilot and both costs
        # stay on an 80-column line (the end of a line that does not fit is cut).
        for level in range(_LEVELS):
            text = self._line(snapshot, autopilot, usage, level)
            if text.cell_len <= room:
                break
        self._show(text)

    def on_resize(self) -> None:
        self.show(*self._shown)

    def _line(self, snapshot: Snapshot | None, autopilot: AutopilotStatus | None,
              usage: UsageSummary | None, level: int) -> Text:
        """The line at a level of shortening: 0 all of it; 1 without tokens; 2 shorter
        separators and no 'workspace'; 3 the autopilot without its agents; 4 without the
        total cost; 5 the autopilot as on or off."""
        sep = "  ·  " if level < 2 else " · "
        text = Text()
        if level < 2:
            text.append("workspace ", style="bold")
        text.append(self.repo, style="bold " + self.app.theme_variables.get("primary", "blue"))
        if snapshot is None:
            text.append("   loading…", style="dim")
            return text
        agents = len(snapshot.agents)
        text.append(f"{'   ' if level < 2 else '  '}{fmt.plural(agents, 'agent')}")
        if self._hidden:
            text.append(f", {self._hidden} hidden", style="dim")  # by the filter: short
        need = snapshot.needs_you
        warn = self.app.theme_variables.get("warning", "yellow")
        text.append(sep)
        text.append(f"{need} {'needs' if need == 1 else 'need'} you",  # a verb, not plural()
                    style=f"bold {warn}" if need else "dim")
        if usage is None:  # not known yet: the live agents' sum
            if level < 1:
                text.append(f"{sep}{fmt.tokens(snapshot.tokens.total)} tokens")
            text.append(f"{sep}{fmt.cost(snapshot.cost_usd)}")
        else:
            text.append(f"{sep}today {fmt.cost(usage.today.cost_usd)}")
            if level < 4:
                text.append(f" · all {fmt.cost(usage.all.cost_usd)}", style="dim")
            if level < 1:
                text.append(f"{sep}{fmt.tokens(usage.today.tokens.total)} tokens today")
        if autopilot is not None and (autopilot.running or autopilot.counts):
            text.append(sep)
            summary = (autopilot.summary(short=level >= 3) if level < 5
                       else f"autopilot {'on' if autopilot.running else 'off'}")
            text.append(summary, style="bold" if autopilot.running else "dim")
        if not snapshot.server_running and agents:
            text.append("   tmux server not running", style="bold red")
        return text

    def _show(self, text: Text) -> None:
        """Redraw only when the line changed (most poll ticks change nothing here)."""
        if text != self._last:
            self._last = text
            self.update(text)

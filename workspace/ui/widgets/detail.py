"""Everything about one agent: where it works, what it is doing, what it has cost, its burn
rate."""

from __future__ import annotations

import time

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Sparkline, Static

from workspace.core import format as fmt
from workspace.core.agent import Agent


class AgentDetail(VerticalScroll):
    DEFAULT_CSS = """
    AgentDetail { height: 1fr; padding: 0 1; }
    AgentDetail #burn { height: 3; margin: 1 0 0 0; }
    AgentDetail #burn-label { color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="facts")
        yield Static("tokens per minute, last 30 minutes", id="burn-label")
        yield Sparkline([], id="burn")

    def show(self, agent: Agent | None, burn: list[float], budget: float | None,
             radar: list[tuple[str, str]]) -> None:
        """radar: the conflict radar's lines for this agent (shared files, conflicts)."""
        facts = self.query_one("#facts", Static)
        if agent is None:
            facts.update(Text("No agent selected.", style="dim"))
            self.query_one("#burn", Sparkline).data = []
            return
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        now = time.time()
        rows = [
            ("status", f"{fmt.STATUS_LABEL[agent.status]} for {fmt.age(now - agent.status_since)}"
                       + (f" — {agent.status_reason}" if agent.status_reason else "")),
            ("task", agent.task or "—"),
            ("preset", agent.preset + (f" · model {agent.model}" if agent.model else "")),
            ("branch", f"{agent.branch} (from {agent.base})"),
            ("worktree", agent.worktree),
            ("session", agent.session_id or "—"),
            ("diff", f"{agent.diff.files} files, +{agent.diff.added} -{agent.diff.removed}"),
            ("tokens", f"{agent.tokens.total:,} = in {agent.tokens.input:,} · out "
                       f"{agent.tokens.output:,} · cache read {agent.tokens.cache_read:,} · "
                       f"cache write {agent.tokens.cache_write:,}"),
            ("cost", fmt.cost(agent.cost_usd) + (f" of budget {fmt.cost(budget)}" if budget
                                                   else "") + " (estimated)"),
            ("context", fmt.percent(agent.context_pct)),
            ("age", fmt.age(now - agent.created_at)),
            *radar,
        ]
        for key, value in rows:
            table.add_row(key, value)
        facts.update(table)
        self.query_one("#burn", Sparkline).data = burn or [0.0]

"""Pane-text rules: what an agent's screen says about its status. Pure.

Rules are data (one TOML file per preset under `workspace/adapters/agents/rules/`), checked
against fixtures captured from the real CLIs. They only look at the bottom of the screen, so
text the agent quotes in its scrollback cannot fool them, and they only claim a status on a
positive cue: an unmatched screen means "nothing definite", never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workspace.core.agent import Status

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def bottom_lines(text: str, count: int) -> list[str]:
    """The last `count` non-blank lines of a screen."""
    lines = [line.rstrip() for line in text.splitlines()]
    kept = [line for line in lines if line.strip()]
    return kept[-count:] if count > 0 else kept


@dataclass(frozen=True)
class PaneRule:
    status: Status
    contains: tuple[str, ...] = ()
    """Any of these substrings (case-sensitive) in the watched lines."""
    pattern: re.Pattern[str] | None = None
    """Or this regular expression (searched per line)."""
    bottom: int = 15
    """How many non-blank lines from the bottom of the screen to look at."""
    reason: str = ""
    """Shown in the status column's detail; `{line}` is the matching line."""

    def match(self, lines: list[str]) -> str | None:
        watched = lines[-self.bottom :] if self.bottom > 0 else lines
        for line in watched:
            if any(needle in line for needle in self.contains):
                return line.strip()
            if self.pattern is not None and self.pattern.search(line):
                return line.strip()
        return None


@dataclass(frozen=True)
class PaneRules:
    preset: str
    rules: tuple[PaneRule, ...] = ()

    def classify(self, screen: str) -> tuple[Status | None, str]:
        """The first rule that matches the screen decides; none matching means unknown."""
        if not self.rules:
            return None, ""
        lines = bottom_lines(strip_ansi(screen), max(rule.bottom for rule in self.rules))
        for rule in self.rules:
            line = rule.match(lines)
            if line is not None:
                reason = rule.reason.replace("{line}", line[:120]) if rule.reason else line[:120]
                return rule.status, reason
        return None, ""


def parse_rules(preset: str, data: dict[str, object], origin: str) -> PaneRules:
    """Build rules from a decoded TOML document: `[[rule]]` tables with `status`, `contains`
    (list of strings), `regex`, `bottom`, `reason`. Raises ValueError naming `origin`."""
    raw = data.get("rule", [])
    if not isinstance(raw, list):
        raise ValueError(f"{origin}: 'rule' must be an array of tables ([[rule]])")
    rules: list[PaneRule] = []
    for index, item in enumerate(raw, start=1):
        where = f"{origin}: rule {index}"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: must be a table")
        unknown = set(item) - {"status", "contains", "regex", "bottom", "reason"}
        if unknown:
            raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        try:
            status = Status(str(item.get("status")))
        except ValueError:
            raise ValueError(f"{where}: unknown status {item.get('status')!r}") from None
        contains = item.get("contains", [])
        if not isinstance(contains, list) or not all(isinstance(c, str) for c in contains):
            raise ValueError(f"{where}: 'contains' must be a list of strings")
        regex = item.get("regex")
        pattern = None
        if regex is not None:
            try:
                pattern = re.compile(str(regex))
            except re.error as exc:
                raise ValueError(f"{where}: bad regex: {exc}") from None
        if not contains and pattern is None:
            raise ValueError(f"{where}: give 'contains' or 'regex'")
        bottom = item.get("bottom", 15)
        if not isinstance(bottom, int) or bottom < 0:
            raise ValueError(f"{where}: 'bottom' must be a whole number >= 0")
        rules.append(
            PaneRule(
                status=status,
                contains=tuple(contains),
                pattern=pattern,
                bottom=bottom,
                reason=str(item.get("reason", "")),
            )
        )
    return PaneRules(preset=preset, rules=tuple(rules))

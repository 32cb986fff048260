"""Load pane-text rules: built-in ones ship as TOML beside this module; a preset may name its
own file instead."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from workspace.core.errors import UsageError
from workspace.core.panes import PaneRules, parse_rules

RULES_DIR = Path(__file__).resolve().parent / "rules"


def builtin_rule_names() -> list[str]:
    return sorted(p.stem for p in RULES_DIR.glob("*.toml"))


@cache
def load_rules(name_or_path: str) -> PaneRules:
    path = Path(name_or_path).expanduser()
    if not (path.suffix == ".toml" and path.is_file()):
        path = RULES_DIR / f"{name_or_path}.toml"
        if not path.is_file():
            raise UsageError(
                f"no pane rules named {name_or_path!r}; use one of "
                f"{', '.join(builtin_rule_names())} or a path to a .toml rules file"
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return parse_rules(path.stem, data, str(path))
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise UsageError(f"{path}: bad pane rules: {exc}") from None

"""Theme files: built-in ones inside the package, the person's own in the config dir. Each is a
TOML file whose keys mirror Textual's Theme fields plus a [variables] table. Reading and key
checks happen here; the UI checks colours and registers them. A bad file is reported, skipped."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from workspace.adapters.locations import user_themes_dir

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "themes"
THEME_KEYS = frozenset(
    {"name", "primary", "secondary", "warning", "error", "success", "accent", "foreground",
     "background", "surface", "panel", "boost", "dark", "luminosity_spread", "text_alpha",
     "variables"}
)


@dataclass(frozen=True)
class ThemeFile:
    path: Path
    fields: dict[str, object]


def theme_files() -> tuple[list[ThemeFile], list[str]]:
    """(themes, problems): every readable theme file, and one line per bad one."""
    found: list[ThemeFile] = []
    problems: list[str] = []
    for folder in (BUILTIN_DIR, user_themes_dir()):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                problems.append(f"{path}: {exc}")
                continue
            unknown = sorted(set(data) - THEME_KEYS)
            if unknown:
                problems.append(f"{path}: unknown key {unknown[0]!r}")
                continue
            if not isinstance(data.get("name"), str) or not isinstance(data.get("primary"), str):
                problems.append(f"{path}: a theme needs 'name' and 'primary'")
                continue
            found.append(ThemeFile(path, data))
    return found, problems

"""Register the built-in and the person's theme files as Textual themes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme


class ThemeFileLike(Protocol):
    @property
    def path(self) -> Path: ...

    @property
    def fields(self) -> dict[str, object]: ...


COLOR_KEYS = ("primary", "secondary", "warning", "error", "success", "accent", "foreground",
              "background", "surface", "panel", "boost")

STATUS_VARIABLES = {
    "status-working": "#5fa8d3",
    "status-attention": "#e0a458",
    "status-error": "#e06c75",
    "status-done": "#7fbf7f",
    "status-quiet": "#7a8190",
}


def build_theme(fields: dict[str, object]) -> Theme:
    """A Textual Theme from a theme file's fields; ValueError names the bad colour."""
    kwargs: dict[str, object] = {"name": str(fields["name"])}
    for key in COLOR_KEYS:
        value = fields.get(key)
        if value is None:
            continue
        try:
            Color.parse(str(value))
        except ColorParseError:
            raise ValueError(f"{key} = {value!r} is not a colour") from None
        kwargs[key] = str(value)
    if "dark" in fields:
        kwargs["dark"] = bool(fields["dark"])
    variables = fields.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError("[variables] must be a table")
    kwargs["variables"] = {**STATUS_VARIABLES, **{str(k): str(v) for k, v in variables.items()}}
    return Theme(**kwargs)  # type: ignore[arg-type]


def register_themes(app: App[Any], files: Sequence[ThemeFileLike],
                    problems: list[str]) -> list[str]:
    """Register every good theme; return one line per file that was skipped."""
    skipped = list(problems)
    for file in files:
        try:
            app.register_theme(build_theme(file.fields))
        except (ValueError, TypeError) as exc:
            skipped.append(f"{file.path}: {exc}")
    return skipped

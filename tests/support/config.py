"""The person's own config file, as a test writes it."""

from __future__ import annotations

from workspace.adapters.locations import user_config_file


def write_user_config(text: str) -> None:
    path = user_config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)

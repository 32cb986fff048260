"""Task files: a Markdown checklist or a TOML file of [[task]] tables, read into task specs.

Markdown:

    - [ ] Add a login form
      The form posts to /login; show errors inline.
      after: Set up the session store
      check: pytest -q tests/test_login.py
    - [x] Done items are skipped

An item's indented lines are its prompt, but for `after:`, `check:`, `preset:`, `base:`,
`attempts:`, `loop:`, `merge:`, `priority:` and `budget:` lines. `after:` names earlier items
of the file by title or by number (`after: 1, 3`), or existing tasks by id (`after: t7`).

TOML: `[[task]]` tables with the same keys (`title`, `prompt`, `after` as a list), and an
optional `name` that other tables' `after` may use.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from typing import Any

from workspace.core.errors import UsageError
from workspace.core.tasks.model import LoopMode, MergeMode, TaskSpec

_ITEM = re.compile(r"^\s*[-*+]\s+\[(?P<done>[ xX])\]\s+(?P<title>.+?)\s*$")
_FIELD = re.compile(r"^\s*(?P<key>after|check|preset|base|attempts|loop|merge|priority|budget)"
                    r"\s*:\s*(?P<value>.*)$", re.IGNORECASE)
KEYS = ("title", "name", "prompt", "after", "check", "preset", "base", "attempts", "loop",
        "merge", "priority", "budget", "unattended")


@dataclass(frozen=True)
class Filed:
    """One task read from a file: its spec, and its `after` as written (earlier items by
    title, number or name; existing tasks by id), resolved when the file is filed."""

    spec: TaskSpec
    refs: tuple[str, ...]
    name: str = ""
    line: int = 0


def parse_markdown(text: str, where: str) -> list[Filed]:
    items: list[tuple[int, str, list[str]]] = []
    current: tuple[int, str, list[str]] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        match = _ITEM.match(line)
        if match:
            current = None
            if match["done"] == " ":
                current = (number, match["title"], [])
                items.append(current)
            continue
        if current is not None:
            if line.strip() and not line[:1].isspace():
                current = None  # an unindented line ends the item
            else:
                current[2].append(line)
    out = []
    for number, title, lines in items:
        fields: dict[str, Any] = {}
        prompt: list[str] = []
        for line in lines:
            match = _FIELD.match(line)
            if match:
                key, value = match["key"].lower(), match["value"].strip()
                fields[key] = [v.strip() for v in value.split(",") if v.strip()] \
                    if key == "after" else value
            else:
                prompt.append(line)
        fields["title"] = title
        fields["prompt"] = _dedent(prompt)
        out.append(_filed(fields, f"{where}:{number}", number))
    if not out:
        raise UsageError(f"{where}: no open checklist items ('- [ ] title') to file")
    return out


def parse_toml(text: str, where: str) -> list[Filed]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{where}: not valid TOML: {exc}") from None
    tables = data.get("task")
    if not isinstance(tables, list) or not tables:
        raise UsageError(f"{where}: no [[task]] tables to file")
    extra = sorted(set(data) - {"task"})
    if extra:
        raise UsageError(f"{where}: unknown top-level key {extra[0]!r}; only [[task]] tables")
    out = []
    for index, table in enumerate(tables, 1):
        if not isinstance(table, dict):
            raise UsageError(f"{where}: task {index} is not a table")
        unknown = sorted(set(table) - set(KEYS))
        if unknown:
            raise UsageError(f"{where}: task {index}: unknown key {unknown[0]!r}; keys: "
                             + ", ".join(KEYS))
        out.append(_filed(dict(table), f"{where}: task {index}", index))
    return out


def _dedent(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    return "\n".join(x[indent:] for x in lines)


def _filed(fields: dict[str, Any], where: str, line: int) -> Filed:
    def text(key: str) -> str:
        value = fields.get(key, "")
        if not isinstance(value, str):
            raise UsageError(f"{where}: {key} must be text")
        return value.strip()

    def number(key: str, kind: type[int] | type[float]) -> Any:
        value = fields.get(key)
        if value is None or value == "":
            return None
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise UsageError(f"{where}: {key} must be a number, not {value!r}") from None

    title = text("title")
    if not title:
        raise UsageError(f"{where}: a task needs a title")
    after = fields.get("after", [])
    if isinstance(after, str):
        after = [after]
    if not isinstance(after, list) or not all(isinstance(a, str | int) for a in after):
        raise UsageError(f"{where}: after must be a list of titles, numbers or task ids")
    try:
        loop = LoopMode(text("loop") or LoopMode.CONTINUE)
        merge = MergeMode(text("merge") or MergeMode.REVIEW)
    except ValueError as exc:
        raise UsageError(f"{where}: {exc}; loop is continue or fresh, merge is review or "
                         "auto") from None
    attempts = number("attempts", int)
    spec = TaskSpec(title=title, prompt=text("prompt"), preset=text("preset") or None,
                    base=text("base") or None, check=text("check"),
                    max_attempts=3 if attempts is None else attempts, loop=loop, merge=merge,
                    budget_usd=number("budget", float), priority=number("priority", int) or 0,
                    unattended=bool(fields.get("unattended", False)))
    return Filed(spec, tuple(str(a) for a in after), text("name"), line)


def resolve_refs(filed: list[Filed], existing: set[str]) -> list[tuple[TaskSpec, list[str]]]:
    """Each spec with its `after` resolved: `@N` is the file's item N (0-based, earlier),
    `tN` an existing task."""
    out: list[tuple[TaskSpec, list[str]]] = []
    by_title = {f.spec.title.lower(): i for i, f in enumerate(filed)}
    by_name = {f.name.lower(): i for i, f in enumerate(filed) if f.name}
    for i, item in enumerate(filed):
        refs: list[str] = []
        for ref in item.refs:
            key = ref.strip().lower()
            index = by_name.get(key, by_title.get(key))
            if index is None and key.isdigit():
                index = int(key) - 1
            if index is not None:
                if index >= i or index < 0:
                    raise UsageError(f"item {i + 1} ({item.spec.title!r}): after {ref!r} "
                                     "must name an earlier item")
                refs.append(f"@{index}")
            elif key.lstrip("#t").isdigit() and (f"t{int(key.lstrip('#t'))}" in existing):
                refs.append(f"t{int(key.lstrip('#t'))}")
            else:
                raise UsageError(f"item {i + 1} ({item.spec.title!r}): after {ref!r} names no "
                                 "earlier item (by title, number or name) or existing task")
        out.append((replace(item.spec), refs))
    return out
